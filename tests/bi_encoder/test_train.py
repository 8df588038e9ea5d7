"""A tiny multi-task training run, end to end, and the stage with the registry."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sentence_transformers import SentenceTransformer

from kpreco import registry
from kpreco.bi_encoder.evaluation import retrieval_task
from kpreco.bi_encoder.train import train_bi_encoder
from kpreco.config import BiEncoderSettings
from kpreco.log import StageRecord
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.train_bi_encoder import current_version, run_train_bi_encoder
from kpreco.stages.train_cross_encoder import run_train_cross_encoder

PRODUCTS = ["sofa", "lamp", "rug", "mug", "kettle", "jacket", "boots", "wallet"]


def tiny_tasks() -> dict[str, pd.DataFrame]:
    titles = [f"Brand{i} Grey {p.title()} Model {i}" for i, p in enumerate(PRODUCTS * 3)]
    products = PRODUCTS * 3
    wrong = products[1:] + products[:1]
    return {
        "ctr": pd.DataFrame({"anchor": titles, "positive": products}),
        "sr": pd.DataFrame(
            {"anchor": titles * 2, "positive": products + wrong, "score": [0.9] * 24 + [0.1] * 24}
        ),
        "distill": pd.DataFrame(
            {"anchor": titles * 2, "positive": products + wrong, "score": [0.8] * 24 + [0.3] * 24}
        ),
    }


def test_tiny_multi_task_run_gives_a_matryoshka_model(tmp_path: Path) -> None:
    settings = BiEncoderSettings(batch_size=8, epochs=1, matryoshka_dims=[384, 256, 128, 64])
    items = pd.DataFrame({"item_id": ["a", "b"], "title": ["Grey Sofa Model 1", "Desk Lamp"]})
    vocabulary = pd.DataFrame({"keyphrase": PRODUCTS, "keyphrase_display": PRODUCTS})
    positives = pd.DataFrame({"item_id": ["a", "b"], "keyphrase": ["sofa", "lamp"]})
    validation = [retrieval_task("truth", items, vocabulary, positives, 10)]
    model, metrics = train_bi_encoder(tiny_tasks(), validation, settings)
    assert metrics["task_sizes"] == {"ctr": 24, "sr": 48, "distill": 48}
    assert "truth_dim64_ndcg@10" in metrics["validation"]
    model.save(str(tmp_path / "student"))
    loaded = SentenceTransformer(str(tmp_path / "student"), device="cpu")
    for dim in settings.matryoshka_dims:
        assert loaded.encode(["Grey Sofa", "couch"], truncate_dim=dim).shape == (2, dim)


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
