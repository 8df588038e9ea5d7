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


def test_the_evaluation_scores_a_served_item_as_recommend_did(spark, students_workspace) -> None:
    """The serving replay's contract: the evaluation scores an item's first `max_candidates`
    as one batch in the filter's precision, as `recommend` did, so its scores are the served
    ones exactly, in int8 (whose activation scale is per batch) as in float32."""
    import numpy as np

    from kpreco.inputs import load_inputs
    from kpreco.stages.evaluate import assistant_scores_of, evaluation_vocabulary

    # Threshold 0 and a cap equal to max_candidates: every scored candidate is served.
    config = with_filter_threshold(students_workspace, 0.0)
    int8 = config.recommend.relevance_filter.model_copy(update={"precision": "int8"})
    cap = int8.max_candidates
    config = config.model_copy(
        update={
            "recommend": config.recommend.model_copy(
                update={"relevance_filter": int8, "max_keyphrases": cap}
            )
        }
    )
    settings = config.recommend
    assert settings.max_keyphrases == settings.relevance_filter.max_candidates
    run_recommend(spark, config, StageRecord("recommend"))
    served = (
        read_delta(spark, config.table_path("item_keyphrases"))
        .toPandas()
        .dropna(subset=["keyphrase"])
    )
    served = served[served["item_id"].isin(sorted(set(served["item_id"]))[:12])]
    lists = {
        item: group.sort_values("retrieval_score", ascending=False)["keyphrase"].tolist()
        for item, group in served.groupby("item_id")
    }
    record = StageRecord("evaluate")
    vocabulary, _ = evaluation_vocabulary(load_inputs(spark, config, ["keyphrases"], record))
    items = read_delta(spark, config.inputs.items).select("item_id", "title").toPandas()
    pairs = zip(served["item_id"], served["keyphrase"], strict=True)
    wanted = dict(zip(pairs, served["relevance_score"], strict=True))
    replayed = assistant_scores_of(spark, config, lists, items, vocabulary, record)
    assert set(replayed) == set(wanted)
    keys = sorted(wanted)
    np.testing.assert_allclose(
        [replayed[key] for key in keys], [wanted[key] for key in keys], rtol=0, atol=1e-6
    )
    relevance = settings.relevance_filter.model_copy(update={"precision": "float32"})
    float32 = config.model_copy(
        update={"recommend": settings.model_copy(update={"relevance_filter": relevance})}
    )
    other = assistant_scores_of(spark, float32, lists, items, vocabulary, record)
    assert max(abs(other[key] - wanted[key]) for key in keys) > 1e-5
    assert len(keys) > 12
