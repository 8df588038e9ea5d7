"""Reading and validating the input tables named in `inputs.*`."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from kpreco.config import Config, absolute_location
from kpreco.contract import CONTRACTS
from kpreco.log import StageRecord
from kpreco.tables import read_table
from kpreco.validate import ContractViolation, ValidatedTable, check_schema, validate_table


def input_path(config: Config, name: str) -> str:
    path = getattr(config.inputs, name)
    if path is None:
        raise ValueError(f"config key 'inputs.{name}' is not set, and this stage needs it")
    return absolute_location(path)


# References may be empty (the judge then falls back to its default threshold, and says so);
# an empty catalog or traffic table is an upstream failure, not a quiet night.
MAY_BE_EMPTY = frozenset({"human_labels", "truth"})


def check_not_empty(frame: DataFrame, name: str, path: str) -> None:
    if name in MAY_BE_EMPTY or frame.limit(1).count() > 0:
        return
    raise ContractViolation(
        f"input table '{name}' at {path} has 0 rows: nothing to work on (an upstream export "
        "probably failed); the job stops before any work"
    )


def load_inputs(
    spark: SparkSession, config: Config, names: list[str], record: StageRecord
) -> dict[str, ValidatedTable]:
    """Validate every named input: all schemas first (so a bad one stops before any work),
    then rows. Counts of read, kept and rejected rows go into `record`."""
    frames = {
        name: read_table(spark, name, input_path(config, name), config.inputs.format)
        for name in names
    }
    # Every table's schema problems in one error, so a user fixes them all in one go.
    problems = []
    for name, frame in frames.items():
        try:
            check_schema(frame, CONTRACTS[name])
        except ContractViolation as error:
            problems.append(str(error))
    if problems:
        raise ContractViolation("\n".join(problems))
    for name, frame in frames.items():
        check_not_empty(frame, name, input_path(config, name))
    validated = {}
    for name, frame in frames.items():
        table = validate_table(frame, CONTRACTS[name], config.validation, config.run_id)
        record.counts.update(
            {
                f"{name}_read": table.read,
                f"{name}_kept": table.kept,
                f"{name}_rejected": table.rejected,
            }
        )
        validated[name] = table
    return validated


def load_references(
    spark: SparkSession, config: Config, record: StageRecord, with_catalog: bool = False
) -> dict[str, ValidatedTable]:
    """`human_labels` and `truth` where configured (plus items and keyphrases when asked),
    validated, their rejects written."""
    from kpreco.bookkeeping import write_rejects

    references = [name for name in ("human_labels", "truth") if getattr(config.inputs, name)]
    catalog = ["items", "keyphrases"] if with_catalog else []
    if not references and not catalog:
        return {}
    tables = load_inputs(spark, config, [*catalog, *references], record)
    write_rejects(spark, config, [tables[name].rejects for name in references])
    return tables


def valid_or_none(tables: dict[str, ValidatedTable], name: str):
    return tables[name].valid if name in tables else None
