"""Spark fan-out of the judge: one backend per Python worker, an item's pairs together."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from kpreco.config import JudgeSettings
from kpreco.judge.backends import create_backend, judge_model_id, prompt_version
from kpreco.judge.backends.base import JudgeBackend, JudgeRequest

RESULT_SCHEMA = StructType(
    [
        StructField("item_id", StringType()),
        StructField("keyphrase", StringType()),
        StructField("pair_kind", StringType()),
        StructField("title", StringType()),
        StructField("category", StringType()),
        StructField("keyphrase_display", StringType()),
        StructField("p_relevant", DoubleType()),
        StructField("raw_answer", StringType()),
        StructField("status", StringType()),
        StructField("error", StringType()),
        StructField("latency_ms", DoubleType()),
    ]
)

# One backend per Python worker process, kept across tasks (Spark reuses workers).
_BACKENDS: dict[str, JudgeBackend] = {}


def worker_backend(settings_json: str) -> JudgeBackend:
    if settings_json not in _BACKENDS:
        _BACKENDS[settings_json] = create_backend(JudgeSettings.model_validate_json(settings_json))
    return _BACKENDS[settings_json]


def requests_of(batch: pd.DataFrame) -> list[JudgeRequest]:
    return [
        JudgeRequest(row.item_id, row.keyphrase, row.title, row.category, row.keyphrase_display)
        for row in batch.itertuples(index=False)
    ]


def judge_frame(requests: DataFrame, settings: JudgeSettings) -> DataFrame:
    """Judge every row of `requests` (sampling.REQUEST_COLUMNS) on executors."""
    settings_json = settings.model_dump_json()

    def judge(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        backend = worker_backend(settings_json)
        for batch in batches:
            results = backend.judge(requests_of(batch))
            yield pd.DataFrame(
                {
                    "item_id": batch["item_id"],
                    "keyphrase": batch["keyphrase"],
                    "pair_kind": batch["pair_kind"],
                    "title": batch["title"],
                    "category": batch["category"],
                    "keyphrase_display": batch["keyphrase_display"],
                    "p_relevant": [r.p_relevant for r in results],
                    "raw_answer": [r.raw_answer for r in results],
                    "status": [r.status for r in results],
                    "error": [r.error for r in results],
                    "latency_ms": [r.latency_ms for r in results],
                }
            )

    return (
        requests.repartition(settings.partitions, "item_id")
        .sortWithinPartitions("item_id", "keyphrase")
        .mapInPandas(judge, RESULT_SCHEMA)
    )


def as_judgments(
    results: DataFrame, settings: JudgeSettings, threshold: float, run_id: str
) -> DataFrame:
    """Results in the `judgments` schema; `label` is P >= threshold for ok rows.

    The judged texts (title, category, keyphrase display) are kept: a judgment is about the
    text the judge read, so a changed title makes it stale, and the assistant trains on it.
    """
    return results.select(
        "item_id",
        "keyphrase",
        "title",
        "category",
        "keyphrase_display",
        F.lit(judge_model_id(settings)).alias("judge_model"),
        F.lit(prompt_version(settings)).alias("prompt_version"),
        "p_relevant",
        F.when(
            F.col("status") == "ok", (F.col("p_relevant") >= threshold).cast(IntegerType())
        ).alias("label"),
        "raw_answer",
        "status",
        "error",
        "latency_ms",
        "pair_kind",
        F.lit(run_id).alias("run_id"),
        F.current_timestamp().cast(TimestampType()).alias("judged_at"),
    )
