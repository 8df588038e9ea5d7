"""Local scratch folders: they outlive the call that makes them and leave with the process."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from kpreco.executor_files import _store
from kpreco.files import scratch_folder


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
