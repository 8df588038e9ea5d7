"""The assistant's training data: this judge's ok judgments of sampled pairs, with the split."""

from __future__ import annotations

from kpreco.config import SplitSettings
from kpreco.cross_encoder.dataset import judged_pairs, weak_label_pairs
from kpreco.judge.key import EVALUATION_KIND, JudgeKey

JUDGMENTS = (
    "item_id string, keyphrase string, title string, keyphrase_display string, "
    "p_relevant double, label int, pair_kind string, judge_model string, "
    "prompt_version string, status string"
)


def test_only_this_judges_ok_judgments_of_sampled_pairs(spark) -> None:
    rows = [
        ("i1", "sofa", "Sofa", "Sofa", 0.9, 1, "clicked", "m", "v1", "ok"),
        ("i1", "couch", "Sofa", "Couch", 0.7, 1, "unshown_candidate", "m", "v1", "ok"),
        ("i1", "lamp", "Sofa", "Lamp", None, None, "sr_negative", "m", "v1", "failed"),
        ("i1", "mug", "Sofa", "Mug", 0.1, 0, "sr_negative", "m", "v2", "ok"),
        ("i1", "rug", "Sofa", "Rug", 0.2, 0, "sr_negative", "other", "v1", "ok"),
        ("i1", "bed", "Sofa", "Bed", 0.3, 0, EVALUATION_KIND, "m", "v1", "ok"),
    ]
    judged = judged_pairs(
        spark.createDataFrame(rows, JUDGMENTS), JudgeKey("m", "v1"), SplitSettings()
    ).collect()
    assert sorted(r.keyphrase for r in judged) == ["couch", "sofa"]
    assert {r.split for r in judged} <= {"train", "valid", "test"}
    assert len({r.split for r in judged}) == 1  # one item, one split
    assert judged[0].asDict().keys() == {
        "item_id",
        "keyphrase",
        "title",
        "keyphrase_display",
        "p_relevant",
        "label",
        "pair_kind",
        "split",
    }


WEAK_PAIRS = (
    "item_id string, keyphrase string, title string, keyphrase_display string, split string, "
    "sr_score double, clicks long, ctr_smoothed double, source string, retrieval_score double"
)


def test_weak_labels_per_source_with_their_soft_targets(spark) -> None:
    rows = [
        ("i1", "a", "T", "A", "train", 0.3, 2, 0.2, "events", None),  # Search's score wins
        ("i1", "b", "T", "B", "train", None, 1, 0.02, "events", None),  # clicked: 0.5 + 0.1
        ("i1", "c", "T", "C", "train", None, 0, 0.0, "encoder", 0.62),  # cosine
        ("i1", "d", "T", "D", "train", None, 0, 0.0, "encoder", -0.1),  # clipped at 0
        ("i1", "e", "T", "E", "train", None, 0, 0.0, "random", None),  # no weak label
        ("i1", "f", "T", "F", "train", None, 0, 0.0, "events", None),  # shown, unclicked: none
        ("i2", "g", "U", "G", "test", 0.9, 0, 0.0, "search", None),  # not a train pair
    ]
    weak = weak_label_pairs(spark.createDataFrame(rows, WEAK_PAIRS), per_source=5, seed=1)
    got = sorted((r.keyphrase_display, round(r.target, 6), r.weak_source) for r in weak.collect())
    assert got == [
        ("A", 0.3, "search"),
        ("B", 0.6, "clicked"),
        ("C", 0.62, "encoder"),
        ("D", 0.0, "encoder"),
    ]
    capped = weak_label_pairs(spark.createDataFrame(rows, WEAK_PAIRS), per_source=1, seed=1)
    assert sorted(r.weak_source for r in capped.collect()) == ["clicked", "encoder", "search"]
