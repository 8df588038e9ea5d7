"""Finding, reading and validating the input tables named in `inputs.*`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import DataFrame, SparkSession

from kpreco import files
from kpreco.config import REFERENCE_INPUTS, Config, absolute_location
from kpreco.contract import CONTRACTS
from kpreco.freshness import last_stamp
from kpreco.log import StageRecord, get_logger
from kpreco.run_records import write_rejects
from kpreco.tables import InputNotFound, read_table
from kpreco.validate import ContractViolation, ValidatedTable, check_schema, validate_table

log = get_logger(__name__)

# How a table may sit in `inputs.dir`: a Delta or Parquet folder, or CSV / Parquet files.
DIR_SUFFIXES = ("", ".csv", ".csv.gz", ".parquet")
SIMULATOR = "simulate"  # the `stage` of the simulator's commit stamp (kpreco.stages.simulate)


def _found_in_dir(spark: SparkSession, config: Config, name: str) -> list[str]:
    base = config.inputs.in_dir(name)
    return [
        base + suffix
        for suffix in DIR_SUFFIXES
        if files.exists(spark, absolute_location(base + suffix))
    ]


def _simulation_of(spark: SparkSession, path: str) -> dict | None:
    """The simulator's commit stamp when the table at `path` was last written by it."""
    stamp = last_stamp(spark, absolute_location(path))
    return stamp if stamp and stamp.get("stage") == SIMULATOR else None


def resolve_inputs(spark: SparkSession, config: Config, simulating: bool = False) -> Config:
    """`config` with every input table's location settled, checked before the first stage.

    - A table named in `inputs.<name>` must exist (unless this run simulates it): every missing
      one is reported in one error, so a wrong path costs seconds, not a stage.
    - A table left to `inputs.dir` is found there as `<name>`, `<name>.csv`, `<name>.csv.gz`
      or `<name>.parquet`; a reference (human_labels, truth) not there is simply absent.
    - On your own data (simulate.enabled false), a table the simulator wrote is never mixed
      with tables it did not write in the same simulation: a reference is left out (with a
      warning, and the reason in the reports), a required table is an error.
    """
    inputs, notes, problems = config.inputs, {}, []
    located: dict[str, str | None] = {}
    for name in CONTRACTS:
        path = getattr(inputs, name)
        if simulating or path is None:
            located[name] = path
            if path is None:
                notes[name] = f"inputs.{name} is not set"
            continue
        if path == inputs.in_dir(name):
            found = _found_in_dir(spark, config, name)
            if len(found) > 1:
                problems.append(f"inputs.dir holds {name} more than once: {', '.join(found)}")
            elif found:
                located[name] = found[0]
            elif name in REFERENCE_INPUTS:
                located[name] = None
                notes[name] = f"inputs.{name} is not set, and inputs.dir ({inputs.dir}) has none"
            else:
                suffixes = "|".join(s for s in DIR_SUFFIXES if s)
                problems.append(
                    f"input table '{name}': nothing at {inputs.in_dir(name)}[{suffixes}] "
                    f"(inputs.dir); set inputs.{name} or put the table there"
                )
        elif files.exists(spark, absolute_location(path)):
            located[name] = path
        else:
            problems.append(f"input table '{name}': nothing at {path} (inputs.{name})")
    if problems:
        raise InputNotFound("the inputs of this run are not all there:\n  " + "\n  ".join(problems))
    if not simulating and not config.simulate.enabled:
        _keep_simulations_apart(spark, located, notes)
    resolved = config.model_copy(update={"inputs": inputs.model_copy(update=located)})
    resolved._input_notes = notes
    for name, path in located.items():
        log.info("input %s: %s", name, path if path else f"none ({notes[name]})")
    return resolved


def _keep_simulations_apart(
    spark: SparkSession, located: dict[str, str | None], notes: dict[str, str]
) -> None:
    """Leave out (references) or refuse (required tables) simulator output that does not
    belong to the same simulation as the items."""
    items = _simulation_of(spark, located["items"])
    wanted = items.get("fingerprint") if items else None
    problems = []
    for name, path in located.items():
        if name == "items" or path is None:
            continue
        simulated = _simulation_of(spark, path)
        if simulated is None or simulated.get("fingerprint") == wanted:
            continue
        why = (
            f"{path} holds the simulator's sample data (run {simulated.get('run_id')}), and the "
            "items of this run are not from that simulation"
        )
        if name in REFERENCE_INPUTS:
            log.warning("input %s left out: %s; name your own with inputs.%s", name, why, name)
            located[name], notes[name] = None, f"left out: {why}"
        else:
            problems.append(f"inputs.{name}: {why}; point inputs.{name} at your own table")
    if problems:
        raise ContractViolation("\n".join(problems))


def configured_references(config: Config) -> list[str]:
    """The reference tables (human_labels, truth) this run reads: those with a location."""
    return [name for name in REFERENCE_INPUTS if getattr(config.inputs, name)]


def input_path(config: Config, name: str) -> str:
    path = getattr(config.inputs, name)
    if path is None:
        raise ValueError(f"config key 'inputs.{name}' is not set, and this stage needs it")
    return absolute_location(path)


# References may be empty (the judge then falls back to its default threshold, and says so);
# an empty catalog or traffic table is an upstream failure, not a quiet night.
MAY_BE_EMPTY = frozenset(REFERENCE_INPUTS)


def check_not_empty(frame: DataFrame, name: str, path: str) -> None:
    if name in MAY_BE_EMPTY or frame.limit(1).count() > 0:
        return
    raise ContractViolation(
        f"input table '{name}' at {path} has 0 rows: nothing to work on (an upstream export "
        "probably failed); the job stops before any work"
    )


# Inputs validated in the running job (`validated_once`), by what makes a validation the same:
# a pipeline validates each input once, every later stage and student reads the same persisted
# frames, and they are released when the job ends. Outside a job (tests calling stages
# directly, a notebook) every call validates afresh.
_VALIDATED: dict[tuple[str, ...], ValidatedTable] | None = None


@contextmanager
def validated_once() -> Iterator[None]:
    global _VALIDATED
    _VALIDATED = {}
    try:
        yield
    finally:
        for table in _VALIDATED.values():
            table.release()
        _VALIDATED = None


def _validation_key(config: Config, name: str) -> tuple[str, ...]:
    return (
        name,
        input_path(config, name),
        str(config.inputs.format),
        config.validation.model_dump_json(),
        config.run_id,
    )


def load_inputs(
    spark: SparkSession, config: Config, names: list[str], record: StageRecord
) -> dict[str, ValidatedTable]:
    """Validate every named input: all schemas first (so a bad one stops before any work),
    then rows; the rejects of each newly validated table go to `rejects` (one commit). Counts
    of read, kept and rejected rows go into `record`."""
    known = _VALIDATED if _VALIDATED is not None else {}
    fresh = [name for name in names if _validation_key(config, name) not in known]
    frames = {
        name: read_table(spark, name, input_path(config, name), config.inputs.format)
        for name in fresh
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
    validated = {
        name: validate_table(frame, CONTRACTS[name], config.validation, config.run_id)
        for name, frame in frames.items()
    }
    write_rejects(spark, config, [t.rejects for t in validated.values() if t.rejected])
    if _VALIDATED is not None:
        _VALIDATED.update({_validation_key(config, name): t for name, t in validated.items()})
    tables = {name: validated.get(name) or known[_validation_key(config, name)] for name in names}
    for name, table in tables.items():
        record.counts.update(
            {
                f"{name}_read": table.read,
                f"{name}_kept": table.kept,
                f"{name}_rejected": table.rejected,
            }
        )
    return tables


def load_references(
    spark: SparkSession, config: Config, record: StageRecord, with_catalog: bool = False
) -> dict[str, ValidatedTable]:
    """`human_labels` and `truth` where configured (plus items and keyphrases when asked),
    validated."""
    references = configured_references(config)
    catalog = ["items", "keyphrases"] if with_catalog else []
    if not references and not catalog:
        return {}
    return load_inputs(spark, config, [*catalog, *references], record)


def valid_or_none(tables: dict[str, ValidatedTable], name: str):
    return tables[name].valid if name in tables else None
