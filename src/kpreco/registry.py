"""The model registry: `output.root/models/<kind>/<version>/`, a standard model folder plus
`kpreco_model.json` (version, parent model, training data, metrics, anything the stage adds),
whose model card (`README.md`) gains a lineage section from the same metadata.

Training runs on the driver and saves to a local folder; for a remote output root (HDFS, S3)
the folder is copied there through Hadoop's FileSystem. Later stages pick a version from
config or take the newest.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession

from kpreco import files
from kpreco.config import Config
from kpreco.judge.key import JudgeKey
from kpreco.model_card import add_lineage

METADATA_FILE = "kpreco_model.json"


class ModelVersionNotFound(FileNotFoundError):
    """No trained model of that kind (or that version) in the registry."""


def models_root(config: Config, kind: str) -> str:
    return config.table_path(f"models/{kind}")


def new_version(prefix: str) -> str:
    """A sortable, unique version id: prefix-UTC timestamp-random."""
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


def publish(
    spark: SparkSession, local_folder: Path, config: Config, kind: str, version: str, metadata: dict
) -> str:
    """Write metadata into `local_folder` and copy it to models/<kind>/<version>."""
    record = {
        "version": version,
        "kind": kind,
        "created_at": datetime.now(UTC).isoformat(),
        **metadata,
    }
    (local_folder / METADATA_FILE).write_text(json.dumps(record, indent=2, default=str))
    add_lineage(local_folder, json.loads(json.dumps(record, default=str)))
    target = location(config, kind, version)
    files.copy_from_local(spark, local_folder, target)
    return target


def list_versions(spark: SparkSession, config: Config, kind: str) -> list[dict]:
    """Metadata of every version of `kind`, oldest first."""
    pattern = f"{models_root(config, kind)}/*/{METADATA_FILE}"
    found = [json.loads(files.read_text(spark, path)) for path in files.glob(spark, pattern)]
    return sorted(found, key=lambda meta: (meta["created_at"], meta["version"]))


def resolve(
    spark: SparkSession, config: Config, kind: str, version: str | None, where: dict | None = None
) -> tuple[str, dict]:
    """(location, metadata) of `version`, or of the newest version matching `where`."""
    candidates = list_versions(spark, config, kind)
    if version:
        candidates = [meta for meta in candidates if meta["version"] == version]
    for key, value in (where or {}).items():
        candidates = [meta for meta in candidates if meta.get(key) == value]
    if not candidates:
        wanted = f"version {version}" if version else "any version"
        raise ModelVersionNotFound(
            f"no {kind} model ({wanted}{', ' + str(where) if where else ''}) under "
            f"{models_root(config, kind)}: train one first"
        )
    chosen = candidates[-1]
    return f"{models_root(config, kind)}/{chosen['version']}", chosen


def location(config: Config, kind: str, version: str) -> str:
    """Where version `version` of `kind` is registered."""
    return f"{models_root(config, kind)}/{version}"


def local_copy(spark: SparkSession, location: str) -> Path:
    """A local folder holding the registered model at `location` (copied when remote)."""
    if "://" not in location or location.startswith("file:"):
        return Path(location.removeprefix("file:"))
    folder = files.scratch_folder("model-")
    files.copy_to_local(spark, location, folder / "model")
    return folder / "model"


# The two model kinds, and how a later stage finds the one it should use.
STUDENT, ASSISTANT = "bi_encoder", "cross_encoder"


def assistant_filter(config: Config) -> dict:
    """The registry filter for `cross_encoder.version: null`: trained on the configured judge."""
    key = JudgeKey.of(config.judge)
    return {"judge_model": key.model, "prompt_version": key.prompt_version}


def resolve_student(spark: SparkSession, config: Config) -> tuple[str, dict]:
    """The configured student: `bi_encoder.version`, else the newest of the configured preset."""
    version = config.bi_encoder.version
    where = None if version else {"preset": config.bi_encoder.preset}
    return resolve(spark, config, STUDENT, version, where)


def resolve_assistant(spark: SparkSession, config: Config) -> tuple[str, dict]:
    """The configured cross-encoder: `cross_encoder.version`, else the newest trained on the
    configured judge."""
    version = config.cross_encoder.version
    return resolve(spark, config, ASSISTANT, version, None if version else assistant_filter(config))


def version_made_of(spark: SparkSession, config: Config, kind: str, fingerprint: str) -> str | None:
    """The newest registered version of `kind` whose training inputs had `fingerprint`."""
    matches = [m for m in list_versions(spark, config, kind) if m.get("fingerprint") == fingerprint]
    return matches[-1]["version"] if matches else None
