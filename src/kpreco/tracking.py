"""Run tracking in MLflow: each job is a run, each stage a nested run, each newly trained model
an MLflow model registered under a stable name.

What a run logs: the resolved config as parameters (config holds no secrets by design: an API
key is named by the environment variable that holds it), the job's metrics (the evaluation's
headline numbers with their bootstrap intervals, the judge's agreement), and per stage its row
counts, time, run/skip decision, details and reports (`judge.json`, `metrics.json`,
`report.html`) as artifacts. A student is logged with MLflow's sentence-transformers flavour
(`kpreco-student-<preset>`); a cross-encoder, which that flavour cannot load, as a Python model
wrapping its sentence-transformers folder (`kpreco-cross-encoder`). A model a stage reuses is
logged too when MLflow's registry lacks it (the first tracked run of an existing deployment),
never twice. Each registered version
carries the kpreco lineage (registry version, judge, prompt version, training-data fingerprint,
parent model) as tags and its model-card section as description.

kpreco's own registry (`kpreco.registry`) stays the source of truth that later stages resolve;
MLflow mirrors it (docs/DESIGN.md says why). Tracking never fails a job: the first error (no
server, no MLflow installed) becomes one warning and tracking is off for the rest of the job.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from kpreco import __version__, registry
from kpreco.config import Config, absolute_location, config_summary
from kpreco.log import StageRecord, get_logger
from kpreco.model_card import lineage_markdown, model_judge

log = get_logger(__name__)

PARENT_TAG = "mlflow.parentRunId"
EXPERIMENT_KIND_TAG, MODEL_TRAINING = "mlflow.experimentKind", "custom_model_development"
MAX_PARAM_LENGTH = 6000  # MLflow's limit on a parameter value
BATCH = 100  # MLflow's limit on parameters per log_batch call
CROSS_ENCODER_MODEL = "kpreco-cross-encoder"
MODEL_REQUIREMENTS = ("sentence-transformers", "transformers", "torch")


def student_model_name(preset: str) -> str:
    return f"kpreco-student-{preset}"


def tracking_uri(config: Config) -> str | None:
    """tracking.uri, else $MLFLOW_TRACKING_URI, else SQLite under a local output.root."""
    if config.tracking.uri:
        return config.tracking.uri
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    root = absolute_location(config.output.root)
    if "://" in root and not root.startswith("file:"):
        return None
    return f"sqlite:///{Path(root.removeprefix('file:')) / 'mlflow' / 'mlflow.db'}"


def artifact_root(config: Config) -> str | None:
    """Where the local default store keeps artifacts (beside its database); None otherwise."""
    uri = tracking_uri(config)
    if not uri or not uri.startswith("sqlite:///") or config.tracking.uri:
        return None
    return Path(uri.removeprefix("sqlite:///")).parent.joinpath("artifacts").as_uri()


def metric_key(name: str) -> str:
    """A name MLflow accepts (letters, digits, _ - . space : /): "@" reads as "_at_"."""
    return re.sub(r"[^A-Za-z0-9_\-. :/]", "_", name.replace("@", "_at_"))


def flat_params(data: Any, prefix: str = "") -> dict[str, str]:
    """Nested config data as dotted parameter names with string values (MLflow's length cap)."""
    if isinstance(data, dict):
        flat: dict[str, str] = {}
        for key, value in data.items():
            flat.update(flat_params(value, f"{prefix}{key}."))
        return flat
    text = data if isinstance(data, str) else json.dumps(data, default=str)
    return {metric_key(prefix.rstrip(".")): text[:MAX_PARAM_LENGTH]}


def _pins() -> list[str]:
    return [f"{name}=={package_metadata.version(name)}" for name in MODEL_REQUIREMENTS]


class RunTracker:
    """One job's MLflow run. Every public method is safe to call: errors only warn, once."""

    def __init__(self, spark: SparkSession, config: Config, job: str) -> None:
        self.spark, self.config, self.job = spark, config, job
        self.client = None
        self.run_id: str | None = None
        self.uri = tracking_uri(config) if config.tracking.enabled else None
        if config.tracking.enabled and self.uri is None:
            log.warning(
                "tracking off: output.root %s is remote; set tracking.uri or MLFLOW_TRACKING_URI",
                config.output.root,
            )
        if self.uri:
            self._guarded(self._start)

    @property
    def active(self) -> bool:
        return self.run_id is not None

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as error:  # tracking must never fail a job
            log.warning("tracking off for this job (MLflow at %s): %s", self.uri, error)
            self.run_id = None

    def _start(self) -> None:
        if self.uri.startswith("http"):
            # A server that is down costs seconds, not MLflow's default minutes of retries.
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
            os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
        if self.uri.startswith("sqlite:///"):
            Path(self.uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        import mlflow
        from mlflow.tracking import MlflowClient

        logging.getLogger("alembic").setLevel(logging.WARNING)  # the store's schema migrations
        mlflow.set_tracking_uri(self.uri)
        self.client = MlflowClient(self.uri)
        name = self.config.tracking.experiment
        found = self.client.get_experiment_by_name(name)
        self.experiment_id = (
            found.experiment_id
            if found
            else self.client.create_experiment(name, artifact_location=artifact_root(self.config))
        )
        if not found or EXPERIMENT_KIND_TAG not in found.tags:
            # MLflow 3's UI opens an experiment without this tag in its GenAI (traces) view.
            self.client.set_experiment_tag(self.experiment_id, EXPERIMENT_KIND_TAG, MODEL_TRAINING)
        run = self.client.create_run(
            self.experiment_id,
            run_name=f"{self.job} {self.config.run_id}",
            tags={
                "kpreco.run_id": self.config.run_id,
                "kpreco.job": self.job,
                "kpreco.version": __version__,
            },
        )
        self.run_id = run.info.run_id
        summary = config_summary(self.config)
        self._log_params(self.run_id, flat_params(summary))
        self.client.log_dict(self.run_id, summary, "config.json")
        log.info("tracking: MLflow run %s at %s", self.run_id, self.uri)

    def _log_params(self, run_id: str, params: dict[str, str]) -> None:
        from mlflow.entities import Param

        items = [Param(key, value) for key, value in params.items()]
        for start in range(0, len(items), BATCH):
            self.client.log_batch(run_id, params=items[start : start + BATCH])

    def _log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [
            Metric(metric_key(key), float(value), now, 0)
            for key, value in metrics.items()
            if isinstance(value, int | float)
        ]
        for start in range(0, len(items), BATCH * 10):
            self.client.log_batch(run_id, metrics=items[start : start + BATCH * 10])

    def stage_finished(self, record: StageRecord, succeeded: bool) -> None:
        """The stage as a nested run: counts and time, decision, details, reports, models."""
        if self.active:
            self._guarded(lambda: self._log_stage(record, succeeded))

    def _log_stage(self, record: StageRecord, succeeded: bool) -> None:
        run = self.client.create_run(
            self.experiment_id,
            start_time=int(record.started_at * 1000),
            run_name=record.name,
            tags={
                PARENT_TAG: self.run_id,
                "kpreco.run_id": self.config.run_id,
                "kpreco.stage": record.name,
                "kpreco.decision": record.details.get("decision", "ran"),
            },
        )
        stage_run = run.info.run_id
        self._log_params(
            stage_run, {metric_key(k): str(v)[:MAX_PARAM_LENGTH] for k, v in record.details.items()}
        )
        self._log_metrics(stage_run, {**record.counts, **record.metrics, "seconds": record.seconds})
        for location in record.artifacts:
            path = Path(location.removeprefix("file:"))
            if path.is_file():
                self.client.log_artifact(stage_run, str(path))
        if self.config.tracking.log_models:
            for location in record.published.values():
                self._log_model(stage_run, location)
        self.client.set_terminated(
            stage_run,
            "FINISHED" if succeeded else "FAILED",
            end_time=int((record.started_at + record.seconds) * 1000),
        )

    def _log_model(self, stage_run: str, location: str) -> None:
        import mlflow

        folder = registry.local_copy(self.spark, location)
        meta = json.loads((folder / registry.METADATA_FILE).read_text())
        student = meta["kind"] == registry.STUDENT
        name = student_model_name(meta.get("preset", "student")) if student else CROSS_ENCODER_MODEL
        if self._registered(name, meta["version"]):
            return
        started = time.perf_counter()
        with mlflow.start_run(run_id=stage_run):
            if student:
                from sentence_transformers import SentenceTransformer

                info = mlflow.sentence_transformers.log_model(
                    SentenceTransformer(str(folder), device="cpu"),
                    name="student",
                    registered_model_name=name,
                    pip_requirements=_pins(),
                    metadata={"kpreco_version": meta["version"]},
                )
            else:
                info = mlflow.pyfunc.log_model(
                    name="cross_encoder",
                    python_model=_cross_encoder_model(),
                    artifacts={"cross_encoder": str(folder)},
                    registered_model_name=name,
                    pip_requirements=_pins(),
                    metadata={"kpreco_version": meta["version"]},
                )
        version = str(info.registered_model_version)
        for key, value in lineage_tags(meta).items():
            self.client.set_model_version_tag(name, version, key, value)
        self.client.update_model_version(name, version, description=lineage_markdown(meta))
        log.info(
            "tracking: %s registered as %s version %s (%.0fs)",
            meta["version"],
            name,
            version,
            time.perf_counter() - started,
        )

    def _registered(self, name: str, version: str) -> bool:
        """Whether MLflow's registry holds kpreco model `version` under `name` already."""
        found = self.client.search_model_versions(f"name = '{name}'")
        return any(found_version.tags.get("kpreco_version") == version for found_version in found)

    def finish(self, succeeded: bool, metrics: dict[str, float], error: str | None = None) -> None:
        if not self.active:
            return

        def end() -> None:
            self._log_metrics(self.run_id, metrics)
            if error:
                self.client.set_tag(self.run_id, "kpreco.error", error[:MAX_PARAM_LENGTH])
            self.client.set_terminated(self.run_id, "FINISHED" if succeeded else "FAILED")
            log.info("tracking: open with `mlflow ui --backend-store-uri %s`", self.uri)

        self._guarded(end)


def lineage_tags(meta: dict) -> dict[str, str]:
    """A registered version's tags: what it was made of, from the kpreco registry metadata."""
    judge_model, prompt = model_judge(meta)
    tags = {
        "kpreco_version": meta.get("version"),
        "kind": meta.get("kind"),
        "preset": meta.get("preset"),
        "parent_model": meta.get("parent_model"),
        "judge_model": judge_model,
        "prompt_version": prompt,
        "cross_encoder": meta.get("cross_encoder"),
        "fingerprint": meta.get("fingerprint"),
        "training_data": json.dumps(meta.get("training_data"), default=str),
        "run_id": meta.get("run_id"),
    }
    return {key: str(value)[:MAX_PARAM_LENGTH] for key, value in tags.items() if value}


def _cross_encoder_model():
    """An MLflow Python model over a cross-encoder folder: predict takes a frame of `title`
    and `keyphrase` and returns the cross-encoder's own scores (the sigmoid of its logit), not
    kpreco's calibrated probability (the calibration is in `kpreco_model.json` beside it).
    Defined inside a function so that MLflow pickles the class itself and loading it does not
    need kpreco installed."""
    import mlflow

    class CrossEncoderModel(mlflow.pyfunc.PythonModel):
        def load_context(self, context):
            from sentence_transformers import CrossEncoder

            self.model = CrossEncoder(context.artifacts["cross_encoder"], device="cpu")

        def predict(self, context, model_input, params=None):
            pairs = list(zip(model_input["title"], model_input["keyphrase"], strict=True))
            return self.model.predict(pairs).tolist()

    return CrossEncoderModel()
