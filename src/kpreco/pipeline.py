"""The pipeline: every stage in order, each logged and timed. Whether a stage runs is decided
here, in one place, from `kpreco.freshness`: simulated inputs and `pairs` are skipped when their
Delta commit stamps say they are current, a model when a registered version was trained on the
same inputs and settings (or one is pinned); the incremental stages always run and do only the
missing work. Each decision and its reason go to the log, the stage record and `runs`."""

from __future__ import annotations

from pyspark.sql import SparkSession

from kpreco.config import Config, with_preset
from kpreco.evaluate.report import headline_metrics
from kpreco.freshness import Decision, incremental, model_decision
from kpreco.judge.report import report_metrics
from kpreco.log import StageRecord, get_logger, stage
from kpreco.registry import ASSISTANT, STUDENT, location
from kpreco.stages import train_bi_encoder, train_cross_encoder
from kpreco.stages.build_pairs import pairs_decision, pairs_fingerprint, run_build_pairs
from kpreco.stages.evaluate import run_evaluate
from kpreco.stages.recommend import run_recommend
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.score_llm import round_stage, run_judge_round
from kpreco.stages.simulate import run_simulate, simulation_decision

log = get_logger(__name__)


def decide(record: StageRecord, decision: Decision) -> bool:
    """Log and record whether (and why) the stage runs; True when it runs."""
    record.details["decision"] = str(decision)
    log.info("%s: %s", record.name, decision)
    return decision.run


def student_configs(config: Config) -> list[Config]:
    """The configured student, then each ablation preset layered over the same config."""
    others = [name for name in config.pipeline.ablations if name != config.bi_encoder.preset]
    return [config, *(with_preset(config, name) for name in others)]


def train_and_score_assistant(
    spark: SparkSession,
    config: Config,
    stages: list[StageRecord],
    metrics: dict[str, float],
    judge_round: int,
) -> None:
    """train_cross_encoder (unless a version made of the current judgments exists), then
    score_ce with whichever assistant is current, after the judge's round `judge_round`."""
    seconds = "" if judge_round == 1 else f".round_{judge_round}"
    with stage(round_stage("train_cross_encoder", judge_round)) as record:
        stages.append(record)
        pinned = config.cross_encoder.version
        current = None if pinned else train_cross_encoder.current_version(spark, config)
        if decide(record, model_decision(pinned, current, "cross-encoder")):
            result = train_cross_encoder.run_train_cross_encoder(spark, config, record)
            metrics[f"cross_encoder{seconds}.train_seconds"] = result["train_seconds"]
        else:
            record.models["cross_encoder"] = pinned or current
            record.published["cross_encoder"] = location(config, ASSISTANT, pinned or current)
    with stage(round_stage("score_ce", judge_round)) as record:
        stages.append(record)
        decide(record, incremental("score_ce"))
        run_score_ce(spark, config, record)


def run_pipeline(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    metrics: dict[str, float] = {}
    if config.simulate.enabled:
        with stage("simulate") as record:
            stages.append(record)
            if decide(record, simulation_decision(spark, config)):
                summary = run_simulate(spark, config, record)
                metrics["simulate.hidden_relevant_share"] = summary["hidden_relevant_share"]
    with stage("build_pairs") as record:
        stages.append(record)
        made_of = pairs_fingerprint(spark, config)
        if decide(record, pairs_decision(spark, config, made_of)):
            run_build_pairs(spark, config, record, made_of)
    # Round 1 judges the per-kind sample; each later round (uncertainty sampling) judges what
    # the assistant just trained is unsure of, then the assistant learns again from every round.
    for number in range(1, 2 + config.judge.uncertainty.rounds):
        with stage(round_stage("score_llm", number)) as record:
            stages.append(record)
            decide(record, incremental("score_llm"))
            record.metrics.update(report_metrics(run_judge_round(spark, config, record, number)))
            metrics.update(record.metrics)
        train_and_score_assistant(spark, config, stages, metrics, number)
    for student in student_configs(config):
        preset = student.bi_encoder.preset
        with stage(f"train_bi_encoder[{preset}]") as record:
            stages.append(record)
            pinned = student.bi_encoder.version
            current = None if pinned else train_bi_encoder.current_version(spark, student)
            if decide(record, model_decision(pinned, current, f"{preset} student")):
                result = train_bi_encoder.run_train_bi_encoder(spark, student, record)
                metrics[f"bi_encoder.{preset}.train_seconds"] = result["train_seconds"]
            else:
                record.models[f"bi_encoder[{preset}]"] = pinned or current
                record.published[f"bi_encoder[{preset}]"] = location(
                    config, STUDENT, pinned or current
                )
    with stage("recommend") as record:
        stages.append(record)
        decide(record, incremental("recommend"))
        metrics["recommend.items_refreshed"] = float(
            run_recommend(spark, config, record)["refreshed"]
        )
    with stage("evaluate") as record:
        stages.append(record)
        decide(record, incremental("evaluate"))
        record.metrics.update(headline_metrics(run_evaluate(spark, config, record), config))
        metrics.update(record.metrics)
    return metrics
