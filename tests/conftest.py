"""Shared fixtures: one local Spark session with real Delta Lake for the whole test run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from kpreco.config import Config, load_config
from kpreco.judge.server import serve
from kpreco.session import build_spark

ROOT = Path(__file__).resolve().parents[1]
TEST_CONFIG = ROOT / "conf" / "test.yaml"


def make_test_config(tmp_path: Path, *overrides: str) -> Config:
    """conf/test.yaml with every input and output under `tmp_path`."""
    inputs = tmp_path / "inputs"
    paths = [
        f"inputs.{name}={inputs / name}"
        for name in (
            "items",
            "keyphrases",
            "search_events",
            "search_relevance",
            "human_labels",
            "truth",
        )
    ]
    return load_config(
        TEST_CONFIG, [*paths, f"output.root={tmp_path / 'out'}", "run_id=test-run", *overrides]
    )


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> SparkSession:
    os.environ.setdefault("PYSPARK_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
    config = make_test_config(tmp_path_factory.mktemp("spark"))
    session = build_spark(config)
    yield session
    session.stop()


@pytest.fixture()
def llm_server():
    """Start servers on ephemeral ports: `llm_server(api_key=..., fault_rate=..., seed=...)`."""
    started = []

    def start(**options):
        server = serve("packaged:smollm2-135m", "127.0.0.1", 0, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()


def base_url(server) -> str:
    return f"http://127.0.0.1:{server.server_port}/v1"
