"""Which pairs the judge sees: a fixed-size, reproducible sample per pair kind.

Clicks only cover pairs Search showed; the judge must also see what clicks cannot (Search's
negatives, never-shown candidates), so each kind gets its own quota. The order is a seeded
hash, so a rerun selects the same pairs and finds them cached.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from kpreco.config import JudgeSampleSettings
from kpreco.judge.key import JudgeKey, ok_judgments

HUMAN_LABELLED = "human_labelled"
REQUEST_COLUMNS = ("item_id", "keyphrase", "keyphrase_display", "title", "category", "pair_kind")
REQUEST_SCHEMA = ", ".join(f"{column} string" for column in REQUEST_COLUMNS)


def quota(sample: JudgeSampleSettings) -> dict[str, int]:
    return {
        "clicked": sample.clicked,
        "sr_positive": sample.sr_positive,
        "sr_negative": sample.sr_negative,
        "unshown_candidate": sample.unshown_candidate,
        HUMAN_LABELLED: sample.human_labelled,
    }


def human_label_requests(labels: DataFrame, items: DataFrame, keyphrases: DataFrame) -> DataFrame:
    """Judge requests for human-labelled pairs (they calibrate the judge's threshold)."""
    return (
        labels.select(
            "item_id", F.col("keyphrase_norm").alias("keyphrase"), F.col("keyphrase").alias("raw")
        )
        .join(items.select("item_id", "title", "category"), on="item_id", how="inner")
        .join(
            keyphrases.select(
                F.col("keyphrase_norm").alias("keyphrase"), F.col("keyphrase").alias("display")
            ),
            on="keyphrase",
            how="left",
        )
        .select(
            "item_id",
            "keyphrase",
            F.coalesce(F.col("display"), F.col("raw")).alias("keyphrase_display"),
            "title",
            "category",
            F.lit(HUMAN_LABELLED).alias("pair_kind"),
        )
    )


def select_for_judging(candidates: DataFrame, sample: JudgeSampleSettings) -> DataFrame:
    """Up to the quota of each `pair_kind`; one row per pair; the same pairs on every run.

    Items are taken in seeded-hash order, at most `max_per_item` pairs of a kind from each, so
    the kinds' quotas fill from the same items: an item's pairs are judged together and share
    the prompt prefix (title included), which about doubles llama.cpp's throughput.
    """
    limits = quota(sample)
    item_order = F.xxhash64("item_id", F.lit(sample.seed))
    pair_order = F.xxhash64("item_id", "keyphrase", F.lit(sample.seed))
    within_item = Window.partitionBy("pair_kind", "item_id").orderBy(pair_order)
    across_items = Window.partitionBy("pair_kind").orderBy(item_order, "_in_item", pair_order)
    limit = F.coalesce(*[F.when(F.col("pair_kind") == k, F.lit(n)) for k, n in limits.items()])
    chosen = (
        candidates.where(F.col("pair_kind").isin(*limits))
        .withColumn("_in_item", F.row_number().over(within_item))
        .where(F.col("_in_item") <= sample.max_per_item)
        .withColumn("_rank", F.row_number().over(across_items))
        .where(F.col("_rank") <= limit)
    )
    # A pair chosen under two kinds (a human-labelled pair that is also clicked) is judged once.
    first = Window.partitionBy("item_id", "keyphrase").orderBy("pair_kind")
    return (
        chosen.withColumn("_first", F.row_number().over(first))
        .where(F.col("_first") == 1)
        .select(*REQUEST_COLUMNS)
    )


def not_yet_judged(selected: DataFrame, judgments: DataFrame | None, key: JudgeKey) -> DataFrame:
    """The selected pairs without an `ok` judgment by this model and prompt version of the
    same title and category (a seller's edit makes an old judgment stale)."""
    if judgments is None:
        return selected
    done = ok_judgments(judgments, key).select(
        "item_id",
        "keyphrase",
        F.col("title").alias("_judged_title"),
        F.col("category").alias("_judged_category"),
    )
    same_text = (F.col("title") == F.col("_judged_title")) & F.col("category").eqNullSafe(
        F.col("_judged_category")
    )
    return (
        selected.join(done, on=["item_id", "keyphrase"], how="left")
        .where(F.col("_judged_title").isNull() | ~same_text)
        .select(*selected.columns)
    )
