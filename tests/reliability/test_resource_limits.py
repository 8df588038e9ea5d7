"""A catalog at the default size (conf/local.yaml) with a skewed category (80% of items in one)
and a long tail of title lengths goes through build_pairs and recommend at default settings.

Slow (about 10 minutes): `make test-slow`. Training is not what skew stresses, so recommend
serves the packaged base encoder, registered as a pinned student version.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from kpreco import registry
from kpreco.embedding import PACKAGED_MINILM, resolve_encoder_path
from kpreco.tables import overwrite_table, read_delta
from tests.test_jobs import ROOT, job_settings, submit

pytestmark = pytest.mark.slow

SKEWED_SHARE = 0.8
LONG_SHARE = 0.05  # titles padded to 200..1,999 characters
OVERSIZED = 10  # titles of 10,000 characters
TITLE_LIMIT = 1_000  # validation.max_title_chars at default settings: longer titles are rejected


LOCAL = "conf/local.yaml"


def run(job: str, workdir: Path, *overrides: str):
    return submit(job, workdir, *overrides, config=LOCAL, timeout_s=1800)


def skew(spark, workdir: Path) -> dict[str, int]:
    path = str(workdir / "inputs" / "items")
    items = read_delta(spark, path)
    big = items.groupBy("category").count().orderBy(F.desc("count")).first().category
    draw, big = F.rand(11), F.lit(big)
    repeat = (F.lit(200) + F.pow(F.rand(12), 3) * 1_799).cast("int")  # a long tail of lengths
    padded = F.substring(F.repeat(F.concat(F.col("title"), F.lit(" ")), 200), 1, repeat)
    skewed = (
        items.withColumn("_row", F.row_number().over(_by_id()))
        .withColumn(
            "category", F.when(draw < SKEWED_SHARE, F.lit(big)).otherwise(F.col("category"))
        )
        .withColumn("title", F.when(F.rand(13) < LONG_SHARE, padded).otherwise(F.col("title")))
        .withColumn(
            "title",
            F.when(F.col("_row") <= OVERSIZED, F.repeat(F.lit("Oversized "), 1_000)).otherwise(
                F.col("title")
            ),
        )
        .drop("_row")
        .localCheckpoint()
    )
    overwrite_table(skewed, path)
    stats = read_delta(spark, path).agg(
        F.count(F.lit(1)).alias("items"),
        F.sum((F.col("category") == big).cast("int")).alias("in_big_category"),
        F.sum((F.length("title") >= 200).cast("int")).alias("long_titles"),
        F.sum((F.length("title") > TITLE_LIMIT).cast("int")).alias("over_limit"),
        F.max(F.length("title")).alias("longest"),
    )
    return stats.first().asDict()


def _by_id():
    from pyspark.sql import Window

    return Window.orderBy("item_id")


def register_base_student(spark, workdir: Path) -> str:
    from kpreco.config import load_config

    config = load_config(ROOT / LOCAL, job_settings(workdir))
    folder = Path(tempfile.mkdtemp()) / "student"
    shutil.copytree(resolve_encoder_path(PACKAGED_MINILM), folder)
    metadata = {"preset": "base", "parent_model": PACKAGED_MINILM, "training_data": None}
    registry.publish(spark, folder, config, "bi_encoder", "base-minilm", metadata)
    return "base-minilm"


def test_skewed_catalog_with_long_titles_at_default_settings(spark, tmp_path: Path) -> None:
    run("simulate", tmp_path)
    stats = skew(spark, tmp_path)
    assert stats["in_big_category"] >= 0.78 * stats["items"]
    assert stats["long_titles"] >= 0.04 * stats["items"] and stats["longest"] == 10_000

    pairs = run("build_pairs", tmp_path, "run_id=skewed")
    assert "OutOfMemory" not in pairs.output
    kept = stats["items"] - stats["over_limit"]
    assert stats["long_titles"] > stats["over_limit"] > OVERSIZED  # a tail on both sides
    assert f"items_kept={kept:,}" in pairs.output
    rejects = read_delta(spark, str(tmp_path / "out" / "rejects"))
    too_long = rejects.where(F.col("reason").startswith("title: longer than"))
    assert too_long.count() == stats["over_limit"]

    version = register_base_student(spark, tmp_path)
    recommend = run(
        "recommend",
        tmp_path,
        "run_id=skewed",
        f"bi_encoder.version={version}",
        "recommend.relevance_filter.enabled=false",
    )
    assert "OutOfMemory" not in recommend.output
    lists = read_delta(spark, str(tmp_path / "out" / "item_keyphrases"))
    assert lists.select("item_id").distinct().count() == kept
