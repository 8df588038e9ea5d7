"""Where the chain loses the judge's knowledge: every scorer of a pair (the base encoder's
cosine, Search's score, the assistant, the judge) against every reference (the truth, the
judge's yes/no, human labels), per pair kind, on the same pairs."""

from __future__ import annotations

import pandas as pd

from kpreco.judge.sampling import HUMAN_LABELLED
from kpreco.metrics import auc

ALL = "all"


def _groups(frame: pd.DataFrame, kind_column: str) -> dict[str, pd.DataFrame]:
    groups = {ALL: frame}
    groups.update({str(kind): part for kind, part in frame.groupby(kind_column)})
    if "human_label" in frame:
        groups[HUMAN_LABELLED] = frame[frame["human_label"].notna()]
    return groups


def auc_by_kind(
    frame: pd.DataFrame,
    scorers: dict[str, str],
    references: dict[str, str],
    kind_column: str = "pair_kind",
    exclude: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, dict[str, dict[str, dict]]]:
    """reference -> group (all, each pair kind, human_labelled) -> scorer -> {auc, n}.

    `scorers` and `references` map display names to columns of `frame`; a reference counts a
    pair relevant when its value is > 0. Each cell uses the rows where both the scorer and the
    reference are known (n says how many); AUC is None with one class only. A scorer is not
    compared with its own column, nor with a (reference, scorer) in `exclude` (the judge's P
    against its own yes/no, which is that P thresholded)."""
    table: dict[str, dict[str, dict[str, dict]]] = {}
    for reference, reference_column in references.items():
        if reference_column not in frame or frame[reference_column].notna().sum() == 0:
            continue
        by_group: dict[str, dict[str, dict]] = {}
        for group, part in _groups(frame, kind_column).items():
            cells = {}
            for scorer, column in scorers.items():
                if (
                    column not in part
                    or column == reference_column
                    or (reference, scorer) in exclude
                ):
                    continue
                known = part.dropna(subset=[column, reference_column])
                cells[scorer] = {
                    "auc": auc(
                        (known[reference_column] > 0).astype(int).to_numpy(),
                        known[column].astype(float).to_numpy(),
                    ),
                    "n": len(known),
                }
            by_group[group] = cells
        table[reference] = by_group
    return table


def reranked(lists: dict[str, list[str]], scores: dict[tuple[str, str], float]) -> dict:
    """Each item's list re-ordered by `scores` (highest first; unscored pairs last, in their
    original order): a teacher re-ranking a student's candidates."""
    ordered = {}
    for item, keyphrases in lists.items():
        ordered[item] = sorted(keyphrases, key=lambda kp: -scores.get((item, kp), float("-inf")))
    return ordered


def served_by_policy(
    lists: dict[str, list[str]],
    scores: dict[tuple[str, str], float],
    candidates: int,
    threshold: float,
    cap: int,
) -> dict[str, list[str]]:
    """What `recommend` would serve from each item's retrieved list under one serving policy:
    the first `candidates` keyphrases scored by the assistant, those at or above `threshold`
    kept, ranked by that score (ties in retrieval order) and capped at `cap`. The same steps
    as `kpreco.recommend.lists` (relevance filter, cap, rank by relevance), replayed on the
    evaluation's scores instead of a new table."""
    served = {}
    for item, keyphrases in lists.items():
        kept = [
            kp
            for kp in keyphrases[:candidates]
            if scores.get((item, kp), float("-inf")) >= threshold
        ]
        served[item] = sorted(kept, key=lambda kp: -scores[(item, kp)])[:cap]
    return served
