"""Student training throughput: the multi-task Matryoshka trainer versus a plain single-loss run.

    ./spark-submit.sh bench/train_throughput.py --config conf/local.yaml [--pairs 1200] [--runs 3]

Needs the pipeline's tables (pairs, ce_scores, a cross-encoder). Both sides train the packaged
MiniLM for one epoch on the same number of pairs with the same batch size: the multi-task
trainer (ctr/sr/distill, each loss in MatryoshkaLoss, per-task weights, task mixing), and a
plain SentenceTransformerTrainer with one MultipleNegativesRankingLoss on the same (title,
keyphrase) pairs. No evaluation during either run. Ends with `ratio=X`: the median of
multi-task pairs/s over plain pairs/s (target >= 0.9).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import pandas as pd

from kpreco import registry
from kpreco.bi_encoder.datasets import collect_tasks, task_frames
from kpreco.bi_encoder.train import train_bi_encoder
from kpreco.config import BiEncoderSettings, load_config
from kpreco.embedding import best_device, resolve_encoder_path
from kpreco.log import setup_logging
from kpreco.session import build_spark
from kpreco.tables import read_delta


def plain_mnrl_run(frame: pd.DataFrame, settings: BiEncoderSettings) -> float:
    """Pairs/s of one plain MNRL epoch over (anchor, positive)."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )

    model = SentenceTransformer(
        str(resolve_encoder_path(settings.base_model)), device=best_device()
    )
    model.max_seq_length = settings.max_seq_length
    dataset = Dataset.from_dict(
        {"anchor": frame["anchor"].tolist(), "positive": frame["positive"].tolist()}
    )
    with tempfile.TemporaryDirectory() as scratch:
        args = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            num_train_epochs=1,
            per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            warmup_ratio=settings.warmup_ratio,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            save_strategy="no",
            report_to="none",
            seed=settings.seed,
            dataloader_pin_memory=False,
            logging_steps=20,
        )
        trainer = SentenceTransformerTrainer(
            model=model,
            args=args,
            train_dataset=dataset,
            loss=losses.MultipleNegativesRankingLoss(model),
        )
        started = time.perf_counter()
        trainer.train()
        return len(frame) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--pairs", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    per_task = args.pairs // 3
    settings = config.bi_encoder.model_copy(deep=True)
    for task in (settings.tasks.ctr, settings.tasks.sr, settings.tasks.distill):
        task.max_pairs = per_task
    ce_version = registry.resolve_assistant(spark, config)[1]["version"]
    tasks = collect_tasks(
        task_frames(
            settings,
            read_delta(spark, config.table_path("pairs")),
            read_delta(spark, config.table_path("ce_scores")),
            ce_version,
            None,
        )
    )
    plain = pd.concat(
        [frame[["anchor", "positive"]] for frame in tasks.values()], ignore_index=True
    )
    total = sum(len(frame) for frame in tasks.values())
    sizes = {name: len(frame) for name, frame in tasks.items()}
    print(f"{total} pairs per run ({sizes}), batch {settings.batch_size}")
    ratios = []
    for run in range(1, args.runs + 1):
        _, metrics = train_bi_encoder(tasks, [], settings)
        multi = metrics["train_pairs_per_second"]
        single = plain_mnrl_run(plain, settings)
        ratios.append(multi / single)
        print(
            f"run {run}: multi-task {multi:.1f} pairs/s, plain MNRL {single:.1f} pairs/s, "
            f"ratio {ratios[-1]:.3f}"
        )
    print(f"median multi-task/plain over {args.runs} runs (target >= 0.9)")
    print(f"ratio={statistics.median(ratios):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
