"""Command-line plumbing shared by every job: arguments, config, session, run bookkeeping."""

from __future__ import annotations

import argparse
import faulthandler
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from pyspark.sql import SparkSession

from kpreco.config import Config, ConfigError, load_config, project_root
from kpreco.inputs import resolve_inputs, validated_once
from kpreco.log import StageRecord, get_logger, setup_logging, stage_listener
from kpreco.run_records import record_run
from kpreco.session import DELTA_SESSION_CONF, build_spark
from kpreco.tracking import RunTracker

log = get_logger("kpreco.job")

JobBody = Callable[[SparkSession, Config, list[StageRecord]], dict | None]


def job_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--config",
        action="append",
        help="YAML file under conf/ (default: conf/local.yaml); repeat to layer files",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any config key, e.g. --set simulate.items=5000 (repeatable)",
    )
    parser.add_argument("--run-id", help="reuse a run id (a rerun then changes nothing)")
    return parser


def config_files(given: list[str] | None) -> list[str]:
    """The --config files, or the embedded default when none is given."""
    return given or [str(project_root() / "conf" / "local.yaml")]


def load_job_config(args: argparse.Namespace) -> Config:
    overrides = [*args.overrides, *([f"run_id={args.run_id}"] if args.run_id else [])]
    return load_config(config_files(args.config), overrides).with_run_id()


def print_summary(job: str, config: Config, stages: list[StageRecord]) -> None:
    lines = [f"== {job} run {config.run_id} =="]
    for record in stages:
        counts = ", ".join(f"{k}={v:,}" for k, v in record.counts.items())
        lines.append(f"  {record.name:<14} {record.seconds:8.1f}s  {counts}")
        lines += [f"  {'':<14} {'':>9}  {k}: {v}" for k, v in record.details.items()]
    print("\n".join(lines), flush=True)


def run_job(job: str, args: argparse.Namespace, body: JobBody, writes_inputs: bool = False) -> None:
    """Load config, start Spark, settle and check the inputs (kpreco.inputs), run
    `body`, record the run in `runs` and in MLflow (kpreco.tracking; failed runs too).
    `writes_inputs`: the job simulates the inputs when simulate.enabled, so they need not exist
    yet."""
    config = load_job_config(args)
    setup_logging()
    # A native crash (torch, llama.cpp, the JVM's client) or a fatal signal prints the Python
    # stack of every thread instead of ending the driver without a word.
    faulthandler.enable()
    log.info("%s: run_id=%s config=%s", job, config.run_id, " + ".join(config_files(args.config)))
    spark = build_spark(config)
    started, stages, tracker = datetime.now(UTC), [], None
    try:
        simulating = writes_inputs and config.simulate.enabled
        # From here on `config` holds the tables this run reads (also what `runs` records).
        config = resolve_inputs(spark, config, simulating=simulating)
        tracker = RunTracker(spark, config, job)
        # Each input validated once per job, released at its end; each stage tracked as it ends.
        with validated_once(), stage_listener(tracker.stage_finished):
            metrics = body(spark, config, stages) or {}
    except Exception as failure:
        error = "".join(traceback.format_exception_only(failure)).strip()
        try:
            record_run(spark, config, job, started, stages, status="failed", error=error)
        except Exception:  # the run table must not hide the real failure
            log.exception("could not record the failed run")
        if tracker:
            tracker.finish(False, {}, error)
        raise
    record_run(spark, config, job, started, stages, metrics=metrics)
    tracker.finish(True, metrics)
    print_summary(job, config, stages)
    spark.stop()


def submit_defaults(argv: list[str]) -> None:
    """Print for spark-submit.sh, one per line: the config's master, its driver memory, then
    the `key=value` Spark settings every session needs (Delta's extension and catalog)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config", action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args, _ = parser.parse_known_args(argv)
    try:
        config = load_config(config_files(args.config), args.overrides)
    except ConfigError as error:
        sys.exit(f"spark-submit.sh: {error}")
    print(config.spark.master)
    print(config.spark.driver_memory)
    for key, value in DELTA_SESSION_CONF.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["submit-defaults"]:
        submit_defaults(sys.argv[2:])
    else:
        sys.exit("usage: python -m kpreco.cli submit-defaults [--config FILE] [--set k=v ...]")
