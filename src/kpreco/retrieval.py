"""Embedding with Spark and nearest-keyphrase search with faiss.

The keyphrase vocabulary is small: its embeddings come back to the driver, which builds a
faiss index, writes it to a file and ships the file to executors (`SparkContext.addFile`).
The catalog is huge: each partition embeds its titles and searches the index in the same
`mapInPandas` call, so one model load per worker serves both and nothing is collected.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    FloatType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from kpreco.config import EncoderSettings
from kpreco.encoders import load_bi_encoder
from kpreco.log import get_logger

log = get_logger(__name__)


def encode_texts(texts: list[str], encoder: EncoderSettings) -> np.ndarray:
    """L2-normalised float32 embeddings (cosine = inner product)."""
    model = load_bi_encoder(encoder.model, encoder.max_seq_length)
    vectors = model.encode(
        texts, batch_size=encoder.batch_size, normalize_embeddings=True, convert_to_numpy=True
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def embed_column(
    frame: DataFrame, id_column: str, text_column: str, encoder: EncoderSettings
) -> DataFrame:
    """(id, embedding) for every row, computed on executors."""
    schema = StructType(
        [
            StructField(id_column, frame.schema[id_column].dataType),
            StructField("embedding", ArrayType(FloatType())),
        ]
    )

    def embed(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            vectors = encode_texts(batch[text_column].tolist(), encoder)
            yield pd.DataFrame({id_column: batch[id_column], "embedding": list(vectors)})

    columns = list(dict.fromkeys([id_column, text_column]))
    return frame.select(*columns).mapInPandas(embed, schema)


def build_exact_index(vectors: np.ndarray, path: Path):
    """An exact inner-product faiss index over `vectors`, written to `path`."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(path))
    return index


@cache
def _load_index(path: str):
    import faiss

    return faiss.read_index(path)


@dataclass(frozen=True)
class KeyphraseIndex:
    """A faiss index over the vocabulary, shipped to executors as the file `file_name`."""

    file_name: str
    positions: DataFrame  # (keyphrase_position, keyphrase): row i of the index is keyphrase i
    size: int


def build_keyphrase_index(
    spark: SparkSession, keyphrases: DataFrame, encoder: EncoderSettings
) -> KeyphraseIndex:
    """Embed `keyphrases.keyphrase` on executors, index on the driver, ship the index file."""
    embedded = embed_column(keyphrases, "keyphrase", "keyphrase", encoder).toPandas()
    vectors = np.vstack(embedded["embedding"].to_numpy()).astype(np.float32)
    folder = Path(tempfile.mkdtemp(prefix="kpreco-index-"))
    file_name = f"keyphrases-{uuid.uuid4().hex[:8]}.faiss"
    build_exact_index(vectors, folder / file_name)
    spark.sparkContext.addFile(str(folder / file_name))
    positions = spark.createDataFrame(
        list(enumerate(embedded["keyphrase"].tolist())), ["keyphrase_position", "keyphrase"]
    )
    log.info("keyphrase index: %s vectors of %s dims", f"{len(vectors):,}", vectors.shape[1])
    return KeyphraseIndex(file_name, positions, len(vectors))


SEARCH_SCHEMA = StructType(
    [
        StructField("item_id", StringType()),
        StructField("keyphrase_position", LongType()),
        StructField("retrieval_score", FloatType()),
        StructField("retrieval_rank", IntegerType()),
    ]
)


def nearest_keyphrases(
    items: DataFrame, index: KeyphraseIndex, encoder: EncoderSettings, k: int
) -> DataFrame:
    """Top-k keyphrases per item by cosine: item_id, keyphrase, retrieval_score, retrieval_rank."""
    file_name, k = index.file_name, min(k, index.size)

    def search(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        faiss_index = _load_index(SparkFiles.get(file_name))
        for batch in batches:
            scores, positions = faiss_index.search(
                encode_texts(batch["title"].tolist(), encoder), k
            )
            found = positions >= 0
            yield pd.DataFrame(
                {
                    "item_id": np.repeat(batch["item_id"].to_numpy(), k)[found.ravel()],
                    "keyphrase_position": positions[found].astype(np.int64),
                    "retrieval_score": scores[found].astype(np.float32),
                    "retrieval_rank": np.tile(np.arange(1, k + 1), len(batch))[
                        found.ravel()
                    ].astype(np.int32),
                }
            )

    return (
        items.select("item_id", "title")
        .mapInPandas(search, SEARCH_SCHEMA)
        .join(F.broadcast(index.positions), on="keyphrase_position", how="inner")
        .select("item_id", "keyphrase", "retrieval_score", "retrieval_rank")
    )
