"""The relevance filter in int8 against float32: what would be served, and the scoring time.

    ./spark-submit.sh bench/ce_quantization.py --config conf/local.yaml [--runs 3] [--items 200]

Needs a finished pipeline run. On the evaluation's test items (the same items every model is
evaluated on), the full method's top-k_hidden keyphrases, retrieved as the evaluation retrieves
them, are scored by the assistant in float32 and in int8, each item's first `max_candidates` as
one batch, as `recommend` scores them. Prints per precision the serving replay at the configured
filter (true nDCG@10, precision over the served slots, true precision@10, the share of correct
keyphrases never shown by Search, each with its 95% interval), then how far the two disagree (filter
decisions that differ, items whose served list differs, the largest change of probability),
then the scoring time of `--items` items' candidates with one thread (as an executor scores),
alternating the two, `--runs` times. Ends with `ratio=X`: the median int8 time over float32's.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from kpreco import registry
from kpreco.config import load_config
from kpreco.cross_encoder.scoring import CrossEncoderScorer
from kpreco.evaluate.diagnostics import served_by_policy
from kpreco.evaluate.protocol import per_item_metrics, summarize
from kpreco.evaluate.report import SWEEP_COLUMNS, names
from kpreco.evaluate.retrievers import dense_retrieve, encode_vocabulary
from kpreco.inputs import configured_references, load_inputs
from kpreco.log import StageRecord, setup_logging
from kpreco.session import build_spark
from kpreco.stages.evaluate import (
    assistant_scores_of,
    build_references,
    evaluation_vocabulary,
    student_of_preset,
    test_items,
)
from kpreco.tables import read_delta

PRECISIONS = ("float32", "int8")


def cell(stats: dict | None) -> str:
    if not stats:
        return "—"
    return f"{stats['mean']:.3f} [{stats['ci_low']:.3f}, {stats['ci_high']:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=200, help="items timed per run")
    args = parser.parse_args()
    setup_logging()
    configs = {
        precision: load_config(
            args.config, [*args.overrides, f"recommend.relevance_filter.precision={precision}"]
        ).with_run_id()
        for precision in PRECISIONS
    }
    config = configs["float32"]
    spark = build_spark(config)
    record = StageRecord("bench")
    tables = load_inputs(spark, config, ["keyphrases", *configured_references(config)], record)
    vocabulary, vocab = evaluation_vocabulary(tables)
    items = test_items(read_delta(spark, config.table_path("pairs")), config)
    refs = build_references(spark, config, items, vocabulary, tables, record)
    full = config.bi_encoder.preset
    loaded = student_of_preset(spark, config, full)
    if loaded is None:
        raise SystemExit(f"no trained {full} student: run the pipeline first")
    student, _ = loaded
    settings, k, h = config.evaluate, config.evaluate.k, config.evaluate.k_hidden
    retrieved = dense_retrieve(
        student,
        items["title"].tolist(),
        vocab,
        encode_vocabulary(student, vocab),
        config.recommend.dim,
        max(k, h),
    )
    lists = dict(zip(refs.items, retrieved.lists, strict=True))
    policy = config.recommend.relevance_filter
    print(
        f"{len(refs.items)} test items, the {full} student's top {h}; filter: first "
        f"{policy.max_candidates} at threshold {policy.threshold}, cap "
        f"{config.recommend.max_keyphrases}"
    )

    scores, served = {}, {}
    wanted = names(SWEEP_COLUMNS, k, h)
    for precision in PRECISIONS:
        scores[precision] = assistant_scores_of(
            spark, configs[precision], lists, items, vocabulary, record
        )
        served[precision] = served_by_policy(
            lists,
            scores[precision],
            policy.max_candidates,
            policy.threshold,
            config.recommend.max_keyphrases,
        )
        metrics = per_item_metrics(served[precision], refs, k, h)
        summary = summarize(
            {name: values for name, values in metrics.items() if name in wanted},
            settings.bootstrap,
            settings.seed,
        )
        print(f"{precision:>8}: " + "  ".join(f"{n} {cell(summary.get(n))}" for n in wanted))

    filtered = [
        (item, keyphrase)
        for item, keyphrases in lists.items()
        for keyphrase in keyphrases[: policy.max_candidates]
    ]
    before = np.array([scores["float32"][pair] for pair in filtered])
    after = np.array([scores["int8"][pair] for pair in filtered])
    flipped = np.mean((before >= policy.threshold) != (after >= policy.threshold))
    changed = np.mean([served["float32"][i] != served["int8"][i] for i in refs.items])
    print(
        f"{len(filtered)} filtered pairs: filter decisions that differ {flipped:.4f}, items "
        f"whose served list differs {changed:.3f}, |P change| mean "
        f"{np.abs(after - before).mean():.4f}, max {np.abs(after - before).max():.4f}"
    )

    timed = refs.items[: args.items]
    titles = dict(zip(items["item_id"], items["title"], strict=True))
    groups = [min(policy.max_candidates, len(lists[item])) for item in timed]
    pair_titles = [titles[item] for item, n in zip(timed, groups, strict=True) for _ in range(n)]
    display = dict(zip(vocabulary["keyphrase"], vocabulary["keyphrase_display"], strict=True))
    pair_keyphrases = [display[kp] for item in timed for kp in lists[item][: policy.max_candidates]]
    location, meta = registry.resolve_assistant(spark, config)
    folder = str(registry.local_copy(spark, location))
    scorers = {
        precision: CrossEncoderScorer.configured(
            folder,
            meta["calibration"],
            config.cross_encoder,
            threads=config.recommend.threads,
            precision=precision,
        )
        for precision in PRECISIONS
    }

    def seconds(precision: str) -> float:
        started = time.perf_counter()
        scorers[precision].probabilities(pair_titles, pair_keyphrases, groups)
        return time.perf_counter() - started

    for precision in PRECISIONS:
        seconds(precision)  # warm-up: load the model
    ratios = []
    for run in range(1, args.runs + 1):
        order = PRECISIONS if run % 2 else PRECISIONS[::-1]
        took = {precision: seconds(precision) for precision in order}
        ratios.append(took["int8"] / took["float32"])
        print(
            f"run {run}: {len(pair_titles)} pairs, float32 {took['float32']:.1f} s, int8 "
            f"{took['int8']:.1f} s ({len(pair_titles) / took['int8']:.0f} pairs/s), "
            f"ratio {ratios[-1]:.3f}"
        )
    print(f"median int8/float32 scoring time over {args.runs} runs, one thread")
    print(f"ratio={statistics.median(ratios):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
