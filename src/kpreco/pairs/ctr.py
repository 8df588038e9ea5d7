"""Click statistics per (item, keyphrase), with a position-aware smoothed CTR.

Position bias: a buyer examines position p with a propensity that falls with p, so an
impression at position 8 is worth less than one at position 1. The propensity is estimated
from the log itself:

    propensity(p) = clip(CTR(p) / CTR(1), 0.01, 1)        (1 when `position` is absent)

Each pair's examined impressions are the sum of its impressions' propensities, and its CTR is
smoothed towards the global rate with `m` pseudo-impressions (`pairs.ctr_prior_strength`):

    prior       = sum(clicks) / sum(examined)             over the whole log
    ctr_smoothed = (clicks + m * prior) / (examined + m)

So a pair shown twice at the bottom of the page and never clicked is not a zero, and one click
in two impressions is not 50%.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

MIN_PROPENSITY = 0.01


def position_propensity(events: DataFrame) -> DataFrame:
    """(position, propensity) relative to position 1, from the log's own CTR by position."""
    by_position = (
        events.where(F.col("position").isNotNull())
        .groupBy("position")
        .agg((F.sum("clicked") / F.count(F.lit(1))).alias("position_ctr"))
    )
    top = by_position.where(F.col("position") == 1).select(F.col("position_ctr").alias("top_ctr"))
    return (
        by_position.crossJoin(top)
        .select(
            "position",
            F.when(F.col("top_ctr") > 0, F.col("position_ctr") / F.col("top_ctr"))
            .otherwise(F.lit(1.0))
            .alias("propensity"),
        )
        .select(
            "position",
            F.least(F.lit(1.0), F.greatest(F.lit(MIN_PROPENSITY), F.col("propensity"))).alias(
                "propensity"
            ),
        )
    )


def pair_click_stats(events: DataFrame, prior_strength: float) -> DataFrame:
    """Per (item_id, keyphrase_norm): impressions, clicks, purchases, examined, ctr_smoothed.

    `events` holds validated rows of `search_events` with `keyphrase_norm`.
    """
    propensity = position_propensity(events)
    weighted = events.join(F.broadcast(propensity), on="position", how="left").withColumn(
        "propensity", F.coalesce(F.col("propensity"), F.lit(1.0))
    )
    per_pair = weighted.groupBy("item_id", "keyphrase_norm").agg(
        F.count(F.lit(1)).alias("impressions"),
        F.sum("clicked").cast("long").alias("clicks"),
        F.sum(F.coalesce(F.col("purchased"), F.lit(0))).cast("long").alias("purchases"),
        F.sum("propensity").alias("examined"),
        F.min("event_date").alias("first_event_date"),
        F.max("event_date").alias("last_event_date"),
    )
    prior = per_pair.agg(
        (F.sum("clicks") / F.greatest(F.sum("examined"), F.lit(1e-9))).alias("prior_ctr")
    )
    return per_pair.crossJoin(prior).select(
        "item_id",
        "keyphrase_norm",
        "impressions",
        "clicks",
        "purchases",
        "examined",
        (
            (F.col("clicks") + F.lit(prior_strength) * F.col("prior_ctr"))
            / (F.col("examined") + F.lit(prior_strength))
        ).alias("ctr_smoothed"),
        "first_event_date",
        "last_event_date",
    )
