"""The per-partition work of `recommend`: embed titles, search the index, de-duplicate, score
the relevance filter, all in one pandas function so each Python worker loads the student,
the cross-encoder, the index and the vocabulary once (MODELS.md: chained pandas UDFs run in
separate worker processes, each loading its own models)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    FloatType,
    StringType,
    StructField,
    StructType,
)

from kpreco.config import RecommendSettings
from kpreco.faults import kill_worker_once
from kpreco.recommend.lists import canonical_key, dedupe_ranked

CANDIDATE_SCHEMA = StructType(
    [
        StructField("item_id", StringType()),
        StructField("keyphrase", StringType()),
        StructField("keyphrase_display", StringType()),
        StructField("canonical_key", StringType()),
        StructField("retrieval_score", FloatType()),
        StructField("relevance_score", DoubleType()),
    ]
)


INDEX_FILE = "keyphrases.faiss"
VOCABULARY_FILE = "vocabulary.json"


@dataclass(frozen=True)
class Shipped:
    """Names, for `SparkFiles.get`, of what every executor needs: the student and
    cross-encoder folders, and the index folder (INDEX_FILE and VOCABULARY_FILE)."""

    student: str
    index: str
    cross_encoder: str | None
    calibration: dict | None


@cache
def load_student(path: str, threads: int):
    import torch
    from sentence_transformers import SentenceTransformer

    from kpreco.encoders import best_device

    torch.set_num_threads(threads)
    return SentenceTransformer(path, device=best_device())


@cache
def _index(path: str):
    import faiss

    return faiss.read_index(path)


@dataclass(frozen=True)
class Vocabulary:
    keyphrases: list[str]
    displays: list[str]
    keys: list[str]  # canonical keys, computed once per worker, not once per candidate


@cache
def _vocabulary(path: str) -> Vocabulary:
    data = json.loads(Path(path).read_text())
    keyphrases = data["keyphrase"]
    return Vocabulary(keyphrases, data["keyphrase_display"], [canonical_key(k) for k in keyphrases])


@cache
def _cross_encoder(path: str, threads: int):
    import torch

    from kpreco.cross_encoder.train import load_cross_encoder

    torch.set_num_threads(threads)
    return load_cross_encoder(path)


def embed(model, texts: list[str], dim: int, batch_size: int) -> np.ndarray:
    """Unit vectors of the first `dim` Matryoshka dimensions."""
    vectors = np.asarray(
        model.encode(texts, batch_size=batch_size, convert_to_numpy=True), dtype=np.float32
    )
    prefix = vectors[:, :dim]
    return np.ascontiguousarray(prefix / np.linalg.norm(prefix, axis=1, keepdims=True))


def embed_texts(
    frame: DataFrame, column: str, student: str, settings: RecommendSettings
) -> DataFrame:
    """(column, embedding) on executors with the shipped student."""
    schema = StructType(
        [StructField(column, StringType()), StructField("embedding", ArrayType(FloatType()))]
    )

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = load_student(SparkFiles.get(student), settings.threads)
        for batch in batches:
            vectors = embed(model, batch[column].tolist(), settings.dim, settings.batch_size)
            yield pd.DataFrame({column: batch[column], "embedding": list(vectors)})

    return frame.select(column).mapInPandas(run, schema)


def _item_candidates(item_id, positions, scores, vocabulary: Vocabulary, limit) -> list[tuple]:
    found = [(int(p), float(s)) for p, s in zip(positions, scores, strict=True) if p >= 0]
    texts = [vocabulary.keyphrases[p] for p, _ in found]
    keys = [vocabulary.keys[p] for p, _ in found]
    kept = dedupe_ranked(texts, [s for _, s in found], keys)[:limit]
    return [
        (item_id, texts[i], vocabulary.displays[found[i][0]], keys[i], found[i][1]) for i in kept
    ]


def recommend_candidates(
    items: DataFrame, shipped: Shipped, settings: RecommendSettings
) -> DataFrame:
    """Per item: the de-duplicated nearest keyphrases with retrieval and relevance scores."""
    filtering = settings.relevance_filter.enabled and shipped.cross_encoder is not None
    # Without the filter only the list's length can survive the cap: ship no more than that.
    limit = settings.relevance_filter.max_candidates if filtering else settings.max_keyphrases

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = load_student(SparkFiles.get(shipped.student), settings.threads)
        folder = Path(SparkFiles.get(shipped.index))
        index = _index(str(folder / INDEX_FILE))
        vocabulary = _vocabulary(str(folder / VOCABULARY_FILE))
        for batch in batches:
            kill_worker_once("recommend")
            vectors = embed(model, batch["title"].tolist(), settings.dim, settings.batch_size)
            scores, positions = index.search(vectors, min(settings.candidates, index.ntotal))
            rows, titles = [], []
            for item_id, title, item_positions, item_scores in zip(
                batch["item_id"], batch["title"], positions, scores, strict=True
            ):
                candidates = _item_candidates(
                    item_id, item_positions, item_scores, vocabulary, limit
                )
                rows += candidates
                titles += [title] * len(candidates)
            frame = pd.DataFrame(rows, columns=CANDIDATE_SCHEMA.fieldNames()[:-1])
            frame["relevance_score"] = (
                _relevance(frame, titles, shipped, settings) if filtering else None
            )
            yield frame

    return items.select("item_id", "title").mapInPandas(run, CANDIDATE_SCHEMA)


def _relevance(
    frame: pd.DataFrame, titles: list[str], shipped: Shipped, settings: RecommendSettings
):
    from kpreco.cross_encoder.calibration import apply_calibration
    from kpreco.cross_encoder.train import predict_logits

    if frame.empty:
        return []
    model = _cross_encoder(SparkFiles.get(shipped.cross_encoder), settings.threads)
    logits = predict_logits(model, titles, frame["keyphrase_display"].tolist(), 128)
    return apply_calibration(shipped.calibration, logits)
