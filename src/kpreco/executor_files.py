"""Sending local model and index folders to every executor.

`SparkContext.addFile(dir, recursive=True)` works only with a local master; an archive works on
every cluster manager: Spark ships it once per executor and unpacks it there, and
`SparkFiles.get(name)` is then the unpacked folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pyspark.sql import SparkSession

from kpreco.files import scratch_folder

# (application, folder) -> archive name: a folder is shipped once per application, and Spark
# refuses a second archive of the same name from another path.
_SHIPPED: dict[tuple[str, str], str] = {}


def ship_folder(spark: SparkSession, folder: Path) -> str:
    """Ship `folder` to every executor; the name to pass to `SparkFiles.get` there."""
    key = (spark.sparkContext.applicationId, str(folder.resolve()))
    if key not in _SHIPPED:
        archive = scratch_folder("ship-") / f"{folder.name}.zip"
        _store(folder, archive)
        spark.sparkContext.addArchive(str(archive))
        _SHIPPED[key] = archive.name
    return _SHIPPED[key]


def _store(folder: Path, archive: Path) -> None:
    """Zip `folder` without compression: model weights barely compress, and deflating a
    cross-encoder's 90 MB took 5 s of every job that ships it."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as target:
        for path in sorted(folder.rglob("*")):
            target.write(path, path.relative_to(folder).as_posix())
