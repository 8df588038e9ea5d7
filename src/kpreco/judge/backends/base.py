"""What every judge backend takes and returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from kpreco.judge.prompt import PromptTemplate

OK = "ok"
FAILED = "failed"


@dataclass(frozen=True)
class JudgeRequest:
    item_id: str
    keyphrase: str  # normalised: part of the judgment key
    title: str
    category: str | None
    keyphrase_display: str  # what the judge reads


@dataclass(frozen=True)
class JudgeResult:
    p_relevant: float | None
    raw_answer: str | None
    status: str
    error: str | None
    latency_ms: float

    @classmethod
    def failure(cls, error: str, latency_ms: float) -> JudgeResult:
        return cls(None, None, FAILED, error[:500], latency_ms)


class JudgeBackend(ABC):
    """Scores a batch of (item, keyphrase) requests with one prompt template.

    A failure on one request is returned as a `failed` result, never raised, so one bad pair
    cannot fail the batch. Requests of the same item should be consecutive (prefix reuse).
    """

    def __init__(self, template: PromptTemplate):
        self.template = template

    @abstractmethod
    def judge(self, requests: list[JudgeRequest]) -> list[JudgeResult]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release model memory or connections."""


def common_prefix_length(sequences: list[list[int]]) -> int:
    """How many leading tokens all `sequences` share (the KV cache they can reuse)."""
    shortest = min(len(s) for s in sequences)
    for position in range(shortest):
        if any(s[position] != sequences[0][position] for s in sequences):
            return position
    return shortest
