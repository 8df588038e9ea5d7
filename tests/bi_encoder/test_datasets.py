"""The student's task datasets from small `pairs`, `ce_scores` and judged frames."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality

from kpreco.bi_encoder.datasets import distillation_groups, task_frames
from kpreco.config import BiEncoderSettings

PAIRS = "item_id string, keyphrase string, keyphrase_display string, title string, " + (
    "split string, in_ctr_task boolean, in_sr_task boolean, ctr_smoothed double, sr_score double"
)


def settings(**tasks) -> BiEncoderSettings:
    chosen = BiEncoderSettings()
    for name, task in (("ctr", chosen.tasks.ctr), ("sr", chosen.tasks.sr)):
        task.enabled, task.max_pairs = name in tasks, tasks.get(name, 0) or 1
    distill = chosen.tasks.distill
    distill.enabled = "distill" in tasks
    distill.max_pairs = tasks.get("distill", 1)
    distill.source = tasks.get("source", "cross_encoder")
    distill.grouping = tasks.get("grouping", "item")
    distill.loss = tasks.get("loss", "pearson")
    distill.group_size = tasks.get("group_size", 8)
    distill.random_per_group = tasks.get("random_per_group", 1)
    return chosen


def pairs(spark):
    return spark.createDataFrame(
        [
            ("i1", "sofa", "Sofa", "Grey Sofa", "train", True, True, 0.4, 0.9),
            ("i1", "couch", "Couch", "Grey Sofa", "train", False, True, 0.0, 0.2),
            ("i2", "mug", "Mug", "Red Mug", "train", True, False, 0.1, None),
            ("i3", "lamp", "Lamp", "Desk Lamp", "test", True, True, 0.5, 0.8),
        ],
        PAIRS,
    )


def test_each_task_takes_its_train_pairs_with_title_and_display_text(spark) -> None:
    frames = task_frames(settings(ctr=10, sr=10), pairs(spark), None, None, None)
    assert set(frames) == {"ctr", "sr"}
    assert_df_equality(
        frames["ctr"],
        spark.createDataFrame(
            [("Grey Sofa", "Sofa"), ("Red Mug", "Mug")], "anchor string, positive string"
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert_df_equality(
        frames["sr"],
        spark.createDataFrame(
            [("Grey Sofa", "Sofa", 0.9), ("Grey Sofa", "Couch", 0.2)],
            "anchor string, positive string, score float",
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_ctr_sampling_respects_max_pairs_and_favours_clicked_pairs(spark) -> None:
    rows = [
        (f"i{n}", f"k{n}", f"K{n}", f"T{n}", "train", True, False, 0.9 if n < 5 else 1e-4, None)
        for n in range(50)
    ]
    frame = spark.createDataFrame(rows, PAIRS)
    chosen = task_frames(settings(ctr=5), frame, None, None, None)["ctr"].collect()
    assert len(chosen) == 5
    # Efraimidis-Spirakis keys u^(1/w): weight 0.9 beats 1e-4 for any u in (0, 1).
    assert {r.anchor for r in chosen} == {f"T{n}" for n in range(5)}


def test_distillation_takes_the_configured_versions_scores_on_train_pairs(spark) -> None:
    ce_scores = spark.createDataFrame(
        [
            ("i1", "sofa", "ce-1", 0.95),
            ("i1", "couch", "ce-1", 0.7),
            ("i1", "couch", "ce-0", 0.1),
            ("i3", "lamp", "ce-1", 0.9),
        ],
        "item_id string, keyphrase string, ce_version string, ce_prob double",
    )
    frames = task_frames(
        settings(distill=10, grouping="none"), pairs(spark), ce_scores, "ce-1", None
    )
    assert_df_equality(
        frames["distill"],
        spark.createDataFrame(
            [("Grey Sofa", "Sofa", 0.95), ("Grey Sofa", "Couch", 0.7)],
            "anchor string, positive string, score float",
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_distillation_from_the_judge_takes_its_train_judgments(spark) -> None:
    judged = spark.createDataFrame(
        [
            ("i1", "couch", "Grey Sofa", "Couch", 0.8, "train"),
            ("i3", "lamp", "Desk Lamp", "Lamp", 0.9, "test"),
        ],
        "item_id string, keyphrase string, title string, keyphrase_display string, "
        "p_relevant double, split string",
    )
    frames = task_frames(settings(distill=10, source="llm"), pairs(spark), None, None, judged)
    assert [tuple(r) for r in frames["distill"].collect()] == [
        ("Grey Sofa", "Couch", 0.800000011920929)
    ]


GROUP_PAIRS = "item_id string, keyphrase string, keyphrase_display string, title string, " + (
    "split string, source string"
)


def group_pairs(spark):
    """i1: 4 near (events, search, encoder) + 2 random pairs; i2: 3 near + 0 random;
    i3: too few pairs; i4: a test item."""
    rows = [
        ("i1", f"n{n}", f"N{n}", "T1", "train", src)
        for n, src in enumerate(["events", "search", "encoder", "encoder"])
    ]
    rows += [("i1", f"r{n}", f"R{n}", "T1", "train", "random") for n in range(2)]
    rows += [("i2", f"m{n}", f"M{n}", "T2", "train", "encoder") for n in range(3)]
    rows += [("i3", "x", "X", "T3", "train", "encoder")]
    rows += [("i4", f"t{n}", f"T{n}", "T4", "test", "encoder") for n in range(5)]
    return spark.createDataFrame(rows, GROUP_PAIRS)


def test_distillation_groups_fill_the_quota_of_near_and_random_pairs_per_train_item(spark):
    distill = settings(distill=30, group_size=3, random_per_group=1).tasks.distill
    groups = distillation_groups(group_pairs(spark), distill).toPandas()
    by_item = groups.groupby("item_id")["keyphrase"].apply(set).to_dict()
    # i3 has 1 pair (< 3), i4 is a test item: neither is drawn.
    assert set(by_item) == {"i1", "i2"}
    # i1: two near pairs and one random; i2 has no random pair, so three near ones.
    assert len(by_item["i1"] & {"r0", "r1"}) == 1 and len(by_item["i1"]) == 3
    assert by_item["i2"] == {"m0", "m1", "m2"}
    assert sorted(groups[groups.item_id == "i1"]["position"]) == [1, 2, 3]
    # the quota comes first: the random pair is within the first three positions of i1
    assert set(groups.columns) == {"item_id", "keyphrase", "title", "keyphrase_display", "position"}


def test_distillation_groups_take_max_pairs_over_group_size_items(spark):
    distill = settings(distill=3, group_size=3, random_per_group=0).tasks.distill
    groups = distillation_groups(group_pairs(spark), distill).toPandas()
    assert groups["item_id"].nunique() == 1 and len(groups) == 3
    again = distillation_groups(group_pairs(spark), distill).toPandas()
    assert sorted(again["keyphrase"]) == sorted(groups["keyphrase"])  # seeded, not random


def test_grouped_distillation_rows_hold_each_items_candidates_and_scores_in_order(spark):
    chosen = settings(distill=30, group_size=3, random_per_group=1)
    frame = group_pairs(spark)
    drawn = distillation_groups(frame, chosen.tasks.distill).toPandas()
    scores = {kp: 0.1 * n for n, kp in enumerate(sorted(drawn["keyphrase"]))}
    missing = drawn[drawn.item_id == "i2"]["keyphrase"].iloc[0]  # i2 incomplete: left out
    ce_scores = spark.createDataFrame(
        [
            (item, kp, "ce-1", scores[kp], 2 * scores[kp])
            for item, kp in zip(drawn["item_id"], drawn["keyphrase"], strict=True)
            if kp != missing
        ],
        "item_id string, keyphrase string, ce_version string, ce_prob double, ce_logit double",
    )
    rows = task_frames(chosen, frame, ce_scores, "ce-1", None)["distill"].collect()
    assert len(rows) == 1 and rows[0].anchor == "T1"
    ordered = drawn[drawn.item_id == "i1"].sort_values("position")
    assert rows[0].candidates == ordered["keyphrase_display"].tolist()
    assert rows[0].scores == pytest.approx([scores[kp] for kp in ordered["keyphrase"]])
    listwise = settings(distill=30, group_size=3, random_per_group=1, loss="listwise")
    logits = task_frames(listwise, frame, ce_scores, "ce-1", None)["distill"].collect()
    assert logits[0].scores == pytest.approx([2 * scores[kp] for kp in ordered["keyphrase"]])
    mse = settings(distill=30, group_size=3, random_per_group=1, loss="mse")
    flat = task_frames(mse, frame, ce_scores, "ce-1", None)["distill"].toPandas()
    assert len(flat) == 5 and list(flat.columns) == ["anchor", "positive", "score"]
