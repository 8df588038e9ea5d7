"""Stage `score_llm`: judge the sampled pairs not yet in the `judgments` cache
(`kpreco.judge.cache`, committed in chunks); a rerun selects the same sample and judges only
what is missing or failed. The first round judges the per-kind sample; each later round
(`run_score_llm_round`, after an assistant has been trained) judges the pairs that assistant is
unsure of, until the round's quota is in the cache.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco import registry
from kpreco.config import Config
from kpreco.inputs import load_references, valid_or_none
from kpreco.judge.cache import cached_judgments, judge_into_cache, refresh_judge_report
from kpreco.judge.key import JudgeKey
from kpreco.judge.sampling import (
    REQUEST_COLUMNS,
    REQUEST_SCHEMA,
    human_label_requests,
    not_yet_judged,
    select_for_judging,
    select_uncertain,
    uncertain_kind,
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
    """The first round: the per-kind sample (`judge.sample`)."""
    key = JudgeKey.of(config.judge)
    record.details["judge"] = f"{key.model} prompt {key.prompt_version}"
    candidates, labels, truth = candidate_requests(spark, config, record)
    selected = select_for_judging(candidates, config.judge.sample).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    pending = not_yet_judged(selected, cached_judgments(spark, config), key)
    record.counts["selected"] = selected.count()
    report = _judge_pending(spark, config, record, pending, labels, truth)
    selected.unpersist()
    return report


def _round_judgments(judgments: DataFrame | None, key: JudgeKey, kind: str) -> dict[str, int]:
    """This judge's judgments of one round's kind, by status."""
    if judgments is None:
        return {}
    mine = judgments.where(key.matches() & (F.col("pair_kind") == kind))
    return {r["status"]: r["count"] for r in mine.groupBy("status").count().collect()}


def uncertain_pool(pairs: DataFrame, scores: DataFrame, judgments: DataFrame | None, key: JudgeKey):
    """Train/valid pairs the assistant scored (`scores`: one version's `ce_scores`) that this
    judge has not judged in any round or state, with what `select_uncertain` reads."""
    pool = pairs.where(F.col("split") != "test").join(
        scores.select("item_id", "keyphrase", "ce_prob"), on=["item_id", "keyphrase"], how="inner"
    )
    if judgments is not None:
        judged = judgments.where(key.matches()).select("item_id", "keyphrase")
        pool = pool.join(judged, on=["item_id", "keyphrase"], how="left_anti")
    return pool.select(*REQUEST_COLUMNS, "ce_prob", "sr_score", "retrieval_score")


def run_score_llm_round(
    spark: SparkSession, config: Config, record: StageRecord, number: int
) -> dict:
    """Uncertainty round `number` (2, 3, ...): up to `judge.uncertainty.pairs` pairs the
    current assistant is unsure of (`select_uncertain`), fewer the judgments already made in
    this round; the round's failed judgments are judged again."""
    key, settings = JudgeKey.of(config.judge), config.judge.uncertainty
    kind = uncertain_kind(number)
    record.details["judge"] = f"{key.model} prompt {key.prompt_version}, {kind}"
    judgments = cached_judgments(spark, config)
    made = _round_judgments(judgments, key, kind)
    failed = sum(n for status, n in made.items() if status != "ok")
    wanted = settings.pairs - sum(made.values())
    version = registry.resolve_assistant(spark, config)[1]["version"]
    record.details["assistant"] = version
    retry = (
        judgments.where(
            key.matches() & (F.col("pair_kind") == kind) & (F.col("status") != "ok")
        ).select(*REQUEST_COLUMNS)
        if failed
        else None
    )
    pending = None
    if wanted > 0:
        scores = read_delta(spark, config.table_path("ce_scores")).where(
            F.col("ce_version") == version
        )
        pool = uncertain_pool(_pairs(spark, config), scores, judgments, key)
        pending = select_uncertain(pool, wanted, settings, number)
    if retry is not None:
        pending = retry if pending is None else pending.unionByName(retry)
    record.counts["selected"] = settings.pairs
    record.counts["already_judged_in_round"] = made.get("ok", 0)
    _, labels, truth = candidate_requests(spark, config, record)
    if pending is None:
        pending = spark.createDataFrame([], REQUEST_SCHEMA)
    return _judge_pending(spark, config, record, pending, labels, truth)


def round_stage(name: str, number: int) -> str:
    """A stage's name after the judge's round `number`: `name` for the first round (the names
    every earlier release used), `name[round N]` after a later one."""
    return name if number == 1 else f"{name}[round {number}]"


def run_judge_round(spark: SparkSession, config: Config, record: StageRecord, number: int) -> dict:
    """Round `number` of the judge: the per-kind sample for 1, an uncertainty round after."""
    if number == 1:
        return run_score_llm(spark, config, record)
    return run_score_llm_round(spark, config, record, number)


def _judge_pending(
    spark: SparkSession,
    config: Config,
    record: StageRecord,
    pending: DataFrame,
    labels: DataFrame | None,
    truth: DataFrame | None,
) -> dict:
    """Judge `pending` into the cache (its screened titles listed first), then refresh the
    judge's report and labels."""
    key = JudgeKey.of(config.judge)
    pending = pending.persist(StorageLevel.MEMORY_AND_DISK)
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
    pending.unpersist()
    return report
