"""kpreco's nightly run as an Airflow DAG: one SparkSubmitOperator task that submits the pipeline
job, which itself decides per stage what to redo (new or changed items, models whose training
inputs changed) and skips the rest, so a nightly run costs what changed.

Install: copy this file into the DAGs folder of an Airflow with the Apache Spark provider
(`apache-airflow-providers-apache-spark`), point `KPRECO_HOME` at a kpreco checkout on the
workers that has run `make setup` (its `.venv` and the Delta jars in `.cache/jars`), and give the
`spark_default` connection your cluster's master. `KPRECO_CONFIG` names the config (default
`conf/cluster.yaml`). After each update of the checkout, run
`KPRECO_PRINT_COMMAND=1 ./spark-submit.sh jobs/pipeline.py --config conf/cluster.yaml` once: it
builds the package zip of the current sources under `build/` (the newest zip is what this DAG
ships to executors) and prints the command the DAG's task amounts to.

Run ids are `nightly-<logical date>`: a retried or cleared night reuses its run id, and kpreco's
writes are idempotent per run id, so a retry never duplicates a row. Alert on the task failing
(a stage error, an input contract violation) and read the run's `runs` row for the counts
(`recommend.items_without_keyphrases`, rejects): docs in README, "Nightly runs".

This file imports nothing of kpreco (Airflow's Python rarely has torch); the values it shares
with `./spark-submit.sh` are checked against kpreco by tests/test_nightly.py.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

KPRECO_HOME = Path(os.environ.get("KPRECO_HOME", "/opt/kpreco"))
KPRECO_CONFIG = os.environ.get("KPRECO_CONFIG", "conf/cluster.yaml")
RUN_ID = "nightly-{{ ds_nodash }}"
# What ./spark-submit.sh adds to every job: Delta's session settings (kpreco.session).
DELTA_SESSION_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


def newest(pattern: str, home: Path) -> str | None:
    found = sorted(home.glob(pattern), key=lambda path: path.stat().st_mtime)
    return str(found[-1]) if found else None


def submit_kwargs(home: Path = KPRECO_HOME, config: str = KPRECO_CONFIG) -> dict:
    """SparkSubmitOperator's arguments for the pipeline job of the checkout at `home`: the same
    script, config, jars, package zip, Python and Spark settings as `./spark-submit.sh
    jobs/pipeline.py --config CONFIG --run-id nightly-<date>`."""
    python = str(home / ".venv" / "bin" / "python")
    return {
        "task_id": "kpreco_pipeline",
        "application": str(home / "jobs" / "pipeline.py"),
        "application_args": ["--config", str(home / config), "--run-id", RUN_ID],
        "name": "kpreco-nightly",
        "conn_id": "spark_default",
        "jars": ",".join(sorted(str(p) for p in (home / ".cache" / "jars").glob("delta-*.jar"))),
        "py_files": newest("build/kpreco-*.zip", home),
        "conf": {
            **DELTA_SESSION_CONF,
            "spark.ui.showConsoleProgress": "false",
            # Spark's own INFO logging off, as ./spark-submit.sh does with --driver-java-options.
            "spark.driver.extraJavaOptions": (
                f"-Dlog4j2.configurationFile=file:{home / 'conf' / 'log4j2.properties'}"
            ),
        },
        "env_vars": {
            "PYSPARK_PYTHON": python,
            "PYSPARK_DRIVER_PYTHON": python,
            "PYTHONPATH": str(home / "src"),
            "KPRECO_HOME": str(home),
        },
        "execution_timeout": timedelta(hours=6),
    }


try:  # Airflow parses this file; elsewhere (tests, a reader) only the arguments above exist.
    from airflow import DAG
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
except ImportError:
    DAG = None

if DAG is not None:
    with DAG(
        dag_id="kpreco_nightly",
        schedule="0 2 * * *",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,  # two nights never write the same tables at once
        default_args={"retries": 1, "retry_delay": timedelta(minutes=15)},
        tags=["kpreco"],
    ) as dag:
        SparkSubmitOperator(**submit_kwargs())
