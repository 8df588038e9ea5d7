"""The chain's per-kind AUC table and the teacher re-ranking, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpreco.evaluate.diagnostics import auc_by_kind, reranked, served_by_policy


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pair_kind": ["clicked", "clicked", "clicked", "unshown", "unshown", "unshown"],
            "truth": [1, 0, 1, 1, 0, 0],
            "judge_label": [1, 0, 0, 1, 1, None],
            "human_label": [None, None, 2, 0, None, None],
            "assistant": [0.9, 0.2, 0.4, 0.8, 0.3, 0.1],
            "judge": [0.8, 0.1, 0.7, 0.6, 0.7, 0.2],
            "search": [0.5, 0.6, None, None, None, None],
        }
    )


def test_auc_per_reference_kind_and_scorer_on_the_rows_both_know() -> None:
    table = auc_by_kind(
        frame(),
        {"assistant": "assistant", "judge": "judge", "search": "search"},
        {"truth": "truth", "judge's yes/no": "judge_label", "human": "human_label"},
    )
    truth = table["truth"]
    # clicked, truth (1, 0, 1): assistant (0.9, 0.2, 0.4) ranks both positives above: 1.0
    assert truth["clicked"]["assistant"] == {"auc": 1.0, "n": 3}
    # search known on two clicked rows only: (0.5 -> 1, 0.6 -> 0): AUC 0
    assert truth["clicked"]["search"] == {"auc": 0.0, "n": 2}
    # unshown, truth (1, 0, 0): judge (0.6, 0.7, 0.2): 1 of 2 negatives below: 0.5
    assert truth["unshown"]["judge"]["auc"] == pytest.approx(0.5)
    # all six rows: assistant positives (0.9, 0.4, 0.8) vs negatives (0.2, 0.3, 0.1): 1.0
    assert truth["all"]["assistant"]["auc"] == 1.0
    # search has only nulls outside clicked: n=0, no AUC
    assert truth["unshown"]["search"] == {"auc": None, "n": 0}
    # The judge is not compared with its own yes/no; the assistant is, on 5 known rows:
    # positives (0.9, 0.8, 0.3) vs negatives (0.2, 0.4): 5 of 6 pairs ordered right.
    assert table["judge's yes/no"]["all"]["assistant"]["auc"] == pytest.approx(5 / 6)
    # human labels: two labelled rows (2 -> relevant, 0 -> not) in the human_labelled group
    assert table["human"]["human_labelled"]["assistant"] == {"auc": 0.0, "n": 2}
    assert not math.isnan(table["human"]["human_labelled"]["judge"]["auc"])


def test_a_scorer_is_never_scored_against_itself_or_its_own_labels() -> None:
    table = auc_by_kind(frame(), {"judge": "judge_label"}, {"judge's yes/no": "judge_label"})
    assert table["judge's yes/no"]["all"] == {}
    table = auc_by_kind(
        frame(),
        {"judge": "judge", "assistant": "assistant"},
        {"judge's yes/no": "judge_label"},
        exclude=frozenset({("judge's yes/no", "judge")}),
    )
    assert set(table["judge's yes/no"]["all"]) == {"assistant"}


def test_reranked_orders_each_list_by_the_teachers_scores_unscored_last() -> None:
    lists = {"A": ["a", "b", "c", "d"], "B": ["x"]}
    scores = {("A", "a"): 0.1, ("A", "b"): 0.9, ("A", "d"): 0.5}
    assert reranked(lists, scores) == {"A": ["b", "d", "a", "c"], "B": ["x"]}


def test_served_by_policy_filters_the_first_candidates_and_ranks_by_score() -> None:
    lists = {"A": ["a", "b", "c", "d", "e"], "B": ["x", "y"], "C": []}
    scores = {
        ("A", "a"): 0.55,
        ("A", "b"): 0.9,
        ("A", "c"): 0.4,
        ("A", "d"): 0.95,  # beyond the first 3 candidates: never scored by the filter
        ("A", "e"): 0.99,
        ("B", "x"): 0.7,
        ("B", "y"): 0.7,
    }
    assert served_by_policy(lists, scores, candidates=3, threshold=0.5, cap=10) == {
        "A": ["b", "a"],
        "B": ["x", "y"],  # a tie keeps the retrieval order
        "C": [],
    }
    assert served_by_policy(lists, scores, candidates=5, threshold=0.8, cap=2) == {
        "A": ["e", "d"],
        "B": [],
        "C": [],
    }
