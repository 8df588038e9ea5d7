"""Stage `train_cross_encoder`: judged pairs -> a calibrated CrossEncoder in the registry."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
from pyspark.sql import SparkSession

from kpreco import files, registry
from kpreco.config import Config
from kpreco.cross_encoder.calibration import apply_calibration, fit_calibration
from kpreco.cross_encoder.dataset import judged_pairs, weak_label_pairs
from kpreco.cross_encoder.report import assistant_report
from kpreco.cross_encoder.train import predict_logits, train_cross_encoder
from kpreco.evaluate.diagnostics import auc_by_kind
from kpreco.freshness import assistant_fingerprint
from kpreco.inputs import load_references, valid_or_none
from kpreco.judge.key import JudgeKey
from kpreco.judge.report import fitted_threshold, with_references
from kpreco.log import StageRecord, get_logger
from kpreco.tables import is_delta_table, read_delta

log = get_logger(__name__)
MIN_TRAIN, MIN_VALID = 20, 5


class NotEnoughJudgments(ValueError):
    """Too few judged pairs to train or validate on."""


def _judged_frame(spark: SparkSession, config: Config, record: StageRecord) -> pd.DataFrame:
    path = config.table_path("judgments")
    if not is_delta_table(spark, path):
        raise FileNotFoundError(f"no judgments table at {path}: run the score_llm stage first")
    judged = judged_pairs(read_delta(spark, path), JudgeKey.of(config.judge), config.pairs.split)
    tables = load_references(spark, config, record)
    labels, truth = valid_or_none(tables, "human_labels"), valid_or_none(tables, "truth")
    return with_references(judged, labels, truth).toPandas()


def _split(frame: pd.DataFrame, record: StageRecord) -> tuple[pd.DataFrame, ...]:
    parts = tuple(
        frame[frame["split"] == name].reset_index(drop=True) for name in ("train", "valid", "test")
    )
    record.counts.update(
        train_pairs=len(parts[0]), valid_pairs=len(parts[1]), test_pairs=len(parts[2])
    )
    if len(parts[0]) < MIN_TRAIN or len(parts[1]) < MIN_VALID:
        raise NotEnoughJudgments(
            f"{len(parts[0])} train and {len(parts[1])} valid judged pairs: need at least "
            f"{MIN_TRAIN} and {MIN_VALID}; judge more pairs (judge.sample.*)"
        )
    return parts


def _weak_labels(spark: SparkSession, config: Config, record: StageRecord) -> pd.DataFrame | None:
    settings = config.cross_encoder.weak_labels
    if not settings.enabled:
        return None
    pairs = read_delta(spark, config.table_path("pairs"))
    # In a fixed order: the warm-up is then the same in every round (and reusable).
    weak = (
        weak_label_pairs(pairs, settings.per_source, settings.seed)
        .toPandas()
        .sort_values(["weak_source", "title", "keyphrase_display"], kind="stable")
        .reset_index(drop=True)
    )
    for source, count in weak["weak_source"].value_counts().sort_index().items():
        record.counts[f"weak_{source}_pairs"] = int(count)
    return weak


def current_version(spark: SparkSession, config: Config) -> str | None:
    """A registered version trained on exactly the current inputs, if any."""
    if not is_delta_table(spark, config.table_path("judgments")):
        return None
    return registry.version_made_of(
        spark, config, registry.ASSISTANT, assistant_fingerprint(spark, config)
    )


def run_train_cross_encoder(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    settings = config.cross_encoder
    frame = _judged_frame(spark, config, record)
    train, valid, test = _split(frame, record)
    weak = _weak_labels(spark, config, record)
    model, metrics = train_cross_encoder(train, valid, settings, weak)
    batch = config.cross_encoder.score.batch_size
    valid_logits = predict_logits(
        model, valid["title"].tolist(), valid["keyphrase_display"].tolist(), batch
    )
    # Calibrated against the judge's yes/no (its threshold fitted on human labels).
    calibration = fit_calibration(settings.calibration, valid_logits, valid["label"].to_numpy())
    test_logits = predict_logits(
        model, test["title"].tolist(), test["keyphrase_display"].tolist(), batch
    )
    test = test.assign(ce_prob=apply_calibration(calibration, test_logits))
    threshold, _ = fitted_threshold(frame, config.judge.default_threshold)
    report = assistant_report(test, threshold)
    # The same per-kind table as the evaluation's chain diagnostics, on the judged test pairs.
    report["auc_by_kind"] = auc_by_kind(
        test,
        {"assistant": "ce_prob", "judge": "p_relevant"},
        {"truth": "true_relevance", "judge's yes/no": "label", "human labels": "human_label"},
        exclude=frozenset({("judge's yes/no", "judge")}),
    )
    version = registry.new_version("ce")
    metadata = {
        "fingerprint": assistant_fingerprint(spark, config),
        "parent_model": settings.base_model,
        **registry.assistant_filter(config),
        "labels": settings.labels,
        "training_data": {"table": config.table_path("judgments"), **record.counts},
        "settings": settings.model_dump(mode="json"),
        "calibration": calibration,
        "metrics": {**metrics, "test": report},
        "run_id": config.run_id,
    }
    with tempfile.TemporaryDirectory(prefix="kpreco-ce-save-") as scratch:
        folder = Path(scratch) / version
        model.save(str(folder))
        location = registry.publish(spark, folder, config, registry.ASSISTANT, version, metadata)
    report_file = f"{config.report_dir()}/cross_encoder.json"
    files.write_text(spark, report_file, json.dumps(report, indent=2))
    record.artifacts.append(report_file)
    record.details["cross-encoder"] = f"{version} at {location}"
    record.models["cross_encoder"] = version
    record.published["cross_encoder"] = location
    record.details["ce vs llm"] = json.dumps(report["ce_vs_llm"])
    log.info("cross-encoder %s: %s", version, json.dumps(report))
    return {"version": version, "report": report, **metrics}
