"""Pure-Python generators of one item, one keyphrase, one Search score: Spark maps them over ids.

Every random draw is seeded by (seed, kind, id), never by partition or order, so the same seed
gives the same marketplace on a laptop and on a cluster, however the work is split.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from kpreco.simulate.ontology import (
    MARKETING_WORDS,
    PRODUCT_NOUNS,
    PRODUCT_TYPES,
    TYPES_BY_KEY,
    Axis,
    ProductType,
)
from kpreco.text import tokens

# Keyphrase specificity: how many attribute constraints a query carries (head/torso/tail).
CONSTRAINT_COUNT_WEIGHTS = (0.06, 0.44, 0.34, 0.16)
SPECIFICITY = ("head", "torso", "tail", "tail")
BASE_SEARCH_COUNT = (4000.0, 300.0, 40.0, 8.0)
# Buyers write the canonical word more often than a synonym.
CANONICAL_FORM_SHARE = 0.55
# Query word order; a size written "size 9" follows the product, "xl" or "2 seater" precedes it.
QUERY_ORDER = ("audience", "brand", "colour", "material", "size", "product", "size after")


def rng_for(seed: int, kind: str, index: int | str) -> random.Random:
    return random.Random(f"{seed}/{kind}/{index}")


def unit_hash(seed: int, *parts: object) -> float:
    """A deterministic uniform number in [0, 1) from the parts."""
    digest = hashlib.blake2b(f"{seed}/{'/'.join(map(str, parts))}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") / 2**64


def item_id(seed: int, index: int) -> str:
    return "it" + hashlib.blake2b(f"{seed}/item/{index}".encode(), digest_size=6).hexdigest()


@dataclass(frozen=True)
class TypeBlocks:
    """Items are laid out in one contiguous index block per product type, sized by weight."""

    starts: tuple[int, ...]
    counts: tuple[int, ...]

    @classmethod
    def for_items(cls, n_items: int) -> TypeBlocks:
        total = sum(p.weight for p in PRODUCT_TYPES)
        shares = [n_items * p.weight / total for p in PRODUCT_TYPES]
        counts = [max(1, math.floor(share)) for share in shares]
        by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
        for i in by_remainder[: max(0, n_items - sum(counts))]:
            counts[i] += 1
        while sum(counts) > n_items:  # tiny catalogs: trim the largest blocks
            counts[counts.index(max(counts))] -= 1
        starts = [0]
        for count in counts[:-1]:
            starts.append(starts[-1] + count)
        return cls(tuple(starts), tuple(counts))

    def type_of(self, index: int) -> ProductType:
        return PRODUCT_TYPES[bisect.bisect_right(self.starts, index) - 1]

    def block(self, type_key: str) -> tuple[int, int]:
        position = next(i for i, p in enumerate(PRODUCT_TYPES) if p.key == type_key)
        return self.starts[position], self.counts[position]


def _pick_form(rng: random.Random, forms: tuple[str, ...], canonical_share: float) -> str:
    if len(forms) == 1 or rng.random() < canonical_share:
        return forms[0]
    return rng.choice(forms[1:])


def _axis(product_type: ProductType, kind: str) -> Axis:
    return next(axis for axis in product_type.axes if axis.kind == kind)


def render_title(rng: random.Random, product_type: ProductType, rendered: dict[str, str]) -> str:
    """A noisy seller title naming the product and the attributes in `rendered`."""
    words = {
        kind: _pick_form(rng, _axis(product_type, kind).values_by_key[key].title_forms, 0.5)
        for kind, key in rendered.items()
    }
    product = _pick_form(rng, product_type.title_forms, 0.6)
    # Some sellers use a buyer synonym as their product word ("Couch").
    if rng.random() < 0.12 and len(product_type.query_forms) > 1:
        product = rng.choice(product_type.query_forms[1:]).title()
    head = [words[k] for k in ("brand", "audience", "colour", "material") if k in words]
    if rng.random() < 0.35:
        rng.shuffle(head)
    parts = [*head, product]
    if "size" in words:
        parts.insert(
            rng.randrange(len(parts) + 1) if rng.random() < 0.3 else len(parts), words["size"]
        )
    if rng.random() < 0.3:
        parts.append(rng.choice(("Model", "Style #", "SKU ", "")) + str(rng.randrange(100, 9999)))
    if rng.random() < 0.45:
        marketing = rng.choice(MARKETING_WORDS)
        parts.insert(0, marketing) if rng.random() < 0.5 else parts.append(marketing)
    separator = rng.choice((" ", " ", " ", " - ", " | ", ", "))
    return separator.join(part for part in parts if part).strip()


def generate_item(seed: int, index: int, blocks: TypeBlocks, start: datetime) -> dict:
    """One catalog item: contract columns plus the hidden attributes the truth is built on."""
    rng = rng_for(seed, "item", index)
    product_type = blocks.type_of(index)
    attributes = {axis.kind: rng.choice(axis.values).key for axis in product_type.axes}
    # An attribute the title never states is unknown to everyone, so the truth ignores it.
    rendered = {
        kind: key
        for kind, key in attributes.items()
        if rng.random() < _axis(product_type, kind).rendered
    }
    low, high = product_type.price
    return {
        "item_id": item_id(seed, index),
        "title": render_title(rng, product_type, rendered),
        "category": product_type.category,
        "price": round(math.exp(rng.uniform(math.log(low), math.log(high))), 2),
        "seller_id": f"seller{rng.randrange(max(10, sum(blocks.counts) // 20)):06d}",
        "updated_at": start - timedelta(days=rng.uniform(1, 365)),
        "item_index": index,
        "product_type": product_type.key,
        "attributes": rendered,
        "quality": min(3.0, max(0.3, rng.lognormvariate(0.0, 0.5))),
    }


def _weighted_type(rng: random.Random) -> ProductType:
    return rng.choices(PRODUCT_TYPES, weights=[p.weight for p in PRODUCT_TYPES])[0]


def generate_keyphrase(seed: int, index: int) -> dict:
    """One buyer query: a product word plus 0-3 attribute constraints, in buyer wording."""
    rng = rng_for(seed, "keyphrase", index)
    product_type = _weighted_type(rng)
    wanted = rng.choices(range(4), weights=CONSTRAINT_COUNT_WEIGHTS)[0]
    axes = rng.sample(product_type.axes, min(wanted, len(product_type.axes)))
    constraints = {axis.kind: rng.choice(axis.values).key for axis in axes}
    product_form = _pick_form(rng, product_type.query_forms, CANONICAL_FORM_SHARE)
    words = {"product": product_form}
    for axis in axes:
        value = axis.values_by_key[constraints[axis.kind]]
        form = _pick_form(rng, value.query_forms, CANONICAL_FORM_SHARE)
        after = axis.kind == "size" and form.startswith("size ")
        words["size after" if after else axis.kind] = form
    ordered = [words[kind] for kind in QUERY_ORDER if kind in words]
    if words.get("audience", "").startswith("for "):  # "running shoes for men"
        ordered.remove(words["audience"])
        ordered.append(words["audience"])
    specificity = len(constraints)
    popularity = BASE_SEARCH_COUNT[specificity] * product_type.weight
    popularity *= 1.0 if product_form == product_type.query_forms[0] else 0.7
    return {
        "keyphrase": " ".join(ordered),
        "category": product_type.category,
        "search_count": max(1, round(popularity * rng.lognormvariate(0.0, 0.8))),
        "product_type": product_type.key,
        "constraints": constraints,
        "specificity": SPECIFICITY[specificity],
        "uses_synonym": product_form != product_type.query_forms[0],
    }


def search_candidates(
    seed: int,
    keyphrase_index: int,
    product_type_key: str,
    blocks: TypeBlocks,
    same_type: int,
    other_type: int,
) -> list[int]:
    """Item indices Search scores for this query: its product type, plus some of its category."""
    rng = rng_for(seed, "candidates", keyphrase_index)
    start, count = blocks.block(product_type_key)
    chosen = {start + rng.randrange(count) for _ in range(same_type)}
    category = TYPES_BY_KEY[product_type_key].category
    neighbours = [
        p.key for p in PRODUCT_TYPES if p.category == category and p.key != product_type_key
    ]
    for _ in range(other_type if neighbours else 0):
        other_start, other_count = blocks.block(rng.choice(neighbours))
        chosen.add(other_start + rng.randrange(other_count))
    return sorted(chosen)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def search_relevance_score(seed: int, keyphrase: str, title: str, item: str) -> float:
    """Search's lexical relevance: weighted share of query words found in the title.

    Product nouns weigh double; words are compared after normalisation and plural stripping,
    nothing else, so synonyms ("couch" vs "Sofa") and abbreviations ("Blk") score nothing.
    """
    query = [_stem(word) for word in tokens(keyphrase)]
    if not query:
        return 0.0
    title_words = {_stem(word) for word in tokens(title)}
    weight = {
        word: 2.0 if word in PRODUCT_NOUNS or word + "s" in PRODUCT_NOUNS else 1.0 for word in query
    }
    covered = sum(weight[word] for word in query if word in title_words)
    noise = (unit_hash(seed, "sr", item, keyphrase) - 0.5) * 0.1
    return round(min(1.0, max(0.0, covered / sum(weight.values()) + noise)), 4)
