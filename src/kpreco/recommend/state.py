"""`recommend_state`: each item's content hash and the fingerprint its list was made under, so
that `recommend` recomputes only the items that are new, changed, or listed under another
fingerprint (student, cross-encoder, vocabulary, retrieval settings)."""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config
from kpreco.freshness import fingerprint
from kpreco.tables import is_delta_table, merge_upsert, read_delta


def item_hash() -> Column:
    return F.sha2(
        F.concat_ws("\u0001", F.col("title"), F.coalesce(F.col("category"), F.lit(""))), 256
    )


def vocabulary_hash(vocabulary: DataFrame) -> str:
    row = vocabulary.agg(
        F.sha2(F.concat_ws("\n", F.array_sort(F.collect_list("keyphrase"))), 256)
    ).first()
    return row[0] or ""


def list_fingerprint(
    student: str, cross_encoder: str | None, vocabulary: str, config: Config
) -> str:
    """What a list depends on besides the item's own text."""
    retrieval = config.recommend.model_dump(
        mode="json", exclude={"partitions", "threads", "batch_size"}
    )
    return fingerprint(
        {
            "student": student,
            "cross_encoder": cross_encoder,
            "vocabulary": vocabulary,
            "settings": retrieval,
        }
    )


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


def read_state(spark: SparkSession, config: Config) -> DataFrame | None:
    path = config.table_path("recommend_state")
    return read_delta(spark, path) if is_delta_table(spark, path) else None


def write_state(
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
