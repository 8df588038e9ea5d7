"""Uncertainty rounds of score_llm on a trained assistant's scores, against a real HTTP judge:
each round's quota judged once, spread over items, never a pair judged twice, a rerun judges
nothing."""

from __future__ import annotations

from pyspark.sql import functions as F

from kpreco.judge.sampling import uncertain_kind
from kpreco.log import StageRecord
from kpreco.stages.score_llm import run_score_llm_round
from kpreco.tables import read_delta
from tests.conftest import base_url


def test_rounds_fill_their_quota_once_and_never_rejudge(
    spark, assistant_workspace, llm_server
) -> None:
    server = llm_server()
    config = assistant_workspace.model_copy(deep=True)
    config.judge.openai.base_url = base_url(server)
    config.judge.uncertainty.pairs, config.judge.uncertainty.max_per_item = 12, 2
    path = config.table_path("judgments")
    before = read_delta(spark, path).count()

    first = StageRecord("score_llm[round 2]")
    run_score_llm_round(spark, config, first, 2)
    judged = read_delta(spark, path)
    round_2 = judged.where(F.col("pair_kind") == uncertain_kind(2))
    assert first.counts["pending"] == 12 and first.counts["judged_ok"] == 12
    assert round_2.count() == 12 and judged.count() == before + 12
    assert round_2.groupBy("item_id").count().where(F.col("count") > 2).count() == 0
    # Only train/valid pairs the assistant scored, never a test item's.
    pairs = read_delta(spark, config.table_path("pairs")).select("item_id", "keyphrase", "split")
    splits = {r.split for r in round_2.join(pairs, on=["item_id", "keyphrase"]).collect()}
    assert splits <= {"train", "valid"} and splits

    rerun = StageRecord("score_llm[round 2]")
    run_score_llm_round(spark, config, rerun, 2)
    assert rerun.counts["pending"] == 0 and "judged_ok" not in rerun.counts
    assert read_delta(spark, path).count() == before + 12

    # A larger quota on a later night tops the round up; a third round takes other pairs.
    config.judge.uncertainty.pairs = 15
    topped = StageRecord("score_llm[round 2]")
    run_score_llm_round(spark, config, topped, 2)
    assert topped.counts["pending"] == 3
    third = StageRecord("score_llm[round 3]")
    run_score_llm_round(spark, config, third, 3)
    judged = read_delta(spark, path)
    assert third.counts["pending"] == 15
    assert judged.count() == before + 15 + 15
    assert judged.groupBy("item_id", "keyphrase").count().where(F.col("count") > 1).count() == 0
