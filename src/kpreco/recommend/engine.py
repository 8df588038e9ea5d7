"""The per-partition work of `recommend`: embed titles, search the index, de-duplicate, score
the relevance filter, all in one pandas function so each Python worker loads the student, the
cross-encoder, the index and the vocabulary once (chained pandas UDFs run in separate worker
processes, each loading its own models). Encoding and search are `kpreco.embedding`'s, scoring
`kpreco.cross_encoder.scoring`'s: the same as everywhere else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    DoubleType,
    FloatType,
    StringType,
    StructField,
    StructType,
)

from kpreco.config import RecommendSettings
from kpreco.cross_encoder.scoring import CrossEncoderScorer
from kpreco.embedding import Encoding, read_index, search
from kpreco.faults import kill_worker_once
from kpreco.recommend.lists import Vocabulary, dedupe_ranked

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
    """What every executor needs: the names (for `SparkFiles.get`) of the student folder and
    the index folder (INDEX_FILE and VOCABULARY_FILE), and the shipped relevance filter."""

    student: str
    index: str
    cross_encoder: CrossEncoderScorer | None


@cache
def _vocabulary(path: str) -> Vocabulary:
    data = json.loads(Path(path).read_text())
    return Vocabulary.of(data["keyphrase"], data["keyphrase_display"])


def student_encoding(shipped_student: str, settings: RecommendSettings) -> Encoding:
    """How serving encodes: the shipped student at the served Matryoshka prefix."""
    return Encoding(
        shipped_student, settings.dim, settings.batch_size, threads=settings.threads, shipped=True
    )


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

    encoding = student_encoding(shipped.student, settings)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        folder = Path(SparkFiles.get(shipped.index))
        index = read_index(str(folder / INDEX_FILE))
        vocabulary = _vocabulary(str(folder / VOCABULARY_FILE))
        for batch in batches:
            kill_worker_once("recommend")
            scores, positions = search(
                index, encoding.encode(batch["title"].tolist()), settings.candidates
            )
            rows, titles, groups = [], [], []
            for item_id, title, item_positions, item_scores in zip(
                batch["item_id"], batch["title"], positions, scores, strict=True
            ):
                candidates = _item_candidates(
                    item_id, item_positions, item_scores, vocabulary, limit
                )
                rows += candidates
                titles += [title] * len(candidates)
                groups.append(len(candidates))
            frame = pd.DataFrame(rows, columns=CANDIDATE_SCHEMA.fieldNames()[:-1])
            # One batch per item: its scores depend on its own candidates only (int8).
            frame["relevance_score"] = (
                shipped.cross_encoder.probabilities(
                    titles, frame["keyphrase_display"].tolist(), groups
                )
                if filtering
                else None
            )
            yield frame

    return items.select("item_id", "title").mapInPandas(run, CANDIDATE_SCHEMA)
