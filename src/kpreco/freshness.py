"""Is a stage's output current for its inputs, settings and code? One module decides.

Tables: a stage that writes a table stamps its Delta commit (below); models: each registered
version records the fingerprint of what it was trained on (`assistant_fingerprint`,
`student_fingerprint`), and the pipeline reuses a version whose fingerprint matches.

A stage that writes a table stamps the commit with what it was made from (a fingerprint, in
Delta's `userMetadata`, shown by `DESCRIBE HISTORY`); the pipeline skips the stage when the
table's latest commit carries the fingerprint it would write now. Stamping the commit itself,
not a side file, means a table changed by anyone else is never mistaken for current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config
from kpreco.cross_encoder.dataset import judged_pairs
from kpreco.judge.key import JudgeKey
from kpreco.registry import resolve_assistant
from kpreco.tables import content_fingerprint, is_delta_table, latest_version, read_delta

USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata"


@cache
def code_digest() -> str:
    """A digest of kpreco's Python sources (from files or the shipped zip alike)."""
    digest = hashlib.sha256()

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}/{child.name}"
            if child.is_dir() and child.name != "__pycache__":
                walk(child, name)
            elif child.name.endswith(".py"):
                digest.update(name.encode() + b"\0" + child.read_bytes())

    walk(resources.files("kpreco"), "kpreco")
    return digest.hexdigest()[:16]


def fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]


@contextmanager
def stamped_commits(spark: SparkSession, stamp: dict) -> Iterator[None]:
    """Every Delta commit of this session inside the block carries `stamp` as userMetadata."""
    spark.conf.set(USER_METADATA, json.dumps(stamp, sort_keys=True))
    try:
        yield
    finally:
        spark.conf.unset(USER_METADATA)


def last_stamp(spark: SparkSession, path: str) -> dict | None:
    """The stamp of the table's latest commit; None when absent, unstamped or not a table."""
    if not is_delta_table(spark, path):
        return None
    row = DeltaTable.forPath(spark, path).history(1).select("userMetadata").first()
    if row is None or not row[0]:
        return None
    try:
        stamp = json.loads(row[0])
    except json.JSONDecodeError:
        return None
    return stamp if isinstance(stamp, dict) else None


@dataclass(frozen=True)
class Decision:
    """Whether the pipeline runs a stage, and why: logged, kept in the stage record and in the
    `runs` table (`stage_decisions`)."""

    run: bool
    reason: str

    def __str__(self) -> str:
        return f"{'ran' if self.run else 'skipped'}: {self.reason}"


# Stages that always run because they do only the missing work themselves.
INCREMENTAL = {
    "score_llm": "judges only the sampled pairs not in the judgments cache",
    "score_ce": "scores only the pairs this cross-encoder version has not scored",
    "recommend": "lists only new or changed items, or items listed under other models",
    "evaluate": "measures every model on this run's test items",
}


def incremental(stage: str) -> Decision:
    return Decision(True, INCREMENTAL[stage])


def tables_decision(spark: SparkSession, paths: list[str], wanted: str, what: str) -> Decision:
    """Skip when every table's latest commit carries fingerprint `wanted`; else say what
    differs (`what` names the inputs, e.g. "the inputs and pair settings")."""
    stamps = [last_stamp(spark, path) for path in paths]
    if all(stamp and stamp.get("fingerprint") == wanted for stamp in stamps):
        return Decision(False, f"{what} unchanged since run {stamps[0].get('run_id', '?')}")
    missing = [path for path, stamp in zip(paths, stamps, strict=True) if not stamp]
    if missing:
        return Decision(True, f"no stamped output yet at {', '.join(missing)}")
    runs = sorted({str(stamp.get("run_id", "?")) for stamp in stamps})
    return Decision(True, f"{what} changed since run {', '.join(runs)}")


def model_decision(pinned: str | None, current: str | None, kind: str) -> Decision:
    """Skip training when a version is pinned in config or one was trained on exactly the
    current inputs and settings."""
    if pinned:
        return Decision(False, f"using {pinned} (pinned in config)")
    if current:
        return Decision(False, f"using {current}, trained on these very inputs and settings")
    return Decision(True, f"no {kind} trained on the current inputs and settings")


# A pipeline run asks for the content of the same table several times (once per student);
# Delta's version number names a table's content exactly, so each is computed once.
_CONTENT: dict[tuple[str, int, str], str] = {}


def table_content(
    spark: SparkSession, path: str, what: str, frame: Callable[[DataFrame], DataFrame]
) -> str:
    """`content_fingerprint(frame(table))` for the Delta table at `path`, once per table version
    and `what` (a name for the selection `frame` makes) in this process."""
    key = (path, latest_version(spark, path), what)
    if key not in _CONTENT:
        _CONTENT[key] = content_fingerprint(frame(read_delta(spark, path)))
    return _CONTENT[key]


def _training_judgments(spark: SparkSession, config: Config) -> str:
    """The judge's train/valid judgments (test-split ones, the evaluation's among them, do not
    count: they are never learnt from)."""
    key, split = JudgeKey.of(config.judge), config.pairs.split
    return table_content(
        spark,
        config.table_path("judgments"),
        f"training judgments of {key} split {split.model_dump_json()}",
        lambda judgments: judged_pairs(judgments, key, split).where(F.col("split") != "test"),
    )


def assistant_fingerprint(spark: SparkSession, config: Config) -> str:
    """What a cross-encoder version is made of: its settings, the judge, the split, the
    content of the train/valid judgments and, when it warms up on weak labels, of `pairs`.
    Equal fingerprints mean retraining would learn from exactly the same data."""
    inputs = {
        "settings": config.cross_encoder.model_dump(mode="json", exclude={"version", "score"}),
        "judge": JudgeKey.of(config.judge).as_list(),
        "split": config.pairs.split.model_dump(mode="json"),
        "judgments": _training_judgments(spark, config),
    }
    if config.cross_encoder.weak_labels.enabled:
        inputs["pairs"] = table_content(spark, config.table_path("pairs"), "all", lambda p: p)
    return fingerprint(inputs)


def student_fingerprint(spark: SparkSession, config: Config) -> str:
    """What a student is made of: its settings and the content of what it is trained on
    (`pairs`; the assistant's version and its non-test scores, or the judge's judgments)."""
    distill = config.bi_encoder.tasks.distill
    inputs: dict = {
        "settings": config.bi_encoder.model_dump(mode="json", exclude={"version"}),
        "pairs": table_content(spark, config.table_path("pairs"), "all", lambda pairs: pairs),
    }
    if distill.enabled and distill.source == "cross_encoder":
        version = inputs["cross_encoder"] = resolve_assistant(spark, config)[1]["version"]
        inputs["ce_scores"] = table_content(
            spark,
            config.table_path("ce_scores"),
            f"non-test scores of {version}",
            lambda scores: scores.where(
                (F.col("ce_version") == version) & (F.col("split") != "test")
            ),
        )
    if distill.enabled and distill.source == "llm":
        inputs["judge"] = JudgeKey.of(config.judge).as_list()
        inputs["judgments"] = _training_judgments(spark, config)
    return fingerprint(inputs)
