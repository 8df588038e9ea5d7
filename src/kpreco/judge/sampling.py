"""Which pairs the judge sees: a fixed-size, reproducible sample per pair kind (the first
round), then pairs the assistant is unsure of (later rounds).

Clicks only cover pairs Search showed; the judge must also see what clicks cannot (Search's
negatives, never-shown candidates), so each kind gets its own quota. The order is a seeded
hash, so a rerun selects the same pairs and finds them cached. A later round spends its budget
where a label teaches most (`select_uncertain`); its judgments carry the round's kind, so a
rerun finds the round's quota filled and selects nothing.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from kpreco.config import JudgeSampleSettings, JudgeUncertaintySettings
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


def uncertain_kind(number: int) -> str:
    """The `pair_kind` of the judgments of uncertainty round `number` (2, 3, ...)."""
    return f"uncertain_round_{number}"


def uncertainty(p: Column, sr_score: Column, encoder_rank: Column) -> Column:
    """How much the judge would teach on a pair, in [0, 1]: the assistant's own doubt (1 at
    P = 0.5), or its disagreement with Search's score (a relevant pair Search scores low: a
    synonym; an irrelevant one it scores high: a wrong-attribute hard negative), or with the
    base encoder (the pair's percentile of its cosine among the scored candidates), whichever
    is largest. Signals a pair lacks count as no disagreement."""
    doubt = F.lit(1.0) - F.abs(F.lit(2.0) * p - F.lit(1.0))
    return F.greatest(
        doubt,
        F.coalesce(F.abs(p - sr_score), F.lit(0.0)),
        F.coalesce(F.abs(p - encoder_rank), F.lit(0.0)),
    )


def select_uncertain(
    scored: DataFrame, count: int, settings: JudgeUncertaintySettings, number: int
) -> DataFrame:
    """Judge requests for uncertainty round `number`: the `count` pairs of `scored` with the
    highest `uncertainty`, at most `settings.max_per_item` per item, ties in seeded-hash order.

    `scored`: the not-yet-judged train/valid pairs the assistant scored, with the request
    columns, `ce_prob`, `sr_score` and `retrieval_score` (null where the signal is absent)."""
    if count <= 0:
        return scored.limit(0).select(*REQUEST_COLUMNS)
    tie = F.xxhash64("item_id", "keyphrase", F.lit(settings.seed))
    # A window over every scored candidate: a few tens of thousands of rows in one task.
    encoder_rank = F.when(
        F.col("retrieval_score").isNotNull(),
        F.percent_rank().over(
            Window.partitionBy(F.col("retrieval_score").isNull()).orderBy("retrieval_score")
        ),
    )
    ranked = scored.withColumn(
        "_uncertainty",
        uncertainty(F.col("ce_prob"), F.col("sr_score"), encoder_rank),
    )
    within_item = Window.partitionBy("item_id").orderBy(F.col("_uncertainty").desc(), tie)
    return (
        ranked.withColumn("_in_item", F.row_number().over(within_item))
        .where(F.col("_in_item") <= settings.max_per_item)
        .orderBy(F.col("_uncertainty").desc(), tie)
        .limit(count)
        .withColumn("pair_kind", F.lit(uncertain_kind(number)))
        .select(*REQUEST_COLUMNS)
    )
