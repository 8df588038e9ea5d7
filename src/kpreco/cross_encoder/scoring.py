"""The assistant's one scoring path: `score_ce` on executors, the relevance filter in
`recommend` and the evaluation on the driver all score through `CrossEncoderScorer`, with the
configured `max_length` and batch size and the model's calibration. The relevance filter (and
the evaluation's replay of it) scores in `recommend.relevance_filter.precision` (float32 by
default, int8 an opt-in); `score_ce`, whose scores are the student's training targets, in
float32.

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

from kpreco.config import CrossEncoderSettings, ScoringPrecision
from kpreco.cross_encoder.calibration import apply_calibration
from kpreco.cross_encoder.train import load_cross_encoder, predict_logits
from kpreco.embedding import best_device
from kpreco.log import get_logger

log = get_logger(__name__)

SCORE_SCHEMA = StructType(
    [
        StructField("item_id", StringType()),
        StructField("keyphrase", StringType()),
        StructField("ce_logit", DoubleType()),
        StructField("ce_prob", DoubleType()),
    ]
)


def int8_linear(model):
    """`model` with its linear layers' weights int8 and activations quantised per batch
    (torch's dynamic quantisation, on the CPU only): about half the scoring time of float32 on
    2 cores for a MiniLM assistant, no export step and no other runtime, but not its scores:
    on the default marketplace it moved 9.6% of the relevance filter's decisions
    (`bench/ce_quantization.py`), so it is an opt-in. torch marks `torch.ao.quantization`
    deprecated in favour of torchao, whose CPU path needs `torch.compile`; this stays while the
    pinned torch ships it."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )


@cache
def _loaded(
    path: str, max_length: int, threads: int | None, precision: ScoringPrecision = "float32"
):
    if threads:
        import torch

        torch.set_num_threads(threads)
    model = load_cross_encoder(path, max_length)
    if precision == "int8":
        if best_device() != "cpu":
            log.info("cross-encoder: int8 scoring is a CPU path; scoring in float32 on the GPU")
        else:
            model = int8_linear(model)
    return model


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
    precision: ScoringPrecision = "float32"

    @classmethod
    def configured(
        cls,
        model: str,
        calibration: dict | None,
        settings: CrossEncoderSettings,
        threads: int | None = None,
        shipped: bool = False,
        precision: ScoringPrecision = "float32",
    ) -> CrossEncoderScorer:
        return cls(
            model,
            calibration,
            settings.max_length,
            settings.score.batch_size,
            threads,
            shipped,
            precision,
        )

    def load(self):
        location = SparkFiles.get(self.model) if self.shipped else self.model
        return _loaded(location, self.max_length, self.threads, self.precision)

    def logits(
        self, titles: list[str], keyphrases: list[str], groups: list[int] | None = None
    ) -> np.ndarray:
        """Raw logits. `groups` (sizes summing to len(titles)): each run of pairs is scored as
        its own batch. int8's activation scales are per batch, so a pair's int8 score depends
        on the pairs beside it; scored per group (one item's candidates), an item's scores
        depend on its own candidates only, not on the items that share its partition. float32
        is scored per group as well: batches across items were no faster on the relevance
        filter's pairs (bench/ce_batching.py: 0.92x and 0.96x in two runs), an item's pairs
        share one title and pad less."""
        if not titles:
            return np.zeros(0)
        model = self.load()
        if groups is None:
            return predict_logits(model, titles, keyphrases, self.batch_size)
        if sum(groups) != len(titles):
            raise ValueError(f"groups cover {sum(groups)} pairs, not the {len(titles)} given")
        ends = np.cumsum(groups)
        return np.concatenate(
            [
                predict_logits(model, titles[end - n : end], keyphrases[end - n : end], n)
                for n, end in zip(groups, ends, strict=True)
                if n
            ]
        )

    def probabilities(
        self, titles: list[str], keyphrases: list[str], groups: list[int] | None = None
    ) -> np.ndarray:
        return apply_calibration(self.calibration, self.logits(titles, keyphrases, groups))


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
