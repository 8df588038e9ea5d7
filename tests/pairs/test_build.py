"""Pair assembly: sources, tasks, kinds and the item-level split."""

from chispa import assert_column_equality
from pyspark.sql import functions as F

from kpreco.config import SplitSettings
from kpreco.pairs.build import PAIR_COLUMNS, assemble_pairs, pair_kind, pair_universe, split_of

STATS = (
    "item_id string, keyphrase_norm string, impressions long, clicks long, purchases long, "
    "examined double, ctr_smoothed double"
)


def test_split_is_by_item_and_deterministic(spark) -> None:
    frame = spark.range(2000).select(F.concat(F.lit("it"), F.col("id")).alias("item_id"))
    split = SplitSettings(train=0.8, valid=0.1)
    first = frame.select("item_id", split_of(F.col("item_id"), split).alias("s")).collect()
    second = frame.select("item_id", split_of(F.col("item_id"), split).alias("s")).collect()
    assert first == second
    shares = {s: sum(1 for r in first if r.s == s) / 2000 for s in ("train", "valid", "test")}
    assert 0.75 < shares["train"] < 0.85 and 0.07 < shares["valid"] < 0.13


def test_pair_kind_priorities(spark) -> None:
    rows = [
        (3, 1, 0.2, "clicked"),
        (3, 0, 0.9, "sr_positive"),
        (0, 0, 0.1, "sr_negative"),
        (2, 0, None, "shown_unclicked"),
        (0, 0, None, "unshown_candidate"),
    ]
    frame = spark.createDataFrame(
        rows, "impressions long, clicks long, sr_score double, expected string"
    )
    assert_column_equality(frame.withColumn("kind", pair_kind()), "kind", "expected")


def test_universe_labels_sources_and_assembly_marks_tasks(spark) -> None:
    stats = spark.createDataFrame([("i1", "sofa", 10, 2, 0, 8.0, 0.2)], STATS)
    relevance = spark.createDataFrame(
        [("i1", "sofa", 0.9), ("i1", "leather sofa", 0.3)],
        "item_id string, keyphrase_norm string, sr_score double",
    )
    by_encoder = spark.createDataFrame(
        [("i1", "couch", 0.8), ("i1", "sofa", 0.95)],
        "item_id string, keyphrase_norm string, retrieval_score float",
    )
    at_random = spark.createDataFrame(
        [("i1", "rug"), ("i1", "couch")], "item_id string, keyphrase_norm string"
    )
    universe = pair_universe(stats, relevance, by_encoder, at_random)
    sources = {r.keyphrase_norm: r.source for r in universe.collect()}
    assert sources == {
        "sofa": "events",
        "leather sofa": "search",
        "couch": "encoder",
        "rug": "random",
    }

    items = spark.createDataFrame(
        [("i1", "Norvik Sofa", "furniture")], "item_id string, title string, category string"
    )
    keyphrases = spark.createDataFrame(
        [(k, k.upper(), 10) for k in ("sofa", "leather sofa", "couch", "rug")],
        "keyphrase_norm string, keyphrase string, search_count long",
    )
    pairs = assemble_pairs(universe, items, keyphrases, SplitSettings())
    assert tuple(pairs.columns) == PAIR_COLUMNS
    rows = {r.keyphrase: r for r in pairs.collect()}
    assert rows["sofa"].in_ctr_task and rows["sofa"].in_sr_task and not rows["sofa"].is_unshown
    assert rows["couch"].pair_kind == "unshown_candidate" and rows["couch"].is_unshown
    assert rows["couch"].retrieval_score is not None
    assert rows["leather sofa"].pair_kind == "sr_negative" and rows["leather sofa"].impressions == 0
    assert rows["rug"].keyphrase_display == "RUG"
    assert len({r.split for r in rows.values()}) == 1
