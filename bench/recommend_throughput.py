"""Recommend throughput: items/s of the `recommend` stage end to end versus the bare work in
one process (encode the same items with SentenceTransformer, search the same faiss index).

    ./spark-submit.sh bench/recommend_throughput.py --config conf/local.yaml [--items N] [--runs 3]

Needs the pipeline's outputs (a trained student, the keyphrase index under output.root/indexes).
Runs against a scratch output root (models and indexes linked from the real one) with
`--full-refresh`, so every item is recomputed and the real tables are not touched. The relevance
filter is off on both sides (the bare work has no cross-encoder); a warm-up run first, so Spark
workers hold the models. Ends with `ratio=X`: median end-to-end items/s over bare items/s
(target >= 0.7).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import faiss
from pyspark.sql import functions as F

from kpreco.config import load_config
from kpreco.embedding import Encoding
from kpreco.inputs import load_inputs
from kpreco.log import StageRecord, setup_logging
from kpreco.recommend.engine import INDEX_FILE
from kpreco.recommend.index import index_key, resolve_models
from kpreco.recommend.state import vocabulary_hash
from kpreco.session import build_spark
from kpreco.stages.recommend import run_recommend
from kpreco.tables import overwrite_table, read_delta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_logging()
    base = load_config(args.config, args.overrides)
    spark = build_spark(base)
    scratch = Path(tempfile.mkdtemp(prefix="kpreco-bench-recommend-"))
    root = Path(base.table_path("")).resolve()
    for linked in ("models", "indexes"):
        (root / linked).mkdir(parents=True, exist_ok=True)
        os.symlink(root / linked, scratch / linked)
    items = read_delta(spark, base.inputs.items).orderBy(F.xxhash64("item_id")).limit(args.items)
    overwrite_table(items, str(scratch / "items"))
    config = load_config(
        args.config,
        [
            *args.overrides,
            f"output.root={scratch}",
            f"inputs.items={scratch / 'items'}",
            "recommend.relevance_filter.enabled=false",
            "run_id=bench",
        ],
    )
    run_recommend(spark, config, StageRecord("warm-up"), full_refresh=True)

    models = resolve_models(spark, config)
    record = StageRecord("bench")
    vocabulary = load_inputs(spark, config, ["keyphrases"], record)["keyphrases"].valid.select(
        F.col("keyphrase_norm").alias("keyphrase")
    )
    key = index_key(config, models, vocabulary_hash(vocabulary), vocabulary.count())
    index = faiss.read_index(str(scratch / "indexes" / key / INDEX_FILE))
    titles = [r.title for r in read_delta(spark, str(scratch / "items")).select("title").collect()]
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    settings = config.recommend
    student = Encoding(
        str(models.student_folder), settings.dim, settings.batch_size, threads=os.cpu_count() or 1
    )
    print(f"{len(titles)} items, student {models.student_version}, dim {settings.dim}, index {key}")
    ratios = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        run_recommend(
            spark,
            config.model_copy(update={"run_id": f"bench-{run}"}),
            StageRecord("run"),
            full_refresh=True,
        )
        end_to_end = len(titles) / (time.perf_counter() - started)
        started = time.perf_counter()
        index.search(student.encode(titles), settings.candidates)
        bare = len(titles) / (time.perf_counter() - started)
        ratios.append(end_to_end / bare)
        print(
            f"run {run}: recommend {end_to_end:.0f} items/s, bare encode+search {bare:.0f} "
            f"items/s, ratio {ratios[-1]:.3f}"
        )
    print(f"median recommend/bare over {args.runs} runs (target >= 0.7)")
    print(f"ratio={statistics.median(ratios):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
