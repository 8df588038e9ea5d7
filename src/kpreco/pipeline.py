"""The pipeline: the stages in order, each logged and timed."""

from __future__ import annotations

from pyspark.sql import SparkSession

from kpreco.config import Config
from kpreco.judge.report import report_metrics
from kpreco.log import StageRecord, stage
from kpreco.stages.build_pairs import run_build_pairs
from kpreco.stages.score_llm import run_score_llm
from kpreco.stages.simulate import run_simulate


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
    return metrics
