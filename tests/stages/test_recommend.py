"""Stage recommend on a tiny catalog: lists in Delta, then incremental reruns."""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import functions as F

from kpreco.log import StageRecord
from kpreco.recommend.lists import canonical_key
from kpreco.stages.recommend import run_recommend
from kpreco.tables import overwrite_table, read_delta


def version(spark, path: str) -> int:
    return DeltaTable.forPath(spark, path).history(1).first().version


def rows_by_item(spark, path: str) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for row in read_delta(spark, path).orderBy("item_id", "rank").collect():
        grouped.setdefault(row.item_id, []).append((row.rank, row.keyphrase, row.run_id))
    return grouped


def with_filter_threshold(config, threshold: float):
    recommend = config.recommend
    relevance = recommend.relevance_filter.model_copy(update={"threshold": threshold})
    return config.model_copy(
        update={"recommend": recommend.model_copy(update={"relevance_filter": relevance})}
    )


def test_lists_then_incremental_reruns(spark, students_workspace) -> None:
    # This workspace's synthetic judge teaches a useful cross-encoder: filter at 0.5.
    config = with_filter_threshold(students_workspace, 0.5)
    path = config.table_path("item_keyphrases")
    first = StageRecord("recommend")
    run_recommend(spark, config, first)
    assert first.counts["items_to_refresh"] == 150
    table = read_delta(spark, path)
    assert table.count() > 0
    per_item = table.groupBy("item_id").agg(F.count("*").alias("n"), F.max("rank").alias("top"))
    assert per_item.where((F.col("n") != F.col("top")) | (F.col("n") > 3)).count() == 0
    keys = [(r.item_id, canonical_key(r.keyphrase)) for r in table.collect()]
    assert len(keys) == len(set(keys))  # no duplicate keyphrases within an item
    assert table.where(F.col("relevance_score") < 0.5).count() == 0
    # Ranked by the assistant's score (recommend.rank_by: relevance), not the student's.
    by_item: dict[str, list[tuple[float, float]]] = {}
    for row in table.orderBy("item_id", "rank").collect():
        by_item.setdefault(row.item_id, []).append((row.relevance_score, row.retrieval_score))
    assert all(
        [r for r, _ in ranked] == sorted((r for r, _ in ranked), reverse=True)
        for ranked in by_item.values()
    )
    assert any(
        [s for _, s in ranked] != sorted((s for _, s in ranked), reverse=True)
        for ranked in by_item.values()
    )  # on some item that order is not the retrieval order
    assert any(k.startswith("example") for k in first.details)

    # Three sellers edit their titles: only those items' lists are recomputed, in one commit.
    before, before_version = rows_by_item(spark, path), version(spark, path)
    items = read_delta(spark, config.inputs.items)
    edited = ["it0000", "it0001", "it0002"]
    changed = items.withColumn(
        "title",
        F.when(
            F.col("item_id").isin(edited), F.concat(F.lit("Leather Sofa Couch "), F.col("title"))
        ).otherwise(F.col("title")),
    )
    overwrite_table(changed.localCheckpoint(), config.inputs.items)
    rerun_config = config.model_copy(update={"run_id": "incremental"})
    second = StageRecord("recommend")
    run_recommend(spark, rerun_config, second)
    assert second.counts["items_to_refresh"] == 3
    assert version(spark, path) == before_version + 1
    after = rows_by_item(spark, path)
    untouched = set(before) - set(edited)
    assert all(after.get(item) == before[item] for item in untouched)
    assert {r[2] for item in edited for r in after.get(item, [])} <= {"incremental"}

    # The same run again: nothing to do, no commit.
    third = StageRecord("recommend")
    run_recommend(spark, rerun_config, third)
    assert third.counts["items_to_refresh"] == 0 and version(spark, path) == before_version + 1

    full = StageRecord("recommend")
    run_recommend(spark, config.model_copy(update={"run_id": "full"}), full, full_refresh=True)
    assert full.counts["items_to_refresh"] == 150
