"""How far to trust the judge: agreement with human labels and, on simulated data, the truth.

The yes/no threshold is fitted on human labels (Cohen's kappa), never assumed: small LLMs
are badly calibrated (measured on the packaged judges: P(yes) bunches in 0.36-0.54). Without
labels the configured default is used and the report says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kpreco.metrics import agreement, auc, best_kappa_threshold, calibration_table

MIN_LABELS_FOR_THRESHOLD = 20


def with_references(
    frame: DataFrame, human_labels: DataFrame | None, truth: DataFrame | None
) -> DataFrame:
    """`frame` (item_id, keyphrase, ...) plus `human_label` (null when unlabelled) and
    `true_relevance` (absent from truth = 0; null when there is no truth table)."""
    if human_labels is not None:
        labels = human_labels.select(
            "item_id",
            F.col("keyphrase_norm").alias("keyphrase"),
            F.col("label").alias("human_label"),
        )
        frame = frame.join(labels, on=["item_id", "keyphrase"], how="left")
    else:
        frame = frame.withColumn("human_label", F.lit(None).cast("int"))
    if truth is None:
        return frame.withColumn("true_relevance", F.lit(None).cast("int"))
    relevance = truth.select("item_id", F.col("keyphrase_norm").alias("keyphrase"), "relevance")
    return (
        frame.join(relevance, on=["item_id", "keyphrase"], how="left")
        .withColumn("true_relevance", F.coalesce(F.col("relevance"), F.lit(0)))
        .drop("relevance")
    )


def report_frame(
    judged: DataFrame, human_labels: DataFrame | None, truth: DataFrame | None
) -> pd.DataFrame:
    """Judged ok pairs with their human label and true relevance, on the driver."""
    frame = judged.select("item_id", "keyphrase", "pair_kind", "p_relevant")
    return with_references(frame, human_labels, truth).toPandas()


def fitted_threshold(frame: pd.DataFrame, default: float) -> tuple[float, str]:
    labelled = frame.dropna(subset=["human_label"])
    positives = (labelled["human_label"] > 0).astype(int)
    if len(labelled) >= MIN_LABELS_FOR_THRESHOLD and positives.nunique() == 2:
        return best_kappa_threshold(
            positives.to_numpy(), labelled["p_relevant"].to_numpy()
        ), "human_labels"
    return default, "config default (too few human labels among judged pairs)"


def judge_report(frame: pd.DataFrame, default_threshold: float) -> dict:
    threshold, source = fitted_threshold(frame, default_threshold)
    report: dict = {
        "threshold": threshold,
        "threshold_source": source,
        "judged_pairs": len(frame),
    }
    labelled = frame.dropna(subset=["human_label"])
    report["vs_human_labels"] = agreement(
        (labelled["human_label"] > 0).astype(int).to_numpy(),
        labelled["p_relevant"].to_numpy(),
        threshold,
    )
    reference = "human_label"
    if frame["true_relevance"].notna().any():
        reference = "true_relevance"
        truth = (frame["true_relevance"] > 0).astype(int).to_numpy()
        report["vs_truth"] = agreement(truth, frame["p_relevant"].to_numpy(), threshold)
        report["vs_truth_by_kind"] = {
            kind: {
                "n": len(group),
                "auc": auc((group["true_relevance"] > 0).astype(int), group["p_relevant"]),
                "true_positive_share": float((group["true_relevance"] > 0).mean()),
            }
            for kind, group in frame.groupby("pair_kind")
        }
    reference_rows = frame.dropna(subset=[reference])
    report["calibration"] = calibration_table(
        (reference_rows[reference] > 0).astype(int).to_numpy(),
        reference_rows["p_relevant"].to_numpy(),
    )
    report["calibration_reference"] = reference
    report["positive_rate_by_kind"] = {
        kind: float(np.mean(group["p_relevant"] >= threshold))
        for kind, group in frame.groupby("pair_kind")
    }
    return report


def headline(report: dict) -> str:
    parts = [f"threshold {report['threshold']:.3f} ({report['threshold_source']})"]
    for name in ("vs_human_labels", "vs_truth"):
        numbers = report.get(name) or {}
        if numbers.get("n"):
            auc_text = f"{numbers['auc']:.3f}" if numbers.get("auc") is not None else "n/a"
            kappa = f"{numbers['kappa']:.3f}" if numbers.get("kappa") is not None else "n/a"
            accuracy = numbers["accuracy"]
            parts.append(
                f"{name}: n={numbers['n']} AUC={auc_text} accuracy={accuracy:.3f} kappa={kappa}"
            )
    return "; ".join(parts)


def report_metrics(report: dict) -> dict[str, float]:
    """The report's headline numbers as `runs.metrics` entries."""
    flat = {f"judge.{k}": float(report[k]) for k in ("threshold",) if k in report}
    for section in ("vs_human_labels", "vs_truth"):
        for key, value in (report.get(section) or {}).items():
            if isinstance(value, int | float):
                flat[f"judge.{section}.{key}"] = float(value)
    return flat
