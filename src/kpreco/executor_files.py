"""Sending local model and index folders to every executor.

`SparkContext.addFile(dir, recursive=True)` works only with a local master; an archive works on
every cluster manager: Spark ships it once per executor and unpacks it there, and
`SparkFiles.get(name)` is then the unpacked folder.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

# (application, folder) -> archive name: a folder is shipped once per application, and Spark
# refuses a second archive of the same name from another path.
_SHIPPED: dict[tuple[str, str], str] = {}


def ship_folder(spark: SparkSession, folder: Path) -> str:
    """Ship `folder` to every executor; the name to pass to `SparkFiles.get` there."""
    key = (spark.sparkContext.applicationId, str(folder.resolve()))
    if key not in _SHIPPED:
        staging = Path(tempfile.mkdtemp(prefix="kpreco-ship-"))
        archive = shutil.make_archive(str(staging / folder.name), "zip", root_dir=folder)
        spark.sparkContext.addArchive(archive)
        _SHIPPED[key] = Path(archive).name
    return _SHIPPED[key]
