"""Stage `build_pairs`: validated inputs -> the `pairs` Delta table, merged idempotently."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco.config import Config
from kpreco.contract import SEARCH_EVENTS, SEARCH_RELEVANCE
from kpreco.freshness import Decision, code_digest, fingerprint, stamped_commits, tables_decision
from kpreco.inputs import input_path, load_inputs
from kpreco.log import StageRecord, get_logger
from kpreco.pairs.build import PAIR_COLUMNS, assemble_pairs, pair_universe
from kpreco.pairs.candidates import encoder_candidates, random_category_candidates
from kpreco.pairs.ctr import pair_click_stats
from kpreco.run_records import write_rejects
from kpreco.tables import (
    content_changed,
    content_fingerprint,
    drop_path,
    merge_upsert,
    read_table,
    staged,
)
from kpreco.validate import split_unknown_references

log = get_logger(__name__)
INPUTS = ["items", "keyphrases", "search_events", "search_relevance"]


def pairs_fingerprint(spark: SparkSession, config: Config) -> str:
    """What `pairs` is made of: the inputs' content, the pair and validation settings, code."""
    contents = {
        name: content_fingerprint(
            read_table(spark, name, input_path(config, name), config.inputs.format), ignore=()
        )
        for name in INPUTS
    }
    return fingerprint(
        {
            "inputs": contents,
            "pairs": config.pairs.model_dump(mode="json"),
            "validation": config.validation.model_dump(mode="json"),
            "code": code_digest(),
        }
    )


def pairs_decision(spark: SparkSession, config: Config, made_of: str) -> Decision:
    """Skip when `pairs` was built from inputs and settings of fingerprint `made_of`
    (`pairs_fingerprint`), as its commit stamp says."""
    pairs = [config.table_path("pairs")]
    return tables_decision(spark, pairs, made_of, "the inputs, pair settings and code")


def _known_references(
    frame: DataFrame, contract, items: DataFrame, keyphrases: DataFrame, run_id: str
) -> tuple[DataFrame, list[DataFrame]]:
    known_items, item_rejects = split_unknown_references(frame, contract, items, "item_id", run_id)
    known, keyphrase_rejects = split_unknown_references(
        known_items, contract, keyphrases, "keyphrase_norm", run_id
    )
    return known, [item_rejects, keyphrase_rejects]


def build_pairs_frame(spark: SparkSession, config: Config, record: StageRecord) -> DataFrame:
    tables = load_inputs(spark, config, INPUTS, record)
    items, keyphrases = tables["items"].valid, tables["keyphrases"].valid
    events, event_rejects = _known_references(
        tables["search_events"].valid, SEARCH_EVENTS, items, keyphrases, config.run_id
    )
    relevance, relevance_rejects = _known_references(
        tables["search_relevance"].valid, SEARCH_RELEVANCE, items, keyphrases, config.run_id
    )
    settings = config.pairs
    candidates_by_encoder = (
        encoder_candidates(
            spark, items, keyphrases, settings.encoder, settings.encoder_candidates_per_item
        )
        if settings.encoder_candidates_per_item
        else spark.createDataFrame(
            [], "item_id string, keyphrase_norm string, retrieval_score float"
        )
    )
    candidates_at_random = (
        random_category_candidates(
            items, keyphrases, settings.random_candidates_per_item, seed=settings.seed
        )
        if settings.random_candidates_per_item
        else spark.createDataFrame([], "item_id string, keyphrase_norm string")
    )
    universe = pair_universe(
        pair_click_stats(events, settings.ctr_prior_strength),
        relevance,
        candidates_by_encoder,
        candidates_at_random,
    )
    pairs = assemble_pairs(universe, items, keyphrases, settings.split)
    # Rows that name an unknown item or keyphrase (the inputs' own rejects are written when
    # they are validated, kpreco.inputs).
    write_rejects(spark, config, [*event_rejects, *relevance_rejects])
    return pairs


def run_build_pairs(
    spark: SparkSession, config: Config, record: StageRecord, made_of: str | None = None
) -> None:
    """Build and MERGE `pairs`; `made_of` is `pairs_fingerprint` when the caller has it."""
    built = (
        build_pairs_frame(spark, config, record)
        .repartition(config.pairs.partitions, "item_id")
        .select(
            *PAIR_COLUMNS,
            F.lit(config.run_id).alias("run_id"),
            F.current_timestamp().alias("updated_at"),
        )
    )
    staging = config.staging_path("pairs")
    pairs = staged(spark, built, staging)
    stamp = {
        "stage": "build_pairs",
        "fingerprint": made_of or pairs_fingerprint(spark, config),
        "run_id": config.run_id,
    }
    record.counts["pairs"] = pairs.count()
    by_kind = {
        row["pair_kind"]: row["count"] for row in pairs.groupBy("pair_kind").count().collect()
    }
    record.counts.update({f"pairs_{kind}": count for kind, count in sorted(by_kind.items())})
    with stamped_commits(spark, stamp):  # the MERGE's commit says what pairs is made of
        merge_upsert(
            spark,
            pairs,
            config.table_path("pairs"),
            keys=["item_id", "keyphrase"],
            changed=content_changed([c for c in PAIR_COLUMNS if c not in ("item_id", "keyphrase")]),
            delete_missing="true",
        )
    drop_path(spark, staging)
