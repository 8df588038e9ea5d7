"""Is a stage's output current for its inputs, settings and code? Stamped on the Delta commit.

A stage that writes a table stamps the commit with what it was made from (a fingerprint, in
Delta's `userMetadata`, shown by `DESCRIBE HISTORY`); the pipeline skips the stage when the
table's latest commit carries the fingerprint it would write now. Stamping the commit itself,
not a side file, means a table changed by anyone else is never mistaken for current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from kpreco.tables import is_delta_table

USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata"


@cache
def code_digest() -> str:
    """A digest of kpreco's Python sources (from files or the shipped zip alike)."""
    digest = hashlib.sha256()

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}/{child.name}"
            if child.is_dir() and child.name != "__pycache__":
                walk(child, name)
            elif child.name.endswith(".py"):
                digest.update(name.encode() + b"\0" + child.read_bytes())

    walk(resources.files("kpreco"), "kpreco")
    return digest.hexdigest()[:16]


def fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]


@contextmanager
def stamped_commits(spark: SparkSession, stamp: dict) -> Iterator[None]:
    """Every Delta commit of this session inside the block carries `stamp` as userMetadata."""
    spark.conf.set(USER_METADATA, json.dumps(stamp, sort_keys=True))
    try:
        yield
    finally:
        spark.conf.unset(USER_METADATA)


def last_stamp(spark: SparkSession, path: str) -> dict | None:
    """The stamp of the table's latest commit; None when absent, unstamped or not a table."""
    if not is_delta_table(spark, path):
        return None
    row = DeltaTable.forPath(spark, path).history(1).select("userMetadata").first()
    if row is None or not row[0]:
        return None
    try:
        stamp = json.loads(row[0])
    except json.JSONDecodeError:
        return None
    return stamp if isinstance(stamp, dict) else None


def is_current(spark: SparkSession, paths: list[str], wanted: str) -> dict | None:
    """The stamp when every table's latest commit carries fingerprint `wanted`, else None."""
    stamps = [last_stamp(spark, path) for path in paths]
    if all(stamp and stamp.get("fingerprint") == wanted for stamp in stamps):
        return stamps[0]
    return None
