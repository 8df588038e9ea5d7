"""Training data of the assistant: the judge's ok judgments, split by item like `pairs`."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kpreco.config import SplitSettings
from kpreco.judge.key import JudgeKey, ok_judgments
from kpreco.pairs.build import split_of


def judged_pairs(judgments: DataFrame, key: JudgeKey, split: SplitSettings) -> DataFrame:
    """(item_id, keyphrase, title, keyphrase_display, p_relevant, label, pair_kind, split) of
    this judge's ok judgments of sampled pairs (the evaluation's own requests left out); the
    split is the item's split in `pairs`."""
    return ok_judgments(judgments, key, evaluation=False).select(
        "item_id",
        "keyphrase",
        "title",
        "keyphrase_display",
        "p_relevant",
        "label",
        "pair_kind",
        split_of(F.col("item_id"), split).alias("split"),
    )
