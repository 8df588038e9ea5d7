"""Stage `evaluate`: every model on the same test items, vocabulary and judge; metrics.json and
report.html under output.root/reports/<run_id>/.

Protocol, in order: retrieve the top-k per model (de-duplicated with production's key); the
relevance filter's survival share; LLM-judged precision@k on a fixed item sample (through the
judgment cache); click recall@k against held-out clicks; against human labels and, on simulated
data, the truth: precision, recall, nDCG and hidden-relevant recall (relevant pairs that never
got an impression); diversity; a Matryoshka sweep of the full method with per-item latency.
Intervals: 95% bootstrap over items.
"""

from __future__ import annotations

import itertools
import json

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from kpreco import files, registry
from kpreco.config import Config, with_preset
from kpreco.cross_encoder.scoring import CrossEncoderScorer
from kpreco.embedding import encode, load_encoder
from kpreco.evaluate.diagnostics import auc_by_kind, reranked, served_by_policy
from kpreco.evaluate.protocol import References, catalog_diversity, per_item_metrics, summarize
from kpreco.evaluate.report import HEADLINE, SWEEP_COLUMNS, names, render_html, text_table
from kpreco.evaluate.retrievers import (
    Retrieval,
    bm25_retrieve,
    dense_retrieve,
    encode_vocabulary,
)
from kpreco.inputs import configured_references, load_inputs, valid_or_none
from kpreco.judge.cache import cached_judgments, judge_into_cache, refresh_judge_report
from kpreco.judge.key import EVALUATION_KIND, JudgeKey, ok_judgments
from kpreco.judge.report import with_references
from kpreco.judge.sampling import not_yet_judged
from kpreco.log import StageRecord, get_logger
from kpreco.metrics import calibration_table
from kpreco.recommend.lists import Vocabulary
from kpreco.tables import is_delta_table, read_delta

log = get_logger(__name__)
# The two rows that are not a retriever of their own: what production serves, and how far the
# full method's candidates could go ranked by its teacher.
SERVED = "served (item_keyphrases)"
TEACHER_CEILING = "teacher ceiling (assistant re-ranks {full} top-{depth})"


def _grouped(frame: pd.DataFrame) -> dict[str, set[str]]:
    return frame.groupby("item_id")["keyphrase"].apply(set).to_dict() if len(frame) else {}


def test_items(pairs: DataFrame, config: Config) -> pd.DataFrame:
    """The fixed evaluation sample: test-split items in seeded-hash order."""
    return (
        pairs.where(F.col("split") == "test")
        .select("item_id", "title", "category")
        .distinct()
        .orderBy(F.xxhash64("item_id", F.lit(config.evaluate.seed)))
        .limit(config.evaluate.max_items)
        .toPandas()
    )


def _for_items(frame: DataFrame, items: DataFrame) -> pd.DataFrame:
    return frame.join(items, on="item_id", how="inner").toPandas()


def build_references(
    spark: SparkSession,
    config: Config,
    items: pd.DataFrame,
    vocabulary: pd.DataFrame,
    tables,
    record,
) -> References:
    pairs = read_delta(spark, config.table_path("pairs"))
    chosen = spark.createDataFrame(items[["item_id"]])
    shown = _for_items(pairs.where(F.col("impressions") > 0).select("item_id", "keyphrase"), chosen)
    clicked = _for_items(pairs.where(F.col("clicks") > 0).select("item_id", "keyphrase"), chosen)
    refs = References(
        items=items["item_id"].tolist(), shown=_grouped(shown), clicked=_grouped(clicked)
    )
    truth = valid_or_none(tables, "truth")
    if truth is not None:
        positives = truth.where(F.col("relevance") > 0).select(
            "item_id", F.col("keyphrase_norm").alias("keyphrase")
        )
        refs.truth = _grouped(_for_items(positives, chosen))
    labels = valid_or_none(tables, "human_labels")
    if labels is not None:
        human = _for_items(
            labels.select("item_id", F.col("keyphrase_norm").alias("keyphrase"), "label"), chosen
        )
        refs.human = {
            item: dict(zip(group["keyphrase"], group["label"], strict=True))
            for item, group in human.groupby("item_id")
        }
    counts = vocabulary["search_count"].fillna(0)
    refs.search_count = dict(zip(vocabulary["keyphrase"], counts.astype(int), strict=True))
    refs.head_min, refs.tail_max = float(counts.quantile(0.9)), float(counts.quantile(0.5))
    vectors = encode(base_encoder(config), vocabulary["keyphrase_display"].tolist())
    refs.vectors = dict(zip(vocabulary["keyphrase"], vectors, strict=True))
    return refs


def trained_with(meta: dict) -> dict:
    """The task settings a registered student was trained with (its registry metadata), so a
    report shows that models compared by preset name really differ as intended."""
    tasks = (meta.get("settings") or {}).get("tasks") or {}
    sizes = meta.get("training_data") or {}
    summary = {}
    for name, task in tasks.items():
        if not task.get("enabled"):
            summary[name] = "off"
            continue
        how = f"{sizes.get(name, 0):,} pairs (max {task['max_pairs']:,}), weight {task['weight']:g}"
        if name == "distill":
            how += f", from {task['source']}, {task['loss']} loss"
            if task.get("grouping") == "item" and task["source"] == "cross_encoder":
                how += f" within each item's {task['group_size']} candidates"
        summary[name] = how
    return summary


def base_encoder(config: Config):
    """The untrained encoder every student starts from."""
    return load_encoder(config.bi_encoder.base_model, config.bi_encoder.max_seq_length)


def student_of_preset(spark: SparkSession, config: Config, preset: str):
    """(model, registry metadata) of the student of `preset` the pipeline would serve, or None
    when none was trained."""
    try:
        location, meta = registry.resolve_student(spark, with_preset(config, preset))
    except registry.ModelVersionNotFound:
        log.warning("evaluate: no trained %s student; left out of the comparison", preset)
        return None
    return load_encoder(str(registry.local_copy(spark, location))), meta


def retrieve_all(spark: SparkSession, config: Config, titles: list[str], vocabulary: Vocabulary):
    """model name -> Retrieval to depth max(k, k_hidden); model name -> version; student name
    -> the task settings it was trained with; the full method's (model, vocabulary vectors),
    None when it has no trained student (the Matryoshka sweep reuses them)."""
    settings = config.evaluate
    depth = max(settings.k, settings.k_hidden)
    results: dict[str, Retrieval] = {}
    versions: dict[str, str] = {}
    training: dict[str, dict] = {}
    full_method = None
    if settings.include_bm25:
        results["bm25"], versions["bm25"] = bm25_retrieve(titles, vocabulary, depth), "lexical"
    if settings.include_base_encoder:
        base = base_encoder(config)
        vectors = encode_vocabulary(base, vocabulary)
        results["base_encoder"] = dense_retrieve(base, titles, vocabulary, vectors, None, depth)
        versions["base_encoder"] = config.bi_encoder.base_model
    # The configured list, and whatever this config trains (the full method, its ablations).
    presets = dict.fromkeys(
        [*settings.presets, config.bi_encoder.preset, *config.pipeline.ablations]
    )
    for preset in presets:
        loaded = student_of_preset(spark, config, preset)
        if loaded is None:
            continue
        model, meta = loaded
        versions[preset], training[preset] = meta["version"], trained_with(meta)
        vectors = encode_vocabulary(model, vocabulary)
        results[preset] = dense_retrieve(
            model, titles, vocabulary, vectors, config.recommend.dim, depth
        )
        if preset == config.bi_encoder.preset:
            full_method = model, vectors
    return results, versions, training, full_method


def _top_pairs(
    results: dict[str, Retrieval], items: pd.DataFrame, chosen: list[str], k: int
) -> pd.DataFrame:
    """Every (item, keyphrase) in any model's top-k for the chosen items, once."""
    index = {item: position for position, item in enumerate(items["item_id"])}
    rows = {
        (item, keyphrase)
        for retrieval in results.values()
        for item in chosen
        for keyphrase in retrieval.lists[index[item]][:k]
    }
    return pd.DataFrame(sorted(rows), columns=["item_id", "keyphrase"])


def judge_labels(
    spark: SparkSession,
    config: Config,
    pairs: pd.DataFrame,
    items: pd.DataFrame,
    vocabulary: pd.DataFrame,
    tables,
    record: StageRecord,
) -> dict[tuple[str, str], int]:
    """The judge's yes/no on `pairs`: judged now if not cached, labelled at the fitted threshold."""
    if pairs.empty:
        return {}
    requests = pairs.merge(items[["item_id", "title", "category"]], on="item_id").merge(
        vocabulary[["keyphrase", "keyphrase_display"]], on="keyphrase"
    )
    requests["pair_kind"] = EVALUATION_KIND
    frame = spark.createDataFrame(
        requests[["item_id", "keyphrase", "keyphrase_display", "title", "category", "pair_kind"]]
    )
    key = JudgeKey.of(config.judge)
    pending = not_yet_judged(frame, cached_judgments(spark, config), key).localCheckpoint()
    count = pending.count()
    record.counts["evaluation_pairs_judged_now"] = count
    if count:
        judge_into_cache(spark, config, pending, count, record)
    refresh_judge_report(
        spark, config, valid_or_none(tables, "human_labels"), valid_or_none(tables, "truth"), record
    )
    judged = (
        ok_judgments(cached_judgments(spark, config), key)
        .join(frame.select("item_id", "keyphrase"), on=["item_id", "keyphrase"], how="inner")
        .select("item_id", "keyphrase", "label")
        .collect()
    )
    return {(r.item_id, r.keyphrase): int(r.label) for r in judged}


def relevance_scores(
    spark: SparkSession,
    config: Config,
    pairs: pd.DataFrame,
    items: pd.DataFrame,
    vocabulary: pd.DataFrame,
) -> dict[tuple[str, str], float]:
    """The cross-encoder's calibrated probability for `pairs` (driver-side: a small sample),
    scored as the relevance filter scores: in its precision, one batch per run of an item's
    pairs with the same `batch` value (when `pairs` has that column), so that the serving sweep
    replays what `recommend` serves."""
    if pairs.empty:
        return {}
    location, meta = registry.resolve_assistant(spark, config)
    scorer = CrossEncoderScorer.configured(
        str(registry.local_copy(spark, location)),
        meta["calibration"],
        config.cross_encoder,
        precision=config.recommend.relevance_filter.precision,
    )
    rows = pairs.merge(items[["item_id", "title"]], on="item_id").merge(
        vocabulary[["keyphrase", "keyphrase_display"]], on="keyphrase"
    )
    batch = rows["batch"] if "batch" in rows else [0] * len(rows)
    batches = zip(rows["item_id"], batch, strict=True)
    groups = [len(list(run)) for _, run in itertools.groupby(batches)]
    probabilities = scorer.probabilities(
        rows["title"].tolist(), rows["keyphrase_display"].tolist(), groups
    )
    return dict(
        zip(zip(rows["item_id"], rows["keyphrase"], strict=True), probabilities, strict=True)
    )


def calibration_curves(spark: SparkSession, config: Config, tables) -> dict[str, list]:
    """Judge and cross-encoder probabilities against the truth (simulated data only)."""
    truth = valid_or_none(tables, "truth")
    if truth is None:
        return {}
    relevance = truth.select("item_id", F.col("keyphrase_norm").alias("keyphrase"), "relevance")
    curves = {}
    judged = ok_judgments(
        read_delta(spark, config.table_path("judgments")), JudgeKey.of(config.judge)
    )
    for name, frame, column in (
        ("judge", judged, "p_relevant"),
        (
            "cross-encoder (test split)",
            read_delta(spark, config.table_path("ce_scores")).where(F.col("split") == "test"),
            "ce_prob",
        ),
    ):
        local = (
            frame.join(relevance, on=["item_id", "keyphrase"], how="left")
            .select(
                F.col(column).alias("p"),
                (F.coalesce(F.col("relevance"), F.lit(0)) > 0).cast("int").alias("y"),
            )
            .toPandas()
        )
        if len(local):
            curves[name] = calibration_table(local["y"].to_numpy(), local["p"].to_numpy())
    return curves


SCORERS = {
    "base encoder cosine": "base_cosine",
    "Search sr_score": "sr_score",
    "assistant": "ce_prob",
    "judge": "p_relevant",
}
REFERENCES = {
    "truth": "true_relevance",
    "judge's yes/no": "judge_label",
    "human labels": "human_label",
}


OWN_LABELS = frozenset({("judge's yes/no", "judge")})


def chain_diagnostics(spark: SparkSession, config: Config, tables) -> dict:
    """Every scorer against every reference per pair kind, on the test-split pairs the
    assistant scored (its judged pairs and the per-kind sample of `score_ce`)."""
    version = registry.resolve_assistant(spark, config)[1]["version"]
    scored = read_delta(spark, config.table_path("ce_scores")).where(
        (F.col("ce_version") == version) & (F.col("split") == "test")
    )
    pairs = read_delta(spark, config.table_path("pairs")).select(
        "item_id", "keyphrase", "title", "keyphrase_display", "pair_kind", "sr_score"
    )
    judged = ok_judgments(
        read_delta(spark, config.table_path("judgments")),
        JudgeKey.of(config.judge),
        evaluation=False,
    ).select(
        "item_id",
        "keyphrase",
        "p_relevant",
        F.col("label").alias("judge_label"),
        F.col("title").alias("_judged_title"),
        F.col("keyphrase_display").alias("_judged_display"),
        F.col("pair_kind").alias("_judged_kind"),
    )
    frame = (
        scored.select("item_id", "keyphrase", "ce_prob")
        .join(pairs, on=["item_id", "keyphrase"], how="left")
        .join(judged, on=["item_id", "keyphrase"], how="left")
        .select(
            "item_id",
            "keyphrase",
            "ce_prob",
            "sr_score",
            "p_relevant",
            "judge_label",
            F.coalesce("title", "_judged_title").alias("title"),
            F.coalesce("keyphrase_display", "_judged_display").alias("keyphrase_display"),
            F.coalesce("pair_kind", "_judged_kind").alias("pair_kind"),
        )
    )
    local = with_references(
        frame, valid_or_none(tables, "human_labels"), valid_or_none(tables, "truth")
    ).toPandas()
    if local.empty:
        return {}
    base = base_encoder(config)
    titles = encode(base, local["title"].tolist())
    keyphrases = encode(base, local["keyphrase_display"].tolist())
    local["base_cosine"] = (titles * keyphrases).sum(axis=1)
    return {
        "pairs": (
            f"{len(local)} test-split pairs scored by assistant {version} (judged pairs and "
            f"score_ce's per-kind sample), {int(local['p_relevant'].notna().sum())} of them "
            "judged; base encoder cosine computed on the same pairs"
        ),
        "auc": auc_by_kind(local, SCORERS, REFERENCES, exclude=OWN_LABELS),
    }


def served_lists(
    spark: SparkSession, config: Config, items: list[str]
) -> dict[str, list[str]] | None:
    """What `item_keyphrases` serves for `items`, in rank order (an item without a list
    gets an empty one: that is what it serves); None before `recommend` has run."""
    if not is_delta_table(spark, config.table_path("item_keyphrases")):
        log.warning("evaluate: no item_keyphrases table yet; the served row is left out")
        return None
    chosen = spark.createDataFrame([(item,) for item in items], "item_id string")
    rows = (
        read_delta(spark, config.table_path("item_keyphrases"))
        .where(F.col("keyphrase").isNotNull())
        .join(chosen, on="item_id", how="inner")
        .select("item_id", "rank", "keyphrase")
        .toPandas()
        .sort_values(["item_id", "rank"])
    )
    lists = {item: [] for item in items}
    for item, group in rows.groupby("item_id"):
        lists[item] = group["keyphrase"].tolist()
    return lists


def assistant_scores_of(
    spark: SparkSession,
    config: Config,
    lists: dict[str, list[str]],
    items: pd.DataFrame,
    vocabulary: pd.DataFrame,
    record: StageRecord,
) -> dict[tuple[str, str], float]:
    """The assistant's calibrated probability for every (item, keyphrase) of `lists` (the
    full method's top-k_hidden): the teacher ceiling and the serving sweep both read them. An
    item's first `max_candidates` are scored as one batch, as `recommend` scores them."""
    scored_by_filter = config.recommend.relevance_filter.max_candidates
    pairs = pd.DataFrame(
        [
            (item, kp, rank >= scored_by_filter)
            for item, keyphrases in lists.items()
            for rank, kp in enumerate(keyphrases)
        ],
        columns=["item_id", "keyphrase", "batch"],
    )
    record.counts["teacher_ceiling_pairs_scored"] = len(pairs)
    return relevance_scores(spark, config, pairs, items, vocabulary)


def serving_sweep(
    lists: dict[str, list[str]],
    scores: dict[tuple[str, str], float],
    refs: References,
    config: Config,
) -> list[dict]:
    """What `recommend` would serve for the test items under each serving policy (candidates
    the assistant scores x its threshold), from the full method's retrieved lists: the
    precision / coverage trade-off that `recommend.relevance_filter` sets, measured."""
    settings = config.evaluate
    k, h = settings.k, settings.k_hidden
    wanted = names(SWEEP_COLUMNS, k, h)
    served_now = config.recommend.relevance_filter
    cap = config.recommend.max_keyphrases
    rows = []
    for candidates in sorted(
        {min(n, h) for n in [*settings.sweep_candidates, served_now.max_candidates]}
    ):
        for threshold in sorted({*settings.sweep_thresholds, served_now.threshold}):
            served = served_by_policy(lists, scores, candidates, threshold, cap)
            lengths = [len(served.get(item, [])) for item in refs.items]
            summary = summarize(
                {
                    name: values
                    for name, values in per_item_metrics(served, refs, k, h).items()
                    if name in wanted
                },
                settings.bootstrap,
                settings.seed,
            )
            rows.append(
                {
                    "candidates": candidates,
                    "threshold": threshold,
                    "items_without_list": sum(n == 0 for n in lengths) / max(1, len(lengths)),
                    "mean_list_length": sum(lengths) / max(1, len(lengths)),
                    "metrics": summary,
                }
            )
    return rows


def matryoshka_sweep(
    config: Config, full_method, titles: list[str], vocabulary: Vocabulary, refs: References
) -> list[dict]:
    """The full method (its model and vocabulary vectors, or None when it has no trained
    student) at each Matryoshka dimension: quality and retrieval latency per item."""
    if full_method is None:
        return []
    model, vectors = full_method
    settings = config.evaluate
    depth = max(settings.k, settings.k_hidden)
    sweep = []
    for dim in sorted(config.bi_encoder.matryoshka_dims, reverse=True):
        retrieval = dense_retrieve(model, titles, vocabulary, vectors, dim, depth)
        lists = dict(zip(refs.items, retrieval.lists, strict=True))
        metrics = summarize(
            per_item_metrics(lists, refs, settings.k, settings.k_hidden),
            settings.bootstrap,
            settings.seed,
        )
        sweep.append(
            {"dim": dim, "ms_per_item": 1000 * retrieval.seconds_per_item, "metrics": metrics}
        )
    return sweep


def not_computed(config: Config, refs: References, models: dict[str, dict]) -> dict[str, str]:
    """Metric families this run could not compute, each with the reason (a user's own data has
    no ground truth, and may have few or no human labels)."""
    settings, missing = config.evaluate, {}
    notes = config._input_notes
    k, h = settings.k, settings.k_hidden
    if refs.truth is None:
        why = notes.get("truth", "no truth table in this run")
        missing[
            f"true_precision@{k}, true_recall@{k}/@{h}, true_ndcg@{k}, "
            f"hidden_relevant_recall@{h}, calibration against the truth"
        ] = f"{why} (a ground truth exists only for simulated data)"
    human = f"human_precision@{k}, human_ndcg@{k}"
    if refs.human is None:
        missing[human] = notes.get("human_labels", "no human_labels table in this run")
    elif not any(f"human_ndcg@{k}" in model["metrics"] for model in models.values()):
        labelled = len(set(refs.human) & set(refs.items))
        missing[human] = (
            f"{labelled} of {len(refs.items)} test items have human labels, none of them a "
            "relevant one (label > 0)"
        )
    if not refs.judged_items:
        missing[f"llm_precision@{k}"] = "evaluate.judged_items is 0"
    if not refs.filter_items:
        missing[f"filter_survival@{k}"] = "evaluate.filter_items is 0"
    return missing


def protocol_text(config: Config, items: int, vocabulary: int, refs: References) -> str:
    settings, judge = config.evaluate, JudgeKey.of(config.judge)
    return (
        f"{items} test-split items (seeded hash), one vocabulary of {vocabulary} keyphrases; "
        f"judge {judge} on every model's top {settings.k} of "
        f"{len(refs.judged_items)} items; relevance filter on {len(refs.filter_items)} items at "
        f"threshold {refs.filter_threshold}; k={settings.k}, hidden-relevant recall at "
        f"k={settings.k_hidden}; 95% bootstrap intervals over items "
        f"({settings.bootstrap} resamples)"
    )


def evaluation_vocabulary(tables) -> tuple[pd.DataFrame, Vocabulary]:
    """The valid keyphrases (keyphrase, keyphrase_display, search_count) in keyphrase order, and
    the same as the retrievers' Vocabulary."""
    vocabulary = (
        tables["keyphrases"]
        .valid.select(
            F.col("keyphrase_norm").alias("keyphrase"),
            F.col("keyphrase").alias("keyphrase_display"),
            "search_count",
        )
        .toPandas()
        .sort_values("keyphrase")
        .reset_index(drop=True)
    )
    return vocabulary, Vocabulary.of(
        vocabulary["keyphrase"].tolist(), vocabulary["keyphrase_display"].tolist()
    )


def run_evaluate(spark: SparkSession, config: Config, record: StageRecord) -> dict:
    settings = config.evaluate
    names_needed = [
        "keyphrases",
        *configured_references(config),
    ]
    tables = load_inputs(spark, config, names_needed, record)
    vocabulary, vocab = evaluation_vocabulary(tables)
    items = test_items(read_delta(spark, config.table_path("pairs")), config)
    titles = items["title"].tolist()
    record.counts.update(test_items=len(items), vocabulary=len(vocabulary))
    refs = build_references(spark, config, items, vocabulary, tables, record)
    results, versions, training, full_method = retrieve_all(spark, config, titles, vocab)
    k = settings.k
    refs.judged_items = refs.items[: settings.judged_items]
    refs.judge_labels = judge_labels(
        spark,
        config,
        _top_pairs(results, items, refs.judged_items, k),
        items,
        vocabulary,
        tables,
        record,
    )
    refs.filter_items = refs.items[: settings.filter_items]
    refs.relevance = relevance_scores(
        spark, config, _top_pairs(results, items, refs.filter_items, k), items, vocabulary
    )
    refs.filter_threshold = config.recommend.relevance_filter.threshold
    all_lists = {
        name: dict(zip(refs.items, retrieval.lists, strict=True))
        for name, retrieval in results.items()
    }
    full = config.bi_encoder.preset
    served = served_lists(spark, config, refs.items) if settings.include_served else None
    if served is not None:
        all_lists[SERVED], versions[SERVED] = served, "item_keyphrases"
    sweep: list[dict] = []
    if settings.include_teacher_ceiling and full in results:
        name = TEACHER_CEILING.format(full=full, depth=settings.k_hidden)
        full_lists = all_lists[full]
        scores = assistant_scores_of(spark, config, full_lists, items, vocabulary, record)
        all_lists[name] = reranked(full_lists, scores)
        versions[name] = registry.resolve_assistant(spark, config)[1]["version"]
        sweep = serving_sweep(full_lists, scores, refs, config)
    models = {}
    for name, lists in all_lists.items():
        models[name] = {
            "version": versions.get(name),
            "trained_with": training.get(name),
            "metrics": summarize(
                per_item_metrics(lists, refs, k, settings.k_hidden),
                settings.bootstrap,
                settings.seed,
            ),
            "diversity": catalog_diversity(lists, refs.items, k),
            "ms_per_item": (1000 * results[name].seconds_per_item if name in results else None),
        }
    metrics = {
        "run_id": config.run_id,
        "protocol": protocol_text(config, len(items), len(vocabulary), refs),
        "full_method": config.bi_encoder.preset,
        "models": models,
        "not_computed": not_computed(config, refs, models),
        "matryoshka_sweep": matryoshka_sweep(config, full_method, titles, vocab, refs),
        "serving_sweep": sweep,
        "calibration": calibration_curves(spark, config, tables),
        "chain_diagnostics": chain_diagnostics(spark, config, tables),
    }
    folder = config.report_dir()
    files.write_text(spark, f"{folder}/metrics.json", json.dumps(metrics, indent=2, default=float))
    files.write_text(spark, f"{folder}/report.html", render_html(metrics, k, settings.k_hidden))
    record.artifacts += [f"{folder}/metrics.json", f"{folder}/report.html"]
    headline = names(HEADLINE, k, settings.k_hidden)
    record.details["report"] = f"{folder}/report.html"
    print(text_table(metrics, headline), flush=True)
    for metric, why in metrics["not_computed"].items():
        record.details[f"not computed: {metric}"] = why
    return metrics
