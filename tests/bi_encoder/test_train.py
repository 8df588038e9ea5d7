"""A tiny multi-task training run, end to end (the stage: tests/stages/test_train_bi_encoder.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
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


def grouped_distillation() -> pd.DataFrame:
    """Each title with 3 candidates: its product, a wrong one, another wrong one."""
    titles = [f"Brand{i} Grey {p.title()} Model {i}" for i, p in enumerate(PRODUCTS * 2)]
    products = PRODUCTS * 2
    return pd.DataFrame(
        {
            "anchor": titles,
            "candidates": [
                [p, products[(n + 1) % 16], products[(n + 3) % 16]] for n, p in enumerate(products)
            ],
            "scores": [[0.9, 0.2, 0.1]] * 16,
        }
    )


@pytest.mark.parametrize(
    ("loss", "contrastive"), [("pearson", 0.0), ("listwise", 0.0), ("pearson", 1.0)]
)
def test_grouped_distillation_trains_with_each_items_candidates(
    loss: str, contrastive: float
) -> None:
    settings = BiEncoderSettings(batch_size=4, epochs=1, matryoshka_dims=[384, 64])
    settings.tasks.distill.loss, settings.tasks.distill.grouping = loss, "item"
    settings.tasks.distill.contrastive_weight = contrastive
    tasks = {"ctr": tiny_tasks()["ctr"], "distill": grouped_distillation()}
    model, metrics = train_bi_encoder(tasks, [], settings)
    assert metrics["task_sizes"] == {"ctr": 24, "distill": 48}  # 16 rows of 3 pairs
    assert metrics["task_rows"] == {"ctr": 24, "distill": 16}
    assert model.encode(["Grey Sofa"]).shape == (1, 384)


def test_tiny_multi_task_run_gives_a_matryoshka_model(tmp_path: Path) -> None:
    settings = BiEncoderSettings(batch_size=8, epochs=1, matryoshka_dims=[384, 256, 128, 64])
    settings.tasks.distill.grouping = "none"  # the distillation frame holds pairs
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
