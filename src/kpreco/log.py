"""Logging set-up and a stage timer: every stage logs its start, row counts and time."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
        raise
    record.seconds = time.perf_counter() - started
    counts = ", ".join(f"{key}={value:,}" for key, value in record.counts.items())
    log.info("stage %s: done in %.1fs%s", name, record.seconds, f" ({counts})" if counts else "")
