"""The ANN index over the keyphrase vocabulary (faiss, inner product on unit vectors).

`auto` picks exact search under `exact_below` keyphrases, HNSW up to `hnsw_below`, IVF-PQ
beyond. Recall@k against exact search is measured on real query embeddings (approximate
recall collapses on random vectors, MODELS.md), and logged.
"""

from __future__ import annotations

import numpy as np

from kpreco.config import RecommendSettings


def choose_kind(settings: RecommendSettings, size: int) -> str:
    if settings.index != "auto":
        return settings.index
    if size < settings.exact_below:
        return "flat"
    return "hnsw" if size < settings.hnsw_below else "ivfpq"


def build_index(vectors: np.ndarray, kind: str, settings: RecommendSettings):
    import faiss

    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = max(40, 2 * settings.hnsw_m)
        index.hnsw.efSearch = settings.hnsw_ef_search
    else:
        # faiss wants >= 39 training points per list and well over 2^bits per PQ codebook.
        lists = min(settings.ivf_lists, max(1, len(vectors) // 39))
        bits = min(8, max(1, int(np.log2(len(vectors))) - 2))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFPQ(
            quantizer, dim, lists, settings.pq_m, bits, faiss.METRIC_INNER_PRODUCT
        )
        index.train(vectors)
        index.nprobe = settings.ivf_probe
    index.add(vectors)
    return index


def recall_at_k(index, vectors: np.ndarray, queries: np.ndarray, k: int) -> float:
    """Mean share of the exact top-k that `index` returns in its top-k."""
    import faiss

    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    k = min(k, len(vectors))
    _, truth = exact.search(queries, k)
    _, found = index.search(queries, k)
    hits = [len(set(t) & set(f)) / k for t, f in zip(truth, found, strict=True)]
    return float(np.mean(hits))
