"""Prompt injection through titles: the judge's P(relevant) shift, guarded prompt vs unguarded.

    ./spark-submit.sh bench/prompt_injection.py --config conf/local.yaml [--pairs 40]

Takes `--pairs` irrelevant and `--pairs` relevant (item, keyphrase) pairs from `inputs.truth`
(seeded), judges them with the configured judge with clean titles and with each attack of
`kpreco.judge.injection.ATTACKS` appended to the title, once with the project's prompt and once
with the same prompt stripped of its defences. Reports per attack the mean P shift on
irrelevant pairs (the attack's gain), on relevant pairs, and the share of irrelevant pairs
pushed across P=0.5. Ends with `ratio=X`: guarded mean irrelevant shift over unguarded.
"""

from __future__ import annotations

import argparse
import json

from pyspark.sql import functions as F

from kpreco.config import load_config
from kpreco.inputs import input_path
from kpreco.judge.backends import create_backend
from kpreco.judge.backends.base import JudgeRequest
from kpreco.judge.injection import UnguardedTemplate, injection_shift
from kpreco.judge.prompt import TEMPLATES
from kpreco.log import setup_logging
from kpreco.session import build_spark
from kpreco.tables import read_table


def sample_pairs(spark, config, per_label: int) -> tuple[list[JudgeRequest], list[int]]:
    truth = read_table(spark, "truth", input_path(config, "truth"), config.inputs.format)
    items = read_table(spark, "items", input_path(config, "items"), config.inputs.format)
    joined = truth.join(items.select("item_id", "title", "category"), on="item_id")
    rows = []
    for label, condition in ((0, F.col("relevance") == 0), (1, F.col("relevance") > 0)):
        chosen = joined.where(condition).orderBy(F.xxhash64("item_id", "keyphrase", F.lit(7)))
        rows += [(r, label) for r in chosen.limit(per_label).collect()]
    rows.sort(key=lambda pair: (pair[0].item_id, pair[0].keyphrase))
    requests = [
        JudgeRequest(r.item_id, r.keyphrase, r.title, r.category, r.keyphrase) for r, _ in rows
    ]
    return requests, [label for _, label in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--pairs", type=int, default=40)
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    requests, labels = sample_pairs(spark, config, args.pairs)
    print(f"{len(requests)} pairs ({sum(labels)} relevant); judge {config.judge.model}")
    backend = create_backend(config.judge)
    guarded = injection_shift(backend, requests, labels)
    template = TEMPLATES[config.judge.prompt]
    backend.template = UnguardedTemplate(f"{template.name}-unguarded", template.examples)
    unguarded = injection_shift(backend, requests, labels)
    backend.close()
    for name, report in (("guarded", guarded), ("unguarded", unguarded)):
        for attack, numbers in report.items():
            print(
                f"{name:9s} {attack:20s} {json.dumps({k: round(v, 4) for k, v in numbers.items()})}"
            )
    gain, baseline = guarded["mean"]["shift_irrelevant"], unguarded["mean"]["shift_irrelevant"]
    print(f"mean P shift on irrelevant pairs: guarded {gain:+.4f}, unguarded {baseline:+.4f}")
    print(f"ratio={gain / baseline if baseline else float('nan'):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
