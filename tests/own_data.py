"""A small marketplace that is not the simulator's, written as CSV files the way a user exports
their own tables: garden and tool supplies, sellers' own wording (shouting, "FREE P&P", sizes in
feet and litres, commas and quotes inside titles), no ground truth.

    .venv/bin/python -m tests.own_data FOLDER [--items 300] [--seed 5]

writes FOLDER/items.csv, keyphrases.csv, search_events.csv, search_relevance.csv and
human_labels.csv (the data contract's names, so `--set inputs.dir=FOLDER` finds them).
Relevance is known only inside this generator: it decides clicks and the human labels, and is
never written out, as real data never has it.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

# product -> (words a seller writes, buyer queries for it: the first ones share a word with the
# seller's wording, the rest are synonyms a lexical Search never matches)
PRODUCTS = {
    "garden hose": (
        ["Garden Hose", "Hosepipe", "Expandable Hose"],
        ["garden hose", "hose pipe", "expandable hose", "watering pipe"],
    ),
    "pruning shears": (
        ["Pruning Shears", "Bypass Pruner"],
        ["pruning shears", "bypass pruner", "secateurs", "hand clippers"],
    ),
    "lawn mower": (
        ["Lawn Mower", "Cylinder Mower"],
        ["lawn mower", "cordless mower", "grass cutter"],
    ),
    "watering can": (["Watering Can"], ["watering can", "plant sprinkler can"]),
    "spade": (["Digging Spade", "Border Spade"], ["digging spade", "garden spade", "shovel"]),
    "rake": (["Leaf Rake", "Lawn Rake"], ["leaf rake", "lawn rake", "leaf gatherer"]),
    "wheelbarrow": (
        ["Wheelbarrow", "Garden Barrow"],
        ["wheelbarrow", "garden cart", "yard trolley"],
    ),
    "hedge trimmer": (
        ["Hedge Trimmer", "Hedgecutter"],
        ["hedge trimmer", "hedge cutter", "bush cutter"],
    ),
    "raised bed": (
        ["Raised Bed", "Planter Box"],
        ["raised bed", "planter box", "vegetable planter"],
    ),
    "trowel": (["Hand Trowel", "Trowel"], ["hand trowel", "planting scoop"]),
    "leaf blower": (["Leaf Blower", "Garden Blower"], ["leaf blower", "garden vac", "leaf vacuum"]),
    "compost bin": (["Compost Bin", "Composter"], ["compost bin", "composter", "garden waste bin"]),
}
BRANDS = ["Greenthumb", "Verdello", "Hortus&Co", "Müllerhof", "Oakridge", "Bramblewick"]
COLOURS = ["Green", "Black", "Orange", "Blue", "Terracotta"]
SIZES = ["15m", "30m", "50ft", "10L", "5 litre", "Large", "Compact"]
SHOUTS = ["*** HEAVY DUTY ***", "NEW!!", "✅ FREE P&P", "BARGAIN -", "Pro-Grade"]
TAILS = [", rust-proof", ' - "lifetime" guarantee', " (UK stock)", " 🌱", " w/ wall bracket", ""]


def _title(rng: random.Random, product: str, brand: str, colour: str) -> str:
    words, _ = PRODUCTS[product]
    parts = [rng.choice(SHOUTS) if rng.random() < 0.35 else "", brand, rng.choice(words)]
    if rng.random() < 0.6:
        parts.append(rng.choice(SIZES))
    parts.append(colour)
    return " ".join(p for p in parts if p) + rng.choice(TAILS)


def _write(folder: Path, name: str, header: list[str], rows: list[tuple]) -> None:
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def write_marketplace(folder: Path, items: int = 300, seed: int = 5, days: int = 7) -> dict:
    """Write the five CSV files into `folder`; returns their row counts."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    catalog = []
    for index in range(items):
        product = rng.choice(sorted(PRODUCTS))
        brand, colour = rng.choice(BRANDS), rng.choice(COLOURS)
        item_id = f"gd-{seed:02d}-{index:05d}"
        catalog.append((item_id, _title(rng, product, brand, colour), product, brand, colour))
    queries = {}  # keyphrase -> (product, brand or None, colour or None)
    for product, (_, asked) in PRODUCTS.items():
        for query in asked:
            queries[query] = (product, None, None)
            for brand in rng.sample(BRANDS, 2):
                queries[f"{brand.lower()} {query}"] = (product, brand, None)
            colour = rng.choice(COLOURS)
            queries[f"{colour.lower()} {query}"] = (product, None, colour)

    def relevance(item: tuple, keyphrase: str) -> int:
        product, brand, colour = queries[keyphrase]
        if product != item[2]:
            return 0
        if (brand and brand != item[3]) or (colour and colour != item[4]):
            return 1
        return 3

    def lexical(item: tuple, keyphrase: str) -> float:
        title = set(item[1].lower().replace(",", " ").split())
        words = keyphrase.lower().split()
        return sum(word in title for word in words) / len(words)

    events, scored = [], []
    start = date(2026, 9, 1)
    for keyphrase in sorted(queries):
        shown = sorted(
            ((lexical(item, keyphrase), item) for item in catalog),
            key=lambda pair: -pair[0],
        )
        candidates = [(score, item) for score, item in shown if score > 0][:40]
        scored += [(item[0], keyphrase, round(score, 4)) for score, item in candidates]
        page = [item for score, item in candidates if score >= 0.5][:10]
        for day in range(days):
            if rng.random() < 0.5:
                continue
            for position, item in enumerate(page, start=1):
                click = relevance(item, keyphrase) / 3 * 0.5 / position
                clicked = int(rng.random() < click)
                events.append(
                    (
                        (start + timedelta(days=day)).isoformat(),
                        item[0],
                        keyphrase,
                        clicked,
                        position,
                        int(clicked and rng.random() < 0.1),
                    )
                )
    labelled = set()
    labels = []
    while len(labels) < min(len(catalog), 400):  # about one per item
        item, keyphrase = rng.choice(catalog), rng.choice(sorted(queries))
        if rng.random() < 0.5:  # half from the item's own product, so both labels occur
            keyphrase = rng.choice([q for q, meta in queries.items() if meta[0] == item[2]])
        if (item[0], keyphrase) not in labelled:
            labelled.add((item[0], keyphrase))
            labels.append((item[0], keyphrase, relevance(item, keyphrase)))
    counts = {}
    tables = {
        "items": (
            ["item_id", "title", "category", "price"],
            [(i[0], i[1], "garden", f"{rng.uniform(4, 400):.2f}") for i in catalog],
        ),
        "keyphrases": (
            ["keyphrase", "search_count"],
            [(q, rng.randint(5, 5000)) for q in sorted(queries)],
        ),
        "search_events": (
            ["event_date", "item_id", "keyphrase", "clicked", "position", "purchased"],
            events,
        ),
        "search_relevance": (["item_id", "keyphrase", "sr_score"], scored),
        "human_labels": (["item_id", "keyphrase", "label"], labels),
    }
    for name, (header, rows) in tables.items():
        _write(folder, name, header, rows)
        counts[name] = len(rows)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    counts = write_marketplace(args.folder, args.items, args.seed)
    print(", ".join(f"{name}: {count:,} rows" for name, count in counts.items()))


if __name__ == "__main__":
    main()
