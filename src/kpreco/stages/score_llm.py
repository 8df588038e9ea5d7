"""Stage `score_llm`: judge the sampled pairs not yet in the `judgments` cache
(`kpreco.judge.cache`, in rounds); a rerun selects the same sample and judges only what is
missing or failed.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config
from kpreco.inputs import load_references, valid_or_none
from kpreco.judge.cache import cached_judgments, judge_into_cache, refresh_judge_report
from kpreco.judge.key import JudgeKey
from kpreco.judge.sampling import (
    REQUEST_COLUMNS,
    human_label_requests,
    not_yet_judged,
    select_for_judging,
)
from kpreco.judge.screening import screened_titles
from kpreco.log import StageRecord, get_logger
from kpreco.tables import is_delta_table, merge_upsert, read_delta

log = get_logger(__name__)


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


def record_screened_titles(
    spark: SparkSession, config: Config, pending: DataFrame, record: StageRecord
) -> None:
    """The titles to judge that the judge reads changed, into the `screened_titles` review
    table (one row per item and title: a rerun adds nothing), counted by cause."""
    screened = screened_titles(pending, config.run_id).persist(StorageLevel.MEMORY_AND_DISK)
    counts = screened.agg(
        F.count("*").alias("all"),
        F.count_if("by_rules").alias("rules"),
        F.count_if(F.size("removed_by_detector") > 0).alias("detector"),
    ).first()
    record.counts["titles_screened_by_rules"] = counts["rules"]
    record.counts["titles_flagged_by_detector"] = counts["detector"]
    if counts["all"]:
        path = config.table_path("screened_titles")
        merge_upsert(spark, screened, path, ["item_id", "title"], changed=F.lit(False))
        log.warning(
            "judge: %d titles to judge hold instruction-like or non-product text (rules %d, "
            "detector %d); the judge reads them with it removed; review them in %s",
            counts["all"],
            counts["rules"],
            counts["detector"],
            path,
        )
    screened.unpersist()


def run_score_llm(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    key = JudgeKey.of(config.judge)
    record.details["judge"] = f"{key.model} prompt {key.prompt_version}"
    candidates, labels, truth = candidate_requests(spark, config, record)
    selected = select_for_judging(candidates, config.judge.sample).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    pending = not_yet_judged(selected, cached_judgments(spark, config), key).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    record.counts["selected"] = selected.count()
    record.counts["pending"] = count = pending.count()
    record.counts["cached"] = record.counts["selected"] - count
    if count:
        record_screened_titles(spark, config, pending, record)
    log.info(
        "judge %s: %d selected, %d cached, %d to judge",
        key.model,
        record.counts["selected"],
        record.counts["cached"],
        count,
    )
    if count:
        judge_into_cache(spark, config, pending, count, record)
    report = (
        refresh_judge_report(spark, config, labels, truth, record)
        if cached_judgments(spark, config) is not None
        else {}
    )
    selected.unpersist()
    pending.unpersist()
    return report
