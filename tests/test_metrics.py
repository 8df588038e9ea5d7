import numpy as np
import pytest

from kpreco.metrics import agreement, auc, best_kappa_threshold, calibration_table


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
