"""Training the assistant on the judge's labels with sentence-transformers' CrossEncoderTrainer.

BCE on the judge's soft P(relevant) (or its hard label), evaluated on the validation split each
epoch (Spearman against the judge), best epoch kept; driver GPU with mixed precision when
present, CPU otherwise.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kpreco.config import CrossEncoderSettings
from kpreco.embedding import best_device, resolve_encoder_path
from kpreco.log import get_logger

log = get_logger(__name__)


def targets(frame: pd.DataFrame, labels: str) -> np.ndarray:
    column = frame["p_relevant"] if labels == "soft" else frame["label"]
    return column.astype(float).to_numpy()


def load_cross_encoder(path: str | Path, max_length: int = 64):
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(path), num_labels=1, max_length=max_length, device=best_device())


def train_cross_encoder(train: pd.DataFrame, valid: pd.DataFrame, settings: CrossEncoderSettings):
    """Train from `settings.base_model`; returns (model, metrics: train time, best Spearman).

    Frames hold title, keyphrase_display, p_relevant, label.
    """
    import torch
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderCorrelationEvaluator
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    torch.manual_seed(settings.seed)
    model = load_cross_encoder(resolve_encoder_path(settings.base_model), settings.max_length)
    train_set = Dataset.from_dict(
        {
            "title": train["title"].tolist(),
            "keyphrase": train["keyphrase_display"].tolist(),
            "label": targets(train, settings.labels).tolist(),
        }
    )
    evaluator = CrossEncoderCorrelationEvaluator(
        sentence_pairs=list(zip(valid["title"], valid["keyphrase_display"], strict=True)),
        scores=targets(valid, settings.labels).tolist(),
        name="valid",
    )
    cuda = torch.cuda.is_available()
    with tempfile.TemporaryDirectory(prefix="kpreco-ce-") as checkpoints:
        args = CrossEncoderTrainingArguments(
            output_dir=checkpoints,
            num_train_epochs=settings.epochs,
            per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            warmup_ratio=settings.warmup_ratio,
            eval_strategy="epoch",
            save_strategy="epoch",
            save_total_limit=2,
            load_best_model_at_end=True,
            metric_for_best_model="eval_valid_spearman",
            greater_is_better=True,
            logging_steps=20,
            seed=settings.seed,
            bf16=cuda and torch.cuda.is_bf16_supported(),
            fp16=cuda and not torch.cuda.is_bf16_supported(),
            report_to="none",
            dataloader_num_workers=0,
            dataloader_pin_memory=cuda,
        )
        trainer = CrossEncoderTrainer(
            model=model,
            args=args,
            train_dataset=train_set,
            loss=BinaryCrossEntropyLoss(model),
            evaluator=evaluator,
        )
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    best = trainer.state.best_metric
    log.info(
        "cross-encoder trained on %d pairs in %.0fs; best valid Spearman %.3f",
        len(train),
        seconds,
        best or float("nan"),
    )
    return model, {
        "train_seconds": seconds,
        "train_pairs_per_second": len(train) * settings.epochs / seconds,
        "best_valid_spearman": best,
        "device": "cuda" if cuda else "cpu",
    }


def predict_logits(model, titles: list[str], keyphrases: list[str], batch_size: int) -> np.ndarray:
    """Raw logits (no activation): calibration maps them to probabilities."""
    import torch

    return np.asarray(
        model.predict(
            list(zip(titles, keyphrases, strict=True)),
            batch_size=batch_size,
            activation_fn=torch.nn.Identity(),
            show_progress_bar=False,
            convert_to_numpy=True,
        ),
        dtype=np.float64,
    )
