import numpy as np

from kpreco.config import RecommendSettings
from kpreco.embedding import (
    PACKAGED_MINILM,
    Encoding,
    build_index,
    choose_kind,
    encode,
    load_encoder,
    recall_against_exact,
    unit_prefix,
)


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
    vectors = Encoding(PACKAGED_MINILM, batch_size=32).encode(words)
    queries = Encoding(PACKAGED_MINILM).encode(
        ["Grey Leather Sofa 3 Seater", "Mens Running Shoes", "Ceramic Coffee Mug"]
    )
    settings = RecommendSettings(hnsw_m=8, hnsw_ef_search=64)
    assert recall_against_exact(build_index(vectors, "flat", settings), vectors, queries, 10) == 1.0
    assert recall_against_exact(build_index(vectors, "hnsw", settings), vectors, queries, 10) >= 0.9
    ivf = build_index(
        np.vstack([vectors] * 3), "ivfpq", RecommendSettings(ivf_lists=4, pq_m=8, ivf_probe=4)
    )
    assert ivf.ntotal == 3 * len(vectors)


def test_unit_prefix_truncates_then_renormalises() -> None:
    vectors = np.array([[3.0, 4.0, 12.0], [1.0, 0.0, 5.0]])
    np.testing.assert_allclose(unit_prefix(vectors, 2), [[0.6, 0.8], [1.0, 0.0]])
    np.testing.assert_allclose(unit_prefix(vectors), vectors / [[13.0], [np.sqrt(26.0)]])
    assert unit_prefix(vectors, 2).dtype == np.float32


def test_encode_at_a_prefix_equals_truncating_the_full_embedding() -> None:
    model = load_encoder(PACKAGED_MINILM)
    texts = ["grey leather sofa", "ceramic coffee mug"]
    full = model.encode(texts, convert_to_numpy=True)
    np.testing.assert_allclose(
        encode(model, texts, 64), unit_prefix(full, 64), rtol=1e-5, atol=1e-6
    )
    assert encode(model, texts, 64).shape == (2, 64)
    np.testing.assert_allclose(np.linalg.norm(encode(model, texts), axis=1), 1.0, rtol=1e-5)
