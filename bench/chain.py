"""The chain in one table: one line per model of an evaluation report, and the scorers' AUC.

    ./spark-submit.sh bench/chain.py --config conf/local.yaml [METRICS_JSON ...]

Reads `metrics.json` of the given evaluation reports (default: the newest under
`output.root/reports/` of the config), the same items for every model, and prints per model
true nDCG@10, hidden-relevant recall@50, true precision@10, precision over the served slots and
the share of correct keyphrases Search never showed, each with its 95% interval; then each
scorer's AUC against the truth and the judge, overall and per pair kind (the evaluation's chain
diagnostics); then the serving sweep (precision and coverage at each relevance-filter
setting); then issue 12's targets, met or missed. Several reports side by side compare two
runs (a change against its baseline) in one call. Ends with `ratio=X`: the full method's true
nDCG@10 over `ctr_only`'s in the last report (what the chain adds to clicks).
"""

from __future__ import annotations

import argparse
import json

from kpreco.config import absolute_location, load_config
from kpreco.evaluate.report import sweep_text
from kpreco.files import newest, read_text
from kpreco.session import build_spark

ROWS = (
    ("true nDCG@10", "true_ndcg@10"),
    ("hidden recall@50", "hidden_relevant_recall@50"),
    ("true P@10", "true_precision@10"),
    ("served-slot P@10", "true_list_precision@10"),
    ("unshown share of correct", "unshown_share_of_correct@10"),
)


def cell(stats: dict | None) -> str:
    if not stats:
        return "—".rjust(22)
    return f"{stats['mean']:.3f} [{stats['ci_low']:.3f},{stats['ci_high']:.3f}]".rjust(22)


def model_lines(metrics: dict) -> list[str]:
    width = max(len(name) for name in metrics["models"])
    lines = [" " * width + "  " + "  ".join(f"{title:>22}" for title, _ in ROWS)]
    for name, result in metrics["models"].items():
        cells = "  ".join(cell(result["metrics"].get(key)) for _, key in ROWS)
        lines.append(f"{name:<{width}}  {cells}")
    return lines


def auc_lines(metrics: dict) -> list[str]:
    table = (metrics.get("chain_diagnostics") or {}).get("auc") or {}
    lines = []
    for reference, groups in table.items():
        scorers = list(dict.fromkeys(s for cells in groups.values() for s in cells))
        lines.append(f"AUC against {reference}: " + " | ".join(scorers))
        for group, cells in groups.items():
            values = []
            for scorer in scorers:
                found = cells.get(scorer) or {}
                auc = found.get("auc")
                values.append(f"{auc:.3f} (n={found.get('n', 0)})" if auc is not None else "—")
            lines.append(f"  {group:<20} " + " | ".join(values))
    return lines


def mean(metrics: dict, model: str, key: str) -> float | None:
    stats = (metrics["models"].get(model) or {}).get("metrics", {}).get(key)
    return stats["mean"] if stats else None


def target_lines(metrics: dict) -> list[str]:
    full = metrics["full_method"]
    models = metrics["models"]
    served = next((name for name in models if name.startswith("served")), None)
    truth = ((metrics.get("chain_diagnostics") or {}).get("auc") or {}).get("truth", {})
    assistant = (truth.get("all") or {}).get("assistant", {}).get("auc")

    def interval(model: str, key: str) -> tuple[float, float] | None:
        stats = (models.get(model) or {}).get("metrics", {}).get(key)
        return (stats["ci_low"], stats["ci_high"]) if stats else None

    def ahead(other: str, key: str = "true_ndcg@10") -> bool:
        mine, theirs = interval(full, key), interval(other, key)
        return bool(mine and theirs and mine[0] > theirs[1])

    checks = [
        ("assistant AUC vs truth >= 0.90", assistant, assistant is not None and assistant >= 0.90),
        (
            f"{full} true nDCG@10 >= 0.60",
            mean(metrics, full, "true_ndcg@10"),
            (mean(metrics, full, "true_ndcg@10") or 0) >= 0.60,
        ),
        (
            f"{full} hidden recall@50 >= 0.75",
            mean(metrics, full, "hidden_relevant_recall@50"),
            (mean(metrics, full, "hidden_relevant_recall@50") or 0) >= 0.75,
        ),
        (f"{full} ahead of ctr_only (disjoint 95% CIs)", None, ahead("ctr_only")),
        (
            f"{full} ahead of distill_from_llm_direct (disjoint 95% CIs)",
            None,
            ahead("distill_from_llm_direct"),
        ),
        (
            f"{full} ahead of distill_from_llm_direct on hidden recall@50 (disjoint 95% CIs)",
            None,
            ahead("distill_from_llm_direct", "hidden_relevant_recall@50"),
        ),
    ]
    if served:
        precision = mean(metrics, served, "true_list_precision@10")
        unshown = mean(metrics, served, "unshown_share_of_correct@10")
        # Over the slots a list fills; a list shorter than 10 (the filter keeps what it
        # trusts) counts its empty slots as misses in plain precision@10, shown beside it.
        over_ten = mean(metrics, served, "true_precision@10")
        checks += [
            ("served precision >= 0.80 (served slots)", precision, (precision or 0) >= 0.80),
            ("served precision@10 over 10 slots >= 0.80", over_ten, (over_ten or 0) >= 0.80),
            ("served: >= half of correct never shown", unshown, (unshown or 0) >= 0.5),
        ]
    lines = []
    for text, value, met in checks:
        shown = f"{value:.3f}" if isinstance(value, float) else ""
        lines.append(f"  [{'met' if met else 'MISSED'}] {text} {shown}".rstrip())
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*")
    parser.add_argument("--config", action="append", default=[])
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    config = load_config(args.config or ["conf/local.yaml"], args.overrides)
    # Through Hadoop's FileSystem (kpreco.files): the output root may be on HDFS or S3.
    spark = build_spark(config)
    reports = args.reports or [newest(spark, f"{config.report_dir('*')}/metrics.json")]
    if reports == [None]:
        raise SystemExit(f"no evaluation report under {config.report_dir('*')}: run the pipeline")
    metrics = {}
    for path in reports:
        metrics = json.loads(read_text(spark, absolute_location(path)))
        print(f"== {path} (run {metrics['run_id']})")
        print(metrics["protocol"])
        print("\n".join(model_lines(metrics)))
        print("\n".join(auc_lines(metrics)))
        print("serving sweep (the full method's candidates, the assistant's threshold):")
        print(sweep_text(metrics, 10))
        print("targets (issue 12):")
        print("\n".join(target_lines(metrics)))
    full = mean(metrics, metrics["full_method"], "true_ndcg@10")
    clicks = mean(metrics, "ctr_only", "true_ndcg@10")
    print(f"ratio={full / clicks:.3f}" if full and clicks else "ratio=nan")


if __name__ == "__main__":
    main()
