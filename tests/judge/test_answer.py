import math

import numpy as np
import pytest

from kpreco.judge.answer import (
    MissingAnswerLogprobs,
    p_yes_from_logits,
    p_yes_from_top_logprobs,
)


def test_p_yes_is_two_way_softmax_over_summed_variants() -> None:
    logits = np.array([0.0, 2.0, 1.0, 3.0, -1.0])
    yes, no = [1, 2], [3]
    expected = (math.exp(2) + math.exp(1)) / (math.exp(2) + math.exp(1) + math.exp(3))
    assert p_yes_from_logits(logits, yes, no) == pytest.approx(expected)


def test_extreme_logits_do_not_overflow() -> None:
    logits = np.array([1000.0, -1000.0])
    assert p_yes_from_logits(logits, [0], [1]) == pytest.approx(1.0)
    assert p_yes_from_logits(logits, [1], [0]) == pytest.approx(0.0)


def test_top_logprobs_fold_case_and_space() -> None:
    top = {" Yes": math.log(0.3), "yes": math.log(0.1), "No": math.log(0.4), "Maybe": math.log(0.2)}
    assert p_yes_from_top_logprobs(top) == pytest.approx(0.4 / 0.8)


def test_one_missing_side_is_bounded_by_the_least_likely_token() -> None:
    top = {"Yes": math.log(0.7), "Sure": math.log(0.2), "Ok": math.log(0.1)}
    assert p_yes_from_top_logprobs(top) == pytest.approx(0.7 / 0.8)


def test_no_answer_word_is_an_error() -> None:
    with pytest.raises(MissingAnswerLogprobs):
        p_yes_from_top_logprobs({"Maybe": -0.1, "Hmm": -2.0})
