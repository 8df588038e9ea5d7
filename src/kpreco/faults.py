"""Fault injection for the reliability tests; does nothing unless its variable is set.

`KPRECO_FAULT_KILL_WORKER=<point>:<marker file>` makes the first Python worker that reaches
`point` kill itself with SIGKILL (no cleanup, as when the OOM killer strikes), once: the marker
file records that it happened, so Spark's retry of the task runs normally.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

KILL_WORKER = "KPRECO_FAULT_KILL_WORKER"
# Read once per process (a Python worker inherits its environment when it starts): the hook in
# a hot loop is then one comparison when no fault is set.
_SETTING = os.environ.get(KILL_WORKER, "")


def kill_worker_once(point: str) -> None:
    if not _SETTING:
        return
    setting = _SETTING
    wanted, _, marker = setting.partition(":")
    if wanted != point or not marker:
        return
    try:
        # O_EXCL: of several workers reaching the point at once, exactly one dies.
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    Path(marker).write_text(f"killed pid {os.getpid()} at {point}\n")
    os.kill(os.getpid(), signal.SIGKILL)
