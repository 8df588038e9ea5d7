"""Stage `simulate`: write the simulated marketplace to the `inputs.*` paths."""

from __future__ import annotations

from pyspark.sql import SparkSession

from kpreco.config import Config
from kpreco.contract import CONTRACTS
from kpreco.freshness import (
    Decision,
    code_digest,
    fingerprint,
    stamped_commits,
    tables_decision,
)
from kpreco.inputs import SIMULATOR, input_path
from kpreco.log import StageRecord, get_logger
from kpreco.simulate.marketplace import simulate_marketplace, summarize
from kpreco.tables import detect_format, overwrite_table

log = get_logger(__name__)


class SimulationDisabled(RuntimeError):
    """Refusal to overwrite `inputs.*` when they may be a user's own tables."""


def simulation_fingerprint(config: Config) -> str:
    """What the simulated tables are made of: the simulator's settings and code."""
    return fingerprint({"simulate": config.simulate.model_dump(mode="json"), "code": code_digest()})


def simulation_decision(spark: SparkSession, config: Config) -> Decision:
    """Skip when every `inputs.*` table holds this very simulation (its commit stamps say so)."""
    paths = [input_path(config, name) for name in simulated_tables(config)]
    return tables_decision(
        spark, paths, simulation_fingerprint(config), "simulator settings and code"
    )


def simulated_tables(config: Config) -> list[str]:
    """The contract's tables the simulator writes: all that have a location (a reference set
    to null is not written)."""
    return [name for name in CONTRACTS if getattr(config.inputs, name)]


def run_simulate(spark: SparkSession, config: Config, record: StageRecord) -> dict[str, float]:
    if not config.simulate.enabled:
        raise SimulationDisabled(
            "simulate.enabled is false, so inputs.* are treated as your own tables and never "
            "written; set simulate.enabled=true to generate sample data there"
        )
    market = simulate_marketplace(spark, config.simulate)
    stamp = {
        "stage": SIMULATOR,
        "fingerprint": simulation_fingerprint(config),
        "run_id": config.run_id,
    }
    with stamped_commits(spark, stamp):
        tables = market.tables()
        for name in simulated_tables(config):
            frame, path = tables[name], input_path(config, name)
            if detect_format(path, config.inputs.format) != "delta":
                raise ValueError(
                    f"the simulator writes Delta tables; inputs.{name} = {path} is not one"
                )
            overwrite_table(frame, path)
    summary = summarize(market, config.simulate)
    record.counts.update({k: int(v) for k, v in summary.items() if k in market.tables()})
    log.info(
        "simulated marketplace: %s",
        ", ".join(f"{k}={v:,.0f}" if v >= 1 else f"{k}={v:.3f}" for k, v in summary.items()),
    )
    log.info(
        "hidden relevant share: %.1f%% of truly relevant pairs never got an impression; "
        "Search's lexical filter scores %.1f%% of the relevant pairs it sees below its threshold",
        100 * summary["hidden_relevant_share"],
        100 * summary["search_blind_share"],
    )
    return summary
