"""Position-aware smoothed CTR against hand-computed values."""

import datetime as dt

import pytest
from chispa import assert_df_equality

from kpreco.pairs.ctr import pair_click_stats, position_propensity

DAY = dt.date(2026, 10, 1)
SCHEMA = (
    "event_date date, item_id string, keyphrase_norm string, clicked int, position int, "
    "purchased int"
)


def events(spark, rows):
    return spark.createDataFrame([(DAY, *row) for row in rows], SCHEMA)


def test_propensity_is_ctr_relative_to_position_one(spark) -> None:
    # position 1: 2 clicks / 4 impressions; position 2: 1 / 4 -> 0.5; position 3: 0 -> floor
    rows = [("a", "k", 1, 1, 0)] * 2 + [("a", "k", 0, 1, 0)] * 2
    rows += [("b", "k", 1, 2, 0)] + [("b", "k", 0, 2, 0)] * 3 + [("c", "k", 0, 3, 0)] * 4
    got = position_propensity(events(spark, rows))
    expected = spark.createDataFrame(
        [(1, 1.0), (2, 0.5), (3, 0.01)], "position int, propensity double"
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_smoothed_ctr_formula(spark) -> None:
    # one pair at position 1 (2 impressions, 1 click), one at position 2 (2 impressions, 0 clicks)
    rows = [("a", "k", 1, 1, 1), ("a", "k", 0, 1, 0), ("b", "k", 0, 2, 0), ("b", "k", 0, 2, 0)]
    stats = {
        r.item_id: r for r in pair_click_stats(events(spark, rows), prior_strength=2.0).collect()
    }
    # propensity(2) = 0 / 0.5 -> floor 0.01; examined: a = 2, b = 0.02; prior = 1 / 2.02
    prior = 1 / 2.02
    assert stats["a"].examined == pytest.approx(2.0)
    assert stats["b"].examined == pytest.approx(0.02)
    assert stats["a"].ctr_smoothed == pytest.approx((1 + 2 * prior) / (2 + 2))
    assert stats["b"].ctr_smoothed == pytest.approx((0 + 2 * prior) / (0.02 + 2))
    assert (stats["a"].impressions, stats["a"].clicks, stats["a"].purchases) == (2, 1, 1)


def test_missing_positions_count_as_fully_examined(spark) -> None:
    rows = [("a", "k", 1, None, None), ("a", "k", 0, None, None)]
    stats = pair_click_stats(events(spark, rows), prior_strength=1.0).first()
    assert stats.examined == pytest.approx(2.0)
    assert stats.purchases == 0
