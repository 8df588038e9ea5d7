"""Model cards that say what a kpreco model is.

sentence-transformers writes a model card (`README.md`) on every save, from the model's card
data and what its trainer saw (datasets and their sizes, losses, hyperparameters, evaluation
logs). Two things it cannot know: which public model the packaged base encoder is (it only sees
a site-packages folder, so the card says "Base model: Unknown"), and the model's lineage in
kpreco (the judge and prompt it learned from, the tables it was trained on). `describe` sets the
first before training; `add_lineage` writes the second into the saved card from the registry
metadata (`kpreco.registry.publish` calls it for every model it registers).
"""

from __future__ import annotations

import json
from pathlib import Path

from kpreco import __version__
from kpreco.embedding import PACKAGED_MINILM

# The public model each packaged base encoder is, with its licence (../shared/MODELS.md).
PACKAGED_MODELS = {PACKAGED_MINILM: ("sentence-transformers/all-MiniLM-L6-v2", "apache-2.0")}
LINEAGE_HEADING = "## kpreco lineage"


def describe(model, base_model: str, model_name: str, language: str = "en") -> None:
    """Card data of a model about to be trained from `base_model` (a kpreco model setting)."""
    card = model.model_card_data
    card.local_files_only = True  # never ask a model hub (there is none on a cluster node)
    public_id, licence = PACKAGED_MODELS.get(base_model, (None, None))
    card.base_model = public_id
    if licence:
        card.license = licence
    card.language = [language]
    card.model_name = model_name
    card.add_tags(["kpreco", "keyphrase-recommendation"])


def model_judge(metadata: dict) -> tuple[str | None, str | None]:
    """(judge model, prompt version) a registered model learned from: a student's metadata
    holds them as `judge` [model, prompt], a cross-encoder's as `judge_model`/`prompt_version`."""
    if metadata.get("judge"):
        model, prompt = metadata["judge"]
        return model, prompt
    return metadata.get("judge_model"), metadata.get("prompt_version")


def _judge_text(metadata: dict) -> str:
    model, prompt = model_judge(metadata)
    if not model:
        return "none (this model learned no judge labels)"
    return f"`{model}`, prompt version `{prompt}`"


def _task_lines(settings: dict, training_data: dict, tables: dict) -> list[str]:
    lines = []
    for name, task in (settings.get("tasks") or {}).items():
        if not task.get("enabled"):
            continue
        shown = ("source", "loss", "grouping", "group_size")
        extra = ", ".join(f"{key} {task[key]}" for key in shown if key in task)
        size = training_data.get(name)
        table = f"`{tables[name]}`" if name in tables else "—"
        shown_size = size if size is not None else "—"
        lines.append(f"| {name} | {table} | {shown_size} | {task.get('weight')} | {extra} |")
    return lines


def _metric_lines(metrics: dict) -> list[str]:
    """The numbers a reader compares models by: validation retrieval, test agreement."""
    lines = []
    for key, value in sorted((metrics.get("validation") or {}).items()):
        if isinstance(value, int | float) and ("ndcg" in key or "recall" in key):
            lines.append(f"- validation {key}: {value:.4f}")
    test = metrics.get("test") or {}
    for key, value in sorted((test.get("ce_vs_llm") or {}).items()):
        if isinstance(value, float):
            lines.append(f"- test split, against the judge: {key} {value:.4f}")
    for reference in ("truth", "human_labels"):
        section = test.get(f"vs_{reference}") or {}
        for scorer in ("cross_encoder", "llm"):
            value = (section.get(scorer) or {}).get("auc")
            if isinstance(value, float):
                lines.append(f"- test split, against the {reference}: {scorer} AUC {value:.4f}")
    for key in ("train_seconds", "train_pairs", "device", "best_metric"):
        value = metrics.get(key)
        if value is not None:
            shown = f"{value:.1f}" if isinstance(value, float) else str(value)
            lines.append(f"- {key}: {shown}")
    return lines


def lineage_markdown(metadata: dict) -> str:
    """The card section naming what the model was made of, from its registry metadata."""
    settings = metadata.get("settings") or {}
    base = metadata.get("parent_model") or settings.get("base_model")
    public_id = PACKAGED_MODELS.get(base, (None,))[0]
    training = metadata.get("training_data") or {}
    lines = [
        LINEAGE_HEADING,
        "",
        f"- kpreco model: `{metadata.get('kind')}` version `{metadata.get('version')}`"
        + (f", preset `{metadata['preset']}`" if metadata.get("preset") else "")
        + f" (kpreco {__version__}, run `{metadata.get('run_id')}`)",
        f"- base model: `{base}`" + (f" ({public_id})" if public_id else ""),
        f"- judge: {_judge_text(metadata)}",
    ]
    if metadata.get("cross_encoder"):
        lines.append(f"- assistant (cross-encoder) distilled: `{metadata['cross_encoder']}`")
    if metadata.get("labels"):
        lines.append(f"- labels: the judge's {metadata['labels']} P(relevant)")
    lines.append(f"- training-data fingerprint: `{metadata.get('fingerprint')}`")
    if metadata.get("matryoshka_dims"):
        dims = ", ".join(str(d) for d in metadata["matryoshka_dims"])
        lines.append(f"- Matryoshka dimensions: {dims} (any prefix can be served)")
    task_lines = _task_lines(settings, training, metadata.get("training_tables") or {})
    if task_lines:
        header = "| task | table | pairs | weight | settings |"
        lines += ["", header, "|---|---|---|---|---|", *task_lines]
    elif training:
        lines += ["", f"Training data: `{json.dumps(training, default=str)}`"]
    metric_lines = _metric_lines(metadata.get("metrics") or {})
    if metric_lines:
        lines += ["", "Metrics:", "", *metric_lines]
    return "\n".join(lines) + "\n"


def add_lineage(folder: Path, metadata: dict) -> None:
    """Put the lineage section into the card of the model saved in `folder`, after its first
    paragraph (replacing an older one), or write a card holding only it when there is none."""
    card = folder / "README.md"
    section = lineage_markdown(metadata)
    text = card.read_text() if card.exists() else ""
    if LINEAGE_HEADING in text:
        before, _, after = text.partition(LINEAGE_HEADING)
        rest = after.split("\n## ", 1)
        text = before + (("## " + rest[1]) if len(rest) > 1 else "")
    head, marker, tail = text.partition("\n## ")
    if marker:
        text = f"{head.rstrip()}\n\n{section}\n## {tail}"
    else:
        text = f"{text.rstrip()}\n\n{section}" if text else section
    card.write_text(text)
