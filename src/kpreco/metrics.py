"""Agreement metrics for scores against binary labels (driver-side, on collected samples)."""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.metrics import cohen_kappa_score, roc_auc_score


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC, or None when only one class is present."""
    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def agreement(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float | None]:
    """AUC, accuracy, Cohen's kappa and positive rate at `threshold`, and the sample size."""
    labels = np.asarray(labels).astype(int)
    predicted = (np.asarray(scores) >= threshold).astype(int)
    if len(labels) == 0:
        return {"n": 0, "auc": None, "accuracy": None, "kappa": None, "positive_rate": None}
    both_classes = len(np.unique(np.concatenate([labels, predicted]))) > 1
    return {
        "n": len(labels),
        "auc": auc(labels, scores),
        "accuracy": float((labels == predicted).mean()),
        "kappa": float(cohen_kappa_score(labels, predicted)) if both_classes else None,
        "positive_rate": float(predicted.mean()),
        "base_rate": float(labels.mean()),
    }


def best_kappa_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The threshold maximising Cohen's kappa (ties: the lowest), searched over the scores."""
    labels = np.asarray(labels).astype(int)
    scores = np.asarray(scores, dtype=float)
    best, best_kappa = 0.5, -np.inf
    for candidate in np.unique(np.quantile(scores, np.linspace(0.01, 0.99, 99))):
        predicted = (scores >= candidate).astype(int)
        if len(np.unique(predicted)) < 2:
            continue
        kappa = cohen_kappa_score(labels, predicted)
        if kappa > best_kappa:
            best, best_kappa = float(candidate), kappa
    return best


def calibration_table(labels: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[dict]:
    """Per score bin of equal width: count, mean score, observed positive rate."""
    labels, scores = np.asarray(labels, dtype=float), np.asarray(scores, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    table = []
    for low, high in itertools.pairwise(edges):
        inside = (scores >= low) & ((scores < high) | (high == 1.0))
        if inside.any():
            table.append(
                {
                    "bin": f"[{low:.1f}, {high:.1f})",
                    "n": int(inside.sum()),
                    "mean_score": float(scores[inside].mean()),
                    "observed_rate": float(labels[inside].mean()),
                }
            )
    return table


def precision_at_k(ranked: list, relevant: set, k: int) -> float:
    """Share of the first k slots holding a relevant item; missing slots count as misses
    (a list shorter than k cannot score 1). k <= 0 or no relevant items: 0."""
    if k <= 0:
        return 0.0
    return sum(1 for item in ranked[:k] if item in relevant) / k


def recall_at_k(ranked: list, relevant: set, k: int) -> float | None:
    """Share of the relevant items found in the first k; None when nothing is relevant."""
    if not relevant:
        return None
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at_k(ranked: list, gains: dict, k: int) -> float | None:
    """nDCG@k with graded gains (item -> gain, 0 when absent), log2 discounts. Items tied in
    score are ranked as given (the caller's order decides ties). None when no item has gain."""
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    dcg = sum(
        gains.get(item, 0) / np.log2(position + 2) for position, item in enumerate(ranked[:k])
    )
    idcg = sum(gain / np.log2(position + 2) for position, gain in enumerate(ideal))
    return float(dcg / idcg)


def mean_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None
