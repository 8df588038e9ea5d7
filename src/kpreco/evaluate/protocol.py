"""Metrics of one model's ranked lists against every reference, per item, then with bootstrap
confidence intervals over items. Every number carries its k and its sample size."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from kpreco.metrics import mean_or_none, ndcg_at_k, precision_at_k, recall_at_k


@dataclass
class References:
    """What the lists are judged against, for one fixed set of test items."""

    items: list[str]
    truth: dict[str, set[str]] | None = None
    shown: dict[str, set[str]] = field(default_factory=dict)
    clicked: dict[str, set[str]] = field(default_factory=dict)
    human: dict[str, dict[str, int]] | None = None  # item -> {keyphrase: label}
    judged_items: list[str] = field(default_factory=list)
    judge_labels: dict[tuple[str, str], int] = field(default_factory=dict)
    filter_items: list[str] = field(default_factory=list)
    relevance: dict[tuple[str, str], float] = field(default_factory=dict)
    filter_threshold: float = 0.5
    search_count: dict[str, int] = field(default_factory=dict)
    head_min: float = 0.0
    tail_max: float = 0.0
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # reference embeddings, unit


def _ils(keyphrases: list[str], vectors: dict[str, np.ndarray]) -> float | None:
    """Mean pairwise cosine within one list (intra-list similarity); None under 2 items."""
    known = [vectors[k] for k in keyphrases if k in vectors]
    if len(known) < 2:
        return None
    return float(np.mean([a @ b for a, b in combinations(known, 2)]))


def per_item_metrics(
    lists: dict[str, list[str]], refs: References, k: int, k_hidden: int
) -> dict[str, dict]:
    """metric name -> {item: value or None}."""
    metrics: dict[str, dict] = {}

    def put(name: str, item: str, value) -> None:
        metrics.setdefault(name, {})[item] = value

    for item in refs.items:
        ranked = lists.get(item, [])
        if refs.truth is not None:
            relevant = refs.truth.get(item, set())
            hidden = relevant - refs.shown.get(item, set())
            put(
                f"true_precision@{k}",
                item,
                precision_at_k(ranked, relevant, k) if relevant else None,
            )
            put(f"true_recall@{k}", item, recall_at_k(ranked, relevant, k))
            put(f"true_recall@{k_hidden}", item, recall_at_k(ranked, relevant, k_hidden))
            put(f"true_ndcg@{k}", item, ndcg_at_k(ranked, dict.fromkeys(relevant, 1), k))
            put(f"hidden_relevant_recall@{k_hidden}", item, recall_at_k(ranked, hidden, k_hidden))
            # What a short list (the relevance filter drops candidates) serves: precision over
            # the slots it fills, and how many of its correct keyphrases Search never showed.
            served = ranked[:k]
            correct = [kp for kp in served if kp in relevant]
            put(
                f"true_list_precision@{k}",
                item,
                len(correct) / len(served) if served and relevant else None,
            )
            shown = refs.shown.get(item, set())
            put(
                f"unshown_share_of_correct@{k}",
                item,
                sum(kp not in shown for kp in correct) / len(correct) if correct else None,
            )
        if refs.human is not None and item in refs.human:
            gains = {kp: label for kp, label in refs.human[item].items() if label > 0}
            labelled = [kp for kp in ranked[:k] if kp in refs.human[item]]
            if labelled:
                put(
                    f"human_precision@{k}",
                    item,
                    np.mean([refs.human[item][kp] > 0 for kp in labelled]),
                )
            put(
                f"human_ndcg@{k}",
                item,
                ndcg_at_k([kp for kp in ranked if kp in refs.human[item]], gains, k),
            )
        clicked = refs.clicked.get(item, set())
        put(f"click_recall@{k}", item, recall_at_k(ranked, clicked, k))
        top = ranked[:k]
        put(f"intra_list_similarity@{k}", item, _ils(top, refs.vectors))
        put(
            f"head_share@{k}",
            item,
            _share(top, lambda kp: refs.search_count.get(kp, 0) >= refs.head_min),
        )
        put(
            f"tail_share@{k}",
            item,
            _share(top, lambda kp: refs.search_count.get(kp, 0) < refs.tail_max),
        )
    for item in refs.judged_items:
        labels = [
            refs.judge_labels[(item, kp)]
            for kp in lists.get(item, [])[:k]
            if (item, kp) in refs.judge_labels
        ]
        put(f"llm_precision@{k}", item, float(np.mean(labels)) if labels else None)
    for item in refs.filter_items:
        scores = [
            refs.relevance[(item, kp)]
            for kp in lists.get(item, [])[:k]
            if (item, kp) in refs.relevance
        ]
        share = float(np.mean([s >= refs.filter_threshold for s in scores])) if scores else None
        put(f"filter_survival@{k}", item, share)
    return metrics


def _share(keyphrases: list[str], predicate) -> float | None:
    return float(np.mean([predicate(kp) for kp in keyphrases])) if keyphrases else None


def bootstrap(values: list[float], resamples: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean, resampling items with replacement."""
    data = np.asarray(values, dtype=float)
    if len(data) < 2:
        return (
            (float(data.mean()), float(data.mean())) if len(data) else (float("nan"), float("nan"))
        )
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarize(metrics: dict[str, dict], resamples: int = 1000, seed: int = 0) -> dict[str, dict]:
    """metric -> {mean, ci_low, ci_high, n_items}."""
    summary = {}
    for name, by_item in metrics.items():
        known = [v for v in by_item.values() if v is not None]
        if not known:
            continue
        low, high = bootstrap(known, resamples, seed)
        summary[name] = {
            "mean": mean_or_none(known),
            "ci_low": low,
            "ci_high": high,
            "n_items": len(known),
        }
    return summary


def catalog_diversity(lists: dict[str, list[str]], items: list[str], k: int) -> dict[str, float]:
    """Distinct keyphrases in the top-k lists of `items`, and their share of all slots."""
    slots = [kp for item in items for kp in lists.get(item, [])[:k]]
    distinct = len(set(slots))
    return {
        f"distinct_keyphrases@{k}": float(distinct),
        f"distinct_share@{k}": distinct / max(1, len(slots)),
    }
