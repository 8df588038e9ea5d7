"""Multi-task training of the student with SentenceTransformerTrainer.

One shared encoder; a dict of task datasets and a dict of losses (each wrapped in
MatryoshkaLoss, then weighted per task); batches from one task at a time, mixed round-robin or
in proportion to the tasks' sizes; validation retrieval each epoch, best checkpoint kept.
"""

from __future__ import annotations

import tempfile
import time

import pandas as pd

from kpreco.bi_encoder.evaluation import MatryoshkaRetrievalEvaluator, RetrievalTask
from kpreco.bi_encoder.losses import (
    ItemPearsonCorrelationLoss,
    PearsonCorrelationLoss,
    TaskWeightedLoss,
)
from kpreco.config import BiEncoderSettings
from kpreco.embedding import best_device, resolve_encoder_path
from kpreco.log import get_logger, on_terminal
from kpreco.model_card import describe

log = get_logger(__name__)


def task_loss(name: str, model, settings: BiEncoderSettings):
    from sentence_transformers import util
    from sentence_transformers.sentence_transformer import losses

    distill = settings.tasks.distill
    if name == "ctr":
        inner = losses.MultipleNegativesRankingLoss(model)
    elif name == "sr":
        inner = losses.CoSENTLoss(model)
    elif distill.loss == "mse":
        inner = losses.CosineSimilarityLoss(model)  # MSE between cosine and the teacher score
    elif distill.loss == "listwise":
        # Teacher logits at temperature 1 against cosines at a contrastive temperature (the
        # student's cosines span about [-1, 1], the logits several units).
        inner = losses.DistillKLDivLoss(
            model,
            similarity_fct=util.pairwise_cos_sim,
            student_temperature=distill.listwise_temperature,
            teacher_temperature=1.0,
        )
    elif distill.grouped():
        inner = ItemPearsonCorrelationLoss(
            model,
            contrastive_weight=distill.contrastive_weight,
            positive_threshold=distill.positive_threshold,
        )
    else:
        inner = PearsonCorrelationLoss(model)
    wrapped = losses.MatryoshkaLoss(model, inner, matryoshka_dims=settings.matryoshka_dims)
    return TaskWeightedLoss(wrapped, getattr(settings.tasks, name).weight)


def _dataset(frame: pd.DataFrame):
    """Columns in the order the losses read them: the anchor, then the candidate texts, then
    the label (one score, or a list of scores for a grouped row)."""
    from datasets import Dataset

    columns = {"anchor": frame["anchor"].tolist()}
    if "candidates" in frame:
        width = len(frame["candidates"].iloc[0]) if len(frame) else 0
        for position in range(width):
            columns[f"candidate_{position + 1}"] = [row[position] for row in frame["candidates"]]
        columns["score"] = [[float(x) for x in row] for row in frame["scores"]]
    else:
        columns["positive"] = frame["positive"].tolist()
        if "score" in frame:
            columns["score"] = frame["score"].astype(float).tolist()
    return Dataset.from_dict(columns)


def task_pairs(frame: pd.DataFrame) -> int:
    """(title, keyphrase) pairs in a task frame: a grouped row holds one per candidate."""
    if "candidates" in frame:
        return int(sum(len(row) for row in frame["candidates"]))
    return len(frame)


def train_bi_encoder(
    tasks: dict[str, pd.DataFrame], validation: list[RetrievalTask], settings: BiEncoderSettings
):
    """Returns (model, metrics). `tasks` maps ctr/sr/distill to frames of anchor, positive
    [, score]; `validation` holds the retrieval tasks (the first selects the best epoch)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.sampler import BatchSamplers, MultiDatasetBatchSamplers
    from sentence_transformers.sentence_transformer import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )

    torch.manual_seed(settings.seed)
    model = SentenceTransformer(
        str(resolve_encoder_path(settings.base_model)), device=best_device()
    )
    model.max_seq_length = settings.max_seq_length
    describe(model, settings.base_model, f"kpreco student ({settings.preset})")
    datasets = {name: _dataset(frame) for name, frame in tasks.items() if len(frame) >= 2}
    losses = {name: task_loss(name, model, settings) for name in datasets}
    evaluator = (
        MatryoshkaRetrievalEvaluator(validation, settings.matryoshka_dims, settings.evaluation.k)
        if validation
        else None
    )
    cuda = torch.cuda.is_available()
    with tempfile.TemporaryDirectory(prefix="kpreco-bi-") as checkpoints:
        args = SentenceTransformerTrainingArguments(
            output_dir=checkpoints,
            num_train_epochs=settings.epochs,
            per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            warmup_ratio=settings.warmup_ratio,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            multi_dataset_batch_sampler=(
                MultiDatasetBatchSamplers.ROUND_ROBIN
                if settings.mixing == "round_robin"
                else MultiDatasetBatchSamplers.PROPORTIONAL
            ),
            eval_strategy="epoch" if evaluator else "no",
            save_strategy="epoch" if evaluator else "no",
            save_total_limit=2,
            load_best_model_at_end=evaluator is not None,
            metric_for_best_model=f"eval_{evaluator.primary_metric}" if evaluator else None,
            greater_is_better=True,
            logging_steps=20,
            seed=settings.seed,
            bf16=cuda and torch.cuda.is_bf16_supported(),
            fp16=cuda and not torch.cuda.is_bf16_supported(),
            report_to="none",  # kpreco.tracking logs the run, its stages and models
            disable_tqdm=not on_terminal(),
            dataloader_pin_memory=cuda,
        )
        trainer = SentenceTransformerTrainer(
            model=model,
            args=args,
            train_dataset=datasets,
            loss=losses,
            evaluator=evaluator,
        )
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    sizes = {name: task_pairs(tasks[name]) for name in datasets}
    total = sum(sizes.values()) * settings.epochs
    metrics = {
        "train_seconds": seconds,
        "train_pairs": total,
        "train_pairs_per_second": total / seconds,
        "task_sizes": sizes,
        "task_rows": {name: len(d) for name, d in datasets.items()},
        "device": "cuda" if cuda else "cpu",
        "best_metric": trainer.state.best_metric,
    }
    if evaluator:
        metrics["validation"] = evaluator(model)
    log.info("bi-encoder trained on %s in %.0fs", metrics["task_sizes"], seconds)
    return model, metrics
