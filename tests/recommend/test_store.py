"""Replacing an item's list atomically: old list fully replaced, other items untouched."""

from chispa import assert_df_equality

from kpreco.recommend.store import padded_lists, replace_lists
from kpreco.tables import read_delta

SCHEMA = "item_id string, rank int, keyphrase string, run_id string"


def test_merge_replaces_whole_lists_and_leaves_others(spark, tmp_path) -> None:
    path = str(tmp_path / "item_keyphrases")
    first = spark.createDataFrame(
        [
            ("a", 1, "sofa", "r1"),
            ("a", 2, "couch", "r1"),
            ("a", 3, "settee", "r1"),
            ("b", 1, "lamp", "r1"),
            ("c", 1, "rug", "r1"),
        ],
        SCHEMA,
    )
    replace_lists(spark, path, padded_lists(first, first.select("item_id"), None, cap=3))
    assert_df_equality(read_delta(spark, path), first, ignore_row_order=True, ignore_nullable=True)

    # Item a gets a shorter list, item c left the catalog, item b is not touched.
    new_a = spark.createDataFrame([("a", 1, "leather sofa", "r2")], SCHEMA)
    replaced = spark.createDataFrame([("a",), ("c",)], "item_id string")
    source = padded_lists(new_a, replaced, read_delta(spark, path), cap=2)
    replace_lists(spark, path, source)
    expected = spark.createDataFrame(
        [("a", 1, "leather sofa", "r2"), ("b", 1, "lamp", "r1")], SCHEMA
    )
    assert_df_equality(
        read_delta(spark, path), expected, ignore_row_order=True, ignore_nullable=True
    )
