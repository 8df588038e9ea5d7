"""Stage `train_bi_encoder`: task datasets from `pairs`, `ce_scores` and `judgments` -> a
Matryoshka student in the registry (models/bi_encoder/<version>), one version per preset run."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco import files, registry
from kpreco.bi_encoder.datasets import collect_tasks, task_frames
from kpreco.bi_encoder.evaluation import RetrievalTask, retrieval_task
from kpreco.bi_encoder.train import train_bi_encoder
from kpreco.config import Config
from kpreco.cross_encoder.dataset import judged_pairs
from kpreco.judge.backends import judge_model_id, prompt_version
from kpreco.log import StageRecord, get_logger
from kpreco.stages.inputs import load_inputs, load_references, valid_or_none
from kpreco.stages.train_cross_encoder import resolve_cross_encoder, training_judgments_fingerprint
from kpreco.tables import content_fingerprint, is_delta_table, read_delta

log = get_logger(__name__)
KIND = "bi_encoder"


def _uses_cross_encoder(config: Config) -> bool:
    distill = config.bi_encoder.tasks.distill
    return distill.enabled and distill.source == "cross_encoder"


def _uses_judge(config: Config) -> bool:
    distill = config.bi_encoder.tasks.distill
    return distill.enabled and distill.source == "llm"


def _judged(spark: SparkSession, config: Config) -> DataFrame:
    return judged_pairs(
        read_delta(spark, config.table_path("judgments")),
        judge_model_id(config.judge),
        prompt_version(config.judge),
        config.pairs.split,
    )


def training_fingerprint(spark: SparkSession, config: Config) -> str:
    """Settings and the content of the inputs a student is trained on (test-split rows, which
    the evaluation adds to, do not count)."""
    inputs: dict = {
        "settings": config.bi_encoder.model_dump(mode="json", exclude={"version"}),
        "pairs": content_fingerprint(read_delta(spark, config.table_path("pairs"))),
    }
    if _uses_cross_encoder(config):
        inputs["cross_encoder"] = resolve_cross_encoder(spark, config)[1]["version"]
        inputs["ce_scores"] = content_fingerprint(
            read_delta(spark, config.table_path("ce_scores")).where(
                (F.col("ce_version") == inputs["cross_encoder"]) & (F.col("split") != "test")
            )
        )
    if _uses_judge(config):
        inputs["judge"] = [judge_model_id(config.judge), prompt_version(config.judge)]
        inputs["judgments"] = training_judgments_fingerprint(spark, config)
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def current_version(spark: SparkSession, config: Config) -> str | None:
    """A registered student of this preset trained on exactly the current inputs, if any."""
    if not is_delta_table(spark, config.table_path("pairs")):
        return None
    try:
        fingerprint = training_fingerprint(spark, config)
    except (FileNotFoundError, registry.ModelVersionNotFound):
        return None
    versions = registry.list_versions(spark, config, KIND)
    matches = [meta for meta in versions if meta.get("fingerprint") == fingerprint]
    return matches[-1]["version"] if matches else None


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


def run_train_bi_encoder(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    settings = config.bi_encoder
    pairs = read_delta(spark, config.table_path("pairs"))
    ce_version, ce_scores = None, None
    if _uses_cross_encoder(config):
        ce_version = resolve_cross_encoder(spark, config)[1]["version"]
        ce_scores = read_delta(spark, config.table_path("ce_scores"))
    judged = _judged(spark, config) if _uses_judge(config) else None
    tasks = collect_tasks(task_frames(settings, pairs, ce_scores, ce_version, judged))
    record.counts.update({f"{name}_pairs": len(frame) for name, frame in tasks.items()})
    validation = validation_tasks(spark, config, pairs, record)
    record.counts.update(
        {f"validation_{task.name}_items": len(task.queries) for task in validation}
    )
    model, metrics = train_bi_encoder(tasks, validation, settings)
    version = registry.new_version(f"bi-{settings.preset}")
    metadata = {
        "preset": settings.preset,
        "fingerprint": training_fingerprint(spark, config),
        "parent_model": settings.base_model,
        "cross_encoder": ce_version,
        "judge": [judge_model_id(config.judge), prompt_version(config.judge)]
        if judged is not None
        else None,
        "training_data": {name: len(frame) for name, frame in tasks.items()},
        "settings": settings.model_dump(mode="json"),
        "matryoshka_dims": settings.matryoshka_dims,
        "metrics": metrics,
        "run_id": config.run_id,
    }
    with tempfile.TemporaryDirectory(prefix="kpreco-bi-save-") as scratch:
        folder = Path(scratch) / version
        model.save(str(folder))
        location = registry.publish(spark, folder, config, KIND, version, metadata)
    report = {"version": version, "preset": settings.preset, **metrics}
    files.write_text(
        spark,
        f"{config.report_dir()}/bi_encoder_{settings.preset}.json",
        json.dumps(report, indent=2),
    )
    record.details["bi-encoder"] = f"{version} at {location}"
    for key, value in sorted((metrics.get("validation") or {}).items()):
        if key.endswith(f"_ndcg@{settings.evaluation.k}"):
            record.details[f"valid {key}"] = f"{value:.4f}"
    return {"version": version, **metrics}


def resolve_bi_encoder(spark: SparkSession, config: Config) -> tuple[str, dict]:
    version = config.bi_encoder.version
    where = None if version else {"preset": config.bi_encoder.preset}
    return registry.resolve(spark, config, KIND, version, where)
