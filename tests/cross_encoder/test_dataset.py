"""The assistant's training data: this judge's ok judgments of sampled pairs, with the split."""

from __future__ import annotations

from kpreco.config import SplitSettings
from kpreco.cross_encoder.dataset import judged_pairs
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
