"""Logging set-up, progress bars, and a stage timer: every stage logs its start, row counts and
time, and tells the job's listeners (run tracking) when it ends."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def on_terminal() -> bool:
    """Whether a person watches stderr (a terminal), so progress bars help rather than flood."""
    return sys.stderr.isatty()


def quiet_progress_bars() -> None:
    """Off-terminal, switch off every tqdm bar (transformers' weight loading, the trainers,
    sentence-transformers): a bar redrawn with carriage returns fills a log file with noise.
    tqdm reads TQDM_DISABLE as its default; `KPRECO_PROGRESS=1` keeps the bars anyway."""
    if not on_terminal() and os.environ.get("KPRECO_PROGRESS") != "1":
        os.environ.setdefault("TQDM_DISABLE", "1")
        # transformers' own switch for its bars (weight loading), read through huggingface_hub.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    # py4j logs every gateway call at INFO.
    logging.getLogger("py4j").setLevel(logging.WARNING)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("kpreco") else f"kpreco.{name}")


@dataclass
class StageRecord:
    """What one stage did: filled in by the stage, read by the run summary."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    details: dict[str, str] = field(default_factory=dict)
    # Model versions the stage trained or used (role -> version), recorded in `runs`.
    models: dict[str, str] = field(default_factory=dict)
    # Headline numbers of the stage (the judge's report, the evaluation), for run tracking.
    metrics: dict[str, float] = field(default_factory=dict)
    # Reports the stage wrote for a person to read (their locations), for run tracking.
    artifacts: list[str] = field(default_factory=list)
    # Models the stage trained or reused (role -> registry location): run tracking mirrors each
    # into MLflow's model registry once.
    published: dict[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)  # epoch seconds


StageListener = Callable[[StageRecord, bool], None]  # (record, succeeded)
_listeners: list[StageListener] = []


@contextmanager
def stage_listener(listener: StageListener) -> Iterator[None]:
    """Tell `listener` about every stage that ends while the block runs (a job's run tracker)."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def _notify(record: StageRecord, succeeded: bool) -> None:
    for listener in list(_listeners):
        listener(record, succeeded)


@contextmanager
def stage(name: str, logger: logging.Logger | None = None) -> Iterator[StageRecord]:
    log = logger or get_logger("stage")
    record = StageRecord(name)
    log.info("stage %s: start", name)
    started = time.perf_counter()
    try:
        yield record
    except Exception:
        record.seconds = time.perf_counter() - started
        log.error("stage %s: failed after %.1fs", name, record.seconds)
        _notify(record, succeeded=False)
        raise
    record.seconds = time.perf_counter() - started
    counts = ", ".join(f"{key}={value:,}" for key, value in record.counts.items())
    log.info("stage %s: done in %.1fs%s", name, record.seconds, f" ({counts})" if counts else "")
    _notify(record, succeeded=True)
