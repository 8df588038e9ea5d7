"""The lineage section of a model card, from registry metadata, and where it goes in a card."""

from __future__ import annotations

from pathlib import Path

from kpreco import __version__
from kpreco.model_card import LINEAGE_HEADING, add_lineage, lineage_markdown

STUDENT = {
    "version": "bi-ctr_sr-1",
    "kind": "bi_encoder",
    "preset": "ctr_sr",
    "run_id": "r1",
    "fingerprint": "abc",
    "parent_model": "packaged:minilm",
    "cross_encoder": None,
    "judge": None,
    "training_data": {"ctr": 30, "sr": 20},
    "training_tables": {"ctr": "/out/pairs", "sr": "/out/pairs"},
    "settings": {
        "tasks": {
            "ctr": {"enabled": True, "weight": 1.0},
            "sr": {"enabled": True, "weight": 0.5},
            "distill": {"enabled": False, "weight": 1.0, "source": "ce", "loss": "pearson"},
        }
    },
    "matryoshka_dims": [384, 64],
    "metrics": {
        "validation": {"truth_dim384_ndcg@10": 0.51234, "truth_dim384_mrr@10": 0.7},
        "train_seconds": 12.34,
        "device": "cpu",
    },
}


def test_student_lineage_names_its_parts() -> None:
    assert lineage_markdown(STUDENT) == (
        f"{LINEAGE_HEADING}\n\n"
        f"- kpreco model: `bi_encoder` version `bi-ctr_sr-1`, preset `ctr_sr` "
        f"(kpreco {__version__}, run `r1`)\n"
        "- base model: `packaged:minilm` (sentence-transformers/all-MiniLM-L6-v2)\n"
        "- judge: none (this model learned no judge labels)\n"
        "- training-data fingerprint: `abc`\n"
        "- Matryoshka dimensions: 384, 64 (any prefix can be served)\n"
        "\n| task | table | pairs | weight | settings |\n|---|---|---|---|---|\n"
        "| ctr | `/out/pairs` | 30 | 1.0 |  |\n"
        "| sr | `/out/pairs` | 20 | 0.5 |  |\n"
        "\nMetrics:\n\n"
        "- validation truth_dim384_ndcg@10: 0.5123\n"
        "- train_seconds: 12.3\n"
        "- device: cpu\n"
    )


def test_assistant_lineage_names_judge_and_test_agreement() -> None:
    meta = {
        "version": "ce-1",
        "kind": "cross_encoder",
        "judge_model": "llamacpp:qwen",
        "prompt_version": "fewshot-1",
        "labels": "soft",
        "parent_model": "/models/my-encoder",
        "metrics": {
            "test": {
                "ce_vs_llm": {"n": 10, "auc_vs_llm_label": 0.9, "spearman": 0.8},
                "vs_truth": {"n": 9, "cross_encoder": {"auc": 0.85}, "llm": {"auc": 0.95}},
            }
        },
    }
    text = lineage_markdown(meta)
    assert "- base model: `/models/my-encoder`\n" in text
    assert "- judge: `llamacpp:qwen`, prompt version `fewshot-1`\n" in text
    assert "- labels: the judge's soft P(relevant)\n" in text
    assert "- test split, against the judge: auc_vs_llm_label 0.9000\n" in text
    assert "- test split, against the truth: cross_encoder AUC 0.8500\n" in text
    assert "- test split, against the truth: llm AUC 0.9500\n" in text


def test_lineage_goes_after_the_first_paragraph_once(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\ntags: [x]\n---\n\n# Model\n\nIntro.\n\n## Model Details\n\nBody.\n")
    add_lineage(tmp_path, STUDENT)
    add_lineage(tmp_path, {**STUDENT, "fingerprint": "def"})  # a second save replaces it
    text = card.read_text()
    assert text.count(LINEAGE_HEADING) == 1 and "`def`" in text and "`abc`" not in text
    assert text.index("Intro.") < text.index(LINEAGE_HEADING) < text.index("## Model Details")
    assert text.endswith("## Model Details\n\nBody.\n")


def test_a_folder_without_a_card_gets_one(tmp_path: Path) -> None:
    add_lineage(tmp_path, STUDENT)
    assert (tmp_path / "README.md").read_text() == lineage_markdown(STUDENT)
