"""Which pairs `score_ce` scores: every judged pair plus a seeded per-kind sample, once each."""

from __future__ import annotations

from kpreco.stages.score_ce import pairs_to_score

COLUMNS = "item_id string, keyphrase string, title string, keyphrase_display string"


def test_judged_pairs_plus_per_kind_sample_each_once_with_the_judges_text(spark) -> None:
    pairs = spark.createDataFrame(
        [
            (f"i{n}", f"k{n}", "pairs title", f"K{n}", kind)
            for n, kind in enumerate(["clicked"] * 4 + ["sr_negative"] * 4 + ["other"] * 3)
        ],
        f"{COLUMNS}, pair_kind string",
    )
    judged = spark.createDataFrame([("i0", "k0", "judged title", "K0")], COLUMNS)
    chosen = pairs_to_score(pairs, judged, per_kind=2, seed=1).collect()
    keys = [(r.item_id, r.keyphrase) for r in chosen]
    assert len(keys) == len(set(keys))  # one row per pair
    by_kind = {"clicked": range(0, 4), "sr_negative": range(4, 8)}
    for kind, numbers in by_kind.items():
        sampled = {f"i{n}" for n in numbers} & {item for item, _ in keys}
        assert len(sampled - {"i0"}) >= 1 and len(sampled) <= 3, kind
    assert not {f"i{n}" for n in range(8, 11)} & {item for item, _ in keys}  # not a pair kind
    # A judged pair keeps the text the judge read.
    assert [r.title for r in chosen if r.item_id == "i0"] == ["judged title"]
    again = pairs_to_score(pairs, judged, per_kind=2, seed=1).collect()
    assert sorted(keys) == sorted((r.item_id, r.keyphrase) for r in again)  # seeded


def test_distillation_groups_are_scored_too_each_pair_once(spark) -> None:
    pairs = spark.createDataFrame(
        [("i0", "k0", "pairs title", "K0", "clicked"), ("i1", "k1", "T1", "K1", "other")],
        f"{COLUMNS}, pair_kind string",
    )
    judged = spark.createDataFrame([("i0", "k0", "judged title", "K0")], COLUMNS)
    groups = spark.createDataFrame(
        [("i0", "k0", "pairs title", "K0"), ("i1", "k1", "T1", "K1"), ("i1", "k2", "T1", "K2")],
        COLUMNS,
    )
    chosen = pairs_to_score(pairs, judged, per_kind=0, seed=1, groups=groups).collect()
    assert sorted((r.item_id, r.keyphrase, r.title) for r in chosen) == [
        ("i0", "k0", "judged title"),  # judged: the judge's text wins
        ("i1", "k1", "T1"),
        ("i1", "k2", "T1"),
    ]
