"""The student's task datasets from small `pairs`, `ce_scores` and judged frames."""

from __future__ import annotations

from chispa import assert_df_equality

from kpreco.bi_encoder.datasets import task_frames
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
    frames = task_frames(settings(distill=10), pairs(spark), ce_scores, "ce-1", None)
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
