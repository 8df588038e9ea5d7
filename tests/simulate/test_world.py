"""The simulator's world: deterministic draws, truth on keys, and a Search blind to synonyms."""

from datetime import datetime

from kpreco.simulate.ontology import PRODUCT_TYPES, TYPES_BY_KEY
from kpreco.simulate.world import (
    TypeBlocks,
    generate_item,
    generate_keyphrase,
    search_candidates,
    search_relevance_score,
)

START = datetime(2026, 10, 1)


def test_same_seed_same_item_and_keyphrase() -> None:
    blocks = TypeBlocks.for_items(1000)
    assert generate_item(5, 17, blocks, START) == generate_item(5, 17, blocks, START)
    assert generate_item(5, 17, blocks, START) != generate_item(6, 17, blocks, START)
    assert generate_keyphrase(5, 3) == generate_keyphrase(5, 3)


def test_type_blocks_cover_the_catalog_exactly() -> None:
    for n in (40, 1000, 20_001):
        blocks = TypeBlocks.for_items(n)
        assert sum(blocks.counts) == n
        assert blocks.type_of(0) == PRODUCT_TYPES[0]
        assert blocks.type_of(n - 1) == PRODUCT_TYPES[-1]


def test_item_attributes_are_those_the_title_states() -> None:
    blocks = TypeBlocks.for_items(2000)
    for index in range(0, 2000, 97):
        item = generate_item(1, index, blocks, START)
        product_type = TYPES_BY_KEY[item["product_type"]]
        kinds = {axis.kind for axis in product_type.axes}
        assert set(item["attributes"]) <= kinds
        assert item["title"].strip()


def test_search_is_lexical_and_blind_to_synonyms() -> None:
    assert search_relevance_score(1, "sofa", "Norvik Black Leather Sofa", "i") > 0.9
    assert search_relevance_score(1, "couch", "Norvik Black Leather Sofa", "i") < 0.1
    assert search_relevance_score(1, "black sofa", "Norvik Blk Leather Sofa", "i") < 0.8


def test_search_candidates_come_from_the_query_type() -> None:
    blocks = TypeBlocks.for_items(5000)
    start, count = blocks.block("sofa")
    chosen = search_candidates(1, 9, "sofa", blocks, same_type=30, other_type=0)
    assert chosen and all(start <= i < start + count for i in chosen)


def test_keyphrases_have_head_torso_and_tail() -> None:
    drawn = [generate_keyphrase(2, i) for i in range(400)]
    assert {k["specificity"] for k in drawn} == {"head", "torso", "tail"}
    assert any(k["uses_synonym"] for k in drawn)
    head = [k["search_count"] for k in drawn if k["specificity"] == "head"]
    tail = [k["search_count"] for k in drawn if k["specificity"] == "tail"]
    assert sorted(head)[len(head) // 2] > 10 * sorted(tail)[len(tail) // 2]
