"""Writing small files (reports) wherever the output root lives: local disk, HDFS, S3..."""

from __future__ import annotations

from pyspark.sql import SparkSession


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    """Write `text` (UTF-8) to `uri` through Hadoop's FileSystem, replacing any old file."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    filesystem = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = filesystem.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def read_text(spark: SparkSession, uri: str) -> str:
    return "\n".join(row.value for row in spark.read.text(uri, wholetext=True).collect())
