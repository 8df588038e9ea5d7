"""Prompt injection through titles: the judge's P(relevant) shift per attack set, with the
project's defences (rule screen + injection detector), with the rule screen alone, and
(`--unguarded`) with none; plus what the detector costs on clean titles.

    ./spark-submit.sh bench/prompt_injection.py --config conf/local.yaml [--pairs 15]

Takes `--pairs` irrelevant and `--pairs` relevant (item, keyphrase) pairs from `inputs.truth`
(seeded) and judges them with the configured judge with clean titles and with each attack
appended. Attack sets:

- `built`: kpreco.judge.injection.ATTACKS, the eight the rule screen was written against;
- `reported`: the ten of issue 17 (bench/attacks_reported.py), which the rule screen missed;
  the detector's threshold was checked on these;
- `heldout`: bench/attacks_heldout.py, written after the detector's first version and never
  read by its code; its rules were changed after it had been run on these, so they are no
  longer strictly out of sample;
- `heldout_2`: bench/attacks_heldout_2.py, written before that change; the detector's scan
  for glued-on text was then written against its failures, so it is in sample now;
- `heldout_3`: bench/attacks_heldout_3.py, written after that scan; the detector's growth of
  removed text into neighbouring pieces and runs of another script was then written against
  its failures, so it is in sample now;
- `heldout_4`: bench/attacks_heldout_4.py, written after that change; the detector's choice
  of the cut (the largest gap of log-odds between removed and kept part) and its counting of
  one-word product segments were then written against its failures, so it is in sample now;
- `heldout_5`: bench/attacks_heldout_5.py, written after that change; the detector's corpus-3
  (some fifty languages), its reading of one-word pieces together, of invisible characters and
  of which end of a segment before (after) the title stays were then written against its
  failures, so it is in sample now;
- `heldout_6`: bench/attacks_heldout_6.py, written after that change and run through the
  detector first by this benchmark: the out-of-sample set (the `ratio` is on it).

`--sets` picks some (a judgment per pair, attack and template: about 1.6/s on 2 cores).

Per set and attack: the mean P shift on irrelevant pairs (the attack's gain) and on relevant
pairs, and the share of irrelevant pairs pushed from below the judge's threshold to above it:
the one the pipeline labels at (the workspace's latest `judge.json`, fitted on human labels),
`--threshold` to set another, and the summary also counts them at 0.5. The
`min` rows are the alternative policy of keeping the lower P of the title as given (rule
screen only) and the title with the detector's spans removed.

Clean-data cost: the share of `--clean-items` catalog titles the detector changes, the P change
on the clean sample's pairs, and judge throughput on clean pairs with and without the detector
(`throughput_ratio`, median of `--repeats`). Ends with `ratio=X`: the defended mean irrelevant
shift on the `heldout_6` set over the rule screen's alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from pyspark.sql import functions as F

from kpreco.config import Config, load_config
from kpreco.files import newest, read_text
from kpreco.inputs import input_path
from kpreco.judge.backends import create_backend
from kpreco.judge.backends.base import JudgeRequest
from kpreco.judge.detector import remove_non_product_text
from kpreco.judge.injection import (
    ATTACKS,
    RulesOnlyTemplate,
    UnguardedTemplate,
    judged_p,
    shift_report,
)
from kpreco.judge.prompt import TEMPLATES
from kpreco.judge.screening import screening_of
from kpreco.log import setup_logging
from kpreco.session import build_spark
from kpreco.tables import read_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attacks_heldout import HELDOUT
from attacks_heldout_2 import HELDOUT_2
from attacks_heldout_3 import HELDOUT_3
from attacks_heldout_4 import HELDOUT_4
from attacks_heldout_5 import HELDOUT_5
from attacks_heldout_6 import HELDOUT_6
from attacks_reported import REPORTED

SETS = {
    "built": ATTACKS,
    "reported": REPORTED,
    "heldout": HELDOUT,
    "heldout_2": HELDOUT_2,
    "heldout_3": HELDOUT_3,
    "heldout_4": HELDOUT_4,
    "heldout_5": HELDOUT_5,
    "heldout_6": HELDOUT_6,
}


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


def all_attacks(sets: list[str]) -> dict[str, str]:
    return {f"{name}/{attack}": text for name in sets for attack, text in SETS[name].items()}


def per_set(
    found: dict[str, list], labels: list[int], threshold: float, sets: list[str]
) -> dict[str, dict]:
    reports = {}
    for name in sets:
        subset = {"clean": found["clean"]}
        subset |= {k.split("/", 1)[1]: v for k, v in found.items() if k.startswith(f"{name}/")}
        reports[name] = shift_report(subset, labels, threshold)
    return reports


def judge_threshold(spark, config: Config) -> tuple[float, str]:
    """The threshold the pipeline's labels use: the latest run's fitted one (run ids sort by
    time), else `judge.default_threshold`."""
    latest = newest(spark, f"{config.report_dir('*')}/judge.json")
    if latest is None:
        return config.judge.default_threshold, "judge.default_threshold (no judge.json here)"
    report = json.loads(read_text(spark, latest))
    return float(report["threshold"]), f"{latest} ({report.get('threshold_source')})"


def timed_judge(backend, requests) -> float:
    remove_non_product_text.cache_clear()
    start = time.perf_counter()
    backend.judge(requests)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--threshold", type=float, help="default: the judge's fitted one")
    parser.add_argument("--clean-items", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--unguarded", action="store_true")
    parser.add_argument("--json", help="also write every number to this file")
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    args = parser.parse_args()
    setup_logging()
    config = load_config(args.config, args.overrides).with_run_id()
    spark = build_spark(config)
    requests, labels = sample_pairs(spark, config, args.pairs)
    threshold, source = (
        (args.threshold, "--threshold")
        if args.threshold is not None
        else judge_threshold(spark, config)
    )
    print(f"judge threshold {threshold:.3f} from {source}")
    print(f"{len(requests)} pairs ({sum(labels)} relevant); judge {config.judge.model}")
    backend = create_backend(config.judge)
    template = TEMPLATES[config.judge.prompt]
    templates = {
        "defended": template,
        "rules_only": RulesOnlyTemplate(f"{template.name}-rules-only", template.examples),
    }
    if args.unguarded:
        templates["unguarded"] = UnguardedTemplate(f"{template.name}-unguarded", template.examples)
    attacks = all_attacks(args.sets)
    found = {}
    for name, variant in templates.items():
        backend.template = variant
        found[name] = judged_p(backend, requests, attacks)
    found["min"] = {
        key: [
            None if d is None or r is None else (d if key == "clean" else min(d, r))
            for d, r in zip(found["defended"][key], found["rules_only"][key], strict=True)
        ]
        for key in found["defended"]
    }
    results = {name: per_set(ps, labels, threshold, args.sets) for name, ps in found.items()}
    at_half = {name: per_set(ps, labels, 0.5, args.sets) for name, ps in found.items()}
    for name, sets in results.items():
        for set_name, report in sets.items():
            for attack, numbers in report.items():
                shown = {k: round(v, 4) for k, v in numbers.items()}
                print(f"{name:10s} {set_name:8s} {attack:22s} {json.dumps(shown)}")

    # Clean-data cost.
    items = read_table(spark, "items", input_path(config, "items"), config.inputs.format)
    titles = [
        r.title
        for r in items.select("title")
        .distinct()
        .orderBy(F.xxhash64("title"))
        .limit(args.clean_items)
        .collect()
    ]
    flagged = [t for t in titles if screening_of(t).removed_by_detector]
    clean_change = [
        abs(d - r)
        for d, r in zip(found["defended"]["clean"], found["rules_only"]["clean"], strict=True)
        if d is not None and r is not None
    ]
    times = {"defended": [], "rules_only": []}
    for _ in range(args.repeats):
        for name in times:
            backend.template = templates[name]
            times[name].append(timed_judge(backend, requests))
    backend.close()
    throughput = statistics.median(times["rules_only"]) / statistics.median(times["defended"])
    share = len(flagged) / max(len(titles), 1)
    print(f"clean titles flagged by the detector: {len(flagged)} of {len(titles)} ({share:.4%})")
    for title in flagged[:20]:
        print(f"  flagged clean title: {title!r} -> {screening_of(title).text!r}")
    print(f"largest P change on the clean sample's pairs: {max(clean_change, default=0.0):.4f}")
    print(f"judge seconds on {len(requests)} clean pairs: {json.dumps(times)}")
    print(f"throughput_ratio={throughput:.3f} (defended over rules only; 1.0 = no cost)")
    for name in results:
        for set_name in args.sets:
            mean, worst = results[name][set_name]["mean"], results[name][set_name]["worst"]
            print(
                f"summary {name:10s} {set_name:8s} "
                f"irrelevant mean {mean['shift_irrelevant']:+.4f} "
                f"worst {worst['shift_irrelevant']:+.4f} "
                f"flipped max {worst['flipped_irrelevant']:.3f} at {threshold:.3f} "
                f"({at_half[name][set_name]['worst']['flipped_irrelevant']:.3f} at 0.5) | "
                f"relevant mean {mean['shift_relevant']:+.4f} "
                f"worst {worst['shift_relevant']:+.4f}"
            )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "threshold": threshold,
                    "results": results,
                    "results_at_half": at_half,
                    "found": found,
                    "flagged": flagged,
                    "times": times,
                },
                indent=1,
            )
        )
    scored = "heldout_6" if "heldout_6" in args.sets else args.sets[-1]
    gain = results["defended"][scored]["mean"]["shift_irrelevant"]
    baseline = results["rules_only"][scored]["mean"]["shift_irrelevant"]
    print(f"ratio: defended mean irrelevant shift on {scored} over the rule screen alone")
    print(f"ratio={gain / baseline if baseline else float('nan'):.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
