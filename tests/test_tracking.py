"""MLflow tracking against a real local store (SQLite): a job run with a nested stage run, its
metrics, parameters and artifacts; registered models that load back; a server that is down."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from kpreco import registry
from kpreco.embedding import PACKAGED_MINILM, resolve_encoder_path
from kpreco.log import StageRecord, stage, stage_listener
from kpreco.tracking import (
    CROSS_ENCODER_MODEL,
    RunTracker,
    flat_params,
    metric_key,
    student_model_name,
    tracking_uri,
)
from tests.conftest import make_test_config


def test_metric_keys_and_params_are_what_mlflow_accepts() -> None:
    assert metric_key("evaluate.served (item_keyphrases).true_ndcg@10") == (
        "evaluate.served _item_keyphrases_.true_ndcg_at_10"
    )
    assert flat_params({"judge": {"model": "m", "sample": {"clicked": 3}}, "ablations": ["a"]}) == {
        "judge.model": "m",
        "judge.sample.clicked": "3",
        "ablations": '["a"]',
    }
    assert len(flat_params({"long": "x" * 7000})["long"]) == 6000


def test_default_store_lives_under_a_local_output_root(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    config = make_test_config(tmp_path)
    assert tracking_uri(config) == f"sqlite:///{tmp_path / 'out' / 'mlflow' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    assert tracking_uri(config) == "http://tracking.example:5000"
    remote = make_test_config(tmp_path, "output.root=hdfs:///kpreco/out")
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert tracking_uri(remote) is None


def _published(spark, config, kind: str, version: str, meta: dict) -> str:
    """A real model folder registered through kpreco's registry (the packaged MiniLM)."""
    from sentence_transformers import CrossEncoder, SentenceTransformer

    folder = Path(config.output.root) / "scratch" / version
    path = str(resolve_encoder_path(PACKAGED_MINILM))
    if kind == registry.STUDENT:
        model = SentenceTransformer(path, device="cpu")
    else:
        model = CrossEncoder(path, num_labels=1, max_length=32, device="cpu")
    model.save(str(folder))
    return registry.publish(spark, folder, config, kind, version, meta)


def test_a_job_and_its_stages_and_models_are_tracked(spark, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    config = make_test_config(tmp_path, "tracking.enabled=true", "run_id=tracked-1")
    judge = ["llamacpp:smollm2", "instruction-abc"]
    student = _published(
        spark,
        config,
        registry.STUDENT,
        "bi-ctr_only-1",
        {
            "preset": "ctr_only",
            "fingerprint": "f1",
            "parent_model": PACKAGED_MINILM,
            "judge": judge,
            "training_data": {"ctr": 12},
            "run_id": "tracked-1",
        },
    )
    assistant = _published(
        spark,
        config,
        registry.ASSISTANT,
        "ce-1",
        {
            "fingerprint": "f2",
            "parent_model": PACKAGED_MINILM,
            "judge_model": judge[0],
            "prompt_version": judge[1],
            "training_data": {"train": 30},
            "run_id": "tracked-1",
        },
    )
    report = tmp_path / "report.html"
    report.write_text("<html>report</html>")

    tracker = RunTracker(spark, config, "pipeline")
    assert tracker.active
    with stage_listener(tracker.stage_finished):
        with stage("train") as record:
            record.counts["pairs"] = 42
            record.metrics["evaluate.served (item_keyphrases).true_ndcg@10"] = 0.5
            record.details["decision"] = "ran: no model trained on these inputs"
            record.artifacts.append(str(report))
            record.published.update(student=student, assistant=assistant)
        with pytest.raises(RuntimeError), stage("broken"):
            raise RuntimeError("boom")
        with stage("reuse") as record:  # a later stage using the same student: not logged again
            record.published["student"] = student
    tracker.finish(True, {"evaluate.ctr_only.true_ndcg@10": 0.4})

    client = MlflowClient(tracking_uri(config))
    experiment = client.get_experiment_by_name("kpreco")
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    parent = client.get_run(tracker.run_id)
    assert parent.info.status == "FINISHED"
    assert parent.info.run_name == "pipeline tracked-1"
    assert parent.data.params["judge.model"] == config.judge.model
    assert parent.data.metrics["evaluate.ctr_only.true_ndcg_at_10"] == 0.4
    children = client.search_runs(
        [experiment.experiment_id], f"tags.`mlflow.parentRunId` = '{tracker.run_id}'"
    )
    by_name = {run.info.run_name: run for run in children}
    assert set(by_name) == {"train", "broken", "reuse"}
    train = by_name["train"]
    assert train.info.status == "FINISHED" and by_name["broken"].info.status == "FAILED"
    assert train.data.metrics["pairs"] == 42
    assert train.data.metrics["evaluate.served _item_keyphrases_.true_ndcg_at_10"] == 0.5
    assert train.data.tags["kpreco.decision"] == "ran: no model trained on these inputs"
    assert "report.html" in [f.path for f in client.list_artifacts(train.info.run_id)]

    versions = {
        name: client.search_model_versions(f"name = '{name}'")[0]
        for name in (student_model_name("ctr_only"), CROSS_ENCODER_MODEL)
    }
    assert len(client.search_model_versions(f"name = '{student_model_name('ctr_only')}'")) == 1
    tags = versions[student_model_name("ctr_only")].tags
    assert tags["kpreco_version"] == "bi-ctr_only-1"
    assert (tags["judge_model"], tags["prompt_version"]) == tuple(judge)
    assert json.loads(tags["training_data"]) == {"ctr": 12}
    assert versions[CROSS_ENCODER_MODEL].tags["fingerprint"] == "f2"
    assert "## kpreco lineage" in versions[CROSS_ENCODER_MODEL].description

    mlflow.set_tracking_uri(tracking_uri(config))
    loaded = mlflow.sentence_transformers.load_model(f"models:/{student_model_name('ctr_only')}/1")
    assert loaded.encode(["red bike"]).shape == (1, 384)
    scorer = mlflow.pyfunc.load_model(f"models:/{CROSS_ENCODER_MODEL}/1")
    scores = scorer.predict(pd.DataFrame({"title": ["Red bike"], "keyphrase": ["red bike"]}))
    assert len(scores) == 1


def test_a_tracking_server_that_is_down_is_a_warning(spark, tmp_path: Path, caplog) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = make_test_config(
        tmp_path, "tracking.enabled=true", f"tracking.uri=http://127.0.0.1:{port}"
    )
    with caplog.at_level(logging.WARNING, logger="kpreco"):
        tracker = RunTracker(spark, config, "pipeline")
    assert not tracker.active
    assert any("tracking off for this job" in r.getMessage() for r in caplog.records)
    with stage_listener(tracker.stage_finished), stage("still runs") as record:
        record.counts["rows"] = 1
    tracker.finish(True, {"x": 1.0})  # a no-op, never an error


def test_tracking_off_logs_nothing(spark, tmp_path: Path) -> None:
    config = make_test_config(tmp_path)  # conf/test.yaml: tracking.enabled false
    tracker = RunTracker(spark, config, "pipeline")
    tracker.stage_finished(StageRecord("s"), True)
    tracker.finish(True, {})
    assert not tracker.active
    assert not (tmp_path / "out" / "mlflow").exists()
