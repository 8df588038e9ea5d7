"""Hard negatives re-mined by the trained student (issue 12 lever): worth a training epoch?

    ./spark-submit.sh bench/student_refresh.py --config conf/local.yaml

Needs a finished pipeline (pairs, ce_scores, the assistant and the full method's student).
Continues the served full-method student for one more epoch (learning rate and everything else
as configured) with its ctr and sr tasks unchanged and one of three distillation sets, each
`group_size` candidates per item for the same train items, all scored by the same assistant:

- original: the set the student was trained on (the base encoder's and Search's near
  candidates, `random_per_group` random ones);
- refreshed: the student's own nearest keyphrases at the served dimension, the rest random
  (what ANCE-style training does: the student learns to order what it would retrieve);
- mixed: half the original near candidates and half the student's, the rest random.

Prints the validation retrieval of the starting student and of each arm (the first validation
task's nDCG@10 and recall@50 at `recommend.dim`, as the trainer selects epochs), the assistant's
mean probability over each set's near and random candidates, and ends with `ratio=X`: refreshed
over original validation nDCG@10 (one run each; 400 validation items, so differences under
about 0.01 are noise).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from kpreco import registry
from kpreco.bi_encoder.datasets import collect_tasks, task_frames
from kpreco.bi_encoder.evaluation import MatryoshkaRetrievalEvaluator
from kpreco.bi_encoder.train import train_bi_encoder
from kpreco.config import load_config
from kpreco.cross_encoder.scoring import CrossEncoderScorer
from kpreco.embedding import encode, exact_index, load_encoder, search
from kpreco.log import StageRecord, setup_logging
from kpreco.session import build_spark
from kpreco.stages.train_bi_encoder import validation_tasks
from kpreco.tables import read_delta


def student_near(model, anchors: list[str], texts: list[str], dim: int, k: int) -> list[list]:
    """The student's k nearest vocabulary texts per anchor at `dim`."""
    _, top = search(exact_index(encode(model, texts, dim)), encode(model, anchors, dim), k)
    return [[texts[i] for i in row if i >= 0] for row in top]


def groups_of(near: list[list[str]], texts: list[str], size: int, seed: int) -> list[list[str]]:
    """Each anchor's near candidates (de-duplicated, at most `size`), then random ones."""
    rng = np.random.default_rng(seed)
    groups = []
    for candidates in near:
        group = list(dict.fromkeys(candidates))[:size]
        while len(group) < size:
            pick = texts[rng.integers(len(texts))]
            if pick not in group:
                group.append(pick)
        groups.append(group)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    settings, dim = config.bi_encoder, config.recommend.dim
    distill = settings.tasks.distill
    pairs = read_delta(spark, config.table_path("pairs"))
    location, assistant = registry.resolve_assistant(spark, config)
    tasks = collect_tasks(
        task_frames(
            settings,
            pairs,
            read_delta(spark, config.table_path("ce_scores")),
            assistant["version"],
            None,
        )
    )
    if "candidates" not in tasks.get("distill", pd.DataFrame()):
        raise SystemExit(f"preset {settings.preset} has no per-item distillation groups")
    validation = validation_tasks(spark, config, pairs, StageRecord("bench"))
    student_location, student_meta = registry.resolve_student(spark, config)
    student_path = str(registry.local_copy(spark, student_location))
    student = load_encoder(student_path)
    texts = sorted(set(validation[0].corpus.values()))
    original = tasks["distill"]
    anchors = original["anchor"].tolist()
    near_count = distill.group_size - distill.random_per_group
    mined = student_near(student, anchors, texts, dim, near_count)
    half = near_count // 2
    original_near = [list(c)[:near_count] for c in original["candidates"]]
    candidates = {
        "refreshed": groups_of(mined, texts, distill.group_size, settings.seed),
        "mixed": groups_of(
            [o[:half] + m[: near_count - half] for o, m in zip(original_near, mined, strict=True)],
            texts,
            distill.group_size,
            settings.seed,
        ),
    }
    scorer = CrossEncoderScorer.configured(
        str(registry.local_copy(spark, location)), assistant["calibration"], config.cross_encoder
    )
    sets = {"original": original}
    for name, groups in candidates.items():
        started = time.perf_counter()
        flat = [(a, c) for a, group in zip(anchors, groups, strict=True) for c in group]
        probabilities = scorer.probabilities([a for a, _ in flat], [c for _, c in flat])
        scores = probabilities.reshape(len(groups), distill.group_size)
        sets[name] = pd.DataFrame(
            {
                "anchor": anchors,
                "candidates": groups,
                "scores": [list(map(float, s)) for s in scores],
            }
        )
        print(f"{name}: {len(flat)} pairs mined and scored in {time.perf_counter() - started:.0f}s")
    for name, frame in sets.items():
        scores = np.array(frame["scores"].tolist())
        print(
            f"{name}: assistant mean P near {scores[:, :near_count].mean():.3f}, "
            f"random {scores[:, near_count:].mean():.3f}"
        )
    evaluator = MatryoshkaRetrievalEvaluator(validation, [dim], settings.evaluation.k)
    task, k = validation[0].name, settings.evaluation.k
    keys = (f"{task}_dim{dim}_ndcg@{k}", f"{task}_dim{dim}_recall@50")

    def line(name: str, metrics: dict) -> str:
        return f"{name:<24} nDCG@{k} {metrics[keys[0]]:.4f}  recall@50 {metrics[keys[1]]:.4f}"

    print(f"student {student_meta['version']}, validation task {task!r} at dim {dim}")
    results = {"start": evaluator(student)}
    print(line("start", results["start"]))
    more = settings.model_copy(update={"base_model": student_path, "epochs": 1})
    for name, frame in sets.items():
        model, _ = train_bi_encoder({**tasks, "distill": frame}, [], more)
        results[name] = evaluator(model)
        print(line(f"+1 epoch, {name}", results[name]))
    print("refreshed over original validation nDCG@10 after one more epoch")
    print(f"ratio={results['refreshed'][keys[0]] / results['original'][keys[0]]:.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
