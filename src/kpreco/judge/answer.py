"""P(relevant) from the answer token's distribution, never from parsing free text.

P = sigmoid(logsumexp(yes-variant logits) - logsumexp(no-variant logits)): the two-way
softmax over the answer words in both casings (and with a leading space), so the probability
mass of "Yes" and "yes" counts together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np

YES_WORDS = ("Yes", "yes", "YES")
NO_WORDS = ("No", "no", "NO")


def answer_variants(words: Iterable[str]) -> list[str]:
    return [variant for word in words for variant in (word, " " + word)]


def single_token_ids(tokenize: Callable[[str], list[int]], words: Iterable[str]) -> list[int]:
    """Token ids of the answer variants that are one token ("YES" may split into "Y" + "ES":
    its first piece is not an answer, so such variants are left out)."""
    ids = {tuple(tokenize(variant)) for variant in answer_variants(words)}
    return sorted(single[0] for single in ids if len(single) == 1)


def logsumexp(values: Iterable[float]) -> float:
    array = np.asarray(list(values), dtype=np.float64)
    peak = array.max()
    return float(peak + np.log(np.exp(array - peak).sum()))


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def p_yes_from_logits(logits: np.ndarray, yes_ids: list[int], no_ids: list[int]) -> float:
    return sigmoid(logsumexp(logits[yes_ids]) - logsumexp(logits[no_ids]))


class MissingAnswerLogprobs(ValueError):
    """The top log-probabilities hold neither answer word."""


def p_yes_from_top_logprobs(top: Mapping[str, float]) -> float:
    """From an API's top-k {token: logprob}: tokens compared stripped and case-folded.

    When only one side appears in the top-k, the other side's mass is at most that of the
    least likely listed token: using it gives a conservative estimate.
    """
    yes = [lp for token, lp in top.items() if token.strip().lower() == "yes"]
    no = [lp for token, lp in top.items() if token.strip().lower() == "no"]
    if not yes and not no:
        raise MissingAnswerLogprobs(f"no Yes/No among the top tokens {sorted(top)[:10]}")
    floor = min(top.values())
    return sigmoid(logsumexp(yes or [floor]) - logsumexp(no or [floor]))
