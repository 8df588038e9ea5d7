"""Stage train_bi_encoder: trains, registers, and knows when a registered student is current."""

from __future__ import annotations

from pathlib import Path

from sentence_transformers import SentenceTransformer

from kpreco import registry
from kpreco.log import StageRecord
from kpreco.stages.train_bi_encoder import current_version, run_train_bi_encoder


def test_stage_trains_registers_and_knows_when_it_is_current(spark, assistant_workspace) -> None:
    config = assistant_workspace
    assert current_version(spark, config) is None
    record = StageRecord("train_bi_encoder")
    result = run_train_bi_encoder(spark, config, record)
    assert record.counts["ctr_pairs"] > 0 and record.counts["distill_pairs"] > 0
    location, metadata = registry.resolve(
        spark, config, "bi_encoder", None, {"preset": "ctr_sr_distill_contrastive"}
    )
    assert metadata["version"] == result["version"] == current_version(spark, config)
    assert metadata["cross_encoder"] and metadata["matryoshka_dims"] == [384, 256, 128, 64]
    assert set(metadata["training_data"]) == {"ctr", "sr", "distill"}
    assert any(
        key.startswith("truth_dim") or key.startswith("judged_dim")
        for key in metadata["metrics"]["validation"]
    )
    assert SentenceTransformer(location, device="cpu").encode(["sofa"]).shape == (1, 384)
    # Its model card says what it is: base model, judge, training data, losses and metrics.
    card = (Path(location) / "README.md").read_text()
    assert "**Base model:** [sentence-transformers/all-MiniLM-L6-v2]" in card
    assert "license: apache-2.0" in card and "- en" in card
    judge_model, prompt = metadata["judge"]
    assert f"- judge: `{judge_model}`, prompt version `{prompt}`" in card
    assert f"- assistant (cross-encoder) distilled: `{metadata['cross_encoder']}`" in card
    sizes = metadata["training_data"]
    scores, pairs = config.table_path("ce_scores"), config.table_path("pairs")
    assert f"| distill | `{scores}` | {sizes['distill']} | 1.0 | source cross_encoder" in card
    assert f"| ctr | `{pairs}` | {sizes['ctr']} | 1.0 |" in card
    assert "loss:MultipleNegativesRankingLoss" in card and "loss:MatryoshkaLoss" in card
    assert "- validation truth_dim384_ndcg@10: " in card or "- validation judged_dim384" in card
