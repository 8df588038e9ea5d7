"""Stage `recommend`: every item's keyphrase list into `item_keyphrases`, incrementally.

Only items that are new, whose title or category changed, or whose list was made under another
fingerprint (student, cross-encoder, vocabulary, retrieval settings) are recomputed; items gone
from the catalog lose their list. `recommend_state` remembers each item's content hash and
fingerprint; it is written after `item_keyphrases`, so a crash in between only means those
items are recomputed, identically, next time.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco import files, registry
from kpreco.bookkeeping import write_rejects
from kpreco.config import Config
from kpreco.log import StageRecord, get_logger
from kpreco.recommend.engine import (
    INDEX_FILE,
    VOCABULARY_FILE,
    Shipped,
    embed,
    embed_texts,
    load_student,
    recommend_candidates,
)
from kpreco.recommend.index import build_index, choose_kind, recall_at_k
from kpreco.recommend.lists import cap_and_rank, deduplicate, relevance_filter
from kpreco.recommend.store import padded_lists, replace_lists
from kpreco.shipping import ship_folder
from kpreco.stages.inputs import load_inputs
from kpreco.stages.train_bi_encoder import resolve_bi_encoder
from kpreco.stages.train_cross_encoder import resolve_cross_encoder
from kpreco.tables import (
    commit_with_retries,
    drop_path,
    is_delta_table,
    merge_upsert,
    read_delta,
    staged,
)

log = get_logger(__name__)
OUTPUT_COLUMNS = (
    "item_id",
    "rank",
    "keyphrase",
    "keyphrase_display",
    "retrieval_score",
    "relevance_score",
    "bi_encoder_version",
    "cross_encoder_version",
    "run_id",
    "updated_at",
)


def item_hash() -> Column:
    return F.sha2(
        F.concat_ws("\u0001", F.col("title"), F.coalesce(F.col("category"), F.lit(""))), 256
    )


def vocabulary_hash(vocabulary: DataFrame) -> str:
    row = vocabulary.agg(
        F.sha2(F.concat_ws("\n", F.array_sort(F.collect_list("keyphrase"))), 256)
    ).first()
    return row[0] or ""


def fingerprint(student: str, cross_encoder: str | None, vocabulary: str, config: Config) -> str:
    """What a list depends on besides the item's own text."""
    retrieval = config.recommend.model_dump(
        mode="json", exclude={"partitions", "threads", "batch_size"}
    )
    payload = {
        "student": student,
        "cross_encoder": cross_encoder,
        "vocabulary": vocabulary,
        "settings": retrieval,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def items_to_refresh(
    items: DataFrame, state: DataFrame | None, current: str, full_refresh: bool
) -> DataFrame:
    """Catalog items (item_id, title, item_hash) whose list must be recomputed."""
    if state is None or full_refresh:
        return items
    known = state.select(
        "item_id", F.col("item_hash").alias("_hash"), F.col("fingerprint").alias("_fp")
    )
    return (
        items.join(known, on="item_id", how="left")
        .where(
            F.col("_hash").isNull()
            | (F.col("_hash") != F.col("item_hash"))
            | (F.col("_fp") != current)
        )
        .drop("_hash", "_fp")
    )


@dataclass(frozen=True)
class Models:
    student_version: str
    student_folder: Path
    cross_encoder_version: str | None
    cross_encoder_folder: Path | None
    calibration: dict | None


def resolve_models(spark: SparkSession, config: Config) -> Models:
    location, student = resolve_bi_encoder(spark, config)
    if not config.recommend.relevance_filter.enabled:
        return Models(student["version"], registry.local_copy(spark, location), None, None, None)
    ce_location, ce = resolve_cross_encoder(spark, config)
    return Models(
        student["version"],
        registry.local_copy(spark, location),
        ce["version"],
        registry.local_copy(spark, ce_location),
        ce["calibration"],
    )


def index_key(config: Config, models: Models, vocabulary_digest: str, size: int) -> str:
    """Names a built index: student, served dimension, index type and the vocabulary."""
    kind = choose_kind(config.recommend, size)
    return f"{models.student_version}-d{config.recommend.dim}-{kind}-{vocabulary_digest[:12]}"


def build_vocabulary_index(
    spark: SparkSession,
    config: Config,
    models: Models,
    student_name: str,
    vocabulary: DataFrame,
    sample_titles: list[str],
    folder: Path,
    record: StageRecord,
) -> None:
    """Embed the vocabulary on executors, build the index here, measure its recall@k on real
    titles against exact search; write the index and the vocabulary into `folder`."""
    settings = config.recommend
    local = vocabulary.toPandas().sort_values("keyphrase").reset_index(drop=True)
    embedded = embed_texts(vocabulary, "keyphrase", student_name, settings).toPandas()
    order = embedded.set_index("keyphrase").loc[local["keyphrase"]]
    vectors = np.vstack(order["embedding"].to_numpy()).astype(np.float32)
    kind = choose_kind(settings, len(vectors))
    index = build_index(vectors, kind, settings)
    summary = {"kind": kind, "size": len(vectors), "dim": settings.dim}
    if sample_titles:
        student = load_student(str(models.student_folder), 2)
        queries = embed(student, sample_titles, settings.dim, settings.batch_size)
        summary["recall"] = recall_at_k(index, vectors, queries, settings.candidates)
        summary["recall_queries"] = len(queries)
        log.info(
            "index %s: recall@%d vs exact = %.4f on %d titles",
            kind,
            settings.candidates,
            summary["recall"],
            len(queries),
        )
    import faiss

    folder.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(folder / INDEX_FILE))
    columns = local[["keyphrase", "keyphrase_display"]].to_dict(orient="list")
    (folder / VOCABULARY_FILE).write_text(json.dumps(columns))
    (folder / "index.json").write_text(json.dumps(summary))


def vocabulary_index(
    spark: SparkSession,
    config: Config,
    models: Models,
    student_name: str,
    vocabulary: DataFrame,
    vocabulary_digest: str,
    sample_titles: list[str],
    record: StageRecord,
) -> str:
    """The index folder for this student, dimension and vocabulary, shipped to executors;
    built once and kept under output.root/indexes/, reused by later runs."""
    size = vocabulary.count()
    key = index_key(config, models, vocabulary_digest, size)
    stored = config.table_path(f"indexes/{key}")
    folder = Path(tempfile.mkdtemp(prefix="kpreco-index-")) / key
    if files.exists(spark, f"{stored}/{INDEX_FILE}"):
        files.copy_to_local(spark, stored, folder)
        how = "reused"
    else:
        build_vocabulary_index(
            spark, config, models, student_name, vocabulary, sample_titles, folder, record
        )
        files.copy_from_local(spark, folder, stored)
        how = "built"
    summary = json.loads((folder / "index.json").read_text())
    recall = (
        f", recall@{config.recommend.candidates} {summary['recall']:.4f}"
        if "recall" in summary
        else ""
    )
    size, dims = f"{summary['size']:,}", summary["dim"]
    record.details["index"] = (
        f"{how} {summary['kind']} over {size} keyphrases at {dims} dims{recall}"
    )
    return ship_folder(spark, folder)


def _state(spark: SparkSession, config: Config) -> DataFrame | None:
    path = config.table_path("recommend_state")
    return read_delta(spark, path) if is_delta_table(spark, path) else None


def _existing_lists(spark: SparkSession, config: Config) -> DataFrame | None:
    path = config.table_path("item_keyphrases")
    return read_delta(spark, path) if is_delta_table(spark, path) else None


def new_lists(candidates: DataFrame, config: Config, models: Models) -> DataFrame:
    """De-duplicated, filtered, capped and ranked lists in the `item_keyphrases` schema."""
    settings = config.recommend
    threshold = settings.relevance_filter.threshold if models.cross_encoder_version else None
    lists = cap_and_rank(
        relevance_filter(deduplicate(candidates), threshold), settings.max_keyphrases
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
    write_rejects(spark, config, [t.rejects for t in tables.values()])
    items = tables["items"].valid.select(
        "item_id", "title", "category", item_hash().alias("item_hash")
    )
    if settings.items_where:
        items = items.where(F.expr(settings.items_where))
    vocabulary = tables["keyphrases"].valid.select(
        F.col("keyphrase_norm").alias("keyphrase"), F.col("keyphrase").alias("keyphrase_display")
    )
    digest = vocabulary_hash(vocabulary)
    current = fingerprint(models.student_version, models.cross_encoder_version, digest, config)
    state = _state(spark, config)
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
    if not refreshed and not removed:
        log.info("recommend: every list is current (fingerprint %s); nothing to do", current)
        refresh.unpersist()
        return {"fingerprint": current, "refreshed": 0}
    student_name = ship_folder(spark, models.student_folder)
    sample = [r.title for r in refresh.select("title").limit(settings.recall_sample).collect()]
    index_folder = vocabulary_index(
        spark, config, models, student_name, vocabulary, digest, sample, record
    )
    shipped = Shipped(
        student_name,
        index_folder,
        ship_folder(spark, models.cross_encoder_folder) if models.cross_encoder_folder else None,
        models.calibration,
    )
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
        lambda: _write_state(spark, config, refresh, gone, current), "recommend_state"
    )
    _log_examples(lists, refresh, record)
    drop_path(spark, staging)
    refresh.unpersist()
    return {"fingerprint": current, "refreshed": refreshed}


def _write_state(
    spark: SparkSession, config: Config, refresh: DataFrame, gone: DataFrame | None, current: str
) -> None:
    rows = refresh.select(
        "item_id", "item_hash", F.lit(current).alias("fingerprint"), F.lit(False).alias("_gone")
    )
    if gone is not None:
        rows = rows.unionByName(
            gone.select(
                "item_id",
                F.lit(None).cast("string").alias("item_hash"),
                F.lit(None).cast("string").alias("fingerprint"),
                F.lit(True).alias("_gone"),
            )
        )
    rows = rows.withColumn("run_id", F.lit(config.run_id))
    path = config.table_path("recommend_state")
    if not is_delta_table(spark, path):
        merge_upsert(spark, rows.where(~F.col("_gone")).drop("_gone"), path, ["item_id"])
        return
    (
        DeltaTable.forPath(spark, path)
        .alias("target")
        .merge(rows.alias("source"), "target.item_id = source.item_id")
        .whenMatchedDelete(condition="source._gone")
        .whenMatchedUpdate(set={c: f"source.{c}" for c in ("item_hash", "fingerprint", "run_id")})
        .whenNotMatchedInsert(
            condition="NOT source._gone",
            values={c: f"source.{c}" for c in ("item_id", "item_hash", "fingerprint", "run_id")},
        )
        .execute()
    )


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
