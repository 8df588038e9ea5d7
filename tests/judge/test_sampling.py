import pytest
from pyspark.sql import functions as F

from kpreco.config import JudgeSampleSettings, JudgeUncertaintySettings
from kpreco.judge.key import JudgeKey
from kpreco.judge.sampling import (
    REQUEST_SCHEMA,
    not_yet_judged,
    select_for_judging,
    select_uncertain,
    uncertain_kind,
    uncertainty,
)

KINDS = ("clicked", "sr_positive", "sr_negative", "unshown_candidate", "shown_unclicked")


def candidates(spark):
    rows = [(f"i{n % 40}", f"k{n}", f"k{n}", "t", "c", KINDS[n % len(KINDS)]) for n in range(500)]
    rows.append(("i0", "k0", "k0", "t", "c", "human_labelled"))  # also kind `clicked`
    return spark.createDataFrame(
        rows,
        REQUEST_SCHEMA,
    )


def test_quota_per_kind_and_reproducible(spark) -> None:
    sample = JudgeSampleSettings(
        clicked=5, sr_positive=3, sr_negative=0, unshown_candidate=7, human_labelled=1
    )
    chosen = select_for_judging(candidates(spark), sample)
    counts = {r.pair_kind: r["count"] for r in chosen.groupBy("pair_kind").count().collect()}
    assert counts.get("sr_positive") == 3 and counts.get("unshown_candidate") == 7
    assert "shown_unclicked" not in counts and "sr_negative" not in counts
    assert counts.get("clicked", 0) + counts.get("human_labelled", 0) == 6
    assert chosen.groupBy("item_id", "keyphrase").count().where(F.col("count") > 1).count() == 0
    assert sorted(chosen.collect()) == sorted(
        select_for_judging(candidates(spark), sample).collect()
    )


def test_only_ok_judgments_of_the_same_model_prompt_and_text_count_as_done(spark) -> None:
    selected = spark.createDataFrame(
        [
            ("i1", "a", "t1", "c"),
            ("i1", "b", "t1", "c"),
            ("i2", "c", "t2", None),
            ("i3", "d", "t3", "c"),
            ("i4", "e", "new title", "c"),
        ],
        "item_id string, keyphrase string, title string, category string",
    )
    judgments = spark.createDataFrame(
        [
            ("i1", "a", "t1", "c", "m", "v1", "ok"),
            ("i1", "b", "t1", "c", "m", "v1", "failed"),
            ("i2", "c", "t2", None, "m", "v2", "ok"),
            ("i3", "d", "t3", "c", "other", "v1", "ok"),
            ("i4", "e", "old title", "c", "m", "v1", "ok"),
        ],
        "item_id string, keyphrase string, title string, category string, judge_model string, "
        "prompt_version string, status string",
    )
    pending = not_yet_judged(selected, judgments, JudgeKey("m", "v1"))
    assert sorted(r.keyphrase for r in pending.collect()) == ["b", "c", "d", "e"]
    assert pending.columns == selected.columns


def test_pairs_cluster_on_few_items_but_at_most_max_per_item(spark) -> None:
    sample = JudgeSampleSettings(
        clicked=4,
        sr_positive=4,
        sr_negative=4,
        unshown_candidate=8,
        human_labelled=0,
        max_per_item=2,
    )
    chosen = select_for_judging(candidates(spark), sample)
    per_item_kind = chosen.groupBy("item_id", "pair_kind").count()
    assert per_item_kind.agg(F.max("count")).first()[0] <= 2
    # 20 pairs over few items: the kinds fill from the same items.
    assert chosen.select("item_id").distinct().count() <= 12


SCORED_SCHEMA = REQUEST_SCHEMA + ", ce_prob double, sr_score double, retrieval_score double"


def test_uncertainty_is_doubt_or_disagreement_by_hand(spark) -> None:
    rows = spark.createDataFrame(
        [
            ("doubt", 0.5, None, None),  # the assistant cannot tell: 1
            ("sure", 0.95, None, None),  # 1 - |1.9 - 1| = 0.1
            ("synonym", 0.9, 0.1, None),  # Search scored it low: |0.9 - 0.1| = 0.8
            ("hard_negative", 0.1, 0.8, 0.3),  # Search high: 0.7; encoder 0.2; doubt 0.2
            ("encoder", 0.2, None, 0.9),  # the base encoder ranks it high: 0.7
        ],
        "name string, p double, sr double, rank double",
    )
    got = {
        r.name: r.u
        for r in rows.select(
            "name", uncertainty(F.col("p"), F.col("sr"), F.col("rank")).alias("u")
        ).collect()
    }
    assert got == pytest.approx(
        {"doubt": 1.0, "sure": 0.1, "synonym": 0.8, "hard_negative": 0.7, "encoder": 0.7}
    )


def test_select_uncertain_takes_the_most_uncertain_spread_over_items(spark) -> None:
    def row(item, keyphrase, p, sr=None, cosine=None):
        return (item, keyphrase, keyphrase, "t", "c", "unshown_candidate", p, sr, cosine)

    scored = spark.createDataFrame(
        [
            row("i1", "a", 0.50),  # 1.0
            row("i1", "b", 0.55),  # 0.9
            row("i1", "c", 0.45),  # 0.9: a third of i1, over max_per_item
            row("i2", "d", 0.99),  # 0.02
            row("i2", "e", 0.95, sr=0.05),  # Search disagrees: 0.9
            row("i3", "f", 0.70),  # 0.6
            row("i3", "g", 0.01),  # 0.02
        ],
        SCORED_SCHEMA,
    )
    settings = JudgeUncertaintySettings(pairs=4, max_per_item=2)
    chosen = select_uncertain(scored, 4, settings, 2).collect()
    assert {r.keyphrase for r in chosen} in ({"a", "b", "e", "f"}, {"a", "c", "e", "f"})
    assert {r.pair_kind for r in chosen} == {uncertain_kind(2)} == {"uncertain_round_2"}
    assert [r.keyphrase for r in select_uncertain(scored, 1, settings, 2).collect()] == ["a"]
    assert select_uncertain(scored, 0, settings, 2).count() == 0
    again = select_uncertain(scored, 4, settings, 2).collect()
    assert sorted(again) == sorted(chosen)  # seeded ties: the same pairs every run
