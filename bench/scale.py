"""Recommend at growing catalog sizes: wall time and peak driver memory per size.

    ./spark-submit.sh bench/scale.py --config conf/local.yaml [--sizes 10000,50000,250000]
        [--keyphrases 20000]

For each size, simulates a catalog (items only) and a vocabulary of `--keyphrases` buyer
queries with the marketplace simulator into a scratch root, then runs `recommend` with
`--full-refresh` using the pipeline's trained student (relevance filter off: its cost is linear
in items too, and would dominate on 2 cores). The driver's memory (its JVM and Python) is
sampled every 0.2 s. Prints a table and ends with `ratio=X`: time per item at the largest size
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
    """Peak resident memory of this process and its parent (spark-submit's driver JVM)."""

    def __init__(self) -> None:
        self.processes = [psutil.Process(os.getpid()), psutil.Process(os.getpid()).parent()]
        self.peak, self.running = 0, True
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, sum(p.memory_info().rss for p in self.processes))
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.running = False
        self.thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--sizes", default="10000,50000,250000")
    parser.add_argument("--keyphrases", type=int, default=20_000)
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
    rows = []
    for size in sizes:
        catalog = SimulateSettings(
            enabled=True,
            seed=base.simulate.seed,
            items=size,
            keyphrases=10,
            partitions=max(8, size // 25_000),
        )
        items_path = scratch / f"items_{size}"
        overwrite_table(
            simulate_items(spark, catalog).select(
                "item_id", "title", "category", "price", "seller_id", "updated_at"
            ),
            str(items_path),
        )
        config = load_config(
            args.config,
            [
                *args.overrides,
                f"output.root={scratch / f'out_{size}'}",
                f"inputs.items={items_path}",
                f"inputs.keyphrases={scratch / 'keyphrases'}",
                "recommend.relevance_filter.enabled=false",
                f"recommend.partitions={max(4, size // 10_000)}",
                f"run_id=scale-{size}",
            ],
        )
        (scratch / f"out_{size}").mkdir()
        for linked in ("models", "indexes"):
            os.symlink(root / linked, scratch / f"out_{size}" / linked)
        with PeakMemory() as memory:
            started = time.perf_counter()
            record = StageRecord("recommend")
            run_recommend(spark, config, record, full_refresh=True)
            seconds = time.perf_counter() - started
        rows.append(
            (size, seconds, memory.peak / 2**20, record.counts.get("keyphrases_written", 0))
        )
        peak = memory.peak / 2**20
        print(
            f"size {size}: {seconds:.1f}s, {1000 * seconds / size:.2f} ms/item, peak {peak:.0f} MiB"
        )
    print(
        f"{'items':>8} {'seconds':>9} {'ms/item':>8} {'peak driver MiB':>16} {'rows written':>13}"
    )
    for size, seconds, peak, written in rows:
        print(
            f"{size:>8} {seconds:>9.1f} {1000 * seconds / size:>8.2f} {peak:>16.0f} {written:>13}"
        )
    smallest, largest = rows[0], rows[-1]
    print(f"ratio={(largest[1] / largest[0]) / (smallest[1] / smallest[0]):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
