"""Recommend at growing catalog sizes: wall time and peak driver memory per size.

    ./spark-submit.sh bench/scale.py --config conf/local.yaml [--sizes 10000,50000,250000]
        [--keyphrases 20000] [--warm-up 500]

For each size, simulates a catalog (items only) and a vocabulary of `--keyphrases` buyer
queries with the marketplace simulator into a scratch root, then runs `recommend` with
`--full-refresh` using the pipeline's trained student (relevance filter off: its cost is linear
in items too, and would dominate on 2 cores). A warm-up run on `--warm-up` items comes first:
it builds (or reuses) the vocabulary's index and loads the models into the workers, so the
sizes compare per-item work, not one-time costs. The driver's memory (its JVM and Python) is
sampled every 0.2 s, the Python driver and the JVM apart, and the JVM's retained heap is
read after each size. Prints a table and ends with `ratio=X`: time per item at the largest size
over time per item at the smallest (<= 1 means no worse than linear).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

from kpreco.config import SimulateSettings, load_config
from kpreco.log import StageRecord, setup_logging
from kpreco.session import build_spark
from kpreco.simulate.marketplace import simulate_items, simulate_keyphrases
from kpreco.stages.recommend import run_recommend
from kpreco.tables import overwrite_table


class PeakMemory:
    """Peak resident memory of the Python driver (this process: where a collected catalog would
    land) and of spark-submit's JVM (its parent). In local mode that JVM is driver and executor
    at once, so it also holds the tasks' working memory and grows its heap up to the configured
    driver memory; on a cluster the executors are elsewhere."""

    def __init__(self) -> None:
        self.python = psutil.Process(os.getpid())
        self.jvm = self.python.parent()
        self.peak_python = self.peak_jvm = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self.running:
            self.peak_python = max(self.peak_python, self.python.memory_info().rss)
            self.peak_jvm = max(self.peak_jvm, self.jvm.memory_info().rss)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.running = False
        self.thread.join()


def jvm_heap_used_mib(spark) -> float:
    """The JVM's live heap after a full collection: what it really retains between sizes."""
    runtime = spark.sparkContext._jvm.java.lang.Runtime.getRuntime()
    spark.sparkContext._jvm.java.lang.System.gc()
    return (runtime.totalMemory() - runtime.freeMemory()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--sizes", default="10000,50000,250000")
    parser.add_argument("--keyphrases", type=int, default=20_000)
    parser.add_argument("--warm-up", type=int, default=500, help="items of the untimed first run")
    args = parser.parse_args()
    setup_logging()
    base = load_config(args.config, args.overrides)
    spark = build_spark(base)
    sizes = [int(size) for size in args.sizes.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="kpreco-bench-scale-"))
    root = Path(base.table_path("")).resolve()
    for linked in ("models", "indexes"):
        (root / linked).mkdir(parents=True, exist_ok=True)
        os.symlink(root / linked, scratch / linked)
    vocabulary_settings = SimulateSettings(
        enabled=True, seed=base.simulate.seed, items=10, keyphrases=args.keyphrases
    )
    overwrite_table(
        simulate_keyphrases(spark, vocabulary_settings).select(
            "keyphrase", "search_count", "category"
        ),
        str(scratch / "keyphrases"),
    )

    def run_size(size: int, label: str) -> tuple[float, PeakMemory, float, int]:
        """Simulate `size` items, recommend for all of them: (seconds, peak memory, JVM heap
        retained afterwards in MiB, rows written)."""
        catalog = SimulateSettings(
            enabled=True,
            seed=base.simulate.seed,
            items=size,
            keyphrases=10,
            partitions=max(8, size // 25_000),
        )
        items_path = scratch / f"items_{label}"
        overwrite_table(
            simulate_items(spark, catalog).select(
                "item_id", "title", "category", "price", "seller_id", "updated_at"
            ),
            str(items_path),
        )
        out = scratch / f"out_{label}"
        config = load_config(
            args.config,
            [
                *args.overrides,
                f"output.root={out}",
                f"inputs.items={items_path}",
                f"inputs.keyphrases={scratch / 'keyphrases'}",
                "recommend.relevance_filter.enabled=false",
                f"recommend.partitions={max(4, size // 10_000)}",
                f"run_id=scale-{label}",
            ],
        )
        out.mkdir()
        for linked in ("models", "indexes"):
            os.symlink(root / linked, out / linked)
        with PeakMemory() as memory:
            started = time.perf_counter()
            record = StageRecord("recommend")
            run_recommend(spark, config, record, full_refresh=True)
            seconds = time.perf_counter() - started
        print(f"{label}: {size} items in {seconds:.1f}s; index {record.details.get('index')}")
        written = record.counts.get("keyphrases_written", 0)
        return seconds, memory, jvm_heap_used_mib(spark), written

    run_size(args.warm_up, "warm-up")
    rows = []
    for size in sizes:
        seconds, memory, heap, written = run_size(size, str(size))
        python, jvm = memory.peak_python / 2**20, memory.peak_jvm / 2**20
        rows.append((size, seconds, python, jvm, heap, written))
        print(
            f"size {size}: {seconds:.1f}s, {1000 * seconds / size:.2f} ms/item, peak Python "
            f"driver {python:.0f} MiB, peak JVM {jvm:.0f} MiB, JVM heap retained {heap:.0f} MiB"
        )
    header = ("items", "seconds", "ms/item", "Python MiB", "JVM MiB", "heap kept", "rows")
    print(" ".join(f"{h:>10}" for h in header))
    for size, seconds, python, jvm, heap, written in rows:
        cells = (size, f"{seconds:.1f}", f"{1000 * seconds / size:.2f}", f"{python:.0f}")
        print(" ".join(f"{c:>10}" for c in (*cells, f"{jvm:.0f}", f"{heap:.0f}", written)))
    smallest, largest = rows[0], rows[-1]
    print(f"ratio={(largest[1] / largest[0]) / (smallest[1] / smallest[0]):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
