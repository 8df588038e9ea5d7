"""Where the input tables are: inputs.dir, named paths, and simulator output never mixed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpreco.config import load_config
from kpreco.freshness import stamped_commits
from kpreco.inputs import resolve_inputs
from kpreco.tables import InputNotFound, overwrite_table
from kpreco.validate import ContractViolation
from tests.conftest import TEST_CONFIG

CSV = {
    "items": "item_id,title\nit1,Green Garden Hose 15m\n",
    "keyphrases": "keyphrase\ngarden hose\n",
    "search_events": "event_date,item_id,keyphrase,clicked\n2026-09-01,it1,garden hose,1\n",
    "search_relevance": "item_id,keyphrase,sr_score\nit1,garden hose,0.9\n",
}


def own_folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in names or CSV:
        (folder / f"{name}.csv").write_text(CSV[name])
    return folder


def own_config(folder: Path, *overrides: str):
    return load_config(
        TEST_CONFIG,
        [f"inputs.dir={folder}", "simulate.enabled=false", f"output.root={folder}/out", *overrides],
    )


def simulated_table(spark, path: Path, fingerprint: str = "sim-a") -> None:
    frame = spark.createDataFrame(
        [("it9", "old hose", 1)], "item_id string, keyphrase string, relevance int"
    )
    with stamped_commits(spark, {"stage": "simulate", "fingerprint": fingerprint, "run_id": "old"}):
        overwrite_table(frame, str(path))


def test_inputs_dir_finds_the_contract_names_and_no_references(spark, tmp_path: Path) -> None:
    folder = own_folder(tmp_path)
    resolved = resolve_inputs(spark, own_config(folder))
    assert resolved.inputs.items == f"{folder}/items.csv"
    assert resolved.inputs.search_relevance == f"{folder}/search_relevance.csv"
    assert resolved.inputs.truth is None and resolved.inputs.human_labels is None
    assert resolved._input_notes["truth"] == (
        f"inputs.truth is not set, and inputs.dir ({folder}) has none"
    )


def test_a_simulator_truth_left_beside_your_data_is_not_read(spark, tmp_path: Path) -> None:
    folder = own_folder(tmp_path)
    (folder / "human_labels.csv").write_text("item_id,keyphrase,label\nit1,garden hose,3\n")
    simulated_table(spark, folder / "truth")
    resolved = resolve_inputs(spark, own_config(folder))
    assert resolved.inputs.truth is None
    assert resolved._input_notes["truth"].startswith(
        f"left out: {folder}/truth holds the simulator's sample data (run old)"
    )
    assert resolved.inputs.human_labels == f"{folder}/human_labels.csv"
    # Named explicitly, as a user following the old README would have it: still left out.
    named = resolve_inputs(spark, own_config(folder, f"inputs.truth={folder}/truth"))
    assert named.inputs.truth is None


def test_simulated_inputs_of_one_simulation_keep_their_truth(spark, tmp_path: Path) -> None:
    folder = own_folder(tmp_path, "keyphrases", "search_events", "search_relevance")
    simulated_table(spark, folder / "items")
    simulated_table(spark, folder / "truth")
    resolved = resolve_inputs(spark, own_config(folder))
    assert resolved.inputs.truth == f"{folder}/truth"
    simulated_table(spark, folder / "truth", fingerprint="sim-b")  # another simulation
    assert resolve_inputs(spark, own_config(folder)).inputs.truth is None


def test_a_required_table_from_the_simulator_beside_your_items_is_an_error(
    spark, tmp_path: Path
) -> None:
    folder = own_folder(tmp_path, "items", "keyphrases", "search_events")
    simulated_table(spark, folder / "search_relevance")
    with pytest.raises(ContractViolation, match=r"inputs\.search_relevance: .* simulator"):
        resolve_inputs(spark, own_config(folder))


def test_every_missing_path_is_named_before_any_stage(spark, tmp_path: Path) -> None:
    folder = own_folder(tmp_path, "items", "keyphrases")
    config = own_config(folder, f"inputs.truth={tmp_path}/nowhere/truth")
    with pytest.raises(InputNotFound) as error:
        resolve_inputs(spark, config)
    message = str(error.value)
    assert f"'truth': nothing at {tmp_path}/nowhere/truth (inputs.truth)" in message
    assert f"'search_events': nothing at {folder}/search_events[" in message
    assert "'search_relevance'" in message and "'items'" not in message


def test_a_table_twice_in_the_folder_is_an_error(spark, tmp_path: Path) -> None:
    folder = own_folder(tmp_path)
    (folder / "items.parquet").write_text("not really")
    with pytest.raises(InputNotFound, match=r"inputs\.dir holds items more than once"):
        resolve_inputs(spark, own_config(folder))


def test_a_run_that_simulates_checks_nothing_yet(spark, tmp_path: Path) -> None:
    config = load_config(TEST_CONFIG, [f"inputs.dir={tmp_path}/sim", f"output.root={tmp_path}"])
    resolved = resolve_inputs(spark, config, simulating=True)
    assert resolved.inputs.truth == f"{tmp_path}/sim/truth"
    assert resolved.inputs.items == f"{tmp_path}/sim/items"


def test_your_tables_named_one_by_one_beside_a_simulated_default_folder(
    spark, tmp_path: Path
) -> None:
    """The old README recipe: conf/local.yaml's folder holds a simulation, the user names their
    four tables with --set inputs.<name>=...: none of the simulator's references is read."""
    mine = own_folder(tmp_path)
    simulated = tmp_path / "simulated"
    for name in ("items", "truth", "human_labels"):
        simulated_table(spark, simulated / name)
    config = load_config(
        TEST_CONFIG,
        [
            f"inputs.dir={simulated}",
            "simulate.enabled=false",
            *[f"inputs.{name}={mine}/{name}.csv" for name in CSV],
        ],
    )
    resolved = resolve_inputs(spark, config)
    assert resolved.inputs.items == f"{mine}/items.csv"
    assert resolved.inputs.truth is None and resolved.inputs.human_labels is None
    assert resolved._input_notes["human_labels"].startswith(
        f"left out: {simulated}/human_labels holds the simulator's sample data"
    )
