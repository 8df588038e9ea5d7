"""Which judge a judgment belongs to, and "this judge's ok judgments", in one place.

A judgment is cached under (item, keyphrase, judge model, prompt version): changing the model or
the prompt template's version means new judgments, never a mix of old and new.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from kpreco.config import JudgeSettings
from kpreco.judge.backends import judge_model_id, prompt_version
from kpreco.judge.backends.base import OK

# The pair kind of the evaluation's requests (models' top-k on test items): labels for LLM
# precision, not part of what the assistant learns from or is scored on, so that an evaluation
# never makes the next run's training or scoring do new work.
EVALUATION_KIND = "evaluation"


@dataclass(frozen=True)
class JudgeKey:
    model: str
    prompt_version: str

    @classmethod
    def of(cls, settings: JudgeSettings) -> JudgeKey:
        return cls(judge_model_id(settings), prompt_version(settings))

    def as_list(self) -> list[str]:
        return [self.model, self.prompt_version]

    def matches(self) -> Column:
        return (F.col("judge_model") == self.model) & (
            F.col("prompt_version") == self.prompt_version
        )

    def __str__(self) -> str:
        return f"{self.model} ({self.prompt_version})"


def ok_judgments(judgments: DataFrame, key: JudgeKey, evaluation: bool = True) -> DataFrame:
    """The rows of `judgments` that `key`'s judge answered (status ok); without the
    evaluation's own requests when `evaluation` is False."""
    wanted = key.matches() & (F.col("status") == OK)
    if not evaluation:
        wanted = wanted & ~F.col("pair_kind").eqNullSafe(EVALUATION_KIND)
    return judgments.where(wanted)
