"""Enforce the data contract: stop on a bad schema, route bad rows to `rejects`.

Schema problems (a missing required column, a column whose type cannot be cast to the
contract's) stop the job before any work, naming the table, the column and the row count.
Row problems never stop the job: each bad row goes to `rejects` with the first rule it broke.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegralType,
    NullType,
    NumericType,
    StringType,
    TimestampNTZType,
    TimestampType,
)

from kpreco.config import ValidationSettings
from kpreco.contract import ColumnSpec, TableContract
from kpreco.log import get_logger
from kpreco.text import normalize_keyphrase_col

log = get_logger(__name__)

# C0 controls except tab/newline/carriage return, DEL and the C1 block.
CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
# What Spark's CSV reader puts where the input held invalid UTF-8 bytes.
REPLACEMENT_CHARACTER = "\ufffd"
REASON = "_reject_reason"
ROW_JSON = "_row_json"


class ContractViolation(ValueError):
    """An input table whose schema breaks the data contract; nothing has been processed."""


@dataclass
class ValidatedTable:
    name: str
    valid: DataFrame
    rejects: DataFrame
    read: int
    kept: int
    rejected: int
    # The persisted frame `valid` and `rejects` come from; `release` frees it.
    persisted: DataFrame | None = None

    def release(self) -> None:
        if self.persisted is not None:
            self.persisted.unpersist()


def _castable(source: DataType, target: DataType) -> bool:
    if isinstance(source, NullType | StringType):
        return True
    if isinstance(target, StringType):
        return isinstance(source, IntegralType | DecimalType)
    if isinstance(target, DoubleType):
        return isinstance(source, NumericType)
    if isinstance(target, IntegralType):
        return isinstance(source, IntegralType | DecimalType | DoubleType | FloatType)
    if isinstance(target, DateType | TimestampType):
        return isinstance(source, DateType | TimestampType | TimestampNTZType)
    return False


def check_schema(frame: DataFrame, contract: TableContract) -> None:
    """Raise `ContractViolation` naming table, column and row count on a schema problem."""
    present = {field.name: field.dataType for field in frame.schema.fields}
    problems = [
        f"required column '{spec.name}' is missing"
        for spec in contract.required
        if spec.name not in present
    ]
    problems += [
        f"column '{spec.name}' has type {present[spec.name].simpleString()}, "
        f"which cannot be cast to {spec.dtype.simpleString()}"
        for spec in contract.columns
        if spec.name in present and not _castable(present[spec.name], spec.dtype)
    ]
    if problems:
        rows = frame.count()
        raise ContractViolation(
            f"input table '{contract.name}' ({rows:,} rows): {'; '.join(problems)}. "
            f"Columns found: {', '.join(present) or 'none'}"
        )


def _typed(frame: DataFrame, spec: ColumnSpec) -> Column:
    if spec.name not in frame.columns:
        return F.lit(None).cast(spec.dtype)
    source = F.col(spec.name)
    if isinstance(spec.dtype, StringType):
        return source.cast(StringType())
    if isinstance(frame.schema[spec.name].dataType, StringType):
        source = F.trim(source)
    if isinstance(spec.dtype, IntegralType):
        # Through double, so "1.0" (common in CSV exports) is the integer 1 and 0.5 is not one.
        as_double = source.try_cast(DoubleType())
        return F.when(as_double == F.floor(as_double), as_double.try_cast(spec.dtype))
    return source.try_cast(spec.dtype)


def _text_rules(spec: ColumnSpec, raw: Column, settings: ValidationSettings) -> list:
    limit = getattr(settings, spec.text_limit)
    return [
        (raw.rlike(r"(?U)^\s*$"), "empty or whitespace-only"),
        (raw.rlike(CONTROL_CHARACTERS), "control characters"),
        (F.instr(raw, REPLACEMENT_CHARACTER) > 0, "invalid UTF-8"),
        (F.length(raw) > limit, f"longer than {limit:,} characters"),
    ]


def _value_rules(spec: ColumnSpec, raw: Column, typed: Column) -> list:
    rules = []
    if isinstance(spec.dtype, IntegralType):
        as_double = raw.try_cast(DoubleType())
        rules.append((as_double.isNotNull() & (as_double != F.floor(as_double)), "not an integer"))
    rules.append((raw.isNotNull() & typed.isNull(), "unparseable value"))
    if spec.allowed is not None:
        allowed = "/".join(str(value) for value in spec.allowed)
        rules.append((~typed.isin(*spec.allowed), f"not one of {allowed}"))
    if spec.minimum is not None and spec.maximum is not None:
        rules.append(
            (
                ~typed.between(spec.minimum, spec.maximum),
                f"outside [{spec.minimum:g}, {spec.maximum:g}]",
            )
        )
    elif spec.minimum is not None:
        rules.append((typed < spec.minimum, f"below {spec.minimum:g}"))
    return rules


def reject_reason(
    frame: DataFrame, contract: TableContract, settings: ValidationSettings
) -> Column:
    """The first broken row rule as `'<column>: <rule>'`, or null for a good row."""
    checks: list[tuple[Column, str]] = []
    for spec in contract.columns:
        if spec.name not in frame.columns:
            continue
        raw, typed = F.col(spec.name), _typed(frame, spec)
        column_rules = [(raw.isNull(), "null")] if spec.required else []
        if spec.text_limit is not None:
            column_rules += _text_rules(spec, raw.cast(StringType()), settings)
        else:
            column_rules += _value_rules(spec, raw, typed)
        checks += [(condition, f"{spec.name}: {rule}") for condition, rule in column_rules]
    for column in contract.keyphrase_columns:
        checks.append((F.col(f"{column}_norm") == "", f"{column}: empty after normalisation"))
    reasons = [F.when(condition, F.lit(reason)) for condition, reason in checks]
    return F.coalesce(*reasons) if reasons else F.lit(None).cast(StringType())


def with_normalized(frame: DataFrame, column: str) -> DataFrame:
    """Add `<column>_norm`, normalising each distinct value once (vocabularies are small)."""
    distinct = (
        frame.select(F.col(column).cast(StringType()).alias("_raw"))
        .where(F.col("_raw").isNotNull())
        .distinct()
        .select(F.col("_raw"), normalize_keyphrase_col("_raw").alias(f"{column}_norm"))
    )
    return frame.join(
        distinct, on=F.col(column).cast(StringType()).eqNullSafe(F.col("_raw")), how="left"
    ).drop("_raw")


def _duplicate_rank(frame: DataFrame, contract: TableContract) -> Column:
    keys = [f"{c}_norm" if c in contract.keyphrase_columns else c for c in contract.key]
    # Latest update wins; the row's own content breaks ties, so the choice is deterministic.
    order = [F.col("updated_at").desc_nulls_last()] if "updated_at" in frame.columns else []
    window = Window.partitionBy(*[F.col(k) for k in keys]).orderBy(*order, F.col(ROW_JSON))
    return F.row_number().over(window)


def validate_table(
    frame: DataFrame,
    contract: TableContract,
    settings: ValidationSettings,
    run_id: str,
) -> ValidatedTable:
    """Check the schema (raising), then split rows into typed valid rows and rejects."""
    check_schema(frame, contract)
    original = frame.columns
    annotated = frame.withColumn(ROW_JSON, F.to_json(F.struct(*[F.col(c) for c in original])))
    for column in contract.keyphrase_columns:
        annotated = with_normalized(annotated, column)
    annotated = annotated.withColumn(REASON, reject_reason(annotated, contract, settings))
    if contract.key:
        key_text = ", ".join(contract.key)
        rank = F.when(F.col(REASON).isNull(), _duplicate_rank(annotated, contract))
        annotated = annotated.withColumn(
            REASON,
            F.coalesce(F.col(REASON), F.when(rank > 1, F.lit(f"duplicate key ({key_text})"))),
        )
    annotated = annotated.persist(StorageLevel.MEMORY_AND_DISK)
    valid = annotated.where(F.col(REASON).isNull()).select(
        *[_typed(annotated, spec).alias(spec.name) for spec in contract.columns],
        *[F.col(f"{c}_norm") for c in contract.keyphrase_columns],
        *[F.col(c) for c in original if c not in {s.name for s in contract.columns}],
    )
    rejects = rejects_frame(
        annotated.where(F.col(REASON).isNotNull()), contract.name, F.col(REASON), run_id
    )
    totals = annotated.agg(
        F.count(F.lit(1)).alias("read"), F.count(REASON).alias("rejected")
    ).first()
    read, rejected = int(totals["read"]), int(totals["rejected"])
    log.info(
        "input %s: read %s rows, kept %s, rejected %s",
        contract.name,
        f"{read:,}",
        f"{read - rejected:,}",
        f"{rejected:,}",
    )
    return ValidatedTable(contract.name, valid, rejects, read, read - rejected, rejected, annotated)


def split_unknown_references(
    frame: DataFrame,
    contract: TableContract,
    references: DataFrame,
    column: str,
    run_id: str,
) -> tuple[DataFrame, DataFrame]:
    """(rows of `frame` whose `column` exists in `references`, rejects for the others).

    `references` holds the distinct valid values of `column` (e.g. the catalog's item ids).
    """
    known = references.select(F.col(column).alias("_ref")).distinct()
    marked = frame.join(known, frame[column] == F.col("_ref"), how="left")
    unknown = marked.where(F.col("_ref").isNull()).drop("_ref")
    contract_columns = [spec.name for spec in contract.columns]
    unknown = unknown.withColumn(
        ROW_JSON, F.to_json(F.struct(*[F.col(c) for c in contract_columns]))
    )
    base = column.removesuffix("_norm")
    rejects = rejects_frame(unknown, contract.name, F.lit(f"{base}: unknown {base}"), run_id)
    return marked.where(F.col("_ref").isNotNull()).drop("_ref"), rejects


def rejects_frame(frame: DataFrame, source_table: str, reason: Column, run_id: str) -> DataFrame:
    """Rows of `frame` (which holds `_row_json`) in the `rejects` table's schema.

    `reject_id` identifies a rejected row across reruns: the same row rejected for the same
    reason by a later run is the same reject, so reruns never duplicate it. Identical rows are
    told apart by their occurrence number, so none of them is lost.
    """
    occurrence = F.row_number().over(Window.partitionBy(F.col(ROW_JSON)).orderBy(F.col(ROW_JSON)))
    return frame.select(
        F.sha2(
            F.concat_ws("\u0001", F.lit(source_table), F.col(ROW_JSON), reason, occurrence), 256
        ).alias("reject_id"),
        F.lit(source_table).alias("source_table"),
        F.col(ROW_JSON).alias("row_json"),
        reason.alias("reason"),
        F.lit(run_id).alias("run_id"),
        F.current_timestamp().alias("rejected_at"),
    )
