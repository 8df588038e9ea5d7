"""Training data of the assistant: the judge's ok judgments, split by item like `pairs`, and
the free weak labels it may warm up on first."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from kpreco.config import SplitSettings
from kpreco.judge.key import JudgeKey, ok_judgments
from kpreco.pairs.build import split_of

# Where a weak label comes from, and the target it gives (BCE on a soft target in [0, 1]):
# Search's own score where Search scored the pair (soft, never a hard zero: a hard zero on
# Search's negatives would teach Search's misses back), a clicked pair's smoothed click-through
# odds mapped to [0.5, 1], and the base encoder's cosine for a never-shown encoder candidate
# (clipped to [0, 1]). Random candidates get none: they say nothing the judge's labels do not.
WEAK_SOURCES = ("search", "clicked", "encoder")


def weak_target(source: str) -> F.Column:
    if source == "search":
        return F.col("sr_score")
    if source == "clicked":
        return 0.5 + 0.5 * F.least(F.lit(1.0), F.col("ctr_smoothed") * F.lit(10.0))
    return F.greatest(F.lit(0.0), F.least(F.lit(1.0), F.col("retrieval_score")))


def weak_source() -> F.Column:
    return (
        F.when(F.col("sr_score").isNotNull(), F.lit("search"))
        .when(F.col("clicks") > 0, F.lit("clicked"))
        .when((F.col("source") == "encoder") & F.col("retrieval_score").isNotNull(), "encoder")
    )


def weak_label_pairs(pairs: DataFrame, per_source: int, seed: int) -> DataFrame:
    """(title, keyphrase_display, target, weak_source) for up to `per_source` train-split pairs
    of each weak source, in seeded-hash order."""
    labelled = pairs.where(F.col("split") == "train").withColumn("weak_source", weak_source())
    order = Window.partitionBy("weak_source").orderBy(
        F.xxhash64("item_id", "keyphrase", F.lit(seed), F.lit("weak"))
    )
    target = F.lit(None).cast("double")
    for source in WEAK_SOURCES:
        target = F.when(F.col("weak_source") == source, weak_target(source)).otherwise(target)
    return (
        labelled.where(F.col("weak_source").isNotNull())
        .withColumn("_rank", F.row_number().over(order))
        .where(F.col("_rank") <= per_source)
        .select("title", "keyphrase_display", target.alias("target"), "weak_source")
    )


def judged_pairs(judgments: DataFrame, key: JudgeKey, split: SplitSettings) -> DataFrame:
    """(item_id, keyphrase, title, keyphrase_display, p_relevant, label, pair_kind, split) of
    this judge's ok judgments of sampled pairs (the evaluation's own requests left out); the
    split is the item's split in `pairs`."""
    return ok_judgments(judgments, key, evaluation=False).select(
        "item_id",
        "keyphrase",
        "title",
        "keyphrase_display",
        "p_relevant",
        "label",
        "pair_kind",
        split_of(F.col("item_id"), split).alias("split"),
    )
