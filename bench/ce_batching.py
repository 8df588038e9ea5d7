"""The relevance filter's float32 scoring: one batch per item (as `recommend` scores) against
batches across items.

    ./spark-submit.sh bench/ce_batching.py --config conf/local.yaml [--items 300] [--runs 3]

Needs a trained cross-encoder and the `pairs` table (run the pipeline first). Takes `--items`
seeded items with at least `recommend.relevance_filter.max_candidates` pairs and that many of
each (the shape `recommend` scores: one title, its candidates), and scores them in one thread
with `CrossEncoderScorer.logits` both ways: with the items as groups (a batch each) and
without (`cross_encoder.score.batch_size` batches across items, which sentence-transformers
sorts by length). Prints the largest logit difference between the two and ends with
`ratio=X`: the median over `--runs` of the per-item time over the batched time (above 1:
batching across items would be faster).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from pyspark.sql import Window
from pyspark.sql import functions as F

from kpreco import registry
from kpreco.config import load_config
from kpreco.cross_encoder.scoring import CrossEncoderScorer
from kpreco.log import setup_logging
from kpreco.session import build_spark
from kpreco.tables import read_delta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    per_item = config.recommend.relevance_filter.max_candidates
    location, metadata = registry.resolve_assistant(spark, config)
    folder = str(registry.local_copy(spark, location))
    order = Window.partitionBy("item_id").orderBy(F.xxhash64("keyphrase"))
    ranked = (
        read_delta(spark, config.table_path("pairs"))
        .withColumn("_n", F.count("*").over(Window.partitionBy("item_id")))
        .where(F.col("_n") >= per_item)
        .withColumn("_rank", F.row_number().over(order))
        .where(F.col("_rank") <= per_item)
    )
    chosen = (
        ranked.select("item_id")
        .distinct()
        .orderBy(F.xxhash64("item_id", F.lit(3)))
        .limit(args.items)
    )
    pairs = (
        ranked.join(chosen, "item_id")
        .select("item_id", "_rank", "title", "keyphrase_display")
        .toPandas()
        .sort_values(["item_id", "_rank"])
    )
    titles, keyphrases = pairs["title"].tolist(), pairs["keyphrase_display"].tolist()
    groups = pairs.groupby("item_id", sort=False).size().tolist()
    settings = config.cross_encoder
    scorer = CrossEncoderScorer.configured(folder, metadata["calibration"], settings, threads=1)
    print(
        f"{len(groups)} items x {per_item} candidates, cross-encoder {metadata['version']}, "
        f"batch {settings.score.batch_size}, one thread"
    )
    scorer.logits(titles[:64], keyphrases[:64])  # warm-up

    ratios = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        alone = scorer.logits(titles, keyphrases, groups)
        per_item_s = time.perf_counter() - started
        started = time.perf_counter()
        batched = scorer.logits(titles, keyphrases)
        batched_s = time.perf_counter() - started
        ratios.append(per_item_s / batched_s)
        print(
            f"run {run}: per item {len(titles) / per_item_s:.0f} pairs/s, batched "
            f"{len(titles) / batched_s:.0f} pairs/s, ratio {ratios[-1]:.3f}, largest logit "
            f"difference {np.abs(alone - batched).max():.2e}"
        )
    print(f"median per-item time over batched time over {args.runs} runs")
    print(f"ratio={statistics.median(ratios):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
