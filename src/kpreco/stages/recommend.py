"""Stage `recommend`: every item's keyphrase list into `item_keyphrases`, incrementally.

Only items that are new, whose title or category changed, or whose list was made under another
fingerprint (student, cross-encoder, vocabulary, retrieval settings) are recomputed; items gone
from the catalog lose their list. `recommend_state` remembers each item's content hash and
fingerprint; it is written after `item_keyphrases`, so a crash in between only means those
items are recomputed, identically, next time.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config
from kpreco.cross_encoder.scoring import CrossEncoderScorer
from kpreco.executor_files import ship_folder
from kpreco.inputs import load_inputs
from kpreco.log import StageRecord, get_logger
from kpreco.recommend.engine import Shipped, recommend_candidates
from kpreco.recommend.index import Models, resolve_models, vocabulary_index
from kpreco.recommend.lists import cap_and_rank, deduplicate, relevance_filter
from kpreco.recommend.state import (
    item_hash,
    items_to_refresh,
    list_fingerprint,
    read_state,
    vocabulary_hash,
    write_state,
)
from kpreco.recommend.store import padded_lists, replace_lists
from kpreco.tables import commit_with_retries, drop_path, is_delta_table, read_delta, staged

log = get_logger(__name__)


def _existing_lists(spark: SparkSession, config: Config) -> DataFrame | None:
    path = config.table_path("item_keyphrases")
    return read_delta(spark, path) if is_delta_table(spark, path) else None


def new_lists(candidates: DataFrame, config: Config, models: Models) -> DataFrame:
    """De-duplicated, filtered, capped and ranked lists in the `item_keyphrases` schema."""
    settings = config.recommend
    filtered = models.cross_encoder_version is not None
    threshold = settings.relevance_filter.threshold if filtered else None
    # The assistant orders one item's candidates better than the student that found them (the
    # evaluation's teacher-ceiling row measures by how much): when it scored them, its score
    # ranks the list unless rank_by says otherwise.
    by = "relevance_score" if filtered and settings.rank_by == "relevance" else "retrieval_score"
    lists = cap_and_rank(
        relevance_filter(deduplicate(candidates), threshold), settings.max_keyphrases, by
    )
    return lists.select(
        "item_id",
        "rank",
        "keyphrase",
        "keyphrase_display",
        F.col("retrieval_score").cast("double").alias("retrieval_score"),
        "relevance_score",
        F.lit(models.student_version).alias("bi_encoder_version"),
        F.lit(models.cross_encoder_version).cast("string").alias("cross_encoder_version"),
        F.lit(config.run_id).alias("run_id"),
        F.current_timestamp().alias("updated_at"),
    )


def run_recommend(
    spark: SparkSession, config: Config, record: StageRecord, full_refresh: bool = False
) -> dict:
    settings = config.recommend
    models = resolve_models(spark, config)
    tables = load_inputs(spark, config, ["items", "keyphrases"], record)
    items = tables["items"].valid.select(
        "item_id", "title", "category", item_hash().alias("item_hash")
    )
    if settings.items_where:
        items = items.where(F.expr(settings.items_where))
    vocabulary = tables["keyphrases"].valid.select(
        F.col("keyphrase_norm").alias("keyphrase"), F.col("keyphrase").alias("keyphrase_display")
    )
    digest = vocabulary_hash(vocabulary)
    current = list_fingerprint(models.student_version, models.cross_encoder_version, digest, config)
    state = read_state(spark, config)
    refresh = items_to_refresh(items, state, current, full_refresh).persist()
    gone = (
        state.select("item_id").join(items.select("item_id"), on="item_id", how="left_anti")
        if state is not None and not settings.items_where
        else None
    )
    record.counts["items_to_refresh"] = refreshed = refresh.count()
    record.counts["items_removed"] = removed = gone.count() if gone is not None else 0
    record.details["models"] = (
        f"student {models.student_version}, cross-encoder {models.cross_encoder_version}"
    )
    record.models["served_bi_encoder"] = models.student_version
    if models.cross_encoder_version:
        record.models["relevance_filter"] = models.cross_encoder_version
    if not refreshed and not removed:
        log.info("recommend: every list is current (fingerprint %s); nothing to do", current)
        refresh.unpersist()
        return {"fingerprint": current, "refreshed": 0}
    student_name = ship_folder(spark, models.student_folder)
    sample = [r.title for r in refresh.select("title").limit(settings.recall_sample).collect()]
    index_folder = vocabulary_index(
        spark, config, models, student_name, vocabulary, digest, sample, record
    )
    scorer = (
        CrossEncoderScorer.configured(
            ship_folder(spark, models.cross_encoder_folder),
            models.calibration,
            config.cross_encoder,
            threads=settings.threads,
            shipped=True,
            precision=settings.relevance_filter.precision,
        )
        if models.cross_encoder_folder
        else None
    )
    shipped = Shipped(student_name, index_folder, scorer)
    candidates = recommend_candidates(refresh.repartition(settings.partitions), shipped, settings)
    staging = config.staging_path("item_keyphrases")
    lists = staged(spark, new_lists(candidates, config, models), staging)
    record.counts["keyphrases_written"] = lists.count()
    empty = refreshed - lists.select("item_id").distinct().count()
    record.counts["items_without_keyphrases"] = empty
    if empty:
        log.warning(
            "recommend: %s of %s items have no keyphrase passing the relevance filter "
            "(threshold %s); their lists are empty",
            f"{empty:,}",
            f"{refreshed:,}",
            settings.relevance_filter.threshold,
        )
    replaced = refresh.select("item_id")
    if gone is not None:
        replaced = replaced.unionByName(gone)
    source = padded_lists(lists, replaced, _existing_lists(spark, config), settings.max_keyphrases)
    commit_with_retries(
        lambda: replace_lists(spark, config.table_path("item_keyphrases"), source),
        "item_keyphrases",
    )
    commit_with_retries(
        lambda: write_state(spark, config, refresh, gone, current), "recommend_state"
    )
    _log_examples(lists, refresh, record)
    drop_path(spark, staging)
    refresh.unpersist()
    return {"fingerprint": current, "refreshed": refreshed}


def _log_examples(lists: DataFrame, items: DataFrame, record: StageRecord, count: int = 3) -> None:
    """A few items with their new lists, into the stage summary."""
    chosen = lists.select("item_id").distinct().orderBy("item_id").limit(count)
    rows = (
        lists.join(chosen, on="item_id", how="inner")
        .join(items.select("item_id", "title"), on="item_id", how="inner")
        .where(F.col("rank") <= 8)
        .orderBy("item_id", "rank")
        .collect()
    )
    for item_id in sorted({r.item_id for r in rows}):
        mine = [r for r in rows if r.item_id == item_id]
        record.details[f"example {mine[0].title!r}"] = ", ".join(r.keyphrase_display for r in mine)
