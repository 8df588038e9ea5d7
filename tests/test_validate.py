"""The data contract: schema errors stop the job; bad rows land in rejects with a reason."""

import json

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from kpreco.config import ValidationSettings
from kpreco.contract import ITEMS, KEYPHRASES, SEARCH_EVENTS, SEARCH_RELEVANCE
from kpreco.validate import (
    ContractViolation,
    check_schema,
    split_unknown_references,
    validate_table,
)

SETTINGS = ValidationSettings(max_title_chars=1000, max_keyphrase_chars=200)
ITEM_COLUMNS = "item_id string, title string, category string, price string"


def reasons(table) -> dict[str, str]:
    """item/keyphrase text of each rejected row -> its reason."""
    rows = table.rejects.collect()
    return {
        json.loads(r.row_json).get("title", json.loads(r.row_json).get("item_id")): r.reason
        for r in rows
    }


def test_missing_required_column_names_table_column_and_rows(spark) -> None:
    frame = spark.createDataFrame([("i1", "x"), ("i2", "y")], "item_id string, name string")
    with pytest.raises(ContractViolation) as error:
        check_schema(frame, ITEMS)
    message = str(error.value)
    assert "'items'" in message and "'title'" in message and "2 rows" in message


def test_uncastable_type_names_table_and_column(spark) -> None:
    frame = spark.createDataFrame([("i1", ["a", "b"])], "item_id string, title array<string>")
    with pytest.raises(ContractViolation, match=r"'items'.*column 'title' has type array<string>"):
        check_schema(frame, ITEMS)


def test_boolean_clicked_is_a_schema_error(spark) -> None:
    frame = spark.createDataFrame(
        [("2026-10-01", "i1", "sofa", True)],
        "event_date string, item_id string, keyphrase string, clicked boolean",
    )
    with pytest.raises(ContractViolation, match=r"'search_events'.*'clicked'"):
        check_schema(frame, SEARCH_EVENTS)


def test_item_rows_rejected_with_reasons_and_good_ones_kept(spark) -> None:
    rows = [
        ("i1", "Norvik Leather Sofa", "furniture", "499.0"),
        ("i2", None, "furniture", "10"),
        ("i3", "", None, None),
        ("i4", "  \t ", None, None),
        ("i5", "Sofa\x07 bell", None, None),
        ("i6", "Sofa \ufffd broken", None, None),
        ("i7", "x" * 10_000, None, None),
        ("i8", "Sofa 🛋️ cozy", None, None),
        ("i9", "أريكة جلد سوداء", None, None),
        ("i10", "Lamp", None, "-3"),
        ("i11", "Rug", None, "cheap"),
        ("dup", "First copy", None, "1"),
        ("dup", "Second copy", None, "2"),
    ]
    table = validate_table(spark.createDataFrame(rows, ITEM_COLUMNS), ITEMS, SETTINGS, "r1")
    by_title = reasons(table)
    assert by_title["i2"] == "title: null"
    assert by_title[""] == "title: empty or whitespace-only"
    assert by_title["  \t "] == "title: empty or whitespace-only"
    assert by_title["Sofa\x07 bell"] == "title: control characters"
    assert by_title["Sofa \ufffd broken"] == "title: invalid UTF-8"
    assert by_title["x" * 10_000] == "title: longer than 1,000 characters"
    assert by_title["Lamp"] == "price: below 0"
    assert by_title["Rug"] == "price: unparseable value"
    assert by_title["Second copy"] == "duplicate key (item_id)"
    kept = {row.item_id: row.title for row in table.valid.collect()}
    assert kept == {
        "i1": "Norvik Leather Sofa",
        "i8": "Sofa 🛋️ cozy",
        "i9": "أريكة جلد سوداء",
        "dup": "First copy",
    }
    assert (table.read, table.kept, table.rejected) == (13, 4, 9)
    assert {row.run_id for row in table.rejects.collect()} == {"r1"}
    assert table.valid.schema["price"].dataType.simpleString() == "double"


def test_duplicate_keeps_latest_update(spark) -> None:
    frame = spark.createDataFrame(
        [("a", "old title", "2026-01-01 00:00:00"), ("a", "new title", "2026-06-01 00:00:00")],
        "item_id string, title string, updated_at string",
    ).withColumn("updated_at", F.to_timestamp("updated_at"))
    table = validate_table(frame, ITEMS, SETTINGS, "r1")
    assert [row.title for row in table.valid.collect()] == ["new title"]


def test_keyphrase_duplicates_compare_normalised(spark) -> None:
    frame = spark.createDataFrame(
        [("T-Shirt",), ("t shirt",), ("🔥🔥",), ("sofa",)], "keyphrase string"
    )
    table = validate_table(frame, KEYPHRASES, SETTINGS, "r1")
    assert sorted(r.keyphrase_norm for r in table.valid.collect()) == ["sofa", "t shirt"]
    assert sorted(r.reason for r in table.rejects.collect()) == [
        "duplicate key (keyphrase)",
        "keyphrase: empty after normalisation",
    ]


def test_event_rows_rejected(spark) -> None:
    rows = [
        ("2026-10-01", "i1", "sofa", "1", "1", "0"),
        ("2026-10-01", "i1", "sofa", "2", "1", "0"),
        ("2026-13-45", "i1", "sofa", "0", "1", "0"),
        ("2026-10-01", "i1", "sofa", "0", "0", "0"),
        ("2026-10-01", "i1", "sofa", "0.5", "1", "0"),
        ("2026-10-01", "i1", "sofa", "1", "1", "0"),  # an identical second impression is kept
    ]
    frame = spark.createDataFrame(
        rows,
        "event_date string, item_id string, keyphrase string, clicked string, position string, "
        "purchased string",
    )
    table = validate_table(frame, SEARCH_EVENTS, SETTINGS, "r1")
    assert sorted(r.reason for r in table.rejects.collect()) == [
        "clicked: not an integer",
        "clicked: not one of 0/1",
        "event_date: unparseable value",
        "position: below 1",
    ]
    assert table.kept == 2
    assert table.valid.schema["event_date"].dataType.simpleString() == "date"


def test_sr_score_outside_unit_interval(spark) -> None:
    frame = spark.createDataFrame(
        [("i1", "sofa", 0.4), ("i2", "sofa", 1.5), ("i3", "sofa", -0.1)],
        "item_id string, keyphrase string, sr_score double",
    )
    table = validate_table(frame, SEARCH_RELEVANCE, SETTINGS, "r1")
    assert [r.reason for r in table.rejects.collect()] == ["sr_score: outside [0, 1]"] * 2
    assert [r.item_id for r in table.valid.collect()] == ["i1"]


def test_unknown_references_are_rejected(spark) -> None:
    events = spark.createDataFrame(
        [("2026-10-01", "i1", "sofa", 1), ("2026-10-01", "ghost", "sofa", 0)],
        "event_date string, item_id string, keyphrase string, clicked int",
    )
    validated = validate_table(events, SEARCH_EVENTS, SETTINGS, "r1").valid
    items = spark.createDataFrame([("i1",)], "item_id string")
    known, rejects = split_unknown_references(validated, SEARCH_EVENTS, items, "item_id", "r1")
    assert [r.item_id for r in known.collect()] == ["i1"]
    assert [r.reason for r in rejects.collect()] == ["item_id: unknown item_id"]
    assert json.loads(rejects.first().row_json)["item_id"] == "ghost"


def test_optional_columns_are_added_as_typed_nulls(spark) -> None:
    frame = spark.createDataFrame([("i1", "Sofa")], "item_id string, title string")
    valid = validate_table(frame, ITEMS, SETTINGS, "r1").valid
    expected = spark.createDataFrame(
        [("i1", "Sofa", None, None, None, None)],
        "item_id string, title string, category string, price double, seller_id string, "
        "updated_at timestamp",
    )
    assert_df_equality(valid, expected, ignore_nullable=True)
