"""The configured judge prompt against another on pairs it has already judged: precision and
recall against the truth at each prompt's own threshold, fitted on human labels as the pipeline
fits it, and AUC per pair kind.

    ./spark-submit.sh bench/judge_prompts.py --config conf/local.yaml \
        [--candidate fewshot_attributes] [--per-kind 100]

Needs a workspace whose judge stage has run (the `judgments` table) and the simulated truth.
Takes every human-labelled pair the configured judge answered (for the threshold) and up to
`--per-kind` seeded pairs of every other judged kind; the configured prompt's P comes from the
cache, the candidate judges the same pairs (about 3 pairs/s on 2 cores; nothing is written to
the cache). Ends with `ratio=X`: the candidate's precision against the truth over the
configured prompt's, each at its own fitted threshold, on the pairs that are not human-labelled.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from pyspark.sql import Window
from pyspark.sql import functions as F

from kpreco.config import load_config
from kpreco.inputs import load_references, valid_or_none
from kpreco.judge.backends import create_backend
from kpreco.judge.backends.base import JudgeRequest
from kpreco.judge.key import JudgeKey, ok_judgments
from kpreco.judge.prompt import TEMPLATES
from kpreco.judge.report import fitted_threshold, with_references
from kpreco.judge.sampling import HUMAN_LABELLED
from kpreco.log import StageRecord, setup_logging
from kpreco.metrics import auc
from kpreco.session import build_spark
from kpreco.tables import read_delta


def sample(spark, config, per_kind: int) -> pd.DataFrame:
    """Judged pairs of the configured judge: all human-labelled ones, `per_kind` of the rest."""
    key = JudgeKey.of(config.judge)
    judged = ok_judgments(read_delta(spark, config.table_path("judgments")), key)
    order = Window.partitionBy("pair_kind").orderBy(F.xxhash64("item_id", "keyphrase", F.lit(11)))
    chosen = judged.withColumn("_rank", F.row_number().over(order)).where(
        (F.col("pair_kind") == HUMAN_LABELLED) | (F.col("_rank") <= per_kind)
    )
    chosen = chosen.select(
        "item_id", "keyphrase", "keyphrase_display", "title", "category", "pair_kind", "p_relevant"
    )
    tables = load_references(spark, config, StageRecord("bench"))
    if "truth" not in tables:
        raise SystemExit("this bench needs the truth (inputs.truth): a simulated marketplace")
    frame = with_references(
        chosen, valid_or_none(tables, "human_labels"), tables["truth"].valid
    ).toPandas()
    return frame.sort_values(["item_id", "keyphrase"]).reset_index(drop=True)


def scored(frame: pd.DataFrame, p: np.ndarray, default: float) -> dict:
    """Threshold fitted on the human labels, then precision / recall / yes-rate against the
    truth on the other pairs, and AUC against the truth per kind."""
    threshold, _ = fitted_threshold(frame.assign(p_relevant=p), default)
    rest = (frame["pair_kind"] != HUMAN_LABELLED).to_numpy()
    relevant = (frame["true_relevance"] > 0).to_numpy()
    said_yes = p >= threshold
    yes, found = said_yes[rest], relevant[rest]
    report = {
        "threshold": threshold,
        "precision": float(found[yes].mean()) if yes.any() else None,
        "recall": float(yes[found].mean()) if found.any() else None,
        "yes_rate": float(yes.mean()),
        "auc": {"all": auc(found.astype(int), p[rest])},
    }
    for kind, part in frame[rest].groupby("pair_kind"):
        index = part.index.to_numpy()
        report["auc"][kind] = auc(relevant[index].astype(int), p[index])
        report[f"yes_on_irrelevant[{kind}]"] = float(said_yes[index][~relevant[index]].mean())
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--candidate", default="fewshot_attributes", choices=list(TEMPLATES))
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--json", help="also write every number to this file")
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    frame = sample(spark, config, args.per_kind)
    counts = frame["pair_kind"].value_counts().to_dict()
    print(f"{len(frame)} judged pairs of {config.judge.model} ({config.judge.prompt}): {counts}")
    requests = [
        JudgeRequest(r.item_id, r.keyphrase, r.title, r.category, r.keyphrase_display)
        for r in frame.itertuples()
    ]
    backend = create_backend(config.judge)
    backend.template = TEMPLATES[args.candidate]
    start = time.perf_counter()
    answers = backend.judge(requests)
    took = time.perf_counter() - start
    backend.close()
    print(f"{args.candidate}: {len(requests)} pairs in {took:.0f} s")
    missing = sum(a.p_relevant is None for a in answers)
    if missing:
        raise SystemExit(f"{missing} of {len(requests)} candidate judgments failed")
    default = config.judge.default_threshold
    reports = {
        config.judge.prompt: scored(frame, frame["p_relevant"].to_numpy(), default),
        args.candidate: scored(frame, np.array([a.p_relevant for a in answers]), default),
    }
    for name, report in reports.items():
        print(f"{name:20s} {json.dumps(report)}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(reports, out, indent=1)
    base, other = reports[config.judge.prompt]["precision"], reports[args.candidate]["precision"]
    print("ratio: the candidate's precision against the truth over the configured prompt's")
    print(f"ratio={other / base if base else float('nan'):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
