"""One typed, validated configuration object loaded from YAML plus `--set key=value` overrides.

Every section forbids unknown keys, so a typo is an error naming the full key path
(`pairs.ctr_prior_strenght`) rather than a silently ignored setting.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)


class ConfigError(ValueError):
    """A configuration file or override that cannot be used; the message names the key."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, validate_assignment=True)


class SparkSettings(Section):
    master: str = "local[*]"
    app_name: str = "kpreco"
    driver_memory: str = "4g"
    shuffle_partitions: int = Field(8, ge=1)
    # Folder holding the Delta Lake jars that set-up resolved once from Maven Central.
    jars_dir: str = ".cache/jars"
    log_level: str = "WARN"
    conf: dict[str, str] = Field(default_factory=dict)


# The input tables of the data contract: the ones every run needs, and the references that
# only evaluation and judge calibration read (a user's data may have neither).
REQUIRED_INPUTS = ("items", "keyphrases", "search_events", "search_relevance")
REFERENCE_INPUTS = ("human_labels", "truth")


class InputSettings(Section):
    """Where the input tables are (DESIGN.md data contract); format from the path unless set.

    `dir` is a folder holding them under the contract's names (`items`, `items.csv`,
    `items.parquet`, ...); a table's own key wins over it. The references (`human_labels`,
    `truth`) are read when named here or found in `dir`, never a simulator's table left beside
    your own data (see kpreco.inputs.resolve_inputs); null turns one off."""

    format: Literal["auto", "delta", "parquet", "csv"] = "auto"
    dir: str | None = None
    items: str | None = None
    keyphrases: str | None = None
    search_events: str | None = None
    search_relevance: str | None = None
    human_labels: str | None = None
    # Simulated data only: the hidden ground truth, read by evaluation, never by training.
    truth: str | None = None

    @model_validator(mode="after")
    def _every_required_table_has_a_place(self) -> InputSettings:
        missing = [name for name in REQUIRED_INPUTS if not getattr(self, name) and not self.dir]
        if missing:
            keys = ", ".join(f"inputs.{name}" for name in missing)
            raise ValueError(f"{keys} not set, and no inputs.dir to find them in")
        return self

    def in_dir(self, name: str) -> str | None:
        """Where the table `name` is by default (None without a dir)."""
        return table_in_dir(self.dir, name) if self.dir else None


def table_in_dir(folder: str, name: str) -> str:
    return f"{folder.rstrip('/')}/{name}"


def default_input_locations(data: dict[str, Any]) -> None:
    """Fill `inputs.<name>` with `inputs.dir/<name>` where the config leaves it out (a key set
    to null stays null: that table is not used). When the job starts, a table there may also be
    `<name>.csv` or `<name>.parquet`, and a reference absent from `dir` is simply absent."""
    inputs = data.get("inputs")
    if not isinstance(inputs, dict) or not inputs.get("dir"):
        return
    for name in (*REQUIRED_INPUTS, *REFERENCE_INPUTS):
        if name not in inputs:
            inputs[name] = table_in_dir(str(inputs["dir"]), name)


class OutputSettings(Section):
    root: str


class ValidationSettings(Section):
    max_title_chars: int = Field(1000, ge=1)
    max_keyphrase_chars: int = Field(200, ge=1)


class SimulateSettings(Section):
    enabled: bool = False
    seed: int = 7
    items: int = Field(20_000, ge=10)
    keyphrases: int = Field(5_000, ge=10)
    days: int = Field(30, ge=1)
    start_date: str = "2026-10-01"
    # Average searches per keyphrase per day at the median search_count; scales event volume.
    searches_per_keyphrase_day: float = Field(1.0, gt=0)
    page_size: int = Field(10, ge=1)
    # Items Search scores per keyphrase (its "index" for that query): same type, plus others.
    search_candidates_same_type: int = Field(60, ge=1)
    search_candidates_other_type: int = Field(15, ge=0)
    sr_threshold: float = Field(0.7, ge=0, le=1)
    human_labels: int = Field(2_000, ge=0)
    human_label_noise: float = Field(0.03, ge=0, le=0.5)
    partitions: int = Field(8, ge=1)


class SplitSettings(Section):
    train: float = Field(0.8, gt=0, lt=1)
    valid: float = Field(0.1, gt=0, lt=1)

    @model_validator(mode="after")
    def _leaves_test(self) -> SplitSettings:
        if self.train + self.valid >= 1:
            raise ValueError("train + valid must be < 1 so that a test split remains")
        return self


class EncoderSettings(Section):
    """A sentence-transformers model: `packaged:minilm` or a local folder path."""

    model: str = "packaged:minilm"
    batch_size: int = Field(64, ge=1)
    max_seq_length: int = Field(64, ge=8)


class PairsSettings(Section):
    # Pseudo-impressions of the prior in the smoothed CTR (see kpreco.pairs.ctr).
    ctr_prior_strength: float = Field(20.0, gt=0)
    split: SplitSettings = Field(default_factory=SplitSettings)
    encoder: EncoderSettings = Field(default_factory=EncoderSettings)
    encoder_candidates_per_item: int = Field(10, ge=0)
    random_candidates_per_item: int = Field(3, ge=0)
    seed: int = 13
    partitions: int = Field(8, ge=1)


class JudgeSampleSettings(Section):
    """How many pairs of each kind the LLM judges per run (the kinds of
    kpreco.pairs.build.PAIR_KINDS, and human-labelled pairs)."""

    clicked: int = Field(300, ge=0)
    sr_positive: int = Field(300, ge=0)
    sr_negative: int = Field(300, ge=0)
    unshown_candidate: int = Field(900, ge=0)
    # Pairs from `human_labels`, judged too: they fit the judge's yes/no threshold.
    human_labelled: int = Field(300, ge=0)
    # Pairs of one kind taken per item: small spreads the sample over items, large groups an
    # item's pairs for prefix reuse.
    max_per_item: int = Field(3, ge=1)
    seed: int = 11


class JudgeUncertaintySettings(Section):
    """Later rounds of the judge's budget (uncertainty sampling): after the first round (the
    per-kind `sample`) has trained an assistant, each round judges up to `pairs` train/valid
    pairs that the assistant scored and is unsure of (P near 0.5) or that it disagrees on with
    Search's score or with the base encoder's rank (likely synonyms Search misses and
    wrong-attribute hard negatives it shows); then the assistant is trained again. At most
    `max_per_item` pairs per item spread a round over many items. A round is done once the
    `judgments` cache holds its quota: a rerun judges nothing."""

    rounds: int = Field(1, ge=0)
    pairs: int = Field(350, ge=1)
    max_per_item: int = Field(2, ge=1)
    seed: int = 13


class OpenAISettings(Section):
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = "judge"
    api: Literal["completions", "chat"] = "completions"
    # Name of the environment variable that holds the key; the key itself never enters config.
    api_key_env: str | None = "KPRECO_JUDGE_API_KEY"
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(5, ge=0)
    backoff_base_s: float = Field(0.5, gt=0)
    backoff_max_s: float = Field(20.0, gt=0)
    concurrency: int = Field(4, ge=1)
    requests_per_second: float = Field(20.0, gt=0)
    top_logprobs: int = Field(10, ge=1, le=20)


class JudgeSettings(Section):
    backend: Literal["llamacpp", "transformers", "openai"] = "llamacpp"
    # For llamacpp/transformers: `packaged:qwen2.5-coder-1.5b`, `packaged:qwen2.5-coder-0.5b`,
    # `packaged:smollm2-135m`, a GGUF file or an HF folder. For openai: the served model name.
    model: str = "packaged:qwen2.5-coder-1.5b"
    prompt: Literal["fewshot", "instruction", "fewshot_attributes"] = "fewshot_attributes"
    threads: int = Field(2, ge=1)
    context_tokens: int = Field(2048, ge=256)
    batch_size: int = Field(16, ge=1)
    # Threshold for the yes/no label when no labelled data is available to fit one.
    default_threshold: float = Field(0.5, ge=0, le=1)
    partitions: int = Field(1, ge=1)
    # Judgments are committed to Delta every this many pairs, so a killed run keeps them.
    commit_every: int = Field(500, ge=1)
    sample: JudgeSampleSettings = Field(default_factory=JudgeSampleSettings)
    uncertainty: JudgeUncertaintySettings = Field(default_factory=JudgeUncertaintySettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)


class CrossEncoderScoreSettings(Section):
    """Which pairs `score_ce` scores: every judged pair (for the report), the students'
    per-item distillation groups (bi_encoder.tasks.distill) and up to `per_kind` pairs of each
    kind (the ungrouped distillation set, and the test-split pairs of the report against the
    truth)."""

    per_kind: int = Field(4_000, ge=0)
    batch_size: int = Field(128, ge=1)
    partitions: int = Field(2, ge=1)
    threads: int = Field(1, ge=1)
    seed: int = 19


class WeakLabelSettings(Section):
    """A warm-up epoch on free weak labels from `pairs` before the judge's labels
    (kpreco.cross_encoder.dataset.weak_label_pairs): up to `per_source` train pairs each of
    Search-scored, clicked and never-shown encoder-candidate pairs."""

    enabled: bool = True
    per_source: int = Field(2_000, ge=1)
    seed: int = 37


class CrossEncoderSettings(Section):
    base_model: str = "packaged:minilm"
    # soft: BCE on the judge's P(relevant); hard: BCE on its label at the fitted threshold.
    labels: Literal["soft", "hard"] = "soft"
    # At most this many epochs on the judge's labels; the best by validation AUC against the
    # judge is kept, and training stops after `patience` epochs without improvement.
    epochs: int = Field(10, ge=1)
    patience: int = Field(2, ge=1)
    weak_labels: WeakLabelSettings = Field(default_factory=WeakLabelSettings)
    batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(5e-5, gt=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    max_length: int = Field(64, ge=8)
    calibration: Literal["platt", "isotonic"] = "platt"
    # The version later stages use; null = the newest trained on the configured judge.
    version: str | None = None
    seed: int = 17
    score: CrossEncoderScoreSettings = Field(default_factory=CrossEncoderScoreSettings)


class TaskSettings(Section):
    enabled: bool = True
    weight: float = Field(1.0, gt=0)
    max_pairs: int = Field(4_000, ge=1)


class DistillSettings(TaskSettings):
    # cross_encoder: the assistant's scores on its distillation set in `ce_scores` (the paper's
    # chain); llm: the judge's P(relevant) on the judged pairs (skips the assistant).
    source: Literal["cross_encoder", "llm"] = "cross_encoder"
    # pearson: 1 - Pearson(cosine, teacher score), within each item's group when grouping is
    # `item`, across the batch's rows otherwise; mse: cosine forced to equal the score (pairs);
    # listwise: KL between softmaxes of each item's cosines and the teacher's logits.
    loss: Literal["pearson", "mse", "listwise"] = "pearson"
    # item: the assistant's distillation set is drawn per train item (kpreco.bi_encoder
    # .datasets.distillation_groups): `group_size` of its pairs in `pairs` (its nearest
    # keyphrases under the base encoder and the ones Search showed, `random_per_group` random
    # ones), max_pairs // group_size items; none: max_pairs random scored pairs.
    grouping: Literal["item", "none"] = "item"
    group_size: int = Field(8, ge=2)
    random_per_group: int = Field(1, ge=0)
    listwise_temperature: float = Field(0.05, gt=0)
    # With grouped Pearson: an in-batch contrastive term (this weight) that puts every
    # candidate the assistant scores at or above `positive_threshold` (calibrated P) above the
    # batch's other candidates (kpreco.bi_encoder.losses.ItemPearsonCorrelationLoss).
    contrastive_weight: float = Field(0.0, ge=0)
    positive_threshold: float = Field(0.5, gt=0, lt=1)
    seed: int = 41

    @model_validator(mode="after")
    def _groups_make_sense(self) -> DistillSettings:
        if self.random_per_group >= self.group_size:
            raise ValueError(
                f"bi_encoder.tasks.distill.random_per_group ({self.random_per_group}) must be "
                f"below group_size ({self.group_size})"
            )
        if self.loss == "listwise" and (self.grouping != "item" or self.source != "cross_encoder"):
            raise ValueError(
                "bi_encoder.tasks.distill.loss 'listwise' ranks each item's group: it needs "
                "grouping 'item' and source 'cross_encoder'"
            )
        if self.contrastive_weight > 0 and (self.loss != "pearson" or not self.grouped()):
            raise ValueError(
                "bi_encoder.tasks.distill.contrastive_weight needs loss 'pearson' with grouping "
                "'item' and source 'cross_encoder' (positives are the assistant's calibrated "
                "scores within each item's group)"
            )
        return self

    def grouped(self) -> bool:
        """Whether the distillation set comes in per-item groups (the assistant's set; the
        judge's labels are too few per item to group)."""
        return self.grouping == "item" and self.source == "cross_encoder"

    def group_items(self) -> int:
        return max(1, self.max_pairs // self.group_size)


class BiEncoderTasks(Section):
    ctr: TaskSettings = Field(default_factory=TaskSettings)
    sr: TaskSettings = Field(default_factory=TaskSettings)
    distill: DistillSettings = Field(default_factory=DistillSettings)


class BiEncoderEvalSettings(Section):
    max_items: int = Field(400, ge=1)
    k: int = Field(10, ge=1)


DEFAULT_PRESET = "ctr_sr_distill_contrastive"


class BiEncoderSettings(Section):
    # conf/presets/<preset>.yaml is layered over this section (see load_config).
    preset: str = DEFAULT_PRESET
    base_model: str = "packaged:minilm"
    tasks: BiEncoderTasks = Field(default_factory=BiEncoderTasks)
    matryoshka_dims: list[int] = Field(default_factory=lambda: [384, 256, 128, 64])
    mixing: Literal["round_robin", "proportional"] = "proportional"
    # The best epoch by validation retrieval is kept; conf/local.yaml has the measurement
    # behind 2 epochs at 1e-4.
    epochs: int = Field(2, ge=1)
    batch_size: int = Field(32, ge=2)
    learning_rate: float = Field(1e-4, gt=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    max_seq_length: int = Field(64, ge=8)
    evaluation: BiEncoderEvalSettings = Field(default_factory=BiEncoderEvalSettings)
    # The version later stages use; null = the newest of this preset.
    version: str | None = None
    seed: int = 23


ScoringPrecision = Literal["float32", "int8"]


class RelevanceFilterSettings(Section):
    enabled: bool = True
    # Calibrated cross-encoder probability (that the judge would say yes) a keyphrase needs:
    # 0.95 serves shorter, more precise lists than 0.5 (conf/local.yaml has the measured trade).
    threshold: float = Field(0.95, ge=0, le=1)
    # Candidates per item the cross-encoder scores (the best after de-duplication); 20 is the
    # serving sweep's choice (conf/local.yaml has the measured trade).
    max_candidates: int = Field(20, ge=1)
    # float32 scores as `score_ce` does. int8: the assistant's linear layers quantised for this
    # scoring (CPU only): half the time, but it moved 9.6% of the filter's decisions and served
    # nDCG@10 0.666 -> 0.639 on the default marketplace (README "Measured").
    precision: ScoringPrecision = "float32"


class RecommendSettings(Section):
    # The Matryoshka prefix served: smaller is faster and lighter, larger more accurate.
    dim: int = Field(256, ge=8)
    candidates: int = Field(50, ge=1)
    max_keyphrases: int = Field(20, ge=1)
    # relevance: a list is ranked by the relevance filter's (the assistant's) score when the
    # filter ran; retrieval: by the student's cosine, as retrieved.
    rank_by: Literal["relevance", "retrieval"] = "relevance"
    index: Literal["auto", "flat", "hnsw", "ivfpq"] = "auto"
    exact_below: int = Field(50_000, ge=1)
    hnsw_below: int = Field(2_000_000, ge=1)
    hnsw_m: int = Field(32, ge=4)
    hnsw_ef_search: int = Field(128, ge=8)
    ivf_lists: int = Field(1024, ge=1)
    pq_m: int = Field(16, ge=1)
    ivf_probe: int = Field(16, ge=1)
    recall_sample: int = Field(500, ge=10)
    batch_size: int = Field(64, ge=1)
    partitions: int = Field(8, ge=1)
    threads: int = Field(1, ge=1)
    # A Spark SQL predicate over `items` (e.g. "category = 'phones'"): only those items are
    # refreshed, so runs over disjoint slices can go side by side. Items gone from the catalog
    # lose their lists only in unrestricted runs.
    items_where: str | None = None
    relevance_filter: RelevanceFilterSettings = Field(default_factory=RelevanceFilterSettings)


class EvaluateSettings(Section):
    # Test-split items evaluated (the same items for every model), chosen by a seeded hash.
    max_items: int = Field(1_000, ge=10)
    k: int = Field(10, ge=1)
    k_hidden: int = Field(50, ge=1)
    # Items whose top-k of every model the LLM judges (cached), for LLM-judged precision@k.
    judged_items: int = Field(15, ge=0)
    # Items whose top-k the cross-encoder scores, for the relevance filter's survival share.
    filter_items: int = Field(200, ge=0)
    presets: list[str] = Field(
        default_factory=lambda: [
            "ctr_only",
            "ctr_sr",
            "ctr_sr_distill_pairs",
            "ctr_sr_distill_mse",
            "ctr_sr_distill_listwise",
            "ctr_sr_distill_pearson",
            "ctr_sr_distill_contrastive",
            "distill_from_llm_direct",
        ]
    )
    include_base_encoder: bool = True
    include_bm25: bool = True
    # A row for what `item_keyphrases` serves for the test items (retrieval, relevance filter,
    # cap), and one for the assistant re-ranking the full method's top-k_hidden.
    include_served: bool = True
    include_teacher_ceiling: bool = True
    # The serving sweep (with the teacher ceiling, from the same scores): what recommend would
    # serve with the assistant scoring each number of candidates at each threshold.
    sweep_candidates: list[int] = Field(default_factory=lambda: [10, 20, 50])
    sweep_thresholds: list[float] = Field(
        default_factory=lambda: [0.5, 0.7, 0.8, 0.9, 0.93, 0.95, 0.97]
    )
    bootstrap: int = Field(1_000, ge=10)
    seed: int = 29


class PipelineSettings(Section):
    # Bi-encoder presets trained after the configured one (conf/presets/<name>.yaml layered
    # over this config), for the ablation comparison.
    ablations: list[str] = Field(default_factory=list)


class TrackingSettings(Section):
    """MLflow run tracking (kpreco.tracking): each job a run, each stage a nested run, each
    newly trained model logged and registered. Tracking never fails a job."""

    enabled: bool = True
    # None: $MLFLOW_TRACKING_URI when set, else a SQLite store under output.root/mlflow (a
    # remote output.root without either logs nothing and says so).
    uri: str | None = None
    experiment: str = "kpreco"
    # Log each newly trained student and cross-encoder as an MLflow model and register it
    # (kpreco-student-<preset>, kpreco-cross-encoder).
    log_models: bool = True


class Config(Section):
    # What `with_preset` builds another student's settings from (see `_student_section`): the
    # config files' bi_encoder section and the `--set bi_encoder.*` overrides, preset excepted.
    _student_base: dict[str, Any] | None = PrivateAttr(default=None)
    _student_overrides: list = PrivateAttr(default_factory=list)
    _presets_dir: Path | None = PrivateAttr(default=None)
    # Why a reference table is not read in this run (set by resolve_inputs), for the reports.
    _input_notes: dict[str, str] = PrivateAttr(default_factory=dict)

    run_id: str | None = None
    spark: SparkSettings = Field(default_factory=SparkSettings)
    inputs: InputSettings
    output: OutputSettings
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    simulate: SimulateSettings = Field(default_factory=SimulateSettings)
    pairs: PairsSettings = Field(default_factory=PairsSettings)
    judge: JudgeSettings = Field(default_factory=JudgeSettings)
    cross_encoder: CrossEncoderSettings = Field(default_factory=CrossEncoderSettings)
    bi_encoder: BiEncoderSettings = Field(default_factory=BiEncoderSettings)
    recommend: RecommendSettings = Field(default_factory=RecommendSettings)
    evaluate: EvaluateSettings = Field(default_factory=EvaluateSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    tracking: TrackingSettings = Field(default_factory=TrackingSettings)

    def table_path(self, name: str) -> str:
        """Location of the output Delta table `name` (DESIGN.md: one table per name)."""
        return f"{absolute_location(self.output.root).rstrip('/')}/{name}"

    def staging_path(self, name: str) -> str:
        """Scratch space of this run (staged MERGE sources), under output.root/_staging."""
        return self.table_path(f"_staging/{self.run_id}/{name}")

    def report_dir(self, run_id: str | None = None) -> str:
        """Where a run's reports go: output.root/reports/<run_id>, this run's by default
        ("*" matches every run's, for kpreco.files.newest)."""
        return self.table_path(f"reports/{run_id or self.run_id}")

    def with_run_id(self) -> Config:
        """This config with a run_id: the given one, or a new time-ordered id."""
        if self.run_id:
            return self
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return self.model_copy(update={"run_id": f"{stamp}-{uuid.uuid4().hex[:8]}"})


def absolute_location(path: str) -> str:
    """A local relative path made absolute (against the working directory); URIs unchanged."""
    if "://" in path or path.startswith("file:"):
        return path
    return os.path.abspath(path)


def parse_override(text: str) -> tuple[list[str], Any]:
    """`a.b=value` -> (["a", "b"], value parsed as a YAML scalar, so `3`, `true`, `null` work)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {text!r} is not of the form key=value")
    return key.strip().split("."), yaml.safe_load(raw) if raw.strip() else ""


def apply_override(data: dict[str, Any], path: list[str], value: Any) -> None:
    node = data
    for depth, part in enumerate(path[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"config key '{'.'.join(path[: depth + 1])}' is not a section")
        node = child
    node[path[-1]] = value


def describe_validation_error(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "<root>"
        lines.append(f"config key '{key}': {problem['msg']}")
    return "; ".join(lines)


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """`overlay` over `base`: sections merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except FileNotFoundError as missing:
        raise ConfigError(f"config file not found: {path}") from missing
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return data


def _presets_dir() -> Path:
    return project_root() / "conf" / "presets"


def _preset_section(name: str, presets_dir: Path | None = None) -> dict[str, Any]:
    """The `bi_encoder` section of conf/presets/<name>.yaml; an unknown name lists the known."""
    presets_dir = presets_dir or _presets_dir()
    path = presets_dir / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in presets_dir.glob("*.yaml")))
        raise ConfigError(
            f"unknown bi_encoder preset {name!r} (no {path}); known: {known}. "
            "A preset of your own is a file there holding a `bi_encoder:` section"
        )
    data = _read_yaml(path)
    others = sorted(set(data) - {"bi_encoder"})
    if others:
        raise ConfigError(
            f"preset {path} sets {', '.join(others)}: a preset sets only bi_encoder.* "
            "(the student's settings); put other settings in a --config file"
        )
    return data.get("bi_encoder") or {}


Override = tuple[list[str], Any]


def _student_section(
    base: dict[str, Any], name: str, overrides: list[Override], presets_dir: Path | None = None
) -> dict[str, Any]:
    """The one rule for a student's settings, wherever its preset is chosen: the config files'
    `bi_encoder` section, the preset file over it, then the `--set bi_encoder.*` overrides."""
    section = {"bi_encoder": deep_merge(base, _preset_section(name, presets_dir))}
    for keys, value in overrides:
        apply_override(section, keys, value)
    section["bi_encoder"]["preset"] = name
    return section["bi_encoder"]


def load_config(
    paths: str | Path | list[str | Path] | tuple[str | Path, ...],
    overrides: list[str] | tuple[str, ...] = (),
    presets_dir: Path | None = None,
) -> Config:
    """Read YAML file(s), later files over earlier ones, layer the chosen bi-encoder preset's
    file (conf/presets/<bi_encoder.preset>.yaml) over them, apply `key=value` overrides on top,
    validate into a `Config`. The preset name may come from any file or from `--set`."""
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    data: dict[str, Any] = {}
    for path in files:
        data = deep_merge(data, _read_yaml(path))
    parsed = [parse_override(text) for text in overrides]
    student = [(keys, value) for keys, value in parsed if keys[0] == "bi_encoder"]
    base_student = data.get("bi_encoder") or {}
    if not isinstance(base_student, dict):
        raise ConfigError("config key 'bi_encoder' must be a section")
    named = [value for keys, value in student if keys == ["bi_encoder", "preset"]]
    preset = str(named[-1] if named else base_student.get("preset", DEFAULT_PRESET))
    data["bi_encoder"] = _student_section(base_student, preset, student, presets_dir)
    for keys, value in parsed:
        if keys[0] != "bi_encoder":
            apply_override(data, keys, value)
    default_input_locations(data)
    names = " + ".join(str(path) for path in files)
    try:
        config = Config.model_validate(data)
    except ValidationError as invalid:
        raise ConfigError(f"{names}: {describe_validation_error(invalid)}") from None
    config._student_base = base_student
    config._student_overrides = [
        (keys, value) for keys, value in student if keys != ["bi_encoder", "preset"]
    ]
    config._presets_dir = presets_dir
    # Every preset the run will train or compare exists, so a typo stops it now, not hours in.
    for name in {*config.pipeline.ablations, *config.evaluate.presets}:
        _preset_section(name, presets_dir)
    return config


def project_root() -> Path:
    """The checkout holding pyproject.toml (KPRECO_HOME, set by spark-submit.sh, wins: under
    spark-submit the package is imported from a zip)."""
    if os.environ.get("KPRECO_HOME"):
        return Path(os.environ["KPRECO_HOME"])
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").exists():
            return parent
    return Path.cwd()


def with_preset(config: Config, name: str, presets_dir: Path | None = None) -> Config:
    """`config` with the student of preset `name`: the same rule as `load_config` (config files'
    bi_encoder section, the preset file, then the `--set bi_encoder.*` overrides). Everything
    outside `bi_encoder` is kept. A pinned `bi_encoder.version` pins the configured preset's
    student only, so another preset never resolves to it."""
    if name == config.bi_encoder.preset:
        return config
    base = config._student_base
    if base is None:  # built without load_config: its own student settings are the base
        base = config.bi_encoder.model_dump(mode="json")
    unpinned = {key: value for key, value in base.items() if key != "version"}
    overrides = [(keys, v) for keys, v in config._student_overrides if keys[1:] != ["version"]]
    section = _student_section(unpinned, name, overrides, presets_dir or config._presets_dir)
    try:
        student = BiEncoderSettings.model_validate(section)
    except ValidationError as invalid:
        raise ConfigError(f"preset {name}: {describe_validation_error(invalid)}") from None
    return config.model_copy(update={"bi_encoder": student})


def config_summary(config: Config) -> dict[str, Any]:
    """The config as plain data for the `runs` table (no secrets live in config by design)."""
    return config.model_dump(mode="json")
