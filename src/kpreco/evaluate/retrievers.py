"""The models under comparison, as retrievers over one shared vocabulary.

Each returns, per item, the normalised keyphrases of its top-k, de-duplicated with production's
canonical key, and the seconds per item it took (encoding and search). Dense models encode and
search through `kpreco.embedding`, keyphrases by display text, exactly as serving does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kpreco.embedding import encode, exact_index, search, unit_prefix
from kpreco.evaluate.bm25 import BM25
from kpreco.recommend.lists import Vocabulary, dedupe_ranked


@dataclass
class Retrieval:
    lists: list[list[str]]
    seconds_per_item: float


def _lists(positions, scores, vocabulary: Vocabulary, k: int) -> list[list[str]]:
    lists = []
    for row_positions, row_scores in zip(positions, scores, strict=True):
        found = [int(p) for p in row_positions if p >= 0]
        texts = [vocabulary.keyphrases[p] for p in found]
        keys = [vocabulary.keys[p] for p in found]
        kept = dedupe_ranked(texts, [float(s) for s in row_scores[: len(found)]], keys)
        lists.append([texts[i] for i in kept][:k])
    return lists


def encode_vocabulary(model, vocabulary: Vocabulary, batch_size: int = 64) -> np.ndarray:
    """Full-size unit embeddings of the vocabulary, reusable across Matryoshka dimensions."""
    return encode(model, vocabulary.displays, None, batch_size)


def dense_retrieve(
    model,
    titles: list[str],
    vocabulary: Vocabulary,
    vectors: np.ndarray,
    dim: int | None,
    k: int,
    batch_size: int = 64,
) -> Retrieval:
    """Exact top-k by cosine on the first `dim` dimensions (all when None) of `vectors`
    (`encode_vocabulary`)."""
    index = exact_index(unit_prefix(vectors, dim))
    started = time.perf_counter()
    scores, positions = search(index, encode(model, titles, dim, batch_size), 3 * k)
    seconds = (time.perf_counter() - started) / max(1, len(titles))
    return Retrieval(_lists(positions, scores, vocabulary, k), seconds)


def bm25_retrieve(titles: list[str], vocabulary: Vocabulary, k: int) -> Retrieval:
    engine = BM25(vocabulary.displays)
    started = time.perf_counter()
    found = [engine.top(title, 3 * k) for title in titles]
    seconds = (time.perf_counter() - started) / max(1, len(titles))
    return Retrieval(_lists([p for p, _ in found], [s for _, s in found], vocabulary, k), seconds)
