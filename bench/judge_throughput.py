"""Judge throughput: the Spark fan-out versus the same backend called directly, and the cache.

    ./spark-submit.sh bench/judge_throughput.py --config conf/local.yaml [--pairs 120] [--runs 3]

Needs the `pairs` table (run the pipeline first). Takes `--pairs` pairs the way score_llm
samples them (item-clustered), then:
1. direct: `create_backend(...).judge(...)` in this process (model loaded beforehand);
2. fan-out: `judge_frame` through Spark (a warm-up run first, so workers hold the model);
   the headline ratio is the median over `--runs` of fan-out rate / direct rate;
3. cache: `run_score_llm` twice on a scratch copy of those pairs; the second run finds them
   all in `judgments` and is compared with the first (target: >= 50x faster).
Ends with `ratio=X` (fan-out / direct, target >= 0.8).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from pyspark.sql import functions as F

from kpreco.config import load_config
from kpreco.judge.backends import create_backend
from kpreco.judge.fanout import judge_frame, requests_of
from kpreco.judge.sampling import select_for_judging
from kpreco.log import StageRecord, setup_logging
from kpreco.session import build_spark
from kpreco.stages.score_llm import run_score_llm
from kpreco.tables import overwrite_table, read_delta


def sample_requests(pairs, settings, count: int):
    """`count` pairs chosen the way score_llm samples them, as a pandas frame in item order."""
    kinds = ("clicked", "sr_positive", "sr_negative", "unshown_candidate")
    sample = settings.sample.model_copy(update={kind: count for kind in kinds})
    return (
        select_for_judging(pairs, sample)
        .orderBy(F.xxhash64("item_id", F.lit(1)), "keyphrase")
        .limit(count)
        .toPandas()
        .sort_values(["item_id", "keyphrase"])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--pairs", type=int, default=120)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--cache-pairs", type=int, default=600, help="pairs judged for the cache test"
    )
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    settings = config.judge

    pairs = read_delta(spark, config.table_path("pairs"))
    requests = sample_requests(pairs, settings, args.pairs)
    frame = spark.createDataFrame(requests).repartition(1)
    items = requests["item_id"].nunique()
    print(f"pairs: {len(requests)} over {items} items; judge {settings.backend}:{settings.model}")

    backend = create_backend(settings)
    direct_rates = []
    for _ in range(args.runs):
        started = time.perf_counter()
        backend.judge(requests_of(requests))
        direct_rates.append(len(requests) / (time.perf_counter() - started))
    backend.close()

    judge_frame(frame.limit(2), settings).collect()  # warm-up: workers load the model
    fanout_rates = []
    for _ in range(args.runs):
        started = time.perf_counter()
        judged = judge_frame(frame, settings).collect()
        fanout_rates.append(len(judged) / (time.perf_counter() - started))
    ratios = [f / d for f, d in zip(fanout_rates, direct_rates, strict=True)]
    for run, (f, d) in enumerate(zip(fanout_rates, direct_rates, strict=True), start=1):
        print(
            f"run {run}: direct {d:.2f} pairs/s, spark fan-out {f:.2f} pairs/s, ratio {f / d:.3f}"
        )

    scratch = tempfile.mkdtemp(prefix="kpreco-bench-judge-")
    cache_config = load_config(
        args.config,
        [
            *args.overrides,
            f"output.root={scratch}",
            "inputs.human_labels=null",
            "inputs.truth=null",
            *[
                f"judge.sample.{kind}={args.cache_pairs}"
                for kind in ("clicked", "sr_positive", "sr_negative", "unshown_candidate")
            ],
            "judge.sample.human_labelled=0",
            "judge.sample.max_per_item=1000",
        ],
    ).with_run_id()
    cached_pairs = sample_requests(pairs, settings, args.cache_pairs)
    overwrite_table(spark.createDataFrame(cached_pairs), cache_config.table_path("pairs"))
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        run_score_llm(spark, cache_config, StageRecord("score_llm"))
        timings.append(time.perf_counter() - started)
    print(
        f"score_llm on {len(cached_pairs)} pairs: first run {timings[0]:.1f}s, "
        f"second run (all cached) {timings[1]:.1f}s: "
        f"{timings[0] / timings[1]:.1f}x faster (target >= 50x)"
    )
    print(f"median fan-out/direct over {args.runs} runs (target >= 0.8)")
    print(f"ratio={statistics.median(ratios):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
