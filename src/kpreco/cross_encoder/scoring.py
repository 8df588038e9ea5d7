"""Scoring pairs with the assistant on executors: one model load per Python worker.

The model folder is shipped as an archive (`kpreco.shipping`), so executors of a cluster
read it locally; logits and calibrated probabilities come from one pandas function.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from kpreco.cross_encoder.calibration import apply_calibration
from kpreco.cross_encoder.train import load_cross_encoder, predict_logits
from kpreco.shipping import ship_folder

SCORE_SCHEMA = StructType(
    [
        StructField("item_id", StringType()),
        StructField("keyphrase", StringType()),
        StructField("ce_logit", DoubleType()),
        StructField("ce_prob", DoubleType()),
    ]
)


@cache
def _worker_model(path: str, max_length: int, threads: int):
    import torch

    torch.set_num_threads(threads)
    return load_cross_encoder(path, max_length)


def ship_model(spark: SparkSession, local_folder: Path) -> str:
    """Send the model folder to every executor; returns the name to `SparkFiles.get`."""
    return ship_folder(spark, local_folder)


def score_frame(
    pairs: DataFrame,
    shipped_name: str,
    calibration: dict,
    max_length: int,
    batch_size: int,
    threads: int,
    partitions: int,
) -> DataFrame:
    """(item_id, keyphrase, ce_logit, ce_prob) for `pairs` (item_id, keyphrase, title,
    keyphrase_display)."""

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = _worker_model(SparkFiles.get(shipped_name), max_length, threads)
        for batch in batches:
            logits = predict_logits(
                model, batch["title"].tolist(), batch["keyphrase_display"].tolist(), batch_size
            )
            yield pd.DataFrame(
                {
                    "item_id": batch["item_id"],
                    "keyphrase": batch["keyphrase"],
                    "ce_logit": logits,
                    "ce_prob": apply_calibration(calibration, logits),
                }
            )

    return (
        pairs.select("item_id", "keyphrase", "title", "keyphrase_display")
        .repartition(partitions)
        .mapInPandas(score, SCORE_SCHEMA)
    )
