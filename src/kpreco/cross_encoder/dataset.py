"""Training data of the assistant: the judge's ok judgments, split by item like `pairs`."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from kpreco.config import SplitSettings
from kpreco.pairs.build import split_of


def judged_pairs(
    judgments: DataFrame, judge_model: str, prompt_version: str, split: SplitSettings
) -> DataFrame:
    """(item_id, keyphrase, title, keyphrase_display, p_relevant, label, pair_kind, split) of
    this judge's ok judgments; the split is the item's split in `pairs`."""
    return judgments.where(
        (F.col("judge_model") == judge_model)
        & (F.col("prompt_version") == prompt_version)
        & (F.col("status") == "ok")
    ).select(
        "item_id",
        "keyphrase",
        "title",
        "keyphrase_display",
        "p_relevant",
        "label",
        "pair_kind",
        split_of(F.col("item_id"), split).alias("split"),
    )
