"""De-duplication, the relevance filter, the cap (chispa on small DataFrames)."""

from chispa import assert_df_equality

from kpreco.recommend.lists import (
    canonical_key,
    cap_and_rank,
    dedupe_ranked,
    deduplicate,
    relevance_filter,
)

SCHEMA = (
    "item_id string, keyphrase string, canonical_key string, retrieval_score double, "
    "relevance_score double"
)


def rows(*entries):
    return [(i, k, canonical_key(k), s, r) for i, k, s, r in entries]


def test_canonical_key_merges_plural_order_and_punctuation() -> None:
    assert canonical_key("leather sofas") == canonical_key("Sofa, Leather") == "leather sofa"
    assert canonical_key("boxes") == "box" and canonical_key("glass") == "glass"
    assert canonical_key("bus") == "bus"  # short words are left alone
    assert canonical_key("t-shirts") == canonical_key("t shirt")


def test_deduplicate_keeps_the_best_of_each_group(spark) -> None:
    candidates = spark.createDataFrame(
        rows(
            ("i1", "leather sofa", 0.9, 0.8),
            ("i1", "sofa leather", 0.95, 0.7),
            ("i1", "leather sofas", 0.5, 0.9),
            ("i1", "couch", 0.6, 0.9),
            ("i2", "leather sofa", 0.4, 0.2),
        ),
        SCHEMA,
    )
    expected = spark.createDataFrame(
        rows(
            ("i1", "sofa leather", 0.95, 0.7),
            ("i1", "couch", 0.6, 0.9),
            ("i2", "leather sofa", 0.4, 0.2),
        ),
        SCHEMA,
    )
    assert_df_equality(deduplicate(candidates), expected, ignore_row_order=True)


def test_relevance_filter_and_cap(spark) -> None:
    candidates = spark.createDataFrame(
        rows(
            ("i1", "a", 0.9, 0.9),
            ("i1", "b", 0.8, 0.2),
            ("i1", "c", 0.7, 0.6),
            ("i1", "d", 0.7, 0.95),
            ("i2", "e", 0.1, 0.5),
        ),
        SCHEMA,
    )
    kept = relevance_filter(candidates, 0.5)
    assert sorted(r.keyphrase for r in kept.collect()) == ["a", "c", "d", "e"]
    assert relevance_filter(candidates, None).count() == 5
    ranked = cap_and_rank(kept, 2).select("item_id", "rank", "keyphrase")
    expected = spark.createDataFrame(
        [("i1", 1, "a"), ("i1", 2, "c"), ("i2", 1, "e")],
        "item_id string, rank int, keyphrase string",
    )  # c and d tie at 0.7: the keyphrase breaks the tie
    assert_df_equality(ranked, expected, ignore_row_order=True, ignore_nullable=True)


def test_cap_and_rank_by_the_relevance_score(spark) -> None:
    candidates = spark.createDataFrame(
        rows(
            ("i1", "a", 0.9, 0.6),
            ("i1", "b", 0.8, 0.95),
            ("i1", "c", 0.7, 0.6),
            ("i1", "d", 0.1, 0.99),
        ),
        SCHEMA,
    )
    ranked = cap_and_rank(candidates, 3, "relevance_score").select("item_id", "rank", "keyphrase")
    expected = spark.createDataFrame(
        [("i1", 1, "d"), ("i1", 2, "b"), ("i1", 3, "a")],
        "item_id string, rank int, keyphrase string",
    )  # a and c tie at 0.6: the retrieval score breaks the tie, c is cut
    assert_df_equality(ranked, expected, ignore_row_order=True, ignore_nullable=True)


def test_driver_free_twin_agrees_with_the_dataframe_version() -> None:
    keyphrases = ["leather sofa", "sofa leather", "couch", "leather sofas"]
    scores = [0.9, 0.95, 0.6, 0.5]
    assert [keyphrases[i] for i in dedupe_ranked(keyphrases, scores)] == ["sofa leather", "couch"]
