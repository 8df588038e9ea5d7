"""The `runs` table: decisions and model versions per run, and an older table upgraded in place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql.types import StructType

from kpreco.log import StageRecord
from kpreco.run_records import RUNS_SCHEMA, record_run
from kpreco.tables import overwrite_table, read_delta
from tests.conftest import make_test_config


def test_a_runs_table_of_an_older_release_gains_the_decisions_column(spark, tmp_path: Path) -> None:
    config = make_test_config(tmp_path, "run_id=new")
    older = StructType([f for f in RUNS_SCHEMA.fields if f.name != "stage_decisions"])
    started = datetime.now(UTC)
    old_row = ("old", "pipeline", "succeeded", started, started, "{}", {}, {}, {}, {}, None)
    overwrite_table(spark.createDataFrame([old_row], older), config.table_path("runs"))

    trained = StageRecord("train_cross_encoder", details={"decision": "ran: no cross-encoder"})
    trained.models["cross_encoder"] = "ce-1"
    listed = StageRecord("recommend", details={"decision": "ran: lists only new items"})
    listed.models.update(served_bi_encoder="bi-1", relevance_filter="ce-1")
    record_run(spark, config, "pipeline", started, [trained, listed])

    runs = {row.run_id: row for row in read_delta(spark, config.table_path("runs")).collect()}
    assert set(runs) == {"old", "new"}
    assert runs["old"].stage_decisions is None  # the older row is kept as it was
    assert runs["new"].stage_decisions == {
        "train_cross_encoder": "ran: no cross-encoder",
        "recommend": "ran: lists only new items",
    }
    assert runs["new"].model_versions == {
        "cross_encoder": "ce-1",
        "served_bi_encoder": "bi-1",
        "relevance_filter": "ce-1",
    }
