"""The one place that builds a SparkSession, with real Delta Lake, from the config."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from kpreco.config import Config, project_root

DELTA_JAR_PREFIXES = ("delta-spark_", "delta-storage-")
SETUP_HINT = "run `make setup` (or scripts/setup.sh) once to resolve them into the local cache"


# What makes a session read and write Delta tables; spark-submit.sh passes the same as --conf, so
# any script it runs (`SparkSession.builder.getOrCreate()`) has Delta too.
DELTA_SESSION_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


class DeltaJarsMissing(RuntimeError):
    """The Delta Lake jars are not where set-up puts them."""


def resolve_path(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else project_root() / candidate


def delta_jars(jars_dir: str) -> list[str]:
    """The Delta jars in `jars_dir`; raises with the set-up command when any is missing."""
    folder = resolve_path(jars_dir)
    jars = sorted(str(jar) for jar in folder.glob("*.jar")) if folder.is_dir() else []
    missing = [
        prefix for prefix in DELTA_JAR_PREFIXES if not any(prefix in Path(j).name for j in jars)
    ]
    if missing:
        raise DeltaJarsMissing(
            f"Delta Lake jars {', '.join(p + '*.jar' for p in missing)} not found in {folder}: "
            f"{SETUP_HINT}"
        )
    return jars


def launched_by_spark_submit() -> bool:
    # spark-submit starts the JVM first and hands the gateway port to the Python driver.
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _check_submitted_jars(spark: SparkSession) -> None:
    conf = spark.sparkContext.getConf()
    listed = conf.get("spark.jars", "") + conf.get("spark.jars.packages", "")
    if "delta-spark" not in listed:
        spark.stop()
        raise DeltaJarsMissing(
            "spark-submit was started without the Delta Lake jars: use ./spark-submit.sh, which "
            f"adds them, or pass --jars/--packages yourself; {SETUP_HINT}"
        )


def build_spark(config: Config) -> SparkSession:
    """A SparkSession with Delta Lake. Under spark-submit, master and jars come from it."""
    builder = SparkSession.builder.appName(config.spark.app_name)
    if not launched_by_spark_submit():
        # Python workers run the project's interpreter, not the system python3.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (
            builder.master(config.spark.master)
            .config("spark.jars", ",".join(delta_jars(config.spark.jars_dir)))
            .config("spark.driver.memory", config.spark.driver_memory)
        )
    settings = {
        **DELTA_SESSION_CONF,
        "spark.sql.shuffle.partitions": str(config.spark.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.databricks.delta.schema.autoMerge.enabled": "false",
        **config.spark.conf,
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if launched_by_spark_submit():
        _check_submitted_jars(spark)
    spark.sparkContext.setLogLevel(config.spark.log_level)
    return spark
