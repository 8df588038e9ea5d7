"""The student's three task datasets, prepared and sampled by Spark, then collected.

- ctr: clicked train pairs (title, keyphrase). CTR-weighted *sampling*: each pair is drawn
  without replacement with probability proportional to its smoothed CTR (Efraimidis-Spirakis
  keys u^(1/w)), so well-clicked pairs appear more often than once-clicked noise.
- sr: Search-scored train pairs with `sr_score`, negatives included.
- distill: train pairs with a teacher score: the cross-encoder's calibrated probability from
  `ce_scores`, or (preset distill_from_llm_direct) the judge's P(relevant) on judged pairs.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kpreco.config import BiEncoderSettings


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


def distill_from_cross_encoder(
    pairs: DataFrame, ce_scores: DataFrame, version: str, max_pairs: int, seed: int
) -> DataFrame:
    scores = ce_scores.where(F.col("ce_version") == version).select(
        "item_id", "keyphrase", "ce_prob"
    )
    return (
        pairs.where(F.col("split") == "train")
        .join(scores, on=["item_id", "keyphrase"], how="inner")
        .orderBy(_seeded_order(seed, "distill"))
        .limit(max_pairs)
        .select(*_texts(), F.col("ce_prob").cast("float").alias("score"))
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
                pairs, ce_scores, ce_version, tasks.distill.max_pairs, seed
            )
    return frames
