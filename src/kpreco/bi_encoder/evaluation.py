"""Validation during training: retrieval of the vocabulary for validation-split items, at each
Matryoshka dimension, against the truth (simulated data) or the judge's positive labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sentence_transformers.sentence_transformer.evaluation import BaseEvaluator

from kpreco.embedding import encode, exact_index, search, unit_prefix
from kpreco.metrics import mean_or_none, ndcg_at_k, precision_at_k, recall_at_k


@dataclass(frozen=True)
class RetrievalTask:
    """Queries (item titles), the corpus (the keyphrase vocabulary) and relevant pairs."""

    name: str
    queries: dict[str, str]
    corpus: dict[str, str]
    relevant: dict[str, set[str]]


def retrieval_task(
    name: str,
    items: pd.DataFrame,
    vocabulary: pd.DataFrame,
    positives: pd.DataFrame,
    max_items: int,
) -> RetrievalTask | None:
    """items: item_id, title; vocabulary: keyphrase (normalised), keyphrase_display;
    positives: item_id, keyphrase. Items without a relevant keyphrase in the vocabulary are
    left out; at most `max_items` items, in item_id order."""
    known = positives[positives["keyphrase"].isin(set(vocabulary["keyphrase"]))]
    relevant = known.groupby("item_id")["keyphrase"].apply(set).to_dict()
    chosen = items[items["item_id"].isin(relevant)].sort_values("item_id").head(max_items)
    if chosen.empty:
        return None
    return RetrievalTask(
        name=name,
        queries=dict(zip(chosen["item_id"], chosen["title"], strict=True)),
        corpus=dict(zip(vocabulary["keyphrase"], vocabulary["keyphrase_display"], strict=True)),
        relevant={item: relevant[item] for item in chosen["item_id"]},
    )


class MatryoshkaRetrievalEvaluator(BaseEvaluator):
    """Retrieval metrics at every Matryoshka dimension from one encoding pass.

    Kept instead of sentence-transformers' `InformationRetrievalEvaluator` (one per
    `truncate_dim` in a `SequentialEvaluator`): that encodes queries and corpus again for every
    dimension, four times the validation cost at each evaluation step, and ranks with its own
    code rather than the search that serving uses.

    Queries (titles) and the corpus (keyphrases by display text) are encoded once at full
    size; each dimension truncates and re-normalises, then ranks the corpus exactly, through
    the same `kpreco.embedding` calls as serving. Metrics per task and dimension:
    `<task>_dim<d>_ndcg@k`, `recall@k`, `recall@50`, `precision@k`. The primary metric (what
    the trainer keeps the best checkpoint by) is the first task's nDCG@k at full size.
    """

    def __init__(self, tasks: list[RetrievalTask], dims: list[int], k: int, batch_size: int = 64):
        super().__init__()
        self.tasks, self.k, self.batch_size = tasks, k, batch_size
        self.dims = sorted(dims, reverse=True)
        self.corpus_ids = list(tasks[0].corpus)
        self.corpus_texts = [tasks[0].corpus[c] for c in self.corpus_ids]
        self.query_ids = sorted({q for task in tasks for q in task.queries})
        titles = {q: t for task in tasks for q, t in task.queries.items()}
        self.query_texts = [titles[q] for q in self.query_ids]
        self.primary_metric = primary_metric(tasks[0], self.dims[0], k)

    def _rankings(self, queries: np.ndarray, corpus: np.ndarray, dim: int) -> dict[str, list[str]]:
        index = exact_index(unit_prefix(corpus, dim))
        _, top = search(index, unit_prefix(queries, dim), max(self.k, 50))
        return {
            qid: [self.corpus_ids[i] for i in row if i >= 0]
            for qid, row in zip(self.query_ids, top, strict=True)
        }

    def __call__(
        self, model, output_path=None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        # Full size once; each dimension truncates and re-normalises (kpreco.embedding).
        queries = encode(model, self.query_texts, None, self.batch_size)
        corpus = encode(model, self.corpus_texts, None, self.batch_size)
        metrics: dict[str, float] = {}
        for dim in self.dims:
            rankings = self._rankings(queries, corpus, dim)
            for task in self.tasks:
                prefix, k = f"{task.name}_dim{dim}", self.k
                lists = [(rankings[q], task.relevant[q]) for q in task.queries]
                values = {
                    f"ndcg@{k}": [ndcg_at_k(r, dict.fromkeys(rel, 1), k) for r, rel in lists],
                    f"recall@{k}": [recall_at_k(r, rel, k) for r, rel in lists],
                    "recall@50": [recall_at_k(r, rel, 50) for r, rel in lists],
                    f"precision@{k}": [precision_at_k(r, rel, k) for r, rel in lists],
                }
                for name, per_query in values.items():
                    mean = mean_or_none(per_query)
                    if mean is not None:
                        metrics[f"{prefix}_{name}"] = mean
        return metrics


def primary_metric(task: RetrievalTask, dim: int, k: int) -> str:
    return f"{task.name}_dim{dim}_ndcg@{k}"
