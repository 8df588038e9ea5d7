"""The student's three task datasets, prepared and sampled by Spark, then collected.

- ctr: clicked train pairs (title, keyphrase). CTR-weighted *sampling*: each pair is drawn
  without replacement with probability proportional to its smoothed CTR (Efraimidis-Spirakis
  keys u^(1/w)), so well-clicked pairs appear more often than once-clicked noise.
- sr: Search-scored train pairs with `sr_score`, negatives included.
- distill: train pairs with a teacher score: the cross-encoder's scores from `ce_scores` on its
  distillation set, or (preset distill_from_llm_direct) the judge's P(relevant) on judged
  pairs. Grouped by item (`distillation_groups`), a row is (title, N candidates, N scores);
  otherwise one scored pair per row.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from kpreco.config import BiEncoderSettings, DistillSettings


def _texts() -> list:
    return [F.col("title").alias("anchor"), F.col("keyphrase_display").alias("positive")]


def _seeded_order(seed: int, salt: str):
    return F.xxhash64("item_id", "keyphrase", F.lit(seed), F.lit(salt))


def ctr_task(pairs: DataFrame, max_pairs: int, seed: int) -> DataFrame:
    uniform = (F.pmod(_seeded_order(seed, "ctr"), F.lit(1_000_003)) + 1) / F.lit(1_000_004.0)
    key = F.pow(uniform, 1.0 / F.greatest(F.col("ctr_smoothed"), F.lit(1e-6)))
    return (
        pairs.where(F.col("in_ctr_task") & (F.col("split") == "train"))
        .orderBy(key.desc())
        .limit(max_pairs)
        .select(*_texts())
    )


def sr_task(pairs: DataFrame, max_pairs: int, seed: int) -> DataFrame:
    return (
        pairs.where(F.col("in_sr_task") & (F.col("split") == "train"))
        .orderBy(_seeded_order(seed, "sr"))
        .limit(max_pairs)
        .select(*_texts(), F.col("sr_score").cast("float").alias("score"))
    )


def distillation_groups(pairs: DataFrame, distill: DistillSettings) -> DataFrame:
    """The assistant's distillation set by item: (item_id, keyphrase, title, keyphrase_display,
    position) for `distill.group_items()` train items in seeded-hash order, `group_size` pairs
    each from the item's rows in `pairs`: its near ones (Search showed or scored it, or it is
    one of the base encoder's nearest keyphrases: the hard negatives the student must learn to
    order) and `random_per_group` random candidates; a stratum short of its quota is filled
    from the other. Items with fewer than `group_size` pairs are not drawn."""
    size, seed = distill.group_size, distill.seed
    is_random = F.col("source") == "random"
    order = _seeded_order(seed, "distill-group")
    train = pairs.where(F.col("split") == "train").select(
        "item_id", "keyphrase", "title", "keyphrase_display", "source"
    )
    big_enough = (
        train.groupBy("item_id")
        .count()
        .where(F.col("count") >= size)
        .orderBy(F.xxhash64("item_id", F.lit(seed), F.lit("distill-items")))
        .limit(distill.group_items())
        .select("item_id")
    )
    within_stratum = Window.partitionBy("item_id", is_random).orderBy(order)
    quota = F.when(is_random, F.lit(distill.random_per_group)).otherwise(
        F.lit(size - distill.random_per_group)
    )
    ranked = (
        train.join(big_enough, on="item_id", how="inner")
        .withColumn("_in_quota", F.row_number().over(within_stratum) <= quota)
        .withColumn(
            "position",
            F.row_number().over(
                Window.partitionBy("item_id").orderBy(F.col("_in_quota").desc(), order)
            ),
        )
    )
    return ranked.where(F.col("position") <= size).select(
        "item_id", "keyphrase", "title", "keyphrase_display", "position"
    )


def distill_from_cross_encoder(
    pairs: DataFrame, ce_scores: DataFrame, version: str, distill: DistillSettings, seed: int
) -> DataFrame:
    """Grouped: (anchor, candidates, scores) per item of the distillation set whose whole
    group was scored (scores: calibrated probabilities, logits for the listwise loss); as pairs
    (mse, or grouping none): (anchor, positive, score)."""
    column = "ce_logit" if distill.loss == "listwise" else "ce_prob"
    scores = ce_scores.where(F.col("ce_version") == version).select(
        "item_id", "keyphrase", F.col(column).cast("float").alias("score")
    )
    if not distill.grouped():
        return (
            pairs.where(F.col("split") == "train")
            .join(scores, on=["item_id", "keyphrase"], how="inner")
            .orderBy(_seeded_order(seed, "distill"))
            .limit(distill.max_pairs)
            .select(*_texts(), "score")
        )
    scored = distillation_groups(pairs, distill).join(
        scores, on=["item_id", "keyphrase"], how="inner"
    )
    if distill.loss == "mse":
        return scored.select(*_texts(), "score")
    members = F.array_sort(F.collect_list(F.struct("position", "keyphrase_display", "score")))
    return (
        scored.groupBy("item_id", "title")
        .agg(members.alias("_members"))
        .where(F.size("_members") == distill.group_size)
        .orderBy("item_id")
        .select(
            F.col("title").alias("anchor"),
            F.col("_members.keyphrase_display").alias("candidates"),
            F.col("_members.score").alias("scores"),
        )
    )


def distill_from_judge(judged: DataFrame, max_pairs: int, seed: int) -> DataFrame:
    """`judged`: cross_encoder.dataset.judged_pairs (the judge's texts and P, with split)."""
    return (
        judged.where(F.col("split") == "train")
        .orderBy(_seeded_order(seed, "distill-llm"))
        .limit(max_pairs)
        .select(*_texts(), F.col("p_relevant").cast("float").alias("score"))
    )


def collect_tasks(frames: dict[str, DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frame.toPandas() for name, frame in frames.items()}


def task_frames(
    settings: BiEncoderSettings,
    pairs: DataFrame,
    ce_scores: DataFrame | None,
    ce_version: str | None,
    judged: DataFrame | None,
) -> dict[str, DataFrame]:
    tasks, seed = settings.tasks, settings.seed
    frames: dict[str, DataFrame] = {}
    if tasks.ctr.enabled:
        frames["ctr"] = ctr_task(pairs, tasks.ctr.max_pairs, seed)
    if tasks.sr.enabled:
        frames["sr"] = sr_task(pairs, tasks.sr.max_pairs, seed)
    if tasks.distill.enabled:
        if tasks.distill.source == "llm":
            frames["distill"] = distill_from_judge(judged, tasks.distill.max_pairs, seed)
        else:
            frames["distill"] = distill_from_cross_encoder(
                pairs, ce_scores, ce_version, tasks.distill, seed
            )
    return frames
