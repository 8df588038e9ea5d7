"""A tiny multi-task training run, end to end (the stage: tests/stages/test_train_bi_encoder.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sentence_transformers import SentenceTransformer

from kpreco.bi_encoder.evaluation import retrieval_task
from kpreco.bi_encoder.train import train_bi_encoder
from kpreco.config import BiEncoderSettings

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
