"""Cross-encoder scoring throughput: through Spark versus `CrossEncoder.predict` in one process.

    ./spark-submit.sh bench/ce_throughput.py --config conf/local.yaml [--pairs 4000] [--runs 3]

Needs a trained cross-encoder and the `pairs` table (run the pipeline first). Both sides score
the same pairs with the same model: directly in this process (torch on all cores), and with
`score_frame` (cross_encoder.score.partitions workers, a warm-up run first so workers hold the
model). Ends with `ratio=X`: the median of Spark pairs/s over direct pairs/s (target >= 0.8).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from pyspark.sql import functions as F

from kpreco import registry
from kpreco.config import load_config
from kpreco.cross_encoder.scoring import CrossEncoderScorer, score_frame
from kpreco.cross_encoder.train import load_cross_encoder, predict_logits
from kpreco.executor_files import ship_folder
from kpreco.log import setup_logging
from kpreco.session import build_spark
from kpreco.tables import read_delta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--pairs", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    settings = config.cross_encoder
    location, metadata = registry.resolve_assistant(spark, config)
    folder = registry.local_copy(spark, location)
    pairs = (
        read_delta(spark, config.table_path("pairs"))
        .orderBy(F.xxhash64("item_id", "keyphrase"))
        .limit(args.pairs)
        .select("item_id", "keyphrase", "title", "keyphrase_display")
        .toPandas()
    )
    frame = spark.createDataFrame(pairs).cache()
    frame.count()
    version, batch = metadata["version"], settings.score.batch_size
    print(f"{len(pairs)} pairs, cross-encoder {version}, batch {batch}")

    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    model = load_cross_encoder(folder, settings.max_length)
    titles, keyphrases = pairs["title"].tolist(), pairs["keyphrase_display"].tolist()
    scorer = CrossEncoderScorer.configured(
        ship_folder(spark, folder),
        metadata["calibration"],
        settings,
        threads=settings.score.threads,
        shipped=True,
    )

    def spark_scoring():
        return (
            score_frame(frame, scorer, settings.score.partitions).agg(F.count("ce_prob")).first()[0]
        )

    spark_scoring()  # warm-up: workers load the model
    ratios = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        predict_logits(model, titles, keyphrases, settings.score.batch_size)
        direct = len(pairs) / (time.perf_counter() - started)
        started = time.perf_counter()
        scored = spark_scoring()
        through_spark = scored / (time.perf_counter() - started)
        ratios.append(through_spark / direct)
        print(
            f"run {run}: direct {direct:.0f} pairs/s, spark {through_spark:.0f} pairs/s, "
            f"ratio {ratios[-1]:.3f}"
        )
    print(f"median spark/direct over {args.runs} runs (target >= 0.8)")
    print(f"ratio={statistics.median(ratios):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
