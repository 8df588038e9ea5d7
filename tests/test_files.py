"""Local scratch folders (they outlive the call that makes them and leave with the process),
shipped model archives, and the newest of several runs' reports."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from kpreco.executor_files import _store
from kpreco.files import newest, scratch_folder, write_text
from tests.conftest import make_test_config


def test_scratch_folders_are_removed_when_the_process_exits(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from kpreco.files import scratch_folder\n"
        "a, b = scratch_folder('ship-'), scratch_folder('index-')\n"
        "(a / 'model.zip').write_bytes(b'x' * 1000)\n"
        "print(a, b)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"TMPDIR": str(tmp_path), "PATH": ""},
    )
    first, second = (Path(p) for p in result.stdout.split())
    assert first.parent == second.parent  # one root per process
    assert first.name.startswith("ship-") and second.name.startswith("index-")
    assert first.parent.parent == tmp_path
    assert not first.parent.exists()  # gone with the process
    assert list(tmp_path.iterdir()) == []


def test_a_scratch_folder_is_new_on_every_call() -> None:
    first, second = scratch_folder("x-"), scratch_folder("x-")
    assert first != second and first.is_dir() and second.is_dir()


def test_a_shipped_folder_is_stored_uncompressed_with_its_layout(tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "config.json").write_text('{"a": 1}')
    (model / "1_Pooling" / "config.json").write_text('{"b": 2}')
    (model / "model.safetensors").write_bytes(bytes(range(256)) * 40)
    archive = tmp_path / "model.zip"
    _store(model, archive)
    with zipfile.ZipFile(archive) as stored:
        files = {info.filename: info for info in stored.infolist() if not info.is_dir()}
        assert set(files) == {"config.json", "1_Pooling/config.json", "model.safetensors"}
        assert {info.compress_type for info in files.values()} == {zipfile.ZIP_STORED}
        assert stored.read("model.safetensors") == bytes(range(256)) * 40
        stored.extractall(tmp_path / "unpacked")
    assert (tmp_path / "unpacked" / "1_Pooling" / "config.json").read_text() == '{"b": 2}'


def test_newest_is_the_last_run_by_name_and_none_without_a_match(spark, tmp_path: Path) -> None:
    config = make_test_config(tmp_path)
    # Run ids start with their UTC time, so name order is time order.
    for run_id in ("20261207T010000Z-b", "20261206T230000Z-a", "20261207T020000Z-c"):
        write_text(spark, f"{config.report_dir(run_id)}/judge.json", "{}")
    write_text(spark, f"{config.report_dir('20261207T030000Z-d')}/metrics.json", "{}")
    assert newest(spark, f"{config.report_dir('*')}/judge.json") == (
        f"file:{config.report_dir('20261207T020000Z-c')}/judge.json"
    )
    assert newest(spark, f"{config.report_dir('*')}/evaluation.json") is None
