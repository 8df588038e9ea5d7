"""Shared fixtures: one local Spark session with real Delta Lake for the whole test run."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config, load_config, with_preset
from kpreco.contract import CONTRACTS
from kpreco.judge.backends import judge_model_id, prompt_version
from kpreco.log import StageRecord
from kpreco.pairs.build import split_of
from kpreco.session import build_spark
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.train_bi_encoder import run_train_bi_encoder
from kpreco.stages.train_cross_encoder import run_train_cross_encoder
from kpreco.tables import overwrite_table
from tests.judge_server import serve

ROOT = Path(__file__).resolve().parents[1]
TEST_CONFIG = ROOT / "conf" / "test.yaml"


def make_test_config(tmp_path: Path, *overrides: str) -> Config:
    """conf/test.yaml with every input and output under `tmp_path`."""
    inputs = tmp_path / "inputs"
    paths = [f"inputs.{name}={inputs / name}" for name in CONTRACTS]
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


PRODUCTS = ["sofa", "lamp", "rug", "mug", "kettle", "jacket"]


def judged_rows(judge_model: str, version: str, n_items: int = 150) -> list[tuple]:
    """One judged pair per item: half relevant (the title's product), half not."""
    rows = []
    for index in range(n_items):
        product = PRODUCTS[index % len(PRODUCTS)]
        other = PRODUCTS[(index + 1) % len(PRODUCTS)]
        title = f"Brand{index % 7} Grey {product.title()} Model {index}"
        relevant = index % 2 == 0
        keyphrase = product if relevant else other
        p = 0.92 if relevant else 0.08
        rows.append(
            (
                f"it{index:04d}",
                keyphrase,
                title,
                None,
                keyphrase,
                judge_model,
                version,
                p,
                int(relevant),
                "ok",
                "clicked",
            )
        )
    return rows


JUDGMENT_SCHEMA = (
    "item_id string, keyphrase string, title string, category string, keyphrase_display string, "
    "judge_model string, prompt_version string, p_relevant double, label int, status string, "
    "pair_kind string"
)


def workspace_config(root: Path) -> Config:
    """The small-model settings of the judged workspace, with everything under `root`."""
    return make_test_config(
        root,
        "inputs.human_labels=null",
        "inputs.truth=null",
        "judge.backend=openai",
        "judge.openai.model=judge",
        "cross_encoder.epochs=1",
        "cross_encoder.batch_size=16",
        "cross_encoder.score.per_kind=40",
        "cross_encoder.score.partitions=2",
        "bi_encoder.batch_size=8",
        "bi_encoder.tasks.ctr.max_pairs=40",
        "bi_encoder.tasks.sr.max_pairs=40",
        "bi_encoder.tasks.distill.max_pairs=40",
        "bi_encoder.evaluation.max_items=10",
        "recommend.candidates=5",
        "recommend.max_keyphrases=3",
        "recommend.partitions=2",
        "recommend.recall_sample=20",
    )


def write_judged_workspace(spark, root: Path) -> Config:
    """Judgments, pairs, a vocabulary and items under `root`, as the stages before the
    assistant leave them."""
    config = workspace_config(root)
    rows = judged_rows(judge_model_id(config.judge), prompt_version(config.judge))
    overwrite_table(spark.createDataFrame(rows, JUDGMENT_SCHEMA), config.table_path("judgments"))
    # Pairs as build_pairs writes them, for the students' task datasets: each item's judged
    # pair (shown), two never-shown encoder candidates and a random one (its distillation group).
    pair_rows = []
    for n, r in enumerate(rows):
        clicks = int(r[8]) if n % 3 else 0
        ctr, sr = (0.3, 0.9) if r[8] else (0.02, 0.2)
        impressions = 10 if n % 3 else 0
        pair_rows.append(
            (r[0], r[1], r[4], r[2], None, r[10], ctr, sr, impressions, clicks, "events", None)
        )
        others = [p for p in PRODUCTS if p != r[1]]
        for offset, source in enumerate(("encoder", "encoder", "random")):
            other = others[(n + offset) % len(others)]
            score = 0.4 - 0.1 * offset if source == "encoder" else None
            candidate = (r[0], other, other, r[2], None, "unshown_candidate", None, None, 0, 0)
            pair_rows.append((*candidate, source, score))
    pairs = spark.createDataFrame(
        pair_rows,
        "item_id string, keyphrase string, keyphrase_display string, title string, "
        "category string, pair_kind string, ctr_smoothed double, sr_score double, "
        "impressions long, clicks long, source string, retrieval_score double",
    ).select(
        "*",
        (F.col("clicks") > 0).alias("in_ctr_task"),
        F.col("sr_score").isNotNull().alias("in_sr_task"),
        split_of(F.col("item_id"), config.pairs.split).alias("split"),
    )
    overwrite_table(pairs, config.table_path("pairs"))
    words = [w for p in PRODUCTS for w in (p, f"grey {p}", f"{p} set")]
    vocabulary = spark.createDataFrame([(w,) for w in words], "keyphrase string")
    overwrite_table(vocabulary, config.inputs.keyphrases)
    items = spark.createDataFrame(
        [(r[0], r[2], None) for r in rows], "item_id string, title string, category string"
    )
    overwrite_table(items, config.inputs.items)
    return config


@pytest.fixture()
def judged_workspace(spark, tmp_path: Path) -> Config:
    return write_judged_workspace(spark, tmp_path)


# Training is most of a stage test's time, and most stage tests only need a trained chain to
# start from: each chain is trained once per test run and every test gets its own copy (the
# registry, Delta tables and reports are all relative to output.root, so a copy is whole).
WORKSPACE_STUDENTS = ["ctr_sr_distill_contrastive", "ctr_only"]


@dataclass(frozen=True)
class Template:
    """A trained workspace, and the records and results of the stages that trained it."""

    root: Path
    records: dict[str, StageRecord]
    results: dict[str, dict]


@pytest.fixture(scope="session")
def assistant_template(spark, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A judged workspace with its cross-encoder trained and its pairs scored."""
    root = tmp_path_factory.mktemp("assistant-template")
    config = write_judged_workspace(spark, root)
    records = {name: StageRecord(name) for name in ("train_cross_encoder", "score_ce")}
    results = {
        "train_cross_encoder": run_train_cross_encoder(
            spark, config, records["train_cross_encoder"]
        ),
        "score_ce": run_score_ce(spark, config, records["score_ce"]),
    }
    return Template(root, records, results)


@pytest.fixture(scope="session")
def students_template(spark, assistant_template: Template, tmp_path_factory) -> Template:
    """The assistant workspace plus a student of each of WORKSPACE_STUDENTS."""
    root = tmp_path_factory.mktemp("students-template")
    shutil.copytree(assistant_template.root, root, dirs_exist_ok=True)
    config = workspace_config(root)
    records = {preset: StageRecord(preset) for preset in WORKSPACE_STUDENTS}
    results = {
        preset: run_train_bi_encoder(spark, with_preset(config, preset), records[preset])
        for preset in WORKSPACE_STUDENTS
    }
    return Template(root, records, results)


def copied_workspace(template: Template, root: Path) -> Config:
    shutil.copytree(template.root, root, dirs_exist_ok=True)
    return workspace_config(root)


@pytest.fixture()
def assistant_workspace(assistant_template: Template, tmp_path: Path) -> Config:
    return copied_workspace(assistant_template, tmp_path)


@pytest.fixture()
def students_workspace(students_template: Template, tmp_path: Path) -> Config:
    return copied_workspace(students_template, tmp_path)
