"""Progress bars off a terminal, and the stage timer telling its listeners."""

from __future__ import annotations

import os

import pytest

from kpreco import log
from kpreco.log import StageRecord, quiet_progress_bars, stage, stage_listener


@pytest.mark.parametrize(
    ("terminal", "keep", "disabled"), [(False, None, "1"), (False, "1", None), (True, None, None)]
)
def test_bars_are_off_only_in_a_log_file(monkeypatch, terminal, keep, disabled) -> None:
    monkeypatch.setenv("TQDM_DISABLE", "")  # recorded, so the test's own change is undone
    monkeypatch.delenv("TQDM_DISABLE")
    monkeypatch.setattr(log, "on_terminal", lambda: terminal)
    if keep:
        monkeypatch.setenv("KPRECO_PROGRESS", keep)
    else:
        monkeypatch.delenv("KPRECO_PROGRESS", raising=False)
    quiet_progress_bars()
    assert os.environ.get("TQDM_DISABLE") == disabled


def test_listeners_hear_every_stage_end_while_registered() -> None:
    heard: list[tuple[str, bool, dict]] = []

    def listener(record: StageRecord, succeeded: bool) -> None:
        heard.append((record.name, succeeded, dict(record.counts)))

    with stage_listener(listener):
        with stage("one") as record:
            record.counts["rows"] = 3
        with pytest.raises(ValueError), stage("two"):
            raise ValueError("bad input")
    with stage("after"):
        pass
    assert heard == [("one", True, {"rows": 3}), ("two", False, {})]
