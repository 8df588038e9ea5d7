"""Does the assistant lose or gain on its teacher? The cross-encoder and the LLM, side by side,
on the same held-out (test split) judged pairs: against the judge's labels, human labels and,
on simulated data, the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

from kpreco.metrics import agreement, auc


def _correlations(left: np.ndarray, right: np.ndarray) -> dict:
    if len(left) < 3 or np.std(left) == 0 or np.std(right) == 0:
        return {"pearson": None, "spearman": None}
    return {
        "pearson": float(pearsonr(left, right)[0]),
        "spearman": float(spearmanr(left, right)[0]),
    }


def assistant_report(frame: pd.DataFrame, judge_threshold: float) -> dict:
    """`frame`: test-split judged pairs with p_relevant, label (judge), ce_prob, and where known
    human_label and true_relevance."""
    report: dict = {"test_pairs": len(frame)}
    report["ce_vs_llm"] = {
        "n": len(frame),
        "auc_vs_llm_label": auc(frame["label"].to_numpy(), frame["ce_prob"].to_numpy()),
        **_correlations(frame["ce_prob"].to_numpy(), frame["p_relevant"].to_numpy()),
    }
    for reference, column in (("human_labels", "human_label"), ("truth", "true_relevance")):
        known = frame.dropna(subset=[column])
        if known.empty:
            continue
        truth = (known[column] > 0).astype(int).to_numpy()
        report[f"vs_{reference}"] = {
            "n": len(known),
            "cross_encoder": agreement(truth, known["ce_prob"].to_numpy(), 0.5),
            "llm": agreement(truth, known["p_relevant"].to_numpy(), judge_threshold),
        }
    return report


def truth_report(frame: pd.DataFrame) -> dict:
    """The assistant against the truth on every scored test-split pair (`ce_prob`,
    `true_relevance`), by pair kind: a much larger sample than the judged pairs."""
    truth = (frame["true_relevance"] > 0).astype(int).to_numpy()
    report = {"all": agreement(truth, frame["ce_prob"].to_numpy(), 0.5)}
    for kind, group in frame.groupby("pair_kind"):
        report[kind] = {
            "n": len(group),
            "auc": auc(
                (group["true_relevance"] > 0).astype(int).to_numpy(), group["ce_prob"].to_numpy()
            ),
        }
    return report
