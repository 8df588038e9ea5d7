import numpy as np
import pandas as pd
import pytest

from kpreco.judge.report import judge_report


def frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    p = np.clip(0.35 + 0.2 * truth + rng.normal(0, 0.05, n), 0, 1)  # ranks well, badly calibrated
    return pd.DataFrame(
        {
            "item_id": [f"i{i}" for i in range(n)],
            "keyphrase": "k",
            "pair_kind": np.where(np.arange(n) % 2, "clicked", "unshown_candidate"),
            "p_relevant": p,
            "human_label": np.where(np.arange(n) < 60, truth, np.nan),
            "true_relevance": truth,
        }
    )


def test_threshold_is_fitted_on_human_labels_not_fixed() -> None:
    report = judge_report(frame(), default_threshold=0.5)
    assert report["threshold_source"] == "human_labels"
    assert 0.38 < report["threshold"] < 0.52  # between the two bunches, not 0.5
    assert report["vs_truth"]["auc"] > 0.95 and report["vs_truth"]["kappa"] > 0.8
    assert report["vs_human_labels"]["n"] == 60
    assert set(report["positive_rate_by_kind"]) == {"clicked", "unshown_candidate"}
    assert sum(row["n"] for row in report["calibration"]) == 200


def test_without_labels_the_default_is_used_and_said() -> None:
    unlabelled = frame().assign(human_label=np.nan)
    report = judge_report(unlabelled, default_threshold=0.6)
    assert report["threshold"] == pytest.approx(0.6)
    assert report["threshold_source"].startswith("config default")
    assert report["vs_human_labels"]["n"] == 0
