"""The evaluation's per-item metrics and diversity on a tiny fixture, values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpreco.evaluate.protocol import References, catalog_diversity, per_item_metrics, summarize

LISTS = {"A": ["a", "b", "c", "d"], "B": ["y"]}


def references() -> References:
    return References(
        items=["A", "B"],
        truth={"A": {"a", "c", "x"}, "B": set()},
        shown={"A": {"a"}},
        clicked={"A": {"b"}},
        human={"A": {"a": 2, "b": 0, "z": 1}},
        judged_items=["A"],
        judge_labels={("A", "a"): 1, ("A", "b"): 0},
        filter_items=["A"],
        relevance={("A", "a"): 0.9, ("A", "b"): 0.2},
        filter_threshold=0.5,
        search_count={"a": 100, "b": 1},
        head_min=50.0,
        tail_max=5.0,
        vectors={"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])},
    )


def test_every_per_item_metric_by_hand() -> None:
    metrics = per_item_metrics(LISTS, references(), k=2, k_hidden=3)
    a = {name: by_item["A"] for name, by_item in metrics.items()}
    # A's top 2 is [a, b]; relevant {a, c, x}; shown {a}, so hidden relevant {c, x}.
    assert a["true_precision@2"] == 0.5
    assert a["true_recall@2"] == pytest.approx(1 / 3)
    assert a["true_recall@3"] == pytest.approx(2 / 3)  # a and c in the top 3
    # DCG = 1/log2(2); ideal: three relevant, two slots: 1 + 1/log2(3).
    assert a["true_ndcg@2"] == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert a["hidden_relevant_recall@3"] == 0.5  # c of {c, x}
    # Human labels {a: 2, b: 0, z: 1}: top 2 labelled [a, b], one relevant.
    assert a["human_precision@2"] == 0.5
    assert a["human_ndcg@2"] == pytest.approx(2 / (2 + 1 / math.log2(3)))
    assert a["click_recall@2"] == 1.0  # b, the one clicked keyphrase
    assert a["intra_list_similarity@2"] == pytest.approx(0.0)  # orthogonal a and b
    assert a["head_share@2"] == 0.5 and a["tail_share@2"] == 0.5
    assert a["llm_precision@2"] == 0.5
    assert a["filter_survival@2"] == 0.5  # 0.9 passes 0.5, 0.2 does not
    # B has no relevant keyphrase and no click: those metrics are undefined, not zero.
    for name in ("true_precision@2", "true_recall@2", "true_ndcg@2", "hidden_relevant_recall@3"):
        assert metrics[name]["B"] is None
    assert metrics["click_recall@2"]["B"] is None
    assert "B" not in metrics["human_ndcg@2"] and "B" not in metrics["llm_precision@2"]


def test_summaries_average_only_items_where_a_metric_is_defined() -> None:
    summary = summarize(per_item_metrics(LISTS, references(), 2, 3), resamples=50)
    assert summary["true_recall@2"]["mean"] == pytest.approx(1 / 3)
    assert summary["true_recall@2"]["n_items"] == 1
    assert summary["head_share@2"]["n_items"] == 2  # B's [y] has 0 searches: tail, not head
    assert summary["head_share@2"]["mean"] == pytest.approx(0.25)


def test_catalog_diversity_counts_distinct_keyphrases_over_all_slots() -> None:
    lists = {"A": ["a", "b", "c"], "B": ["a", "d"], "C": ["e"]}
    assert catalog_diversity(lists, ["A", "B"], 2) == {
        "distinct_keyphrases@2": 3.0,  # slots a, b, a, d
        "distinct_share@2": 0.75,
    }
    assert catalog_diversity({}, ["A"], 2) == {
        "distinct_keyphrases@2": 0.0,
        "distinct_share@2": 0.0,
    }


def test_served_list_precision_and_the_unshown_share_of_its_correct_keyphrases() -> None:
    refs = references()
    # A short list (a filter dropped slots): precision over the slots it fills.
    metrics = per_item_metrics({"A": ["a", "c", "b"], "B": []}, refs, k=4, k_hidden=4)
    assert metrics["true_precision@4"]["A"] == 0.5  # 2 of 4 slots
    assert metrics["true_list_precision@4"]["A"] == pytest.approx(2 / 3)  # 2 of 3 served
    assert metrics["unshown_share_of_correct@4"]["A"] == 0.5  # c unshown, a shown
    assert metrics["true_list_precision@4"]["B"] is None  # nothing relevant, nothing served
    assert metrics["unshown_share_of_correct@4"]["B"] is None
