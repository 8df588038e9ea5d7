"""Training the assistant on the judge's labels with sentence-transformers' CrossEncoderTrainer.

Optionally a warm-up epoch on free weak labels (`cross_encoder.dataset.weak_label_pairs`), so
the new 1-logit head starts from a relevance signal instead of noise; then BCE on the judge's
soft P(relevant) (or its hard label) for up to `epochs` epochs, evaluated on the validation
split each epoch by AUC against the judge's yes/no, best epoch kept, stopped early when it
stops improving. Driver GPU with mixed precision when present, CPU otherwise.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

from kpreco.config import CrossEncoderSettings
from kpreco.embedding import best_device, resolve_encoder_path
from kpreco.log import get_logger, on_terminal
from kpreco.model_card import describe

log = get_logger(__name__)


# The weights after the warm-up epoch in this process, by what they are made of (one entry).
# The pipeline trains the assistant once per judge round on the same weak labels and settings;
# a later round starts from these weights instead of repeating the epoch (about 90 s on 2
# cores), the same model as a fresh warm-up: the trainer reseeds before the judge's epochs.
_warmed_up: dict[str, dict] = {}


def warm_up_key(weak: pd.DataFrame, settings: CrossEncoderSettings) -> str:
    """What a warm-up is made of: the weak labels in order and the settings that shape it."""
    rows = pd.util.hash_pandas_object(
        weak[["title", "keyphrase_display", "target"]], index=False
    ).to_numpy()
    shape = json.dumps(
        [
            settings.base_model,
            settings.max_length,
            settings.seed,
            settings.learning_rate,
            settings.batch_size,
            settings.warmup_ratio,
        ]
    )
    return hashlib.sha256(shape.encode() + rows.tobytes()).hexdigest()


def warm_up(model, loss, weak: pd.DataFrame, settings: CrossEncoderSettings) -> bool:
    """One epoch of BCE on the weak labels, or the stored result of the same warm-up; True when
    it was stored."""
    from sentence_transformers.cross_encoder import CrossEncoderTrainer

    key = warm_up_key(weak, settings)
    if key in _warmed_up:
        model.load_state_dict(_warmed_up[key])
        log.info("cross-encoder warm-up on %d weak labels reused from this process", len(weak))
        return True
    with tempfile.TemporaryDirectory(prefix="kpreco-ce-weak-") as folder:
        CrossEncoderTrainer(
            model=model,
            args=_arguments(settings, folder, 1, evaluate=False),
            train_dataset=_pairs_dataset(
                weak["title"], weak["keyphrase_display"], weak["target"].astype(float)
            ),
            loss=loss,
        ).train()
    _warmed_up.clear()
    _warmed_up[key] = {name: t.detach().clone() for name, t in model.state_dict().items()}
    log.info("cross-encoder warmed up on %d weak labels", len(weak))
    return False


def targets(frame: pd.DataFrame, labels: str) -> np.ndarray:
    column = frame["p_relevant"] if labels == "soft" else frame["label"]
    return column.astype(float).to_numpy()


def load_cross_encoder(path: str | Path, max_length: int = 64):
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(path), num_labels=1, max_length=max_length, device=best_device())


class JudgeAgreementEvaluator(BaseEvaluator):
    """AUC of the model's logits against the judge's yes/no on validation pairs (the primary
    metric: the chain's measure is AUC, and sentence-transformers' classification evaluator
    reports average precision and F1 but not ROC AUC), with Spearman against the judge's P."""

    def __init__(self, pairs: list[tuple[str, str]], labels, p_relevant, batch_size: int = 64):
        super().__init__()
        self.pairs, self.batch_size = pairs, batch_size
        self.labels = np.asarray(labels, dtype=int)
        self.p_relevant = np.asarray(p_relevant, dtype=float)
        self.primary_metric = "valid_auc"
        self.greater_is_better = True

    def __call__(self, model, output_path=None, epoch: int = -1, steps: int = -1) -> dict:
        from scipy.stats import spearmanr

        from kpreco.metrics import auc

        logits = predict_logits(
            model, [t for t, _ in self.pairs], [k for _, k in self.pairs], self.batch_size
        )
        found = auc(self.labels, logits)
        metrics = {
            "valid_auc": float("nan") if found is None else found,
            "valid_spearman": float(spearmanr(logits, self.p_relevant)[0]),
        }
        log.info("cross-encoder epoch %s: %s", epoch, metrics)
        return metrics


def _arguments(settings: CrossEncoderSettings, folder: str, epochs: int, evaluate: bool):
    import torch
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

    cuda = torch.cuda.is_available()
    return CrossEncoderTrainingArguments(
        output_dir=folder,
        num_train_epochs=epochs,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        warmup_ratio=settings.warmup_ratio,
        eval_strategy="epoch" if evaluate else "no",
        save_strategy="epoch" if evaluate else "no",
        save_total_limit=2,
        load_best_model_at_end=evaluate,
        metric_for_best_model="eval_valid_auc" if evaluate else None,
        greater_is_better=True,
        logging_steps=50,
        seed=settings.seed,
        bf16=cuda and torch.cuda.is_bf16_supported(),
        fp16=cuda and not torch.cuda.is_bf16_supported(),
        report_to="none",
        dataloader_num_workers=0,
        dataloader_pin_memory=cuda,
        disable_tqdm=not on_terminal(),
    )


def _pairs_dataset(titles, keyphrases, labels):
    from datasets import Dataset

    return Dataset.from_dict(
        {"title": list(titles), "keyphrase": list(keyphrases), "label": list(labels)}
    )


def train_cross_encoder(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    settings: CrossEncoderSettings,
    weak: pd.DataFrame | None = None,
):
    """Train from `settings.base_model`; returns (model, metrics: train time, best valid AUC).

    `train`, `valid` hold title, keyphrase_display, p_relevant, label; `weak` (optional) holds
    title, keyphrase_display, target: one warm-up epoch on it comes first.
    """
    import torch
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from transformers import EarlyStoppingCallback

    torch.manual_seed(settings.seed)
    model = load_cross_encoder(resolve_encoder_path(settings.base_model), settings.max_length)
    describe(model, settings.base_model, "kpreco assistant (cross-encoder on the judge's labels)")
    loss = BinaryCrossEntropyLoss(model)
    started = time.perf_counter()
    warmed, reused = 0, False
    if weak is not None and len(weak):
        reused = warm_up(model, loss, weak, settings)
        warmed = len(weak)
    evaluator = JudgeAgreementEvaluator(
        list(zip(valid["title"], valid["keyphrase_display"], strict=True)),
        valid["label"],
        valid["p_relevant"],
        settings.score.batch_size,
    )
    with tempfile.TemporaryDirectory(prefix="kpreco-ce-") as checkpoints:
        trainer = CrossEncoderTrainer(
            model=model,
            args=_arguments(settings, checkpoints, settings.epochs, evaluate=True),
            train_dataset=_pairs_dataset(
                train["title"], train["keyphrase_display"], targets(train, settings.labels)
            ),
            loss=loss,
            evaluator=evaluator,
            callbacks=[EarlyStoppingCallback(early_stopping_patience=settings.patience)],
        )
        trainer.train()
    seconds = time.perf_counter() - started
    best = trainer.state.best_metric
    epochs_run = round(trainer.state.epoch or 0)
    log.info(
        "cross-encoder trained on %d judged pairs (%d epochs, %d weak labels first) in %.0fs; "
        "best valid AUC against the judge %.3f",
        len(train),
        epochs_run,
        warmed,
        seconds,
        best or float("nan"),
    )
    return model, {
        "train_seconds": seconds,
        "train_pairs_per_second": (len(train) * epochs_run + (0 if reused else warmed)) / seconds,
        "epochs_run": epochs_run,
        "weak_label_pairs": warmed,
        "warm_up_reused": reused,
        "best_valid_auc_vs_judge": best,
        "device": "cuda" if torch.cuda.is_available() else "cpu",
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
