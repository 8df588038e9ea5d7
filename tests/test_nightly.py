"""The nightly DAG submits what ./spark-submit.sh submits. Airflow is not installed here (its
dependency tree would fight the project's pins), so the test checks the arguments the DAG gives
SparkSubmitOperator against the command the project's own wrapper builds for the same job."""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess

from kpreco.session import DELTA_SESSION_CONF
from tests.conftest import ROOT

DAG_FILE = ROOT / "deploy" / "airflow" / "kpreco_nightly.py"


def _dag_module():
    spec = importlib.util.spec_from_file_location("kpreco_nightly", DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wrapper_command(*args: str) -> tuple[dict[str, str], list[str]]:
    """(environment, argv) that `./spark-submit.sh ARGS` would run."""
    printed = subprocess.run(
        [str(ROOT / "spark-submit.sh"), *args],
        env={**os.environ, "KPRECO_PRINT_COMMAND": "1"},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    words = shlex.split(printed)
    env = dict(word.split("=", 1) for word in words[:4])
    return env, words[4:]


def _options(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, word in enumerate(argv) if word == name]


def test_dag_submits_the_pipeline_job_as_the_wrapper_does() -> None:
    dag = _dag_module()
    assert dag.DELTA_SESSION_CONF == DELTA_SESSION_CONF
    run_id = dag.RUN_ID.replace("{{ ds_nodash }}", "20261201")
    # The wrapper first, as the DAG's deploy step says: it builds the zip of the current sources.
    env, argv = _wrapper_command(
        "jobs/pipeline.py", "--config", "conf/cluster.yaml", "--run-id", run_id
    )
    kwargs = dag.submit_kwargs(ROOT, "conf/cluster.yaml")
    script = argv.index(kwargs["application"])  # the same script, absolute
    wrapper_args = argv[script + 1 :]
    wrapper_args[1] = str(ROOT / wrapper_args[1])  # the wrapper runs from the checkout
    assert [a.replace("{{ ds_nodash }}", "20261201") for a in kwargs["application_args"]] == (
        wrapper_args
    )
    assert kwargs["jars"] == _options(argv, "--jars")[0]
    assert kwargs["py_files"] == _options(argv, "--py-files")[0]  # the zip it just built
    wrapper_conf = dict(c.split("=", 1) for c in _options(argv, "--conf"))
    java_options = _options(argv, "--driver-java-options")[0]
    assert kwargs["conf"] == {**wrapper_conf, "spark.driver.extraJavaOptions": java_options}
    assert kwargs["env_vars"] == env


def test_a_night_reuses_its_run_id() -> None:
    dag = _dag_module()
    args = dag.submit_kwargs(ROOT)["application_args"]
    assert args[args.index("--run-id") + 1] == "nightly-{{ ds_nodash }}"
