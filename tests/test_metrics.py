import numpy as np
import pytest

from kpreco.metrics import (
    agreement,
    auc,
    best_kappa_threshold,
    calibration_table,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)


def test_auc_hand_computed_with_ties() -> None:
    # positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4, 0.8>0.1, 0.4=0.4 tie, 0.4>0.1) = 3.5/4
    assert auc(np.array([1, 1, 0, 0]), np.array([0.8, 0.4, 0.4, 0.1])) == pytest.approx(0.875)
    assert auc(np.array([1, 1]), np.array([0.2, 0.3])) is None


def test_agreement_at_threshold() -> None:
    numbers = agreement(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.6]), threshold=0.5)
    assert numbers["accuracy"] == pytest.approx(0.5) and numbers["kappa"] == pytest.approx(0.0)
    assert numbers["positive_rate"] == pytest.approx(0.5) and numbers["n"] == 4


def test_best_threshold_separates_classes() -> None:
    labels = np.array([0] * 50 + [1] * 50)
    scores = np.concatenate([np.linspace(0.30, 0.44, 50), np.linspace(0.46, 0.60, 50)])
    assert 0.44 < best_kappa_threshold(labels, scores) <= 0.46


def test_calibration_bins() -> None:
    table = calibration_table(np.array([0, 1, 1, 0]), np.array([0.05, 0.95, 1.0, 0.5]), bins=10)
    assert [row["n"] for row in table] == [1, 1, 2]
    assert table[-1]["observed_rate"] == pytest.approx(1.0)


def test_precision_recall_ndcg_hand_computed() -> None:
    ranked = ["a", "x", "b", "y"]
    relevant = {"a", "b", "c"}
    assert precision_at_k(ranked, relevant, 2) == pytest.approx(0.5)
    assert recall_at_k(ranked, relevant, 4) == pytest.approx(2 / 3)
    # gains a=1 at rank 1, b=1 at rank 3; ideal: three relevant at ranks 1..3
    dcg = 1 + 1 / np.log2(4)
    idcg = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert ndcg_at_k(ranked, dict.fromkeys(relevant, 1), 4) == pytest.approx(dcg / idcg)


def test_graded_ndcg_prefers_higher_gains_first() -> None:
    gains = {"a": 3, "b": 1}
    assert ndcg_at_k(["a", "b"], gains, 2) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a"], gains, 2) < 1.0


def test_edge_cases_empty_lists_and_k_beyond_the_list() -> None:
    assert precision_at_k([], {"a"}, 5) == 0.0
    assert recall_at_k([], {"a"}, 5) == 0.0
    assert ndcg_at_k([], {"a": 1}, 5) == 0.0
    assert recall_at_k(["a"], set(), 5) is None and ndcg_at_k(["a"], {}, 5) is None
    # k larger than the list: missing slots are misses for precision, not for recall
    assert precision_at_k(["a"], {"a"}, 10) == pytest.approx(0.1)
    assert recall_at_k(["a"], {"a"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["a"], {"a": 1}, 10) == pytest.approx(1.0)


def test_ties_keep_the_given_order() -> None:
    # Two items tied in score: the ranking as given decides, so the metric is deterministic.
    assert ndcg_at_k(["x", "a"], {"a": 1}, 2) == pytest.approx(1 / np.log2(3))
