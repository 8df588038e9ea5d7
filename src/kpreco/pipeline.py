"""The pipeline: every stage in order, each logged and timed, skipping a stage whose output is
current for its inputs, settings and code (simulated inputs, `pairs`, models; the judge and
scoring stages skip what is already judged or scored, recommend what is already listed)."""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import SparkSession

from kpreco.config import Config, with_preset
from kpreco.evaluate.report import headline_metrics
from kpreco.judge.report import report_metrics
from kpreco.log import StageRecord, get_logger, stage
from kpreco.stages import train_bi_encoder, train_cross_encoder
from kpreco.stages.build_pairs import current_pairs, pairs_fingerprint, run_build_pairs
from kpreco.stages.evaluate import run_evaluate
from kpreco.stages.recommend import run_recommend
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.score_llm import run_score_llm
from kpreco.stages.simulate import current_simulation, run_simulate

log = get_logger(__name__)


def _train_unless_current(
    record: StageRecord,
    pinned: str | None,
    current: Callable[[], str | None],
    train: Callable[[], dict],
) -> dict:
    """Train, unless a version is pinned in config or one is current for the same inputs."""
    existing = pinned or current()
    if existing:
        why = "pinned in config" if pinned else "current for these inputs and settings"
        record.details["skipped"] = f"{existing} ({why})"
        log.info("%s: skipped, using %s (%s)", record.name, existing, why)
        return {}
    return train()


def _skip_when_current(record: StageRecord, stamp: dict | None) -> bool:
    """Log and record a skip when `stamp` (a table's commit stamp) says the output is current."""
    if stamp is None:
        return False
    run = stamp.get("run_id", "?")
    why = f"output current for these inputs, settings and code (written by run {run})"
    record.details["skipped"] = why
    log.info("%s: skipped, %s", record.name, why)
    return True


def student_configs(config: Config) -> list[Config]:
    """The configured student, then each ablation preset layered over the same config."""
    others = [name for name in config.pipeline.ablations if name != config.bi_encoder.preset]
    return [config, *(with_preset(config, name) for name in others)]


def run_pipeline(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    metrics: dict[str, float] = {}
    if config.simulate.enabled:
        with stage("simulate") as record:
            stages.append(record)
            if not _skip_when_current(record, current_simulation(spark, config)):
                summary = run_simulate(spark, config, record)
                metrics["simulate.hidden_relevant_share"] = summary["hidden_relevant_share"]
    with stage("build_pairs") as record:
        stages.append(record)
        made_of = pairs_fingerprint(spark, config)
        if not _skip_when_current(record, current_pairs(spark, config, made_of)):
            run_build_pairs(spark, config, record, made_of)
    with stage("score_llm") as record:
        stages.append(record)
        metrics.update(report_metrics(run_score_llm(spark, config, record)))
    with stage("train_cross_encoder") as record:
        stages.append(record)
        result = _train_unless_current(
            record,
            config.cross_encoder.version,
            lambda: train_cross_encoder.current_version(spark, config),
            lambda: train_cross_encoder.run_train_cross_encoder(spark, config, record),
        )
        if result:
            metrics["cross_encoder.train_seconds"] = result["train_seconds"]
    with stage("score_ce") as record:
        stages.append(record)
        run_score_ce(spark, config, record)
    for student in student_configs(config):
        preset = student.bi_encoder.preset
        with stage(f"train_bi_encoder[{preset}]") as record:
            stages.append(record)
            result = _train_unless_current(
                record,
                student.bi_encoder.version,
                lambda s=student: train_bi_encoder.current_version(spark, s),
                lambda s=student, r=record: train_bi_encoder.run_train_bi_encoder(spark, s, r),
            )
            if result:
                metrics[f"bi_encoder.{preset}.train_seconds"] = result["train_seconds"]
    with stage("recommend") as record:
        stages.append(record)
        metrics["recommend.items_refreshed"] = float(
            run_recommend(spark, config, record)["refreshed"]
        )
    with stage("evaluate") as record:
        stages.append(record)
        metrics.update(headline_metrics(run_evaluate(spark, config, record), config))
    return metrics
