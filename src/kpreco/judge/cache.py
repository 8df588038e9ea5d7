"""The `judgments` table as the judge's cache: judge what is not cached yet, in rounds, and keep
the judge's report and labels current. Both `score_llm` and the evaluation judge through here.

Each round judges about `judge.commit_every` pairs (whole items) and MERGEs them into
`judgments` in one commit, so a run killed midway keeps every finished round.
"""

from __future__ import annotations

import json
import math
import time

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config
from kpreco.files import write_text
from kpreco.judge.fanout import as_judgments, judge_frame
from kpreco.judge.key import JudgeKey, ok_judgments
from kpreco.judge.report import headline, judge_report, report_frame
from kpreco.judge.screening import SCREEN_VERSION
from kpreco.log import StageRecord, get_logger, on_terminal
from kpreco.tables import drop_path, is_delta_table, merge_upsert, read_delta, staged

log = get_logger(__name__)
JUDGMENT_KEY = ["item_id", "keyphrase", "judge_model", "prompt_version"]


def cached_judgments(spark: SparkSession, config: Config) -> DataFrame | None:
    """The `judgments` table, or None before the first judgment."""
    path = config.table_path("judgments")
    return read_delta(spark, path) if is_delta_table(spark, path) else None


def screening_counts(spark: SparkSession, config: Config) -> dict:
    """How many judged titles the judge read changed under the current screen, by cause, and
    where to review them."""
    path = config.table_path("screened_titles")
    counts = {"review_table": path, "titles_screened_by_rules": 0, "titles_flagged_by_detector": 0}
    if is_delta_table(spark, path):
        row = (
            read_delta(spark, path)
            .where(F.col("screen_version") == SCREEN_VERSION)
            .agg(
                F.count_if("by_rules").alias("rules"),
                F.count_if(F.size("removed_by_detector") > 0).alias("detector"),
            )
            .first()
        )
        counts.update(
            titles_screened_by_rules=row["rules"], titles_flagged_by_detector=row["detector"]
        )
    return counts


def time_left(done: int, total: int, seconds: float) -> str:
    """The remaining time at the rate so far, as a person reads it ("12m 30s", "1h 05m")."""
    if done <= 0 or seconds <= 0:
        return "unknown"
    left = round((total - done) * seconds / done)
    hours, rest = divmod(left, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def judge_into_cache(
    spark: SparkSession, config: Config, pending: DataFrame, count: int, record: StageRecord
) -> None:
    from tqdm import tqdm

    settings = config.judge
    rounds = max(1, math.ceil(count / settings.commit_every))
    chunked = pending.withColumn("_round", F.pmod(F.xxhash64("item_id"), F.lit(rounds)))
    path = config.table_path("judgments")
    ok = failed = 0
    started = time.perf_counter()
    # On a terminal a bar with its own estimate; in a log file the per-round line says it all.
    bar = tqdm(total=count, desc="judge", unit="pair", disable=not on_terminal())
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
        done, elapsed = ok + failed, time.perf_counter() - started
        bar.update(sum(counts.values()))
        log.info(
            "judge round %d/%d: %d pairs (%d failed) in %.0fs; %d/%d done, %.2f pairs/s, "
            "about %s left",
            number + 1,
            rounds,
            sum(counts.values()),
            counts.get("failed", 0),
            time.perf_counter() - round_started,
            done,
            count,
            done / elapsed,
            time_left(done, count, elapsed),
        )
    bar.close()
    record.counts.update(judged_ok=ok, judged_failed=failed)
    record.details["judge throughput"] = (
        f"{(ok + failed) / (time.perf_counter() - started):.2f} pairs/s"
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
    """The judge's report (against human labels and the truth) into judge.json, and every
    label re-set at the threshold it fits."""
    key = JudgeKey.of(config.judge)
    path = config.table_path("judgments")
    judged = ok_judgments(read_delta(spark, path), key)
    report = judge_report(report_frame(judged, labels, truth), config.judge.default_threshold)
    report.update(judge_model=key.model, prompt_version=key.prompt_version, run_id=config.run_id)
    report["screening"] = screening_counts(spark, config)
    _relabel(spark, path, judged, key.matches() & (F.col("status") == "ok"), report["threshold"])
    location = f"{config.report_dir()}/judge.json"
    write_text(spark, location, json.dumps(report, indent=2))
    record.artifacts.append(location)
    record.details["judge report"] = headline(report)
    log.info("judge report (%s): %s", location, headline(report))
    return report
