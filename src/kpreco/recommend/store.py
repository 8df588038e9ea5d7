"""Writing per-item lists: an item's whole list is replaced atomically, other items untouched.

The source of the MERGE holds, for every item being replaced, one row per rank 1..P where P
covers both the new list and the old one; ranks beyond the new list carry a null keyphrase
and delete the old row. Items gone from the catalog get only such rows. One MERGE, one commit.
"""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.tables import is_delta_table


def padded_lists(
    new_rows: DataFrame, replaced_items: DataFrame, existing: DataFrame | None, cap: int
) -> DataFrame:
    """`new_rows` (item_id, rank, ...) padded with null rows up to each replaced item's
    old list length (or `cap`), for every item in `replaced_items` (item_id)."""
    lengths = replaced_items.select("item_id").distinct()
    if existing is not None:
        old = existing.groupBy("item_id").agg(F.max("rank").alias("_old_length"))
        lengths = lengths.join(old, on="item_id", how="left")
    else:
        lengths = lengths.withColumn("_old_length", F.lit(None).cast("int"))
    slots = lengths.select(
        "item_id",
        F.explode(
            F.sequence(F.lit(1), F.greatest(F.lit(cap), F.coalesce(F.col("_old_length"), F.lit(0))))
        ).alias("rank"),
    )
    return slots.join(new_rows, on=["item_id", "rank"], how="left")


def replace_lists(spark: SparkSession, path: str, source: DataFrame) -> None:
    """MERGE `padded_lists` output into the table at `path` (created when absent)."""
    if not is_delta_table(spark, path):
        (DeltaTable.createIfNotExists(spark).location(path).addColumns(source.schema).execute())
    (
        DeltaTable.forPath(spark, path)
        .alias("target")
        .merge(
            source.alias("source"), "target.item_id = source.item_id AND target.rank = source.rank"
        )
        .whenMatchedDelete(condition="source.keyphrase IS NULL")
        .whenMatchedUpdateAll(condition="source.keyphrase IS NOT NULL")
        .whenNotMatchedInsertAll(condition="source.keyphrase IS NOT NULL")
        .execute()
    )
