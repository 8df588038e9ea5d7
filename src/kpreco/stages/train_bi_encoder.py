"""Stage `train_bi_encoder`: task datasets from `pairs`, `ce_scores` and `judgments` -> a
Matryoshka student in the registry (models/bi_encoder/<version>), one version per preset run."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco import files, registry
from kpreco.bi_encoder.datasets import collect_tasks, task_frames
from kpreco.bi_encoder.evaluation import RetrievalTask, retrieval_task
from kpreco.bi_encoder.train import task_pairs, train_bi_encoder
from kpreco.config import Config
from kpreco.cross_encoder.dataset import judged_pairs
from kpreco.freshness import student_fingerprint
from kpreco.inputs import load_inputs, load_references, valid_or_none
from kpreco.judge.key import JudgeKey
from kpreco.log import StageRecord, get_logger
from kpreco.tables import is_delta_table, read_delta

log = get_logger(__name__)


def _uses_cross_encoder(config: Config) -> bool:
    distill = config.bi_encoder.tasks.distill
    return distill.enabled and distill.source == "cross_encoder"


def _uses_judge(config: Config) -> bool:
    distill = config.bi_encoder.tasks.distill
    return distill.enabled and distill.source == "llm"


def _judged(spark: SparkSession, config: Config) -> DataFrame:
    judgments = read_delta(spark, config.table_path("judgments"))
    return judged_pairs(judgments, JudgeKey.of(config.judge), config.pairs.split)


def current_version(spark: SparkSession, config: Config) -> str | None:
    """A registered student of this preset trained on exactly the current inputs, if any."""
    if not is_delta_table(spark, config.table_path("pairs")):
        return None
    try:
        made_of = student_fingerprint(spark, config)
    except (FileNotFoundError, registry.ModelVersionNotFound):
        return None
    return registry.version_made_of(spark, config, registry.STUDENT, made_of)


def validation_tasks(
    spark: SparkSession, config: Config, pairs: DataFrame, record: StageRecord
) -> list[RetrievalTask]:
    """Retrieval over the vocabulary for validation items: against the truth when there is
    one (simulated data), and against the judge's positive labels."""
    items = pairs.where(F.col("split") == "valid").select("item_id", "title").distinct()
    vocabulary = (
        load_inputs(spark, config, ["keyphrases"], record)["keyphrases"]
        .valid.select(
            F.col("keyphrase_norm").alias("keyphrase"),
            F.col("keyphrase").alias("keyphrase_display"),
        )
        .toPandas()
    )
    items_local = items.toPandas()
    limit = config.bi_encoder.evaluation.max_items
    tasks = []
    truth = valid_or_none(load_references(spark, config, record), "truth")
    if truth is not None:
        positives = (
            truth.where(F.col("relevance") > 0)
            .join(items.select("item_id"), on="item_id", how="inner")
            .select("item_id", F.col("keyphrase_norm").alias("keyphrase"))
            .toPandas()
        )
        tasks.append(retrieval_task("truth", items_local, vocabulary, positives, limit))
    if is_delta_table(spark, config.table_path("judgments")):
        judged = _judged(spark, config).where((F.col("split") == "valid") & (F.col("label") == 1))
        positives = judged.select("item_id", "keyphrase").toPandas()
        tasks.append(retrieval_task("judged", items_local, vocabulary, positives, limit))
    return [task for task in tasks if task is not None]


def _task_table(task: str, settings) -> str:
    """The output table a task's labels come from (pairs joined with titles either way)."""
    if task != "distill":
        return "pairs"
    return "ce_scores" if settings.tasks.distill.source == "cross_encoder" else "judgments"


def run_train_bi_encoder(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    settings = config.bi_encoder
    pairs = read_delta(spark, config.table_path("pairs"))
    ce_version, ce_scores, judge = None, None, None
    if _uses_cross_encoder(config):
        assistant = registry.resolve_assistant(spark, config)[1]
        ce_version, judge = (
            assistant["version"],
            [
                assistant["judge_model"],
                assistant["prompt_version"],
            ],
        )
        ce_scores = read_delta(spark, config.table_path("ce_scores"))
    judged = _judged(spark, config) if _uses_judge(config) else None
    tasks = collect_tasks(task_frames(settings, pairs, ce_scores, ce_version, judged))
    distill = settings.tasks.distill
    if distill.enabled and len(tasks["distill"]) < 2:
        where = (
            f"train items of {config.table_path('pairs')} with at least {distill.group_size} "
            f"pairs, all scored by {ce_version} in {config.table_path('ce_scores')}"
            if distill.grouped()
            else f"train pairs with a {distill.source} score"
        )
        raise ValueError(
            f"preset {settings.preset}: the distillation task has {len(tasks['distill'])} "
            f"rows: no {where}. Lower bi_encoder.tasks.distill.group_size, run score_ce, or "
            "disable the task"
        )
    record.counts.update({f"{name}_pairs": task_pairs(frame) for name, frame in tasks.items()})
    if "distill" in tasks and "candidates" in tasks["distill"]:
        record.counts["distill_items"] = len(tasks["distill"])
    validation = validation_tasks(spark, config, pairs, record)
    record.counts.update(
        {f"validation_{task.name}_items": len(task.queries) for task in validation}
    )
    model, metrics = train_bi_encoder(tasks, validation, settings)
    version = registry.new_version(f"bi-{settings.preset}")
    metadata = {
        "preset": settings.preset,
        "fingerprint": student_fingerprint(spark, config),
        "parent_model": settings.base_model,
        "cross_encoder": ce_version,
        # The judge it learned from: directly, or through the assistant's scores.
        "judge": JudgeKey.of(config.judge).as_list() if judged is not None else judge,
        "training_data": {name: task_pairs(frame) for name, frame in tasks.items()},
        "training_tables": {name: config.table_path(_task_table(name, settings)) for name in tasks},
        "settings": settings.model_dump(mode="json"),
        "matryoshka_dims": settings.matryoshka_dims,
        "metrics": metrics,
        "run_id": config.run_id,
    }
    with tempfile.TemporaryDirectory(prefix="kpreco-bi-save-") as scratch:
        folder = Path(scratch) / version
        model.save(str(folder))
        location = registry.publish(spark, folder, config, registry.STUDENT, version, metadata)
    report = {"version": version, "preset": settings.preset, **metrics}
    report_file = f"{config.report_dir()}/bi_encoder_{settings.preset}.json"
    files.write_text(spark, report_file, json.dumps(report, indent=2))
    record.artifacts.append(report_file)
    record.details["bi-encoder"] = f"{version} at {location}"
    record.models[f"bi_encoder[{settings.preset}]"] = version
    record.published[f"bi_encoder[{settings.preset}]"] = location
    for key, value in sorted((metrics.get("validation") or {}).items()):
        if key.endswith(f"_ndcg@{settings.evaluation.k}"):
            record.details[f"valid {key}"] = f"{value:.4f}"
    return {"version": version, **metrics}
