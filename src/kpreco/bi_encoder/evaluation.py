"""Validation during training: retrieval of the vocabulary for validation-split items, at each
Matryoshka dimension, against the truth (simulated data) or the judge's positive labels."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


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


def evaluators(task: RetrievalTask, dims: list[int], k: int, batch_size: int) -> list:
    """One InformationRetrievalEvaluator per Matryoshka dimension (largest first)."""
    from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

    return [
        InformationRetrievalEvaluator(
            queries=task.queries,
            corpus=task.corpus,
            relevant_docs=task.relevant,
            name=f"{task.name}_dim{dim}",
            truncate_dim=dim,
            ndcg_at_k=[k],
            mrr_at_k=[k],
            accuracy_at_k=[1, k],
            precision_recall_at_k=[k, 50],
            map_at_k=[50],
            batch_size=batch_size,
            write_csv=False,
            show_progress_bar=False,
        )
        for dim in sorted(dims, reverse=True)
    ]


def primary_metric(task: RetrievalTask, dim: int, k: int) -> str:
    return f"{task.name}_dim{dim}_cosine_ndcg@{k}"
