"""Small files (reports, model folders) wherever the output root lives: local disk, HDFS, S3.

Everything goes through Hadoop's FileSystem of the running Spark session, so the same code
serves `data/local/out` and `s3a://bucket/kpreco`.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

_SCRATCH_ROOT: Path | None = None


def scratch_folder(prefix: str) -> Path:
    """A new local folder for this process's temporary files (model copies, shipped archives,
    index files), removed when the process exits. They must outlive the call that makes them
    (Spark serves shipped files to executors until the application ends), so a `with` block
    cannot hold them; one root per process, removed at exit, keeps a nightly driver's disk from
    filling with them."""
    global _SCRATCH_ROOT
    if _SCRATCH_ROOT is None:
        _SCRATCH_ROOT = Path(tempfile.mkdtemp(prefix="kpreco-"))
        atexit.register(shutil.rmtree, _SCRATCH_ROOT, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_SCRATCH_ROOT))


def _filesystem(spark: SparkSession, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    """Write `text` (UTF-8) to `uri`, replacing any old file."""
    filesystem, path = _filesystem(spark, uri)
    stream = filesystem.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def read_text(spark: SparkSession, uri: str) -> str:
    filesystem, path = _filesystem(spark, uri)
    jvm = spark.sparkContext._jvm
    stream = filesystem.open(path)
    try:
        return jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()


def glob(spark: SparkSession, pattern: str) -> list[str]:
    filesystem, path = _filesystem(spark, pattern)
    statuses = filesystem.globStatus(path) or []
    return sorted(str(status.getPath().toString()) for status in statuses)


def newest(spark: SparkSession, pattern: str) -> str | None:
    """The last match of `pattern` in name order (run ids sort by time: the newest run's
    report), None when nothing matches."""
    matches = glob(spark, pattern)
    return matches[-1] if matches else None


def exists(spark: SparkSession, uri: str) -> bool:
    filesystem, path = _filesystem(spark, uri)
    return bool(filesystem.exists(path))


def copy_from_local(spark: SparkSession, local: Path, uri: str) -> None:
    filesystem, path = _filesystem(spark, uri)
    source = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(f"file://{local.resolve()}")
    filesystem.copyFromLocalFile(False, True, source, path)


def copy_to_local(spark: SparkSession, uri: str, local: Path) -> None:
    filesystem, path = _filesystem(spark, uri)
    target = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(f"file://{local.resolve()}")
    filesystem.copyToLocalFile(False, path, target, True)


def delete(spark: SparkSession, uri: str) -> None:
    filesystem, path = _filesystem(spark, uri)
    filesystem.delete(path, True)
