"""Reading input tables (Delta, Parquet, CSV) and writing Delta tables idempotently."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import delta.exceptions
from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import MapType

from kpreco.log import get_logger

log = get_logger(__name__)

# Every commit conflict of Delta's optimistic concurrency but a protocol upgrade.
DELTA_CONFLICTS = tuple(
    getattr(delta.exceptions, name)
    for name in delta.exceptions.__all__
    if name != "ProtocolChangedException"
)


class InputNotFound(FileNotFoundError):
    """An input path from the config that holds no readable table."""


def detect_format(path: str, configured: str = "auto") -> str:
    """`configured` unless it is `auto`; else from the extension or a `_delta_log` folder."""
    if configured != "auto":
        return configured
    lowered = path.lower().rstrip("/")
    if lowered.endswith(".csv") or lowered.endswith(".csv.gz"):
        return "csv"
    if lowered.endswith(".parquet"):
        return "parquet"
    local = Path(path.removeprefix("file:"))
    if local.is_dir() and not (local / "_delta_log").is_dir() and any(local.glob("*.parquet")):
        return "parquet"
    return "delta"


def read_table(spark: SparkSession, name: str, path: str, configured: str = "auto") -> DataFrame:
    """Read input table `name`. CSV is read as strings: validation casts and rejects per row."""
    fmt = detect_format(path, configured)
    local = Path(path.removeprefix("file:"))
    if "://" not in path and not local.exists():
        raise InputNotFound(f"input table '{name}': nothing at {path}")
    reader = spark.read.format(fmt)
    if fmt == "csv":
        reader = (
            reader.option("header", "true")
            .option("multiLine", "true")
            .option("escape", '"')
            .option("mode", "PERMISSIVE")
            .option("inferSchema", "false")
        )
    return reader.load(path)


def is_delta_table(spark: SparkSession, path: str) -> bool:
    return DeltaTable.isDeltaTable(spark, path)


def _create_if_missing(spark: SparkSession, frame: DataFrame, path: str) -> DeltaTable:
    if not is_delta_table(spark, path):
        (DeltaTable.createIfNotExists(spark).location(path).addColumns(frame.schema).execute())
    return DeltaTable.forPath(spark, path)


def merge_upsert(
    spark: SparkSession,
    frame: DataFrame,
    path: str,
    keys: list[str],
    changed: Column | str | None = None,
    delete_missing: Column | str | None = None,
    evolve: bool = False,
) -> None:
    """MERGE `frame` into the Delta table at `path` on `keys`, creating it when absent.

    Rows whose key exists are updated only when `changed` holds (default: always), so a rerun
    over the same input leaves rows untouched; absent keys are inserted. With `delete_missing`,
    target rows matching it that the source no longer holds are deleted (a full replacement of
    that slice). With `evolve`, columns of `frame` the table lacks are added to it. One MERGE is
    one atomic Delta commit.
    """
    table = _create_if_missing(spark, frame, path)
    condition = " AND ".join(f"target.`{key}` <=> source.`{key}`" for key in keys)
    merge = table.alias("target").merge(frame.alias("source"), condition)
    if evolve:
        merge = merge.withSchemaEvolution()
    merge = (
        merge.whenMatchedUpdateAll(condition=changed)
        if changed is not None
        else (merge.whenMatchedUpdateAll())
    )
    merge = merge.whenNotMatchedInsertAll()
    if delete_missing is not None:
        merge = merge.whenNotMatchedBySourceDelete(condition=delete_missing)
    merge.execute()


def staged(spark: SparkSession, frame: DataFrame, staging_path: str) -> DataFrame:
    """`frame` written to Parquet at `staging_path` and read back.

    Delta's MERGE may evaluate its source more than once (and re-plans it past a `persist`),
    which would call models again and could see different values; a staged copy is computed
    exactly once and survives the loss of an executor. Remove it with `drop_path` after use.
    """
    frame.write.mode("overwrite").parquet(staging_path)
    return spark.read.parquet(staging_path)


def drop_path(spark: SparkSession, path: str) -> None:
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(
        hadoop_path, True
    )


def content_changed(columns: list[str]) -> str:
    """A MERGE update condition: true when any of `columns` differs (null-safe)."""
    return " OR ".join(f"NOT (target.`{c}` <=> source.`{c}`)" for c in columns)


def overwrite_table(frame: DataFrame, path: str, partition_by: list[str] | None = None) -> None:
    """Replace the Delta table at `path` in one commit (a new version; history kept)."""
    writer = frame.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    writer.save(path)


def read_delta(spark: SparkSession, path: str, version: int | None = None) -> DataFrame:
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(path)


BOOKKEEPING_COLUMNS = ("run_id", "created_at", "updated_at", "judged_at", "scored_at")


def content_fingerprint(frame: DataFrame, ignore: tuple[str, ...] = BOOKKEEPING_COLUMNS) -> str:
    """An order-independent digest of `frame`'s rows: row count and the XOR of 64-bit row hashes,
    bookkeeping columns left out. A no-op MERGE still commits a new Delta version, so versions
    cannot tell whether a model's training data really changed; this can."""
    hashable = [
        # Spark cannot hash maps; their JSON form (keys in stored order) stands in.
        F.to_json(F.col(f.name)) if isinstance(f.dataType, MapType) else F.col(f.name)
        for f in sorted(frame.schema.fields, key=lambda f: f.name)
        if f.name not in ignore
    ]
    row = frame.select(
        F.count(F.lit(1)).alias("rows"), F.bit_xor(F.xxhash64(*hashable)).alias("digest")
    ).first()
    return f"{row.rows}:{row.digest or 0}"


def latest_version(spark: SparkSession, path: str) -> int:
    history = DeltaTable.forPath(spark, path).history(1)
    return int(history.select(F.col("version")).first()[0])


def commit_with_retries(
    commit: Callable[[], None], what: str, attempts: int = 6, first_wait_s: float = 1.0
) -> None:
    """Run `commit` (one Delta transaction) again when a concurrent writer won the race.

    Delta's optimistic concurrency rejects a MERGE whose read files another commit touched;
    jobs over disjoint slices of a table (two `recommend` runs on different items) then
    succeed on a retry, which re-reads the new version. The source must be stable (staged)."""
    for attempt in range(1, attempts + 1):
        try:
            commit()
            return
        except DELTA_CONFLICTS as conflict:
            if attempt == attempts:
                raise
            wait = first_wait_s * 2 ** (attempt - 1) * (0.5 + random.random())
            log.warning(
                "%s: concurrent Delta commit (%s); retry %d/%d in %.1fs",
                what,
                type(conflict).__name__,
                attempt,
                attempts - 1,
                wait,
            )
            time.sleep(wait)
