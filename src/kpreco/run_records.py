"""The `rejects` and `runs` tables: what was refused, and what each run did."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DoubleType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from kpreco.config import Config, config_summary
from kpreco.log import StageRecord
from kpreco.tables import merge_upsert

RUNS_SCHEMA = StructType(
    [
        StructField("run_id", StringType(), False),
        StructField("job", StringType(), False),
        StructField("status", StringType(), False),
        StructField("started_at", TimestampType(), False),
        StructField("finished_at", TimestampType(), True),
        StructField("config_json", StringType(), True),
        StructField("row_counts", MapType(StringType(), LongType()), True),
        StructField("stage_seconds", MapType(StringType(), DoubleType()), True),
        StructField("model_versions", MapType(StringType(), StringType()), True),
        StructField("metrics", MapType(StringType(), DoubleType()), True),
        StructField("error", StringType(), True),
        # Stage -> "ran: why" / "skipped: why" (kpreco.freshness.Decision).
        StructField("stage_decisions", MapType(StringType(), StringType()), True),
    ]
)


def write_rejects(spark: SparkSession, config: Config, rejects: Iterable[DataFrame]) -> None:
    """Insert rejects not recorded before (keyed by `reject_id`); one commit for all tables."""
    frames = list(rejects)
    if not frames:
        return
    combined = reduce(DataFrame.unionByName, frames)
    # Rejects are facts about input rows: a later run that sees the same row changes nothing.
    merge_upsert(spark, combined, config.table_path("rejects"), ["reject_id"], changed=F.lit(False))


def record_run(
    spark: SparkSession,
    config: Config,
    job: str,
    started_at: datetime,
    stages: list[StageRecord],
    status: str = "succeeded",
    metrics: dict[str, float] | None = None,
    error: str | None = None,
) -> None:
    """Upsert this (run_id, job) row of `runs`; a rerun of the same run_id replaces it."""
    counts = {f"{s.name}.{k}": int(v) for s in stages for k, v in s.counts.items()}
    row = (
        config.run_id,
        job,
        status,
        started_at,
        datetime.now(UTC),
        json.dumps(config_summary(config), sort_keys=True),
        counts,
        {s.name: float(s.seconds) for s in stages},
        {role: version for s in stages for role, version in s.models.items()},
        {k: float(v) for k, v in (metrics or {}).items()},
        error,
        {s.name: s.details["decision"] for s in stages if "decision" in s.details},
    )
    frame = spark.createDataFrame([row], RUNS_SCHEMA)
    # Schema evolution: a `runs` table of an older release gains the newer columns.
    merge_upsert(spark, frame, config.table_path("runs"), ["run_id", "job"], evolve=True)
