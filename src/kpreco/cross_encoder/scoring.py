"""The assistant's one scoring path: `score_ce` on executors, the relevance filter in
`recommend` and the evaluation on the driver all score through `CrossEncoderScorer`, with the
configured `max_length` and batch size and the model's calibration.

A shipped model folder travels as an archive (`kpreco.executor_files`), so executors of a
cluster read it locally; logits and calibrated probabilities come from one pandas function,
one model load per Python worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from kpreco.config import CrossEncoderSettings
from kpreco.cross_encoder.calibration import apply_calibration
from kpreco.cross_encoder.train import load_cross_encoder, predict_logits

SCORE_SCHEMA = StructType(
    [
        StructField("item_id", StringType()),
        StructField("keyphrase", StringType()),
        StructField("ce_logit", DoubleType()),
        StructField("ce_prob", DoubleType()),
    ]
)


@cache
def _loaded(path: str, max_length: int, threads: int | None):
    if threads:
        import torch

        torch.set_num_threads(threads)
    return load_cross_encoder(path, max_length)


@dataclass(frozen=True)
class CrossEncoderScorer:
    """A registered cross-encoder with the settings it scores with. `model` is a local folder,
    or (shipped=True) the name of a shipped folder for `SparkFiles.get` on executors."""

    model: str
    calibration: dict | None
    max_length: int
    batch_size: int
    threads: int | None = None
    shipped: bool = False

    @classmethod
    def configured(
        cls,
        model: str,
        calibration: dict | None,
        settings: CrossEncoderSettings,
        threads: int | None = None,
        shipped: bool = False,
    ) -> CrossEncoderScorer:
        return cls(
            model, calibration, settings.max_length, settings.score.batch_size, threads, shipped
        )

    def load(self):
        location = SparkFiles.get(self.model) if self.shipped else self.model
        return _loaded(location, self.max_length, self.threads)

    def logits(self, titles: list[str], keyphrases: list[str]) -> np.ndarray:
        if not titles:
            return np.zeros(0)
        return predict_logits(self.load(), titles, keyphrases, self.batch_size)

    def probabilities(self, titles: list[str], keyphrases: list[str]) -> np.ndarray:
        return apply_calibration(self.calibration, self.logits(titles, keyphrases))


def score_frame(pairs: DataFrame, scorer: CrossEncoderScorer, partitions: int) -> DataFrame:
    """(item_id, keyphrase, ce_logit, ce_prob) for `pairs` (item_id, keyphrase, title,
    keyphrase_display)."""

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            logits = scorer.logits(batch["title"].tolist(), batch["keyphrase_display"].tolist())
            yield pd.DataFrame(
                {
                    "item_id": batch["item_id"],
                    "keyphrase": batch["keyphrase"],
                    "ce_logit": logits,
                    "ce_prob": apply_calibration(scorer.calibration, logits),
                }
            )

    return (
        pairs.select("item_id", "keyphrase", "title", "keyphrase_display")
        .repartition(partitions)
        .mapInPandas(score, SCORE_SCHEMA)
    )
