"""Real Delta tables: MERGE idempotence, deletes of missing rows, time travel."""

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from kpreco.tables import (
    commit_with_retries,
    content_changed,
    content_fingerprint,
    latest_version,
    merge_upsert,
    read_delta,
)


def test_merge_creates_updates_and_is_idempotent(spark, tmp_path) -> None:
    path = str(tmp_path / "t")
    first = spark.createDataFrame([("a", 1), ("b", 2)], "k string, v int")
    merge_upsert(spark, first, path, ["k"], changed=content_changed(["v"]))
    version_after_first = latest_version(spark, path)

    second = spark.createDataFrame([("a", 1), ("b", 3), ("c", 4)], "k string, v int")
    merge_upsert(spark, second, path, ["k"], changed=content_changed(["v"]))
    assert_df_equality(read_delta(spark, path), second, ignore_row_order=True)

    merge_upsert(spark, second, path, ["k"], changed=content_changed(["v"]))
    assert read_delta(spark, path).count() == 3  # a rerun never duplicates
    old = read_delta(spark, path, version=version_after_first)
    assert_df_equality(old, first, ignore_row_order=True)  # time travel


def test_merge_delete_missing_replaces_a_slice(spark, tmp_path) -> None:
    path = str(tmp_path / "t")
    merge_upsert(
        spark,
        spark.createDataFrame(
            [("x", 1, "a"), ("x", 2, "b"), ("y", 1, "c")], "item string, rank int, kp string"
        ),
        path,
        ["item", "rank"],
    )
    replacement = spark.createDataFrame([("x", 1, "z")], "item string, rank int, kp string")
    merge_upsert(
        spark, replacement, path, ["item", "rank"], delete_missing=F.expr("target.item = 'x'")
    )
    expected = spark.createDataFrame(
        [("x", 1, "z"), ("y", 1, "c")], "item string, rank int, kp string"
    )
    assert_df_equality(read_delta(spark, path), expected, ignore_row_order=True)


def test_content_fingerprint_sees_data_not_versions_or_bookkeeping(spark, tmp_path) -> None:
    path = str(tmp_path / "t")
    rows = spark.createDataFrame([("a", 1, "r1"), ("b", 2, "r1")], "k string, v int, run_id string")
    merge_upsert(spark, rows, path, ["k"], changed=content_changed(["v"]))
    before, version = content_fingerprint(read_delta(spark, path)), latest_version(spark, path)
    rerun = spark.createDataFrame(
        [("b", 2, "r2"), ("a", 1, "r2")], "k string, v int, run_id string"
    )
    merge_upsert(spark, rerun, path, ["k"])  # a new Delta version, new run_id, same data
    assert latest_version(spark, path) == version + 1
    assert content_fingerprint(read_delta(spark, path)) == before
    changed = spark.createDataFrame([("a", 5, "r3")], "k string, v int, run_id string")
    merge_upsert(spark, changed, path, ["k"])
    assert content_fingerprint(read_delta(spark, path)) != before
    assert content_fingerprint(read_delta(spark, path).limit(0)) == "0:0"


def test_a_commit_that_lost_a_race_is_retried_and_other_errors_are_not() -> None:
    from delta.exceptions import ConcurrentAppendException

    calls = []

    def commit() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise ConcurrentAppendException("Files were added by a concurrent update")

    commit_with_retries(commit, "t", attempts=4, first_wait_s=0.001)
    assert len(calls) == 3

    def broken() -> None:
        raise ValueError("not a conflict")

    with pytest.raises(ValueError):
        commit_with_retries(broken, "t", attempts=4, first_wait_s=0.001)

    def always_losing() -> None:
        calls.append(1)
        raise ConcurrentAppendException("Files were added by a concurrent update")

    calls.clear()
    with pytest.raises(ConcurrentAppendException):  # gives up after `attempts`
        commit_with_retries(always_losing, "t", attempts=2, first_wait_s=0.001)
    assert len(calls) == 2
