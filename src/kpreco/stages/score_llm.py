"""Stage `score_llm`: judge the sampled pairs not yet in the `judgments` cache, in rounds.

Each round judges about `judge.commit_every` pairs (whole items) and MERGEs them into
`judgments` in one commit, so a run killed midway keeps every finished round; the next run
selects the same sample and judges only what is missing or failed.
"""

from __future__ import annotations

import json
import math
import time

from delta.tables import DeltaTable
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType

from kpreco.config import Config
from kpreco.files import write_text
from kpreco.judge.backends import judge_model_id, prompt_version
from kpreco.judge.fanout import as_judgments, judge_frame
from kpreco.judge.report import headline, judge_report, report_frame
from kpreco.judge.sampling import (
    REQUEST_COLUMNS,
    human_label_requests,
    not_yet_judged,
    select_for_judging,
)
from kpreco.judge.screening import is_screened
from kpreco.log import StageRecord, get_logger
from kpreco.stages.inputs import load_references, valid_or_none
from kpreco.tables import drop_path, is_delta_table, merge_upsert, read_delta, staged

log = get_logger(__name__)
JUDGMENT_KEY = ["item_id", "keyphrase", "judge_model", "prompt_version"]


def _pairs(spark: SparkSession, config: Config) -> DataFrame:
    path = config.table_path("pairs")
    if not is_delta_table(spark, path):
        raise FileNotFoundError(f"no pairs table at {path}: run build_pairs first")
    return read_delta(spark, path)


def candidate_requests(spark: SparkSession, config: Config, record: StageRecord):
    """Judge requests from `pairs` plus human-labelled pairs; also returns validated labels."""
    pairs = _pairs(spark, config).select(*REQUEST_COLUMNS)
    # Titles of human-labelled pairs come from the catalog, validated for that.
    tables = load_references(spark, config, record, with_catalog=bool(config.inputs.human_labels))
    labels, truth = valid_or_none(tables, "human_labels"), valid_or_none(tables, "truth")
    if labels is not None:
        human = human_label_requests(labels, tables["items"].valid, tables["keyphrases"].valid)
        pairs = pairs.unionByName(human)
    return pairs, labels, truth


def judge_pending(
    spark: SparkSession, config: Config, pending: DataFrame, count: int, record: StageRecord
) -> None:
    settings = config.judge
    rounds = max(1, math.ceil(count / settings.commit_every))
    chunked = pending.withColumn("_round", F.pmod(F.xxhash64("item_id"), F.lit(rounds)))
    path = config.table_path("judgments")
    ok = failed = 0
    started = time.perf_counter()
    for number in range(rounds):
        round_started = time.perf_counter()
        results = judge_frame(chunked.where(F.col("_round") == number).drop("_round"), settings)
        staging = config.staging_path(f"judgments/round={number}")
        judgments = staged(
            spark,
            as_judgments(results, settings, settings.default_threshold, config.run_id),
            staging,
        )
        counts = {r["status"]: r["count"] for r in judgments.groupBy("status").count().collect()}
        merge_upsert(spark, judgments, path, JUDGMENT_KEY)
        drop_path(spark, staging)
        ok, failed = ok + counts.get("ok", 0), failed + counts.get("failed", 0)
        done = ok + failed
        log.info(
            "judge round %d/%d: %d pairs (%d failed) in %.0fs; %d/%d done, %.2f pairs/s",
            number + 1,
            rounds,
            sum(counts.values()),
            counts.get("failed", 0),
            time.perf_counter() - round_started,
            done,
            count,
            done / (time.perf_counter() - started),
        )
    record.counts.update(judged_ok=ok, judged_failed=failed)
    record.details["judge throughput"] = (
        f"{(ok + failed) / (time.perf_counter() - started):.2f} pairs/s"
    )


def count_screened_titles(requests: DataFrame) -> int:
    """Distinct titles among `requests` that the judge reads screened."""
    changed = F.udf(is_screened, BooleanType())
    return requests.select("title").distinct().where(changed("title")).count()


def _judged_ok(model: str, version: str) -> Column:
    return (
        (F.col("judge_model") == model)
        & (F.col("prompt_version") == version)
        & (F.col("status") == "ok")
    )


def _relabel(
    spark: SparkSession, path: str, judged: DataFrame, condition: Column, threshold: float
) -> None:
    """Set `label` = P >= the fitted threshold, rewriting files only when some label differs."""
    label = (F.col("p_relevant") >= F.lit(threshold)).cast("int")
    if judged.where(~F.col("label").eqNullSafe(label)).limit(1).count():
        DeltaTable.forPath(spark, path).update(condition=condition, set={"label": label})


def refresh_judge_report(
    spark: SparkSession, config: Config, labels, truth, record: StageRecord
) -> dict:
    model, version = judge_model_id(config.judge), prompt_version(config.judge)
    path = config.table_path("judgments")
    judged = read_delta(spark, path).where(_judged_ok(model, version))
    report = judge_report(report_frame(judged, labels, truth), config.judge.default_threshold)
    report.update(judge_model=model, prompt_version=version, run_id=config.run_id)
    _relabel(spark, path, judged, _judged_ok(model, version), report["threshold"])
    location = f"{config.report_dir()}/judge.json"
    write_text(spark, location, json.dumps(report, indent=2))
    record.details["judge report"] = headline(report)
    log.info("judge report (%s): %s", location, headline(report))
    return report


def run_score_llm(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    model, version = judge_model_id(config.judge), prompt_version(config.judge)
    record.details["judge"] = f"{model} prompt {version}"
    candidates, labels, truth = candidate_requests(spark, config, record)
    selected = select_for_judging(candidates, config.judge.sample).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    path = config.table_path("judgments")
    existing = read_delta(spark, path) if is_delta_table(spark, path) else None
    pending = not_yet_judged(selected, existing, model, version).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    record.counts["selected"] = selected.count()
    record.counts["pending"] = count = pending.count()
    record.counts["cached"] = record.counts["selected"] - count
    record.counts["titles_screened"] = screened = count_screened_titles(pending)
    if screened:
        log.warning(
            "judge: %d titles to judge contain instruction-like text; the judge reads them "
            "with it removed (kpreco.judge.screening)",
            screened,
        )
    log.info(
        "judge %s: %d selected, %d cached, %d to judge",
        model,
        record.counts["selected"],
        record.counts["cached"],
        count,
    )
    if count:
        judge_pending(spark, config, pending, count, record)
    report = (
        refresh_judge_report(spark, config, labels, truth, record)
        if is_delta_table(spark, path)
        else {}
    )
    selected.unpersist()
    pending.unpersist()
    return report
