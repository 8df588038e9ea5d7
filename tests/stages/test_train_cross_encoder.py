"""Stages train_cross_encoder and score_ce on a tiny judged set: the registry folder, scores
for every judged pair, nothing scored twice, and a clear error with too few judgments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from kpreco import registry
from kpreco.bi_encoder.datasets import distillation_groups
from kpreco.cross_encoder.train import load_cross_encoder
from kpreco.log import StageRecord
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.train_cross_encoder import run_train_cross_encoder
from kpreco.tables import read_delta


def test_train_register_score_and_rescore_nothing(
    spark, assistant_template, assistant_workspace
) -> None:
    # The shared assistant workspace was trained and scored by these very stages: check what
    # they left (a copy of it) and what they recorded.
    config = assistant_workspace
    record = assistant_template.records["train_cross_encoder"]
    result = assistant_template.results["train_cross_encoder"]
    location, metadata = registry.resolve(spark, config, "cross_encoder", None)
    assert metadata["version"] == result["version"]
    folder = Path(location)
    assert (folder / "config.json").exists() and (folder / registry.METADATA_FILE).exists()
    for key in (
        "parent_model",
        "judge_model",
        "prompt_version",
        "training_data",
        "metrics",
        "calibration",
    ):
        assert key in metadata
    assert metadata["training_data"]["train_pairs"] == record.counts["train_pairs"] > 0
    model = load_cross_encoder(folder)
    assert model.predict([("Grey Sofa", "sofa")]).shape == (1,)
    card = (folder / "README.md").read_text()
    assert "sentence-transformers/all-MiniLM-L6-v2" in card and "## kpreco lineage" in card
    assert (
        f"- judge: `{metadata['judge_model']}`, prompt version `{metadata['prompt_version']}`"
        in card
    )
    auc = metadata["metrics"]["test"]["ce_vs_llm"]["auc_vs_llm_label"]
    assert f"- test split, against the judge: auc_vs_llm_label {auc:.4f}" in card
    report = json.loads((Path(config.report_dir()) / "cross_encoder.json").read_text())
    assert report["ce_vs_llm"]["n"] == record.counts["test_pairs"]

    scoring = assistant_template.records["score_ce"]
    scores = read_delta(spark, config.table_path("ce_scores"))
    scored = {(r.item_id, r.keyphrase) for r in scores.collect()}
    assert scoring.counts["scored"] == scores.count() == len(scored)  # each pair once
    judged = read_delta(spark, config.table_path("judgments")).collect()
    assert {(r.item_id, r.keyphrase) for r in judged} <= scored  # every judged pair
    groups = distillation_groups(
        read_delta(spark, config.table_path("pairs")), config.bi_encoder.tasks.distill
    ).collect()
    assert len(groups) == 40  # max_pairs: 10 items of 4
    assert {(r.item_id, r.keyphrase) for r in groups} <= scored  # the distillation set
    assert scores.where((F.col("ce_prob") < 0) | (F.col("ce_prob") > 1)).count() == 0
    again = StageRecord("score_ce")
    run_score_ce(spark, config, again)
    assert again.counts["scored"] == 0  # same version: nothing scored twice
    assert read_delta(spark, config.table_path("ce_scores")).count() == len(scored)


def test_too_few_judgments_is_a_clear_error(spark, judged_workspace) -> None:
    config = judged_workspace.model_copy(deep=True)
    config.judge.prompt = "fewshot"  # no judgments under that prompt version
    with pytest.raises(ValueError, match="judge more pairs"):
        run_train_cross_encoder(spark, config, StageRecord("train"))
