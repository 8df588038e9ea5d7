"""Which pairs the judge sees: a fixed-size, reproducible sample per pair kind.

Clicks only cover pairs Search showed; the judge must also see what clicks cannot (Search's
negatives, never-shown candidates), so each kind gets its own quota. Within a kind, pairs are
taken in the order of a seeded hash, so a rerun selects the same pairs and finds them cached.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from kpreco.config import JudgeSampleSettings

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
    """Up to the quota of each `pair_kind`, in seeded-hash order; one row per pair."""
    limits = quota(sample)
    order = F.xxhash64("item_id", "keyphrase", F.lit(sample.seed))
    ranked = candidates.where(F.col("pair_kind").isin(*limits)).withColumn(
        "_rank", F.row_number().over(Window.partitionBy("pair_kind").orderBy(order))
    )
    limit = F.coalesce(*[F.when(F.col("pair_kind") == k, F.lit(n)) for k, n in limits.items()])
    chosen = ranked.where(F.col("_rank") <= limit)
    # A pair chosen under two kinds (a human-labelled pair that is also clicked) is judged once.
    first = Window.partitionBy("item_id", "keyphrase").orderBy("pair_kind")
    return (
        chosen.withColumn("_first", F.row_number().over(first))
        .where(F.col("_first") == 1)
        .select(*REQUEST_COLUMNS)
    )


def not_yet_judged(
    selected: DataFrame, judgments: DataFrame | None, model: str, version: str
) -> DataFrame:
    """The selected pairs without an `ok` judgment by this model and prompt version."""
    if judgments is None:
        return selected
    done = judgments.where(
        (F.col("judge_model") == model)
        & (F.col("prompt_version") == version)
        & (F.col("status") == "ok")
    ).select("item_id", "keyphrase")
    return selected.join(done, on=["item_id", "keyphrase"], how="left_anti")
