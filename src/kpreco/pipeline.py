"""The pipeline: the stages in order, each logged and timed."""

from __future__ import annotations

from pyspark.sql import SparkSession

from kpreco.config import Config
from kpreco.judge.report import report_metrics
from kpreco.log import StageRecord, get_logger, stage
from kpreco.stages.build_pairs import run_build_pairs
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.score_llm import run_score_llm
from kpreco.stages.simulate import run_simulate
from kpreco.stages.train_cross_encoder import current_version, run_train_cross_encoder

log = get_logger(__name__)


def run_pipeline(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    metrics: dict[str, float] = {}
    if config.simulate.enabled:
        with stage("simulate") as record:
            stages.append(record)
            summary = run_simulate(spark, config, record)
            metrics["simulate.hidden_relevant_share"] = summary["hidden_relevant_share"]
    with stage("build_pairs") as record:
        stages.append(record)
        run_build_pairs(spark, config, record)
    with stage("score_llm") as record:
        stages.append(record)
        metrics.update(report_metrics(run_score_llm(spark, config, record)))
    with stage("train_cross_encoder") as record:
        stages.append(record)
        pinned = config.cross_encoder.version
        existing = pinned or current_version(spark, config)
        if existing:
            why = "pinned by cross_encoder.version" if pinned else "current for these judgments"
            record.details["skipped"] = f"{existing} ({why})"
            log.info("train_cross_encoder: skipped, using %s (%s)", existing, why)
        else:
            result = run_train_cross_encoder(spark, config, record)
            metrics["cross_encoder.train_seconds"] = result["train_seconds"]
    with stage("score_ce") as record:
        stages.append(record)
        run_score_ce(spark, config, record)
    return metrics
