"""The evaluation report from a small fixture run: every model and every metric present."""

from __future__ import annotations

import json
from pathlib import Path

from pyspark.sql import functions as F

from kpreco.config import with_preset
from kpreco.log import StageRecord
from kpreco.stages.evaluate import run_evaluate
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.train_bi_encoder import run_train_bi_encoder
from kpreco.stages.train_cross_encoder import run_train_cross_encoder
from kpreco.tables import overwrite_table, read_delta
from tests.conftest import base_url

PRESETS = ["ctr_only", "ctr_sr_distill_pearson"]
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
    spark, judged_workspace, llm_server, tmp_path: Path
) -> None:
    server = llm_server()
    config = judged_workspace.model_copy(deep=True)
    config.judge.openai.base_url = base_url(server)
    pairs = read_delta(spark, config.table_path("pairs"))
    truth = pairs.select(
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
    run_train_cross_encoder(spark, config, StageRecord("ce"))
    run_score_ce(spark, config, StageRecord("score_ce"))
    for preset in PRESETS:
        run_train_bi_encoder(spark, with_preset(config, preset), StageRecord(preset))

    record = StageRecord("evaluate")
    metrics = run_evaluate(spark, config, record)
    folder = Path(config.report_dir())
    saved = json.loads((folder / "metrics.json").read_text())
    report = (folder / "report.html").read_text()
    assert set(saved["models"]) == {"bm25", "base_encoder", *PRESETS} == set(metrics["models"])
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
