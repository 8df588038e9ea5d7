"""Candidate pairs Search never showed: exactly the pairs clicks cannot teach.

Two sources, sized by config: the base encoder's nearest keyphrases per item (semantic
neighbours, synonyms included) and random keyphrases of the item's category (mostly
negatives, so the judge and the students also see what irrelevant looks like).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from kpreco.config import EncoderSettings
from kpreco.embedding import KEYPHRASE_TEXT, Encoding, build_keyphrase_index, nearest_keyphrases

ALL_CATEGORIES = "\u0000all"


def encoder_candidates(
    spark: SparkSession,
    items: DataFrame,
    keyphrases: DataFrame,
    encoder: EncoderSettings,
    per_item: int,
) -> DataFrame:
    """(item_id, keyphrase_norm, retrieval_score) for each item's `per_item` nearest keyphrases.

    `items` has item_id and title; `keyphrases` has keyphrase_norm and keyphrase (the display
    text, which is what is embedded, as everywhere: kpreco.embedding).
    """
    vocabulary = (
        keyphrases.groupBy("keyphrase_norm")
        .agg(F.min("keyphrase").alias(KEYPHRASE_TEXT))
        .withColumnRenamed("keyphrase_norm", "keyphrase")
    )
    encoding = Encoding(encoder.model, None, encoder.batch_size, encoder.max_seq_length)
    index = build_keyphrase_index(spark, vocabulary, encoding)
    return nearest_keyphrases(items, index, encoding, per_item).select(
        "item_id", F.col("keyphrase").alias("keyphrase_norm"), "retrieval_score"
    )


def random_category_candidates(
    items: DataFrame, keyphrases: DataFrame, per_item: int, seed: int
) -> DataFrame:
    """(item_id, keyphrase_norm): `per_item` keyphrases drawn by hash from the item's category,
    or from the whole vocabulary when the item's category has no keyphrases.

    Draws are with replacement, so an item can get fewer distinct ones than `per_item`.
    """
    buckets = (
        keyphrases.select("keyphrase_norm", "category")
        .where(F.col("category").isNotNull())
        .unionByName(keyphrases.select("keyphrase_norm", F.lit(ALL_CATEGORIES).alias("category")))
    )
    numbered = buckets.distinct().withColumn(
        "slot",
        F.row_number().over(
            Window.partitionBy("category").orderBy(F.xxhash64("keyphrase_norm", F.lit(seed)))
        )
        - 1,
    )
    sizes = numbered.groupBy("category").agg(F.count(F.lit(1)).alias("bucket_size"))
    draws = (
        items.select("item_id", "category")
        .join(F.broadcast(sizes), on="category", how="left")
        .select(
            "item_id",
            F.when(F.col("bucket_size").isNotNull(), F.col("category"))
            .otherwise(F.lit(ALL_CATEGORIES))
            .alias("bucket"),
        )
        .join(F.broadcast(sizes.withColumnRenamed("category", "bucket")), on="bucket", how="inner")
        .select(
            "item_id",
            "bucket",
            F.explode(F.sequence(F.lit(1), F.lit(per_item))).alias("draw"),
            "bucket_size",
        )
        .select(
            "item_id",
            "bucket",
            F.pmod(F.xxhash64("item_id", "draw", F.lit(seed)), F.col("bucket_size")).alias("slot"),
        )
    )
    return (
        draws.join(
            numbered.withColumnRenamed("category", "bucket"), on=["bucket", "slot"], how="inner"
        )
        .select("item_id", "keyphrase_norm")
        .distinct()
    )
