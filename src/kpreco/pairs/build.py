"""Assembling `pairs`: one row per (item, keyphrase) with its evidence, tasks, kind and split."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType

from kpreco.config import SplitSettings

# Which kinds of pair the judge samples from (pairs.pair_kind), most informative first.
PAIR_KINDS = ("clicked", "sr_positive", "sr_negative", "shown_unclicked", "unshown_candidate")
SR_POSITIVE_THRESHOLD = 0.5

PAIR_COLUMNS = (
    "item_id",
    "keyphrase",
    "keyphrase_display",
    "title",
    "category",
    "search_count",
    "impressions",
    "clicks",
    "purchases",
    "examined",
    "ctr_smoothed",
    "sr_score",
    "retrieval_score",
    "source",
    "in_ctr_task",
    "in_sr_task",
    "is_unshown",
    "pair_kind",
    "split",
)


def split_of(item_id: Column, split: SplitSettings, salt: str = "kpreco-split") -> Column:
    """train/valid/test from a hash of the item id: deterministic, and no item in two splits."""
    bucket = F.pmod(F.xxhash64(item_id, F.lit(salt)), F.lit(10_000)) / F.lit(10_000.0)
    return (
        F.when(bucket < split.train, F.lit("train"))
        .when(bucket < split.train + split.valid, F.lit("valid"))
        .otherwise(F.lit("test"))
    )


def pair_kind() -> Column:
    has_sr = F.col("sr_score").isNotNull()
    return (
        F.when(F.col("clicks") > 0, F.lit("clicked"))
        .when(has_sr & (F.col("sr_score") >= SR_POSITIVE_THRESHOLD), F.lit("sr_positive"))
        .when(has_sr, F.lit("sr_negative"))
        .when(F.col("impressions") > 0, F.lit("shown_unclicked"))
        .otherwise(F.lit("unshown_candidate"))
    )


def pair_universe(
    click_stats: DataFrame,
    search_relevance: DataFrame,
    encoder_candidates: DataFrame,
    random_candidates: DataFrame,
) -> DataFrame:
    """All (item_id, keyphrase_norm) pairs with their evidence and a `source` label.

    Sources: `events` (impressions), `search` (Search scored it), `encoder` and `random`
    candidates; a pair found by several keeps the first of that order.
    """
    evidence = click_stats.join(
        search_relevance.select("item_id", "keyphrase_norm", "sr_score"),
        on=["item_id", "keyphrase_norm"],
        how="full_outer",
    )
    candidates = (
        encoder_candidates.select(
            "item_id", "keyphrase_norm", "retrieval_score", F.lit(2).alias("_candidate_rank")
        )
        .unionByName(
            random_candidates.select(
                "item_id",
                "keyphrase_norm",
                F.lit(None).cast("float").alias("retrieval_score"),
                F.lit(3).alias("_candidate_rank"),
            )
        )
        .groupBy("item_id", "keyphrase_norm")
        .agg(
            F.min("_candidate_rank").alias("_candidate_rank"),
            F.max("retrieval_score").alias("retrieval_score"),
        )
    )
    return (
        evidence.join(candidates, on=["item_id", "keyphrase_norm"], how="full_outer")
        .select(
            "*",
            F.when(F.col("impressions").isNotNull(), F.lit("events"))
            .when(F.col("sr_score").isNotNull(), F.lit("search"))
            .when(F.col("_candidate_rank") == 2, F.lit("encoder"))
            .otherwise(F.lit("random"))
            .alias("source"),
        )
        .drop("_candidate_rank")
    )


def assemble_pairs(
    universe: DataFrame,
    items: DataFrame,
    keyphrases: DataFrame,
    split: SplitSettings,
) -> DataFrame:
    """Join titles and keyphrase data, mark tasks, kind and split; the `pairs` schema."""
    joined = universe.join(
        items.select("item_id", "title", "category"), on="item_id", how="inner"
    ).join(
        keyphrases.select(
            "keyphrase_norm",
            F.col("keyphrase").alias("keyphrase_display"),
            F.col("search_count").cast(LongType()).alias("search_count"),
        ),
        on="keyphrase_norm",
        how="inner",
    )
    filled = joined.select(
        "item_id",
        F.col("keyphrase_norm").alias("keyphrase"),
        "keyphrase_display",
        "title",
        "category",
        "search_count",
        F.coalesce(F.col("impressions"), F.lit(0)).cast(LongType()).alias("impressions"),
        F.coalesce(F.col("clicks"), F.lit(0)).cast(LongType()).alias("clicks"),
        F.coalesce(F.col("purchases"), F.lit(0)).cast(LongType()).alias("purchases"),
        F.coalesce(F.col("examined"), F.lit(0.0)).cast(DoubleType()).alias("examined"),
        F.col("ctr_smoothed").cast(DoubleType()).alias("ctr_smoothed"),
        F.col("sr_score").cast(DoubleType()).alias("sr_score"),
        F.col("retrieval_score").cast(DoubleType()).alias("retrieval_score"),
        "source",
    )
    return filled.select(
        *[c for c in PAIR_COLUMNS if c in filled.columns],
        (F.col("clicks") > 0).alias("in_ctr_task"),
        F.col("sr_score").isNotNull().alias("in_sr_task"),
        (F.col("impressions") == 0).alias("is_unshown"),
        pair_kind().alias("pair_kind"),
        split_of(F.col("item_id"), split).alias("split"),
    ).select(*PAIR_COLUMNS)
