"""The models under comparison, as retrievers over one shared vocabulary.

Each returns, per item, the normalised keyphrases of its top-k, de-duplicated with
production's canonical key, and the seconds per item it took (encoding and search).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kpreco.evaluate.bm25 import BM25
from kpreco.recommend.lists import dedupe_ranked


@dataclass
class Vocabulary:
    keys: list[str]  # normalised keyphrases: what lists hold
    texts: list[str]  # display text: what models read


@dataclass
class Retrieval:
    lists: list[list[str]]
    seconds_per_item: float


def _unit(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def _lists(positions, scores, vocabulary: Vocabulary, k: int) -> list[list[str]]:
    lists = []
    for row_positions, row_scores in zip(positions, scores, strict=True):
        keys = [vocabulary.keys[p] for p in row_positions if p >= 0]
        kept = dedupe_ranked(keys, [float(s) for s in row_scores[: len(keys)]])
        lists.append([keys[i] for i in kept][:k])
    return lists


def encode_vocabulary(model, vocabulary: Vocabulary, batch_size: int = 64) -> np.ndarray:
    return np.asarray(model.encode(vocabulary.texts, batch_size=batch_size), dtype=np.float32)


def dense_retrieve(
    model,
    titles: list[str],
    vocabulary: Vocabulary,
    vectors: np.ndarray,
    dim: int,
    k: int,
    batch_size: int = 64,
) -> Retrieval:
    """Exact top-k by cosine on the first `dim` dimensions of `vectors` (full-size vocabulary
    embeddings, reusable across dimensions)."""
    import faiss

    index = faiss.IndexFlatIP(dim)
    index.add(_unit(vectors[:, :dim]))
    started = time.perf_counter()
    encoded = np.asarray(model.encode(titles, batch_size=batch_size), dtype=np.float32)
    scores, positions = index.search(_unit(encoded[:, :dim]), min(3 * k, len(vocabulary.keys)))
    seconds = (time.perf_counter() - started) / max(1, len(titles))
    return Retrieval(_lists(positions, scores, vocabulary, k), seconds)


def bm25_retrieve(titles: list[str], vocabulary: Vocabulary, k: int) -> Retrieval:
    engine = BM25(vocabulary.texts)
    started = time.perf_counter()
    found = [engine.top(title, 3 * k) for title in titles]
    seconds = (time.perf_counter() - started) / max(1, len(titles))
    return Retrieval(_lists([p for p, _ in found], [s for _, s in found], vocabulary, k), seconds)
