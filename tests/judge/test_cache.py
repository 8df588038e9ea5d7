"""The judge's time-left estimate (the rest of kpreco.judge.cache runs in the score_llm stage
tests against real Delta tables)."""

from __future__ import annotations

from kpreco.judge.cache import time_left


def test_time_left_at_the_rate_so_far() -> None:
    assert time_left(done=100, total=400, seconds=50.0) == "2m 30s"  # 300 pairs at 2/s
    assert time_left(done=10, total=7210, seconds=10.0) == "2h 00m"
    assert time_left(done=400, total=400, seconds=50.0) == "0m 00s"


def test_time_left_before_any_pair_is_unknown() -> None:
    assert time_left(done=0, total=400, seconds=3.0) == "unknown"
