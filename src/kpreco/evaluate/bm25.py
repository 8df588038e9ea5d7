"""Okapi BM25 over the keyphrase vocabulary: the lexical baseline (what a Search-like
matcher retrieves). Tokens are normalised and singularised like the de-duplication key."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from kpreco.recommend.lists import singular
from kpreco.text import tokens


def analyse(text: str) -> list[str]:
    return [singular(word) for word in tokens(text)]


class BM25:
    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.terms = [Counter(analyse(doc)) for doc in documents]
        self.lengths = np.array([sum(t.values()) for t in self.terms], dtype=float)
        self.average = float(self.lengths.mean()) if len(documents) else 0.0
        frequency: Counter = Counter()
        for terms in self.terms:
            frequency.update(terms.keys())
        n = len(documents)
        self.idf = {
            term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }
        self.postings: dict[str, list[int]] = {}
        for position, terms in enumerate(self.terms):
            for term in terms:
                self.postings.setdefault(term, []).append(position)

    def scores(self, query: str) -> np.ndarray:
        scores = np.zeros(len(self.terms))
        for term in set(analyse(query)):
            for position in self.postings.get(term, ()):
                tf = self.terms[position][term]
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[position] / self.average)
                scores[position] += self.idf[term] * tf * (self.k1 + 1) / norm
        return scores

    def top(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the k best documents with a positive score."""
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")[:k]
        order = order[scores[order] > 0]
        return order, scores[order]
