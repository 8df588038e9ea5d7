"""The simulator in Spark: same seed same tables, truth consistent with the pairs, real bias."""

from chispa import assert_df_equality
from pyspark.sql import functions as F

from kpreco.config import SimulateSettings
from kpreco.simulate.marketplace import simulate_marketplace, summarize

SIM = SimulateSettings(
    enabled=True,
    seed=4,
    items=240,
    keyphrases=120,
    days=4,
    search_candidates_same_type=15,
    search_candidates_other_type=3,
    human_labels=40,
    partitions=2,
)


def test_same_seed_same_tables(spark) -> None:
    first, second = simulate_marketplace(spark, SIM), simulate_marketplace(spark, SIM)
    for name, frame in first.tables().items():
        assert_df_equality(
            frame, second.tables()[name], ignore_row_order=True, ignore_nullable=True
        )


def test_tables_keep_the_contract_and_the_bias(spark) -> None:
    market = simulate_marketplace(spark, SIM)
    assert market.items.columns == [
        "item_id",
        "title",
        "category",
        "price",
        "seller_id",
        "updated_at",
    ]
    assert market.items.select("item_id").distinct().count() == SIM.items
    assert market.keyphrases.count() == SIM.keyphrases
    assert market.human_labels.count() == SIM.human_labels
    truth = market.truth
    assert truth.groupBy("item_id", "keyphrase").count().where(F.col("count") > 1).count() == 0
    # Every shown pair was above Search's threshold: the middleman filter.
    shown = market.search_events.select("item_id", "keyphrase").distinct()
    scores = shown.join(market.search_relevance, on=["item_id", "keyphrase"], how="left")
    assert scores.where(F.col("sr_score") < SIM.sr_threshold).count() == 0
    summary = summarize(market, SIM)
    assert summary["hidden_relevant_share"] >= 0.3
    assert 0 < summary["ctr"] < 0.5
