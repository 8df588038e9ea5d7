"""The input data contract (DESIGN.md): every input table's columns, types, keys and row rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql.types import (
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    TimestampType,
)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    dtype: DataType
    required: bool = True
    # Text that must be non-empty, printable, valid UTF-8 and at most `max_chars` long.
    text_limit: str | None = None  # name of the ValidationSettings limit, e.g. "max_title_chars"
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TableContract:
    name: str
    columns: tuple[ColumnSpec, ...]
    # Unique key; keyphrase columns in a key are compared after normalisation.
    key: tuple[str, ...] = ()
    keyphrase_columns: tuple[str, ...] = field(default=())

    @property
    def required(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


KEYPHRASE_LIMIT = "max_keyphrase_chars"
TITLE_LIMIT = "max_title_chars"

ITEMS = TableContract(
    name="items",
    columns=(
        ColumnSpec("item_id", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("title", StringType(), text_limit=TITLE_LIMIT),
        ColumnSpec("category", StringType(), required=False),
        ColumnSpec("price", DoubleType(), required=False, minimum=0.0),
        ColumnSpec("seller_id", StringType(), required=False),
        ColumnSpec("updated_at", TimestampType(), required=False),
    ),
    key=("item_id",),
)

KEYPHRASES = TableContract(
    name="keyphrases",
    columns=(
        ColumnSpec("keyphrase", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("search_count", LongType(), required=False, minimum=0),
        ColumnSpec("category", StringType(), required=False),
    ),
    key=("keyphrase",),
    keyphrase_columns=("keyphrase",),
)

SEARCH_EVENTS = TableContract(
    name="search_events",
    columns=(
        ColumnSpec("event_date", DateType()),
        ColumnSpec("item_id", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("keyphrase", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("clicked", IntegerType(), allowed=(0, 1)),
        ColumnSpec("position", IntegerType(), required=False, minimum=1),
        ColumnSpec("purchased", IntegerType(), required=False, allowed=(0, 1)),
    ),
    keyphrase_columns=("keyphrase",),
)

SEARCH_RELEVANCE = TableContract(
    name="search_relevance",
    columns=(
        ColumnSpec("item_id", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("keyphrase", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("sr_score", DoubleType(), minimum=0.0, maximum=1.0),
    ),
    key=("item_id", "keyphrase"),
    keyphrase_columns=("keyphrase",),
)

TRUTH = TableContract(
    name="truth",
    columns=(
        ColumnSpec("item_id", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("keyphrase", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("relevance", IntegerType(), minimum=0),
    ),
    key=("item_id", "keyphrase"),
    keyphrase_columns=("keyphrase",),
)

HUMAN_LABELS = TableContract(
    name="human_labels",
    columns=(
        ColumnSpec("item_id", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("keyphrase", StringType(), text_limit=KEYPHRASE_LIMIT),
        ColumnSpec("label", IntegerType(), minimum=0, maximum=3),
    ),
    key=("item_id", "keyphrase"),
    keyphrase_columns=("keyphrase",),
)

CONTRACTS = {
    contract.name: contract
    for contract in (ITEMS, KEYPHRASES, SEARCH_EVENTS, SEARCH_RELEVANCE, TRUTH, HUMAN_LABELS)
}
