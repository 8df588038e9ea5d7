"""Unshown candidates: the base encoder's neighbours and random same-category keyphrases."""

from kpreco.config import EncoderSettings
from kpreco.pairs.candidates import encoder_candidates, random_category_candidates


def test_random_candidates_stay_in_category_or_fall_back_to_all(spark) -> None:
    items = spark.createDataFrame(
        [("i1", "furniture"), ("i2", "garden"), ("i3", None)], "item_id string, category string"
    )
    keyphrases = spark.createDataFrame(
        [
            ("sofa", "furniture"),
            ("couch", "furniture"),
            ("armchair", "furniture"),
            ("tee", "apparel"),
        ],
        "keyphrase_norm string, category string",
    )
    drawn = random_category_candidates(items, keyphrases, per_item=4, seed=1).collect()
    by_item: dict[str, set[str]] = {}
    for row in drawn:
        by_item.setdefault(row.item_id, set()).add(row.keyphrase_norm)
    assert by_item["i1"] <= {"sofa", "couch", "armchair"}
    assert by_item["i2"] and by_item["i3"]  # no keyphrases of their category: the whole vocabulary
    assert drawn == random_category_candidates(items, keyphrases, per_item=4, seed=1).collect()


def test_encoder_candidates_find_synonyms_a_lexical_match_misses(spark) -> None:
    items = spark.createDataFrame(
        [("i1", "Hallbrook 3 Seater Leather Sofa"), ("i2", "Stridex Mens Running Shoes Size 10")],
        "item_id string, title string",
    )
    keyphrases = spark.createDataFrame(
        [
            (k, k.title())
            for k in ("couch", "sneakers", "coffee mug", "yoga mat", "baby stroller", "wall lamp")
        ],
        "keyphrase_norm string, keyphrase string",
    )
    settings = EncoderSettings(batch_size=8)
    found = encoder_candidates(spark, items, keyphrases, settings, per_item=1).collect()
    best = {row.item_id: row.keyphrase_norm for row in found}
    assert best == {"i1": "couch", "i2": "sneakers"}
    assert all(0.0 < row.retrieval_score <= 1.0 for row in found)


def test_encoder_candidates_embed_the_display_text(spark) -> None:
    # The normalised form is only the key: what the encoder reads is the display text, as in
    # training, evaluation and serving (kpreco.embedding). Keys here carry no meaning at all.
    items = spark.createDataFrame(
        [("i1", "Hallbrook 3 Seater Leather Sofa")], "item_id string, title string"
    )
    keyphrases = spark.createDataFrame(
        [("k1", "Couch"), ("k2", "Yoga Mat"), ("k3", "Wall Lamp")],
        "keyphrase_norm string, keyphrase string",
    )
    found = encoder_candidates(spark, items, keyphrases, EncoderSettings(), per_item=1).collect()
    assert [row.keyphrase_norm for row in found] == ["k1"]
