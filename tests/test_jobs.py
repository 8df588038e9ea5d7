"""The jobs through ./spark-submit.sh, as a user runs them: simulate, build pairs, judge."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F

from kpreco.config import load_config
from kpreco.faults import KILL_WORKER
from kpreco.log import StageRecord
from kpreco.pairs.build import PAIR_COLUMNS
from kpreco.stages.build_pairs import run_build_pairs
from kpreco.tables import content_fingerprint, latest_version, read_delta
from tests.conftest import base_url
from tests.judge_server import serve

ROOT = Path(__file__).resolve().parents[1]


# The jobs under test are short: a driver JVM with the quick-start JIT and the serial collector
# starts about 10% faster (measured on recommend: 51 vs 56 s). Production runs keep the default.
# The quick-start JIT alone shrinks the code cache to 48 MiB, which the whole test pipeline's
# generated code filled on CI ("Out of space in CodeCache for adapters"); the cache keeps the
# default JIT's 240 MiB (reserved, committed only as used).
QUICK_JVM = {
    "SPARK_SUBMIT_OPTS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=240m"
}

INPUT_NAMES = ("items", "keyphrases", "search_events", "search_relevance", "human_labels", "truth")


def job_settings(workdir: Path) -> list[str]:
    """Every input under workdir/inputs, every output under workdir/out."""
    paths = [f"inputs.{name}={workdir / 'inputs' / name}" for name in INPUT_NAMES]
    return [*paths, f"output.root={workdir / 'out'}"]


def job_command(
    job: str,
    workdir: Path,
    overrides: tuple[str, ...] | list[str],
    extra: tuple[str, ...] = (),
    spark_options: tuple[str, ...] = (),
    config: str = "conf/test.yaml",
) -> list[str]:
    command = [str(ROOT / "spark-submit.sh"), *spark_options, f"jobs/{job}.py", *extra]
    command += ["--config", config]
    for setting in [*job_settings(workdir), *overrides]:
        command += ["--set", setting]
    return command


def start_job(
    job: str, workdir: Path, *overrides: str, extra: tuple[str, ...] = (), capture: bool = False
) -> subprocess.Popen:
    """A job in its own process group (so a test can kill the driver and its children)."""
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        job_command(job, workdir, overrides, extra),
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, **QUICK_JVM},
    )


def submit(
    job: str,
    workdir: Path,
    *overrides: str,
    check: bool = True,
    extra: tuple[str, ...] = (),
    spark_options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    config: str = "conf/test.yaml",
    timeout_s: int = 900,
) -> subprocess.CompletedProcess:
    command = job_command(job, workdir, overrides, extra, spark_options, config)
    result = subprocess.run(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout_s,
        env={**os.environ, **QUICK_JVM, **(env or {})},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{job} failed:\n{failure_of(result.stdout, result.returncode)}")
    result.output = result.stdout  # spark-submit sends the Python driver's stderr to stdout
    return result


def failure_of(output: str, returncode: int | None = None) -> str:
    """What a failed job printed that says why: its exit code (a negative one is the signal
    that killed it), the error lines from anywhere in the output (the first of them is usually
    the cause; a Java stack trace printed after it would push it out of the last lines), the
    last log lines of its own stages (where it was), the Python traceback, then the last lines."""
    lines = output.splitlines()
    errors = [
        line
        for line in dict.fromkeys(lines)
        if ERROR_LINE.search(line) and not line.lstrip().startswith("at ")
    ]
    progress = [line for line in lines if " kpreco" in line][-12:]
    start = output.rfind("Traceback (most recent call last)")
    parts = [
        f"exit code {returncode}" if returncode is not None else "",
        "error lines:\n" + "\n".join(line[:400] for line in errors[:25]),
        "last kpreco log lines:\n" + "\n".join(progress),
        output[start : start + 6000] if start >= 0 else "(no Python traceback)",
        "last lines:\n" + output[-3000:],
    ]
    return "\n...\n".join(part for part in parts if part)


ERROR_LINE = re.compile(r"Error|Exception|Caused by|Fatal|FATAL|Killed|Segmentation|core dumped")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    """The simulate and build_pairs jobs, each on its own (for the slow tests that kill or
    rerun one of them)."""
    workdir = tmp_path_factory.mktemp("e2e-jobs")
    submit("simulate", workdir)
    submit("build_pairs", workdir, "run_id=first")
    return workdir


@pytest.fixture(scope="module")
def pipelined(tmp_path_factory) -> tuple[Path, str]:
    """README's first command on the test settings: the whole pipeline from an empty folder
    (it simulates the marketplace, then runs every stage): (workdir, its output)."""
    workdir = tmp_path_factory.mktemp("e2e")
    run = submit("pipeline", workdir, "run_id=pipeline-1")
    return workdir, run.output


def test_simulated_inputs_and_pairs_table(spark, pipelined) -> None:
    simulated, _ = pipelined
    inputs = simulated / "inputs"
    assert read_delta(spark, str(inputs / "items")).count() == 300
    assert read_delta(spark, str(inputs / "keyphrases")).count() == 150
    assert read_delta(spark, str(inputs / "search_events")).count() > 500
    pairs = read_delta(spark, str(simulated / "out" / "pairs"))
    assert tuple(pairs.columns) == (*PAIR_COLUMNS, "run_id", "updated_at")
    assert pairs.count() > 300
    assert pairs.groupBy("item_id", "keyphrase").count().where(F.col("count") > 1).count() == 0
    kinds = {r.pair_kind for r in pairs.select("pair_kind").distinct().collect()}
    assert {"clicked", "sr_negative", "unshown_candidate"} <= kinds
    per_item_splits = pairs.groupBy("item_id").agg(F.countDistinct("split").alias("n"))
    assert per_item_splits.where(F.col("n") > 1).count() == 0
    (run,) = read_delta(spark, str(simulated / "out" / "runs")).collect()
    assert run.job == "pipeline" and run.status == "succeeded"
    assert run.row_counts["build_pairs.pairs"] == pairs.count()


@pytest.mark.slow  # the pipeline's same-run_id rerun below covers the claim in the default run
def test_rerun_same_run_id_changes_nothing_and_time_travel_works(spark, simulated: Path) -> None:
    path = str(simulated / "out" / "pairs")
    before = read_delta(spark, path).collect()
    version_before = DeltaTable.forPath(spark, path).history(1).first().version
    submit("build_pairs", simulated, "run_id=first")
    after = read_delta(spark, path)
    assert sorted(before) == sorted(after.collect())
    history = DeltaTable.forPath(spark, path).history()
    assert history.first().version == version_before + 1  # one MERGE commit, no row changed
    metrics = history.first().operationMetrics
    assert metrics["numTargetRowsUpdated"] == "0" and metrics["numTargetRowsInserted"] == "0"
    previous = read_delta(spark, path, version=version_before)
    assert previous.count() == len(before)


def test_schema_problems_stop_before_any_work_naming_table_and_column(
    spark, tmp_path: Path, pipelined
) -> None:
    simulated, _ = pipelined
    # A missing column in one table and a wrong type in another: one error names both.
    items = read_delta(spark, str(simulated / "inputs" / "items")).drop("title")
    items.write.parquet(str(tmp_path / "items.parquet"))
    events = read_delta(spark, str(simulated / "inputs" / "search_events"))
    clicked_as_boolean = events.withColumn("clicked", F.col("clicked") == 1)
    clicked_as_boolean.write.parquet(str(tmp_path / "events.parquet"))
    result = submit(
        "build_pairs",
        simulated,
        f"inputs.items={tmp_path / 'items.parquet'}",
        f"inputs.search_events={tmp_path / 'events.parquet'}",
        f"output.root={tmp_path / 'out'}",
        check=False,
    )
    assert result.returncode != 0
    assert "input table 'items' (300 rows): required column 'title' is missing" in result.output
    assert "input table 'search_events'" in result.output
    assert "column 'clicked' has type boolean" in result.output
    assert not (tmp_path / "out" / "pairs").exists()


def test_bad_rows_land_in_rejects_while_the_stage_completes(
    spark, tmp_path: Path, pipelined
) -> None:
    simulated, _ = pipelined
    items = read_delta(spark, str(simulated / "inputs" / "items"))
    first_id = items.orderBy("item_id").first().item_id
    bad = spark.createDataFrame(
        [
            ("bad-null", None),
            (first_id, "Duplicate Of The First Item"),
            ("bad-long", "Sofa " * 2000),
            ("bad-ctrl", "Leather\x00Sofa"),
            ("ok-emoji", "Leather Sofa 🛋️ Grey"),
        ],
        "item_id string, title string",
    )
    csv = tmp_path / "items.csv"
    (
        items.select("item_id", "title", "category")
        .unionByName(bad.withColumn("category", F.lit("furniture")))
        .coalesce(1)
        .write.option("header", True)
        .option("escape", '"')  # RFC 4180 quoting, as pandas and spreadsheets write it
        .csv(str(csv))
    )
    config = load_config(
        ROOT / "conf" / "test.yaml",
        [
            *[
                f"inputs.{n}={simulated / 'inputs' / n}"
                for n in ("keyphrases", "search_events", "search_relevance")
            ],
            f"inputs.items={csv}",
            f"output.root={tmp_path / 'out'}",
            "run_id=bad",
            # Rejects are the point here: random candidates give every kept item pairs without
            # embedding the catalog (encoder candidates have their own tests).
            "pairs.encoder_candidates_per_item=0",
        ],
    )
    record = StageRecord("build_pairs")
    run_build_pairs(spark, config, record)
    rejects = read_delta(spark, config.table_path("rejects")).where(
        F.col("source_table") == "items"
    )
    assert {r.reason for r in rejects.collect()} == {
        "title: null",
        "duplicate key (item_id)",
        "title: longer than 1,000 characters",
        "title: control characters",
    }
    assert record.counts["items_read"] == 305 and record.counts["items_rejected"] == 4
    pairs = read_delta(spark, config.table_path("pairs"))
    assert pairs.where(F.col("item_id") == "ok-emoji").count() > 0
    assert pairs.where(F.col("item_id").startswith("bad-")).count() == 0
    # Events of the rejected items are not lost silently either: they are rejected too.
    event_rejects = read_delta(spark, config.table_path("rejects")).where(
        F.col("source_table") == "search_events"
    )
    assert (
        event_rejects.count()
        == event_rejects.where(F.col("reason") == "item_id: unknown item_id").count()
    )


@pytest.mark.slow  # a process kill and its rerun: make test-slow
def test_score_llm_killed_midway_keeps_finished_rounds_and_rerun_completes(
    spark, simulated: Path
) -> None:
    judgments = simulated / "out" / "judgments"
    log = judgments / "_delta_log"
    settings = ["judge.commit_every=4", "run_id=killed"]
    command = [
        str(ROOT / "spark-submit.sh"),
        "jobs/score_llm.py",
        "--config",
        "conf/test.yaml",
    ]
    for setting in [*job_settings(simulated), *settings]:
        command += ["--set", setting]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    # Version 0 creates the table, version 1 is the first finished round: kill after that.
    while not (log / "00000000000000000001.json").exists():
        assert process.poll() is None, "the job ended before its first round was committed"
        assert time.monotonic() < deadline
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = read_delta(spark, str(judgments)).count()
    assert kept >= 1

    resumed = submit("score_llm", simulated, "run_id=resumed", "judge.commit_every=1000")
    assert f"cached={kept}" in resumed.output
    table = read_delta(spark, str(judgments))
    assert table.count() == table.select("item_id", "keyphrase").distinct().count()
    assert table.where(F.col("status") == "ok").count() == table.count() > kept


def delta_tables(out: Path) -> dict[str, Path]:
    return {p.parent.name: p.parent for p in out.glob("*/_delta_log")}


def test_pipeline_runs_every_stage_and_a_rerun_changes_nothing(spark, pipelined) -> None:
    workdir, first = pipelined
    stages = ("simulate", "build_pairs", "score_llm", "train_cross_encoder", "score_ce")
    # conf/test.yaml has one uncertainty round: the judge, the assistant and its scores again.
    again = ("score_llm[round 2]", "train_cross_encoder[round 2]", "score_ce[round 2]")
    student = "train_bi_encoder[ctr_sr_distill_contrastive]"
    for name in (*stages, *again, student, "recommend", "evaluate"):
        assert f"  {name} " in first, name
    judgments = read_delta(spark, str(workdir / "out" / "judgments"))
    assert judgments.where(F.col("pair_kind") == "uncertain_round_2").count() == 10
    scores = read_delta(spark, str(workdir / "out" / "ce_scores"))
    scored = scores.count()
    assert scored > 0
    versions = {r.ce_version for r in scores.select("ce_version").distinct().collect()}
    assert len(versions) == 2  # the first round's assistant, and the one after round 2
    tables = delta_tables(workdir / "out")
    assert {"pairs", "judgments", "ce_scores", "item_keyphrases", "runs"} <= set(tables)
    before = {
        name: content_fingerprint(read_delta(spark, str(path)), ignore=())
        for name, path in tables.items()
    }

    second = submit("pipeline", workdir, "run_id=pipeline-1")  # the same run, again
    # Simulated inputs, pairs, the CE and the student are current; the rest find nothing to do.
    record = (
        read_delta(spark, str(workdir / "out" / "runs"))
        .where((F.col("run_id") == "pipeline-1") & (F.col("job") == "pipeline"))
        .first()
    )
    decisions = record.stage_decisions
    # Skipped because their commit stamps match (written by the simulate and build_pairs jobs).
    assert decisions["simulate"].startswith(
        "skipped: simulator settings and code unchanged since run "
    )
    assert decisions["build_pairs"].startswith(
        "skipped: the inputs, pair settings and code unchanged since run "
    )
    for name, kind in (
        ("train_cross_encoder", "cross_encoder"),
        ("train_cross_encoder[round 2]", "cross_encoder"),
        (student, student[6:]),
    ):
        version = record.model_versions[kind]
        assert decisions[name] == (
            f"skipped: using {version}, trained on these very inputs and settings"
        ), name
        assert f"{name}: {decisions[name]}" in second.output  # the log says it too
    for name in ("score_llm", "score_ce", *again[::2], "recommend", "evaluate"):
        assert decisions[name].startswith("ran: "), name
    assert record.model_versions["served_bi_encoder"] == record.model_versions[student[6:]]
    assert record.model_versions["relevance_filter"] == record.model_versions["cross_encoder"]
    assert "pending=0" in second.output  # the judge is served from its cache
    assert "scored=0" in second.output  # the same cross-encoder version scores nothing again
    assert "items_to_refresh=0" in second.output
    after = {
        name: content_fingerprint(read_delta(spark, str(path)), ignore=())
        for name, path in tables.items()
    }
    runs = after.pop("runs"), before.pop("runs")  # the run's record is updated in place
    assert runs[0].split(":")[0] == runs[1].split(":")[0]
    assert after == before  # every other table is identical, row for row


def student_settings(workdir: Path, preset: str) -> list[dict]:
    """The task settings of every registered student of `preset`, oldest first."""
    found = [
        json.loads(path.read_text())
        for path in (workdir / "out" / "models" / "bi_encoder").glob("*/kpreco_model.json")
    ]
    found.sort(key=lambda meta: meta["created_at"])
    return [meta["settings"]["tasks"] for meta in found if meta["preset"] == preset]


def enabled(tasks: dict) -> tuple[bool, bool, bool]:
    return tasks["ctr"]["enabled"], tasks["sr"]["enabled"], tasks["distill"]["enabled"]


@contextlib.contextmanager
def standalone_cluster(workdir: Path, workers: int = 2):
    """A Spark standalone master and workers on loopback, started with pyspark's spark-class."""
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1"}
    spark_class = str(spark_home / "bin" / "spark-class")
    port = free_port()
    master_url = f"spark://127.0.0.1:{port}"
    processes = [
        subprocess.Popen(
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(free_port()),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    time.sleep(3)
    for number in range(workers):
        folder = workdir / f"worker{number}"
        folder.mkdir()
        processes.append(
            subprocess.Popen(
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    master_url,
                    "--cores",
                    "1",
                    "--memory",
                    "3g",
                    "--webui-port",
                    str(free_port()),
                    "--work-dir",
                    str(folder),
                    "--host",
                    "127.0.0.1",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    time.sleep(5)
    try:
        yield master_url
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


LIST_COLUMNS = ["item_id", "rank", "keyphrase", "retrieval_score"]


def lists_of(spark, workdir: Path) -> pd.DataFrame:
    path = str(workdir / "out" / "item_keyphrases")
    return read_delta(spark, path).select(*LIST_COLUMNS).toPandas()


def assert_same_lists(expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    merged = expected.merge(
        actual, on=["item_id", "rank"], how="outer", suffixes=("_a", "_b"), indicator=True
    )
    assert (merged["_merge"] == "both").all()
    assert (merged["keyphrase_a"] == merged["keyphrase_b"]).all()
    assert (merged["retrieval_score_a"] - merged["retrieval_score_b"]).abs().max() < 1e-4


@pytest.mark.slow  # a standalone cluster of 2 workers (2-3 minutes): make test-slow
def test_recommend_on_a_standalone_cluster_equals_local_mode(
    spark, pipelined, tmp_path: Path
) -> None:
    workdir, _ = pipelined
    local = lists_of(spark, workdir)
    assert len(local) > 0
    with standalone_cluster(tmp_path) as master:
        result = submit(
            "recommend",
            workdir,
            "run_id=cluster",
            extra=("--full-refresh",),
            spark_options=("--master", master),
        )
    assert "items_to_refresh=300" in result.output
    path = str(workdir / "out" / "item_keyphrases")
    runs = read_delta(spark, path).select("run_id").distinct().collect()
    assert {r.run_id for r in runs} == {"cluster"}
    assert_same_lists(local, lists_of(spark, workdir))


@pytest.mark.slow  # a process kill and its rerun: make test-slow
def test_a_killed_python_worker_is_retried_and_the_lists_are_identical(
    spark, pipelined, tmp_path: Path
) -> None:
    workdir, _ = pipelined
    clean = lists_of(spark, workdir)
    marker = tmp_path / "killed"
    result = submit(
        "recommend",
        workdir,
        "run_id=worker-killed",
        extra=("--full-refresh",),
        spark_options=("--master", "local[2,4]"),  # up to 4 attempts per task, as on a cluster
        env={KILL_WORKER: f"recommend:{marker}"},
    )
    assert marker.read_text().startswith("killed pid")  # a worker really died mid-UDF
    assert "items_to_refresh=300" in result.output
    assert_same_lists(clean, lists_of(spark, workdir))


@pytest.mark.slow  # a process kill and its rerun: make test-slow
def test_a_driver_killed_mid_write_then_two_concurrent_slices_rerun_it(spark, pipelined) -> None:
    """The night's full refresh dies between writing data files and committing: the table
    stays at its previous version. The rerun, split into two slices run at the same time over
    disjoint items, lands both (Delta's conflict, retried) and gives the clean run's lists."""
    workdir, _ = pipelined
    table = workdir / "out" / "item_keyphrases"
    clean = lists_of(spark, workdir)
    for attempt in range(4):  # the kill must land between the data files and the commit
        version = latest_version(spark, str(table))
        content = content_fingerprint(read_delta(spark, str(table)), ignore=())
        files_before = set(table.glob("*.parquet"))
        process = start_job(
            "recommend", workdir, f"run_id=driver-killed-{attempt}", extra=("--full-refresh",)
        )
        while process.poll() is None and not set(table.glob("*.parquet")) - files_before:
            time.sleep(0.005)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if latest_version(spark, str(table)) == version:
            break
    else:
        pytest.fail("the driver was never killed between writing data files and committing")
    assert set(table.glob("*.parquet")) - files_before  # written, never committed
    assert content_fingerprint(read_delta(spark, str(table)), ignore=()) == content

    halves = {"half-0": "pmod(hash(item_id), 2) = 0", "half-1": "pmod(hash(item_id), 2) = 1"}
    processes = {
        run_id: start_job(
            "recommend",
            workdir,
            f"run_id={run_id}",
            f"recommend.items_where={where}",
            extra=("--full-refresh",),
            capture=True,
        )
        for run_id, where in halves.items()
    }
    outputs = {run_id: p.communicate(timeout=900)[0] for run_id, p in processes.items()}
    for run_id, process in processes.items():
        assert process.returncode == 0, outputs[run_id][-6000:]
    refreshed = [
        int(o.split("items_to_refresh=")[1].split(",")[0].split()[0]) for o in outputs.values()
    ]
    assert sum(refreshed) == 300 and min(refreshed) > 0
    assert latest_version(spark, str(table)) >= version + 2  # both slices committed
    by_run = (
        read_delta(spark, str(table))
        .groupBy("run_id")
        .agg(F.countDistinct("item_id").alias("items"))
    )
    assert {r.run_id: r["items"] for r in by_run.collect()} == dict(
        zip(halves, refreshed, strict=True)
    )
    assert_same_lists(clean, lists_of(spark, workdir))
    state = read_delta(spark, str(workdir / "out" / "recommend_state"))
    assert state.count() == state.select("item_id").distinct().count() == 300


def run_wrapper(*arguments: str, env: dict[str, str] | None = None, cwd: Path = ROOT, **options):
    """./spark-submit.sh with exactly these arguments (no test settings added)."""
    return subprocess.run(
        [str(ROOT / "spark-submit.sh"), *arguments],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        env={**os.environ, **QUICK_JVM, **(env or {})},
        **options,
    )


@dataclass(frozen=True)
class OwnDataRun:
    folder: Path  # the user's CSV tables
    out: Path
    output: str
    secret: str
    counts: dict[str, int]


@pytest.fixture(scope="module")
def own_data(tmp_path_factory, pipelined) -> Iterator[OwnDataRun]:
    """README's own-data recipe as a user runs it first, tracked in MLflow: CSV files of a
    marketplace that is not the simulator's (a simulator truth left in the same folder), the
    judge behind an OpenAI-compatible endpoint that wants an API key, the student chosen with
    --set."""
    from tests.own_data import write_marketplace

    tmp_path = tmp_path_factory.mktemp("own")
    folder = tmp_path / "tables"
    counts = write_marketplace(folder, items=120, seed=8)
    simulated, _ = pipelined
    shutil.copytree(simulated / "inputs" / "truth", folder / "truth")  # a stale simulator truth
    secret = f"sk-kpreco-{uuid.uuid4().hex}"
    server = serve("packaged:smollm2-135m", "127.0.0.1", 0, api_key=secret)  # wants the key
    out = tmp_path / "out"
    settings = {
        "inputs.dir": folder,
        "output.root": out,
        "run_id": "own-1",
        "judge.backend": "openai",
        "judge.openai.base_url": base_url(server),
        "bi_encoder.preset": "ctr_only",
        "bi_encoder.tasks.ctr.max_pairs": 20,
        "evaluate.presets": "[ctr_only]",
        "tracking.enabled": "true",  # MLflow's store is scanned for the key below too
    }
    result = run_wrapper(
        "jobs/pipeline.py",
        *("--config", "conf/test.yaml", "--config", "conf/own-data.yaml"),
        *[part for key, value in settings.items() for part in ("--set", f"{key}={value}")],
        env={"KPRECO_JUDGE_API_KEY": secret},
    )
    server.shutdown()
    # Both tests on this run need it to have succeeded: say why it did not, once, here.
    assert result.returncode == 0, (
        f"own-data pipeline failed:\n{failure_of(result.stdout, result.returncode)}"
    )
    yield OwnDataRun(folder, out, result.stdout, secret, counts)


def test_your_own_csv_files_through_the_pipeline_with_an_llm_endpoint(spark, own_data) -> None:
    """No truth is read (the simulator's left in the folder is not the user's), the key never
    reaches logs, tables, reports or saved configs, and the preset chosen with --set trains with
    its own settings (a --set on top of them wins)."""
    folder, out, output, secret = own_data.folder, own_data.out, own_data.output, own_data.secret
    counts = own_data.counts
    assert f"input items: {folder}/items.csv" in output
    assert f"input truth left out: {folder}/truth holds the simulator's sample data" in output
    assert "truth_read" not in output  # never validated, so never read
    lists = read_delta(spark, str(out / "item_keyphrases"))
    served = {r.item_id for r in lists.select("item_id").distinct().collect()}
    assert served and all(item.startswith("gd-08-") for item in served)
    assert len(served) == counts["items"]  # every item of the user's catalog has a list
    metrics = json.loads((out / "reports" / "own-1" / "metrics.json").read_text())
    (truth_metrics, why), *_ = metrics["not_computed"].items()
    assert "true_ndcg@" in truth_metrics and "hidden_relevant_recall@" in truth_metrics
    assert why.startswith(f"left out: {folder}/truth holds the simulator's sample data")
    student = metrics["models"]["ctr_only"]
    assert not any(name.startswith("true_") for name in student["metrics"])
    assert {"human_ndcg@10", "click_recall@10"} <= set(student["metrics"])  # what it could
    html = (out / "reports" / "own-1" / "report.html").read_text()
    assert "Not computed in this run" in html and "What each student was trained with" in html
    # The pipeline's student is the preset chosen with --set, with its settings, and the report
    # shows them from the registry.
    assert "  train_bi_encoder[ctr_only] " in output
    (trained,) = student_settings(out.parent, "ctr_only")
    assert enabled(trained) == (True, False, False) and trained["ctr"]["max_pairs"] == 20
    assert student["trained_with"]["sr"] == "off" and student["trained_with"]["distill"] == "off"
    # The endpoint took the key (pairs were judged), and the key is nowhere.
    judged = re.search(r"judged_ok=(\d+)", output)
    assert judged and int(judged.group(1)) > 0, output[-4000:]
    assert secret not in output  # logs
    written = [path for path in out.rglob("*") if path.is_file()]
    for path in written:  # reports, model folders, Delta logs, parquet
        assert secret.encode() not in path.read_bytes(), path
    for name, path in delta_tables(out).items():
        frame = read_delta(spark, str(path))
        strings = [f.name for f in frame.schema.fields if f.dataType.simpleString() == "string"]
        leaked = frame.where(
            F.exists(F.array(*[F.col(c) for c in strings]), lambda v: v.contains(secret))
        )
        assert leaked.count() == 0, name
    saved = read_delta(spark, str(out / "runs")).first().config_json
    assert "KPRECO_JUDGE_API_KEY" in saved  # the saved config names the variable, not its value


def test_the_pipeline_run_is_tracked_in_mlflow(own_data) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{own_data.out / 'mlflow' / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("kpreco")
    (run,) = client.search_runs(
        [experiment.experiment_id],
        "tags.`kpreco.run_id` = 'own-1' and tags.`kpreco.job` = 'pipeline'",
    )
    assert run.info.status == "FINISHED"
    assert run.data.params["bi_encoder.preset"] == "ctr_only"
    assert "tracking: open with `mlflow ui --backend-store-uri sqlite:///" in own_data.output
    children = {
        child.info.run_name: child
        for child in client.search_runs(
            [experiment.experiment_id], f"tags.`mlflow.parentRunId` = '{run.info.run_id}'"
        )
    }
    stages = ("build_pairs", "score_llm", "train_cross_encoder", "score_ce")
    again = ("score_llm[round 2]", "train_cross_encoder[round 2]", "score_ce[round 2]")
    student = "train_bi_encoder[ctr_only]"
    assert set(children) == {*stages, *again, student, "recommend", "evaluate"}
    evaluate = children["evaluate"]
    headline = "evaluate.ctr_only.llm_precision_at_10"  # no truth here: the judged headline
    low, high = (
        evaluate.data.metrics[f"{headline}.ci_low"],
        evaluate.data.metrics[f"{headline}.ci_high"],
    )
    assert low <= evaluate.data.metrics[headline] <= high
    assert run.data.metrics[headline] == evaluate.data.metrics[headline]
    assert {"metrics.json", "report.html"} <= {
        f.path for f in client.list_artifacts(evaluate.info.run_id)
    }
    assert "judge.json" in {
        f.path for f in client.list_artifacts(children["score_llm"].info.run_id)
    }
    assert children["recommend"].data.metrics["keyphrases_written"] > 0
    # One assistant per judge round: the first round's, and the one trained after round 2.
    assistants = client.search_model_versions("name = 'kpreco-cross-encoder'")
    assert all(a.tags["judge_model"].startswith("openai:") for a in assistants)
    assert {a.run_id for a in assistants} == {
        children[name].info.run_id for name in ("train_cross_encoder", again[1])
    }
    (student_version,) = client.search_model_versions("name = 'kpreco-student-ctr_only'")
    assert student_version.run_id == children[student].info.run_id
    assert student_version.tags["preset"] == "ctr_only" and student_version.tags["fingerprint"]


@pytest.mark.slow  # two JVM sessions (a script and the interactive shell): make test-slow
def test_spark_submit_runs_any_script_with_delta_and_without_a_config(tmp_path: Path) -> None:
    script = tmp_path / "look.py"
    script.write_text(
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "spark.range(7).write.format('delta').save(sys.argv[1])\n"
        "print('rows', spark.read.format('delta').load(sys.argv[1]).count())\n"
        "print('master', spark.conf.get('spark.master'))\n"
    )
    table = tmp_path / "table"
    # Run from another folder, the script named relative to it: as a user runs their own.
    result = run_wrapper("look.py", str(table), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "rows 7" in result.stdout
    assert "master local[*]" in result.stdout  # conf/local.yaml's, as no --config was given
    assert (table / "_delta_log").is_dir()
    # The interactive shell has Delta too (-i: interactive although stdin is not a terminal).
    shell = run_wrapper(
        "pyspark",
        "--master",
        "local[1]",
        env={"PYSPARK_DRIVER_PYTHON_OPTS": "-i"},
        input=f"print('shell rows', spark.read.format('delta').load('{table}').count())\n",
    )
    assert "shell rows 7" in shell.stdout, shell.stdout[-4000:]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "usage: ./spark-submit.sh [spark-submit options] SCRIPT.py"),
        (("--master", "local[1]"), "no Python script (*.py) among the arguments: --master"),
        (("no_such_script.py",), "no such script: no_such_script.py"),
        (("pyspark", "jobs/pipeline.py"), "'pyspark' takes no script (jobs/pipeline.py)"),
    ],
)
def test_spark_submit_says_what_it_cannot_run(arguments: tuple[str, ...], message: str) -> None:
    result = run_wrapper(*arguments)
    assert result.returncode == 2
    assert message in result.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (("jobs/score_pairs.py", "--stage", "llm"), "Stage `score_llm`"),
        (("jobs/score_pairs.py", "--stage", "ce"), "Stage `score_ce`"),
        (("jobs/simulate_marketplace.py",), "Stage `simulate`"),
    ],
)
def test_old_job_names_run_the_renamed_jobs(old: tuple[str, ...], new: str) -> None:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), *old, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert new in result.stdout and "deprecated: use jobs/" in result.stderr


def test_the_old_score_pairs_without_a_known_stage_says_what_to_use() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "jobs/score_pairs.py", "--stage", "x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "--stage must be llm or ce, not 'x'" in result.stderr
