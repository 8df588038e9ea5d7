"""Commit stamps: a stage's output is current only while its latest commit says so."""

from __future__ import annotations

from pathlib import Path

from kpreco.freshness import code_digest, last_stamp, stamped_commits, tables_decision
from kpreco.stages.build_pairs import pairs_fingerprint
from kpreco.stages.simulate import simulation_decision, simulation_fingerprint
from kpreco.tables import merge_upsert, overwrite_table
from tests.conftest import make_test_config


def test_a_stamped_commit_is_current_until_someone_else_writes(spark, tmp_path: Path) -> None:
    def current(table: str, wanted: str):
        return tables_decision(spark, [table], wanted, "the table")

    path = str(tmp_path / "table")
    frame = spark.createDataFrame([(1, "a")], "id int, value string")
    with stamped_commits(spark, {"fingerprint": "f1", "run_id": "r1"}):
        overwrite_table(frame, path)
    assert last_stamp(spark, path) == {"fingerprint": "f1", "run_id": "r1"}
    assert not current(path, "f1").run and current(path, "f2").run
    # Commits outside the block carry no stamp: an unknown writer makes the table not current.
    merge_upsert(spark, spark.createDataFrame([(2, "b")], "id int, value string"), path, ["id"])
    assert last_stamp(spark, path) is None and current(path, "f1").run
    assert current(str(tmp_path / "absent"), "f1").run


def test_pairs_fingerprint_follows_inputs_and_settings(spark, tmp_path: Path) -> None:
    config = make_test_config(tmp_path)
    tables = {
        "items": ("item_id string, title string", [("i1", "Grey Sofa")]),
        "keyphrases": ("keyphrase string", [("sofa",)]),
        "search_events": ("item_id string, keyphrase string, clicked int", [("i1", "sofa", 0)]),
        "search_relevance": ("item_id string, keyphrase string, sr_score double", []),
    }
    for name, (schema, rows) in tables.items():
        overwrite_table(spark.createDataFrame(rows, schema), getattr(config.inputs, name))
    first = pairs_fingerprint(spark, config)
    assert pairs_fingerprint(spark, config) == first  # deterministic
    events = spark.createDataFrame(
        [("i1", "sofa", 1)], "item_id string, keyphrase string, clicked int"
    )
    overwrite_table(events, config.inputs.search_events)
    changed_input = pairs_fingerprint(spark, config)
    assert changed_input != first
    other_settings = config.model_copy(
        update={"pairs": config.pairs.model_copy(update={"random_candidates_per_item": 9})}
    )
    assert pairs_fingerprint(spark, other_settings) not in (first, changed_input)


def test_simulation_is_current_only_with_the_same_settings(spark, tmp_path: Path) -> None:
    config = make_test_config(tmp_path)
    assert simulation_decision(spark, config).run  # nothing written yet
    stamp = {"fingerprint": simulation_fingerprint(config), "run_id": "sim"}
    frame = spark.createDataFrame([(1,)], "x int")
    for name in ("items", "keyphrases", "search_events", "search_relevance", "human_labels"):
        with stamped_commits(spark, stamp):
            overwrite_table(frame, getattr(config.inputs, name))
    assert simulation_decision(spark, config).reason.startswith("no stamped output yet")
    assert config.inputs.truth in simulation_decision(spark, config).reason  # `truth` is missing
    with stamped_commits(spark, stamp):
        overwrite_table(frame, config.inputs.truth)
    decision = simulation_decision(spark, config)
    assert not decision.run and str(decision) == (
        "skipped: simulator settings and code unchanged since run sim"
    )
    reseeded = config.model_copy(
        update={"simulate": config.simulate.model_copy(update={"seed": 4})}
    )
    assert str(simulation_decision(spark, reseeded)) == (
        "ran: simulator settings and code changed since run sim"
    )
    assert len(code_digest()) == 16
