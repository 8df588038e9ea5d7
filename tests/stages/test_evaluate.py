"""The evaluation report from a small fixture run: every model and every metric present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from kpreco.log import StageRecord
from kpreco.stages import evaluate
from kpreco.stages.evaluate import SERVED, TEACHER_CEILING, run_evaluate
from kpreco.tables import overwrite_table, read_delta
from tests.conftest import WORKSPACE_STUDENTS, base_url

PRESETS = sorted(WORKSPACE_STUDENTS)
METRICS = (
    "true_ndcg@3",
    "true_precision@3",
    "true_recall@5",
    "hidden_relevant_recall@5",
    "llm_precision@3",
    "human_precision@3",
    "click_recall@3",
    "filter_survival@3",
    "intra_list_similarity@3",
    "head_share@3",
    "tail_share@3",
)


def test_report_has_every_model_and_metric(
    spark, students_workspace, llm_server, tmp_path: Path
) -> None:
    server = llm_server()
    config = students_workspace.model_copy(deep=True)
    config.judge.openai.base_url = base_url(server)
    pairs = read_delta(spark, config.table_path("pairs"))
    truth = pairs.where(F.col("sr_score").isNotNull()).select(
        "item_id", "keyphrase", (F.col("sr_score") > 0.5).cast("int").alias("relevance")
    )
    config.inputs.truth = str(tmp_path / "truth")
    config.inputs.human_labels = str(tmp_path / "human_labels")
    overwrite_table(truth, config.inputs.truth)
    overwrite_table(
        truth.withColumnRenamed("relevance", "label").limit(60), config.inputs.human_labels
    )
    config.evaluate.presets = PRESETS
    config.evaluate.k, config.evaluate.k_hidden = 3, 5
    config.evaluate.judged_items, config.evaluate.filter_items = 3, 10
    config.evaluate.max_items = 40
    config.evaluate.bootstrap = 50
    config.evaluate.sweep_candidates, config.evaluate.sweep_thresholds = [5], [0.0, 2.0]
    # What is served, by hand: the first test item with a relevant keyphrase gets it and an
    # irrelevant one, every other test item nothing.
    chosen = evaluate.test_items(pairs, config)["item_id"].tolist()
    relevant = {r.item_id: r.keyphrase for r in truth.where(F.col("relevance") > 0).collect()}
    first = next(item for item in chosen if item in relevant)
    good, bad = relevant[first], "not a keyphrase of it"
    overwrite_table(
        spark.createDataFrame(
            [(first, 1, good), (first, 2, bad)], "item_id string, rank int, keyphrase string"
        ),
        config.table_path("item_keyphrases"),
    )

    record = StageRecord("evaluate")
    metrics = run_evaluate(spark, config, record)
    folder = Path(config.report_dir())
    saved = json.loads((folder / "metrics.json").read_text())
    report = (folder / "report.html").read_text()
    ceiling = TEACHER_CEILING.format(full="ctr_sr_distill_contrastive", depth=5)
    assert set(saved["models"]) == {"bm25", "base_encoder", *PRESETS, SERVED, ceiling}
    assert set(metrics["models"]) == set(saved["models"])
    served = saved["models"].pop(SERVED)["metrics"]
    assert served["true_list_precision@3"] == {
        "mean": 0.5,
        "ci_low": 0.5,
        "ci_high": 0.5,
        "n_items": 1,
    }
    assert served["true_precision@3"]["mean"] * served["true_precision@3"]["n_items"] == (
        pytest.approx(1 / 3)
    )  # one relevant of 3 slots on the one item, 0 on the rest
    # The ceiling re-orders the full method's own top 5: the same keyphrases found at depth 5.
    full = saved["models"]["ctr_sr_distill_contrastive"]["metrics"]["true_recall@5"]["mean"]
    assert saved["models"][ceiling]["metrics"]["true_recall@5"]["mean"] == pytest.approx(full)
    assert record.counts["teacher_ceiling_pairs_scored"] == 5 * record.counts["test_items"]
    # The serving sweep replays recommend's filter on the ceiling's scores: at threshold 0 over
    # the same 5 candidates it serves the ceiling's lists; above every probability, nothing.
    sweep = {(row["candidates"], row["threshold"]): row for row in saved["serving_sweep"]}
    threshold = config.recommend.relevance_filter.threshold
    assert set(sweep) == {(5, 0.0), (5, 2.0), (5, threshold)}
    everything, nothing = sweep[(5, 0.0)], sweep[(5, 2.0)]
    assert (
        everything["metrics"]["true_ndcg@3"] == saved["models"][ceiling]["metrics"]["true_ndcg@3"]
    )
    assert everything["items_without_list"] == 0.0
    assert everything["mean_list_length"] == pytest.approx(min(5, config.recommend.max_keyphrases))
    assert (nothing["items_without_list"], nothing["mean_list_length"]) == (1.0, 0.0)
    assert "true_list_precision@3" not in nothing["metrics"]  # no served slot to count
    assert "Serving sweep" in report
    table = saved["chain_diagnostics"]["auc"]
    assert set(table) == {"truth", "judge's yes/no", "human labels"}
    assert {"base encoder cosine", "Search sr_score", "assistant", "judge"} == set(
        table["truth"]["all"]
    )
    assert "judge" not in table["judge's yes/no"]["all"]
    assert "Where the chain loses the judge" in report
    for model, result in saved["models"].items():
        for metric in METRICS:
            assert metric in result["metrics"], (model, metric)
            assert 0.0 <= result["metrics"][metric]["mean"] <= 1.0
            assert result["metrics"][metric]["n_items"] >= 1
        assert model in report
    for metric in METRICS:
        assert metric in report
    assert [row["dim"] for row in saved["matryoshka_sweep"]] == [384, 256, 128, 64]
    assert all(row["ms_per_item"] > 0 for row in saved["matryoshka_sweep"])
    assert set(saved["calibration"]) == {"judge", "cross-encoder (test split)"}
    assert report.count("data:image/png;base64,") == 4  # per model, Matryoshka, calibration, mix
    assert (
        "k=3" in saved["protocol"]
        and f"{record.counts['test_items']} test-split items" in saved["protocol"]
    )
