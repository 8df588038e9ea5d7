"""The served index over the keyphrase vocabulary: built with `kpreco.embedding` by the student at
the served dimension, its recall against exact search measured on real titles, kept under
`output.root/indexes/<student>-d<dim>-<kind>-<vocabulary>` and reused by later runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from kpreco import files, registry
from kpreco.config import Config
from kpreco.embedding import (
    build_index,
    choose_kind,
    embed_vocabulary,
    recall_against_exact,
    write_index,
)
from kpreco.executor_files import ship_folder
from kpreco.log import StageRecord, get_logger
from kpreco.recommend.engine import INDEX_FILE, VOCABULARY_FILE, student_encoding

log = get_logger(__name__)


@dataclass(frozen=True)
class Models:
    student_version: str
    student_folder: Path
    cross_encoder_version: str | None
    cross_encoder_folder: Path | None
    calibration: dict | None


def resolve_models(spark: SparkSession, config: Config) -> Models:
    """The student to serve and, with the relevance filter on, the cross-encoder, as local
    folders."""
    location, student = registry.resolve_student(spark, config)
    if not config.recommend.relevance_filter.enabled:
        return Models(student["version"], registry.local_copy(spark, location), None, None, None)
    ce_location, ce = registry.resolve_assistant(spark, config)
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
    encoding = student_encoding(student_name, settings)
    vectors = embed_vocabulary(local, vocabulary, encoding)
    kind = choose_kind(settings, len(vectors))
    index = build_index(vectors, kind, settings)
    summary = {"kind": kind, "size": len(vectors), "dim": settings.dim}
    if sample_titles:
        local_student = replace(encoding, model=str(models.student_folder), shipped=False)
        queries = local_student.encode(sample_titles)
        summary["recall"] = recall_against_exact(index, vectors, queries, settings.candidates)
        summary["recall_queries"] = len(queries)
        log.info(
            "index %s: recall@%d vs exact = %.4f on %d titles",
            kind,
            settings.candidates,
            summary["recall"],
            len(queries),
        )
    folder.mkdir(parents=True, exist_ok=True)
    write_index(index, folder / INDEX_FILE)
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
    folder = files.scratch_folder("index-") / key
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
