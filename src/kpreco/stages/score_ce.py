"""Stage `score_ce`: the assistant scores every judged pair, the students' distillation set
(per-item groups of `pairs`, see `kpreco.bi_encoder.datasets.distillation_groups`) and a
per-kind sample of `pairs` (the ungrouped distillation set, and the test-split pairs its
report against the truth reads) into `ce_scores`; pairs already scored by the same
cross-encoder version are skipped."""

from __future__ import annotations

import json

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from kpreco import files, registry
from kpreco.bi_encoder.datasets import distillation_groups
from kpreco.config import Config, with_preset
from kpreco.cross_encoder.dataset import judged_pairs
from kpreco.cross_encoder.report import truth_report
from kpreco.cross_encoder.scoring import CrossEncoderScorer, score_frame
from kpreco.executor_files import ship_folder
from kpreco.inputs import load_references, valid_or_none
from kpreco.judge.key import JudgeKey
from kpreco.judge.report import with_references
from kpreco.log import StageRecord, get_logger
from kpreco.pairs.build import PAIR_KINDS, split_of
from kpreco.tables import drop_path, is_delta_table, merge_upsert, read_delta, staged

log = get_logger(__name__)
SCORE_KEY = ["item_id", "keyphrase", "ce_version"]
SCORED_COLUMNS = ["item_id", "keyphrase", "title", "keyphrase_display"]


def pairs_to_score(
    pairs: DataFrame,
    judged: DataFrame,
    per_kind: int,
    seed: int,
    groups: DataFrame | None = None,
) -> DataFrame:
    """Every judged pair (with the text the judge read), the distillation `groups` (item_id,
    keyphrase, title, keyphrase_display) and up to `per_kind` pairs of each kind from `pairs`
    in seeded-hash order; one row per (item_id, keyphrase)."""
    order = Window.partitionBy("pair_kind").orderBy(F.xxhash64("item_id", "keyphrase", F.lit(seed)))
    sampled = (
        pairs.where(F.col("pair_kind").isin(*PAIR_KINDS))
        .withColumn("_rank", F.row_number().over(order))
        .where(F.col("_rank") <= per_kind)
        .select(*SCORED_COLUMNS, F.lit(1).alias("_priority"))
    )
    combined = judged.select(*SCORED_COLUMNS, F.lit(0).alias("_priority")).unionByName(sampled)
    if groups is not None:
        combined = combined.unionByName(groups.select(*SCORED_COLUMNS, F.lit(2).alias("_priority")))
    first = Window.partitionBy("item_id", "keyphrase").orderBy("_priority")
    return (
        combined.withColumn("_first", F.row_number().over(first))
        .where(F.col("_first") == 1)
        .select(*SCORED_COLUMNS)
    )


def distillation_set(config: Config, pairs: DataFrame) -> DataFrame | None:
    """The per-item distillation groups of every student this config trains (the configured
    preset and the pipeline's ablations) that distils the assistant by item; one row per pair."""
    groups = None
    for name in dict.fromkeys([config.bi_encoder.preset, *config.pipeline.ablations]):
        distill = with_preset(config, name).bi_encoder.tasks.distill
        if not (distill.enabled and distill.grouped()):
            continue
        drawn = distillation_groups(pairs, distill).select(*SCORED_COLUMNS)
        groups = drawn if groups is None else groups.unionByName(drawn)
    return None if groups is None else groups.dropDuplicates(["item_id", "keyphrase"])


def _not_scored(
    spark: SparkSession, config: Config, selected: DataFrame, version: str
) -> DataFrame:
    path = config.table_path("ce_scores")
    if not is_delta_table(spark, path):
        return selected
    done = (
        read_delta(spark, path).where(F.col("ce_version") == version).select("item_id", "keyphrase")
    )
    return selected.join(done, on=["item_id", "keyphrase"], how="left_anti")


def _truth_report(spark: SparkSession, config: Config, version: str, record: StageRecord) -> dict:
    tables = load_references(spark, config, record)
    truth = valid_or_none(tables, "truth")
    if truth is None:
        return {}
    pairs = read_delta(spark, config.table_path("pairs")).where(F.col("split") == "test")
    scores = read_delta(spark, config.table_path("ce_scores")).where(F.col("ce_version") == version)
    frame = scores.join(
        pairs.select("item_id", "keyphrase", "pair_kind"), on=["item_id", "keyphrase"], how="inner"
    )
    report = truth_report(
        with_references(frame, valid_or_none(tables, "human_labels"), truth).toPandas()
    )
    files.write_text(
        spark, f"{config.report_dir()}/cross_encoder_vs_truth.json", json.dumps(report, indent=2)
    )
    return report


def run_score_ce(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    settings = config.cross_encoder
    location, metadata = registry.resolve_assistant(spark, config)
    version = metadata["version"]
    record.details["cross-encoder"] = version
    pairs = read_delta(spark, config.table_path("pairs"))
    judged = judged_pairs(
        read_delta(spark, config.table_path("judgments")),
        JudgeKey.of(config.judge),
        config.pairs.split,
    )
    groups = distillation_set(config, pairs)
    selected = pairs_to_score(pairs, judged, settings.score.per_kind, settings.score.seed, groups)
    pending = _not_scored(spark, config, selected, version)
    if pending.isEmpty():
        # A rerun: nothing to ship, score or MERGE (that path cost a no-op rerun 20 s).
        record.counts["scored"] = 0
    else:
        record.counts["scored"] = _score_pending(spark, config, pending, location, metadata)
    report = _truth_report(spark, config, version, record)
    if report:
        record.details["ce vs truth (test split)"] = json.dumps(report["all"])
    return {"version": version, "vs_truth": report}


def _score_pending(
    spark: SparkSession, config: Config, pending: DataFrame, location: str, metadata: dict
) -> int:
    """Score `pending` with the registered cross-encoder at `location` and MERGE the scores
    into `ce_scores`; the number of pairs scored."""
    settings, version = config.cross_encoder, metadata["version"]
    scorer = CrossEncoderScorer.configured(
        ship_folder(spark, registry.local_copy(spark, location)),
        metadata["calibration"],
        settings,
        threads=settings.score.threads,
        shipped=True,
    )
    scored = score_frame(pending, scorer, settings.score.partitions).select(
        "item_id",
        "keyphrase",
        F.lit(version).alias("ce_version"),
        "ce_logit",
        "ce_prob",
        split_of(F.col("item_id"), config.pairs.split).alias("split"),
        F.lit(config.run_id).alias("run_id"),
        F.current_timestamp().alias("scored_at"),
    )
    staging = config.staging_path("ce_scores")
    result = staged(spark, scored, staging)
    count = result.count()
    merge_upsert(spark, result, config.table_path("ce_scores"), SCORE_KEY)
    drop_path(spark, staging)
    return count
