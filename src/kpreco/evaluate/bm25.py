"""Okapi BM25 over the keyphrase vocabulary: the lexical baseline (what a Search-like matcher
retrieves), with `bm25s` (Lucene's variant: the same ranking as Okapi's, scores without the
constant (k1 + 1) factor). Tokens are normalised and singularised like the de-duplication key,
so the analyser is ours and the index and scoring are the library's."""

from __future__ import annotations

import numpy as np

from kpreco.recommend.lists import singular
from kpreco.text import tokens


def analyse(text: str) -> list[str]:
    return [singular(word) for word in tokens(text)]


class BM25:
    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75):
        import bm25s

        self.size = len(documents)
        self.engine = bm25s.BM25(k1=k1, b=b, method="lucene")
        self.engine.index([analyse(doc) for doc in documents], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        return np.asarray(self.engine.get_scores(analyse(query)), dtype=np.float64)

    def top(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the k best documents with a positive score."""
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")[:k]
        order = order[scores[order] > 0]
        return order, scores[order]
