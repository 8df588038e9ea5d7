"""What the evaluation report says it could not compute, and why."""

from kpreco.config import load_config
from kpreco.evaluate.protocol import References
from kpreco.stages.evaluate import not_computed
from tests.conftest import TEST_CONFIG


def test_no_truth_and_no_relevant_human_label_are_each_explained() -> None:
    config = load_config(TEST_CONFIG, ["evaluate.judged_items=0"])
    config._input_notes = {"truth": "inputs.truth is not set"}
    refs = References(items=["a", "b", "c"], human={"a": {"sofa": 0}, "z": {"lamp": 3}})
    refs.filter_items = ["a"]
    models = {"student": {"metrics": {"click_recall@10": {"mean": 1.0}}}}
    assert not_computed(config, refs, models) == {
        "true_precision@10, true_recall@10/@50, true_ndcg@10, hidden_relevant_recall@50, "
        "calibration against the truth": "inputs.truth is not set (a ground truth exists only "
        "for simulated data)",
        "human_precision@10, human_ndcg@10": "1 of 3 test items have human labels, none of them "
        "a relevant one (label > 0)",
        "llm_precision@10": "evaluate.judged_items is 0",
    }


def test_nothing_is_listed_when_every_reference_served() -> None:
    config = load_config(TEST_CONFIG)
    refs = References(items=["a"], truth={"a": {"sofa"}}, human={"a": {"sofa": 2}})
    refs.judged_items, refs.filter_items = ["a"], ["a"]
    models = {"student": {"metrics": {"human_ndcg@10": {"mean": 1.0}}}}
    assert not_computed(config, refs, models) == {}
