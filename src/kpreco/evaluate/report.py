"""The evaluation report: metrics.json and a self-contained report.html (plots inlined)."""

from __future__ import annotations

import base64
import html
import io

HEADLINE = ("true_ndcg@{k}", "hidden_relevant_recall@{h}", "llm_precision@{k}")
STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}small{color:#666}"
)
COLUMNS = (
    "true_ndcg@{k}",
    "true_precision@{k}",
    "true_list_precision@{k}",
    "unshown_share_of_correct@{k}",
    "true_recall@{h}",
    "hidden_relevant_recall@{h}",
    "llm_precision@{k}",
    "human_precision@{k}",
    "click_recall@{k}",
    "filter_survival@{k}",
    "intra_list_similarity@{k}",
    "head_share@{k}",
    "tail_share@{k}",
)

# The serving sweep's columns (the rest of the protocol's metrics mean little for a list that
# the filter shortens).
SWEEP_COLUMNS = (
    "true_list_precision@{k}",
    "true_precision@{k}",
    "true_ndcg@{k}",
    "unshown_share_of_correct@{k}",
    "llm_precision@{k}",
    "human_precision@{k}",
)


def names(template: tuple[str, ...], k: int, k_hidden: int) -> list[str]:
    return [name.format(k=k, h=k_hidden) for name in template]


def _figure_html(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="plot" src="data:image/png;base64,{encoded}"/>'


def _cell(stats: dict | None) -> str:
    if not stats:
        return "<td>—</td>"
    return (
        f"<td>{stats['mean']:.4f}<br><small>[{stats['ci_low']:.4f}, {stats['ci_high']:.4f}] "
        f"n={stats['n_items']}</small></td>"
    )


def headline_table(metrics: dict, columns: list[str]) -> str:
    header = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for model, result in metrics["models"].items():
        cells = "".join(_cell(result["metrics"].get(c)) for c in columns)
        distinct = result.get("diversity", {})
        extra = "".join(
            f"<td>{v:.3f}</td>" if v < 10 else f"<td>{v:.0f}</td>" for v in distinct.values()
        )
        rows.append(f"<tr><th>{html.escape(model)}</th>{cells}{extra}</tr>")
    diversity_header = "".join(
        f"<th>{html.escape(k)}</th>"
        for k in next(iter(metrics["models"].values())).get("diversity", {})
    )
    return f"<table><tr><th>model</th>{header}{diversity_header}</tr>{''.join(rows)}</table>"


def not_computed_list(metrics: dict) -> str:
    """What this run could not compute, and why (shown as "—" in the table)."""
    missing = metrics.get("not_computed") or {}
    if not missing:
        return ""
    items = "".join(
        f"<li><b>{html.escape(metric)}</b>: {html.escape(why)}</li>"
        for metric, why in missing.items()
    )
    return f"<h2>Not computed in this run</h2><ul>{items}</ul>"


def training_table(metrics: dict) -> str:
    """Per student, the task settings it was trained with (read from its registry metadata)."""
    students = {m: r["trained_with"] for m, r in metrics["models"].items() if r.get("trained_with")}
    if not students:
        return ""
    tasks = sorted({task for settings in students.values() for task in settings})
    header = "".join(f"<th>{html.escape(t)}</th>" for t in tasks)
    rows = "".join(
        f"<tr><th>{html.escape(model)}</th>"
        + "".join(f"<td>{html.escape(settings.get(t, '—'))}</td>" for t in tasks)
        + "</tr>"
        for model, settings in students.items()
    )
    return (
        "<h2>What each student was trained with (registry metadata)</h2>"
        f"<table><tr><th>student</th>{header}</tr>{rows}</table>"
    )


def diagnostics_table(metrics: dict) -> str:
    """The chain's diagnostics: each scorer's AUC against each reference, per pair kind."""
    diagnostics = metrics.get("chain_diagnostics") or {}
    table = diagnostics.get("auc") or {}
    if not table:
        return ""
    parts = [
        "<h2>Where the chain loses the judge: AUC per pair kind</h2>",
        f"<p>{html.escape(diagnostics.get('pairs', ''))}</p>",
    ]
    for reference, groups in table.items():
        scorers = list(dict.fromkeys(s for cells in groups.values() for s in cells))
        header = "".join(f"<th>{html.escape(s)}</th>" for s in scorers)
        rows = []
        for group, cells in groups.items():
            values = []
            for scorer in scorers:
                cell = cells.get(scorer)
                if not cell or cell["auc"] is None:
                    values.append(f"<td>—<br><small>n={cell['n'] if cell else 0}</small></td>")
                else:
                    values.append(f"<td>{cell['auc']:.3f}<br><small>n={cell['n']}</small></td>")
            rows.append(f"<tr><th>{html.escape(group)}</th>{''.join(values)}</tr>")
        parts.append(
            f"<h3>against {html.escape(reference)}</h3>"
            f"<table><tr><th>pair kind</th>{header}</tr>{''.join(rows)}</table>"
        )
    return "".join(parts)


def sweep_table(metrics: dict, k: int, k_hidden: int) -> str:
    """The serving sweep: what the relevance filter would serve at each setting."""
    rows = metrics.get("serving_sweep") or []
    if not rows:
        return ""
    columns = [c for c in names(SWEEP_COLUMNS, k, k_hidden) if any(c in r["metrics"] for r in rows)]
    header = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        f"<tr><td>{row['candidates']}</td><td>{row['threshold']:.2f}</td>"
        f"<td>{row['mean_list_length']:.2f}</td><td>{row['items_without_list']:.3f}</td>"
        + "".join(_cell(row["metrics"].get(c)) for c in columns)
        + "</tr>"
        for row in rows
    )
    return (
        f"<h2>Serving sweep ({html.escape(metrics['full_method'])}'s top candidates scored by "
        "the assistant, filtered at a threshold, ranked by its score, capped)</h2>"
        "<table><tr><th>candidates scored</th><th>threshold</th><th>mean list length</th>"
        f"<th>items without a list</th>{header}</tr>{body}</table>"
    )


def sweep_text(metrics: dict, k: int) -> str:
    """The serving sweep as plain text lines (the pipeline summary, bench/chain.py)."""
    lines = []
    for row in metrics.get("serving_sweep") or []:
        cells = []
        for name in (f"true_list_precision@{k}", f"true_ndcg@{k}", f"unshown_share_of_correct@{k}"):
            stats = row["metrics"].get(name)
            if stats:
                cells.append(
                    f"{name} {stats['mean']:.3f} [{stats['ci_low']:.3f},{stats['ci_high']:.3f}]"
                )
        lines.append(
            f"serve top-{row['candidates']} at >= {row['threshold']:.2f}: "
            f"length {row['mean_list_length']:.2f}, without a list "
            f"{row['items_without_list']:.3f}; " + "; ".join(cells)
        )
    return "\n".join(lines)


def text_table(metrics: dict, columns: list[str]) -> str:
    """The headline numbers as plain text, for the pipeline summary."""
    width = max(len(m) for m in metrics["models"])
    lines = [" " * width + "  " + "  ".join(f"{c:>28}" for c in columns)]
    for model, result in metrics["models"].items():
        cells = []
        for column in columns:
            stats = result["metrics"].get(column)
            cells.append(
                f"{stats['mean']:.3f} [{stats['ci_low']:.3f},{stats['ci_high']:.3f}]".rjust(28)
                if stats
                else "—".rjust(28)
            )
        lines.append(f"{model:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def render_html(metrics: dict, k: int, k_hidden: int) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(metrics["models"])
    sections = [
        f"<h1>kpreco evaluation, run {html.escape(metrics['run_id'])}</h1>",
        f"<p>{html.escape(metrics['protocol'])}</p>",
        "<h2>Models (mean, 95% bootstrap interval over items, n items)</h2>",
        headline_table(metrics, names(COLUMNS, k, k_hidden)),
        not_computed_list(metrics),
        training_table(metrics),
        diagnostics_table(metrics),
        sweep_table(metrics, k, k_hidden),
    ]
    # Only what some model has: without a truth (your own data) its metrics are not plotted.
    plotted = [
        name
        for name in names(HEADLINE, k, k_hidden)
        if any(name in metrics["models"][m]["metrics"] for m in models)
    ]
    if plotted:
        figure, axes = plt.subplots(1, len(plotted), figsize=(5 * len(plotted), 4), squeeze=False)
        for axis, name in zip(axes[0], plotted, strict=True):
            stats = [metrics["models"][m]["metrics"].get(name) for m in models]
            means = [s["mean"] if s else 0 for s in stats]
            errors = [
                [s["mean"] - s["ci_low"] if s else 0 for s in stats],
                [s["ci_high"] - s["mean"] if s else 0 for s in stats],
            ]
            axis.bar(range(len(models)), means, yerr=errors, capsize=3, color="#4c72b0")
            axis.set_xticks(range(len(models)), models, rotation=45, ha="right", fontsize=8)
            axis.set_title(name)
        sections += ["<h2>Metrics per model</h2>", _figure_html(figure)]
        plt.close(figure)
    sweep = metrics.get("matryoshka_sweep")
    if sweep:
        dims = [row["dim"] for row in sweep]
        figure, quality = plt.subplots(figsize=(6, 4))
        for name in [n for n in names(HEADLINE[:2], k, k_hidden) if n in plotted]:
            quality.plot(
                dims,
                [row["metrics"].get(name, {}).get("mean", float("nan")) for row in sweep],
                marker="o",
                label=name,
            )
        latency = quality.twinx()
        latency.plot(
            dims,
            [row["ms_per_item"] for row in sweep],
            color="grey",
            linestyle="--",
            marker="s",
            label="ms per item",
        )
        quality.set_xlabel("embedding dimension")
        if quality.get_legend_handles_labels()[0]:  # no quality line without a truth
            quality.legend(loc="lower right", fontsize=8)
        latency.set_ylabel("retrieval ms per item")
        sections += [
            f"<h2>Matryoshka sweep ({html.escape(metrics['full_method'])})</h2>",
            _figure_html(figure),
        ]
        plt.close(figure)
    curves = metrics.get("calibration", {})
    if curves:
        figure, axis = plt.subplots(figsize=(5, 5))
        axis.plot([0, 1], [0, 1], color="lightgrey")
        for name, table in curves.items():
            axis.plot(
                [r["mean_score"] for r in table],
                [r["observed_rate"] for r in table],
                marker="o",
                label=name,
            )
        axis.set_xlabel("predicted probability")
        axis.set_ylabel("observed relevant rate (truth)")
        axis.legend(fontsize=8)
        sections += ["<h2>Calibration</h2>", _figure_html(figure)]
        plt.close(figure)
    figure, axis = plt.subplots(figsize=(8, 4))
    head = [
        metrics["models"][m]["metrics"].get(f"head_share@{k}", {}).get("mean", 0) for m in models
    ]
    tail = [
        metrics["models"][m]["metrics"].get(f"tail_share@{k}", {}).get("mean", 0) for m in models
    ]
    torso = [max(0.0, 1 - h - t) for h, t in zip(head, tail, strict=True)]
    axis.bar(models, head, label="head")
    axis.bar(models, torso, bottom=head, label="torso")
    axis.bar(models, tail, bottom=[h + t for h, t in zip(head, torso, strict=True)], label="tail")
    axis.tick_params(axis="x", rotation=45, labelsize=8)
    axis.legend(fontsize=8)
    sections += [
        f"<h2>Head / torso / tail mix of the top {k} (by search_count)</h2>",
        _figure_html(figure),
    ]
    plt.close(figure)
    head = f"<meta charset='utf-8'><title>kpreco evaluation</title><style>{STYLE}</style>"
    return f"<!doctype html><html><head>{head}</head><body>{''.join(sections)}</body></html>"


def headline_metrics(metrics: dict, config) -> dict[str, float]:
    """`runs.metrics` entries: each model's headline means and their 95% bootstrap interval
    (`.ci_low`, `.ci_high`)."""
    flat = {}
    for model, result in metrics["models"].items():
        for name in names(HEADLINE, config.evaluate.k, config.evaluate.k_hidden):
            stats = result["metrics"].get(name)
            if stats:
                flat[f"evaluate.{model}.{name}"] = float(stats["mean"])
                for bound in ("ci_low", "ci_high"):
                    if stats.get(bound) is not None:
                        flat[f"evaluate.{model}.{name}.{bound}"] = float(stats[bound])
    return flat
