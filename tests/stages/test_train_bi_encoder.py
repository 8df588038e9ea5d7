"""Stage train_bi_encoder: trains, registers, and knows when a registered student is current."""

from __future__ import annotations

from sentence_transformers import SentenceTransformer

from kpreco import registry
from kpreco.log import StageRecord
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.train_bi_encoder import current_version, run_train_bi_encoder
from kpreco.stages.train_cross_encoder import run_train_cross_encoder


def test_stage_trains_registers_and_knows_when_it_is_current(spark, judged_workspace) -> None:
    config = judged_workspace
    run_train_cross_encoder(spark, config, StageRecord("ce"))
    run_score_ce(spark, config, StageRecord("score_ce"))
    assert current_version(spark, config) is None
    record = StageRecord("train_bi_encoder")
    result = run_train_bi_encoder(spark, config, record)
    assert record.counts["ctr_pairs"] > 0 and record.counts["distill_pairs"] > 0
    location, metadata = registry.resolve(
        spark, config, "bi_encoder", None, {"preset": "ctr_sr_distill_pearson"}
    )
    assert metadata["version"] == result["version"] == current_version(spark, config)
    assert metadata["cross_encoder"] and metadata["matryoshka_dims"] == [384, 256, 128, 64]
    assert set(metadata["training_data"]) == {"ctr", "sr", "distill"}
    assert any(
        key.startswith("truth_dim") or key.startswith("judged_dim")
        for key in metadata["metrics"]["validation"]
    )
    assert SentenceTransformer(location, device="cpu").encode(["sofa"]).shape == (1, 384)
