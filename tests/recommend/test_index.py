import numpy as np

from kpreco.config import EncoderSettings, RecommendSettings
from kpreco.recommend.index import build_index, choose_kind, recall_at_k
from kpreco.retrieval import encode_texts


def test_auto_choice_by_vocabulary_size() -> None:
    settings = RecommendSettings(exact_below=100, hnsw_below=1000)
    assert [choose_kind(settings, n) for n in (10, 500, 5000)] == ["flat", "hnsw", "ivfpq"]
    assert choose_kind(RecommendSettings(index="hnsw"), 10) == "hnsw"


def test_recall_of_exact_is_one_and_hnsw_is_high_on_real_embeddings() -> None:
    words = [
        f"{c} {p}"
        for c in ("black", "grey", "red", "navy", "leather", "wool", "kids", "mens")
        for p in (
            "sofa",
            "couch",
            "lamp",
            "rug",
            "mug",
            "boots",
            "sneakers",
            "jacket",
            "tee",
            "purse",
        )
    ]
    vectors = encode_texts(words, EncoderSettings(batch_size=32))
    queries = encode_texts(
        ["Grey Leather Sofa 3 Seater", "Mens Running Shoes", "Ceramic Coffee Mug"],
        EncoderSettings(),
    )
    settings = RecommendSettings(hnsw_m=8, hnsw_ef_search=64)
    assert recall_at_k(build_index(vectors, "flat", settings), vectors, queries, 10) == 1.0
    assert recall_at_k(build_index(vectors, "hnsw", settings), vectors, queries, 10) >= 0.9
    ivf = build_index(
        np.vstack([vectors] * 3), "ivfpq", RecommendSettings(ivf_lists=4, pq_m=8, ivf_probe=4)
    )
    assert ivf.ntotal == 3 * len(vectors)
