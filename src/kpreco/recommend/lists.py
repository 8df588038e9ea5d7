"""Per-item keyphrase lists: de-duplication, the relevance filter, the cap.

Two keyphrases are duplicates when they share a canonical key: the normalised tokens (see
kpreco.text), each singularised (a trailing "es" after s/x/z/ch/sh, else a trailing "s", on
words longer than 3 letters), in sorted order. So "leather sofas", "sofa leather" and
"Leather-Sofa" are one keyphrase; of each group the best-scored one stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from kpreco.text import tokens


def singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def canonical_key(keyphrase: str) -> str:
    return " ".join(sorted(singular(word) for word in tokens(keyphrase)))


@dataclass(frozen=True)
class Vocabulary:
    """The keyphrase vocabulary a retriever ranks: row i of an index is keyphrase i.
    `keyphrases` are normalised (what lists hold), `displays` what models read, `keys` the
    canonical de-duplication keys (computed once, not once per candidate)."""

    keyphrases: list[str]
    displays: list[str]
    keys: list[str]

    @classmethod
    def of(cls, keyphrases: list[str], displays: list[str]) -> Vocabulary:
        return cls(keyphrases, displays, [canonical_key(k) for k in keyphrases])


def deduplicate(candidates: DataFrame) -> DataFrame:
    """Keep the best `retrieval_score` per (item_id, canonical_key); ties by keyphrase."""
    best = Window.partitionBy("item_id", "canonical_key").orderBy(
        F.col("retrieval_score").desc(), F.col("keyphrase")
    )
    return (
        candidates.withColumn("_best", F.row_number().over(best))
        .where(F.col("_best") == 1)
        .drop("_best")
    )


def relevance_filter(candidates: DataFrame, threshold: float | None) -> DataFrame:
    """Keep candidates whose `relevance_score` is at least `threshold` (None: keep all)."""
    if threshold is None:
        return candidates
    return candidates.where(F.col("relevance_score") >= F.lit(threshold))


def cap_and_rank(candidates: DataFrame, cap: int, by: str = "retrieval_score") -> DataFrame:
    """The `cap` best per item by the score column `by` (then retrieval score, then
    keyphrase), ranked from 1."""
    order = Window.partitionBy("item_id").orderBy(
        F.col(by).desc(), F.col("retrieval_score").desc(), F.col("keyphrase")
    )
    return candidates.withColumn("rank", F.row_number().over(order)).where(F.col("rank") <= cap)


def dedupe_ranked(
    keyphrases: list[str], scores: list[float], keys: list[str] | None = None
) -> list[int]:
    """Positions to keep in one item's candidate list (scores descending): the first of each
    canonical key. The driver-free twin of `deduplicate`, used before cross-encoder scoring so
    that duplicates are never scored. `keys` are the keyphrases' canonical keys when the caller
    has them (normalising is the costly part: recommend computes the vocabulary's keys once)."""
    keys = keys if keys is not None else [canonical_key(k) for k in keyphrases]
    seen: set[str] = set()
    kept = []
    for position in sorted(range(len(keyphrases)), key=lambda i: (-scores[i], keyphrases[i])):
        if keys[position] not in seen:
            seen.add(keys[position])
            kept.append(position)
    return kept
