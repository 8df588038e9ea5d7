"""The lexical baseline: bm25s behind our analyser, scores checked by hand."""

from __future__ import annotations

import math

import pytest

from kpreco.evaluate.bm25 import BM25


def test_bm25_ranks_lexical_matches_first() -> None:
    engine = BM25(["leather sofa", "couch", "wool rug", "sofa"])
    positions, scores = engine.top("Grey Leather Sofa", 3)
    assert positions.tolist()[:2] == [0, 3] and all(scores > 0)
    assert 1 not in positions.tolist()  # no shared word: a lexical matcher never finds "couch"


def test_scores_are_lucene_bm25_with_our_tokens() -> None:
    # "sofas" is singularised like the de-duplication key, so it matches "sofa".
    engine = BM25(["grey sofa", "sofa", "red mug"], k1=1.2, b=0.75)
    idf = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))  # "sofa" in 2 of 3 documents
    average = 5 / 3  # document lengths 2, 1, 2

    def expected(length: int) -> float:
        return idf / (1 + 1.2 * (1 - 0.75 + 0.75 * length / average))

    scores = engine.scores("Sofas")
    assert scores.tolist() == pytest.approx([expected(2), expected(1), 0.0], rel=1e-5)
    positions, top = engine.top("Sofas", 3)
    assert top.tolist() == pytest.approx([expected(1), expected(2)], rel=1e-5)
    assert positions.tolist() == [1, 0]  # the shorter document first; no zero-score hit
