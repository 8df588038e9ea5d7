"""Train the injection detector (kpreco.judge.detector) and write its weights file.

    .venv/bin/python scripts/train_injection_detector.py [--check]

Spans of generated product titles are the negatives, generated non-product text the positives
(kpreco.judge.injection_corpus): each segment, and the four-word windows of long ones. The
threshold is, of THRESHOLDS at which the detector, applied as it is served, changes at most
`--clean-flag-rate` of the validation titles, the highest that screens back within
RESTORED_TOLERANCE as many attacked validation titles as the best. Deterministic: the same
seed and encoder give the same file. `--check` retrains and fails if the shipped file's
weights or threshold differ (so it cannot drift from this script, nor from the span logic it
chose the threshold with).
"""

from __future__ import annotations

import argparse
import json
import random
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

from kpreco.embedding import MINILM_SHA256, encode, load_encoder
from kpreco.judge.detector import (
    ENCODER,
    WEIGHTS_FILE,
    Detector,
    cleaned_text,
    spans_of,
    words_of,
)
from kpreco.judge.injection_corpus import CORPUS_VERSION, injected_spans, product_titles

SEED = 17
# Training pieces: each segment whole and, for a segment of five words or more, its four-word
# windows too, so the classifier also sees parts of sentences and of titles (what the
# detector scores when it cuts a segment into a head and a tail).
WINDOW_WORDS, LONG_SEGMENT_WORDS = 4, 5
# From 0.8: lower ones cut product names that read like requests (measured at 0.5: "Mark My
# Words Board Game" became "Board Game").
THRESHOLDS = (0.8, 0.85, 0.9, 0.95)
RESTORED_TOLERANCE = 0.01


def windows_of(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Word windows of a long segment (consecutive ones share all but one word); none for a
    short segment."""
    words = words_of(text, span)
    if len(words) < LONG_SEGMENT_WORDS:
        return []
    return [
        (words[i][0], words[i + WINDOW_WORDS - 1][1]) for i in range(len(words) - WINDOW_WORDS + 1)
    ]


def pieces(text: str) -> list[str]:
    """Every span and window of `text` the detector would score."""
    out = []
    for span in spans_of(text):
        out += [text[a:b].strip() for a, b in windows_of(text, span) or [span]]
    return out


def remove_flagged(detector: Detector, text: str) -> str:
    return cleaned_text(text, detector.flagged_spans(text))


def train(titles: int = 3000, injections: int = 3000, clean_flag_rate: float = 0.002) -> dict:
    rng = random.Random(SEED)
    model = load_encoder(ENCODER)
    clean, attacks = product_titles(rng, titles), injected_spans(rng, injections)
    cut = int(0.8 * titles), int(0.8 * injections)
    train_clean = [p for t in clean[: cut[0]] for p in pieces(t)]
    train_attack = [p for s in attacks[: cut[1]] for p in pieces(s)]
    texts = train_clean + train_attack
    labels = np.array([0] * len(train_clean) + [1] * len(train_attack))
    vectors = encode(model, texts)
    classifier = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000)
    classifier.fit(vectors, labels)

    weights = classifier.coef_[0].astype(np.float32)
    bias = float(classifier.intercept_[0])
    valid_clean = clean[cut[0] :]
    joiners = [" ", " - ", ". ", ", ", " | ", "\n"]
    valid_attacked = [
        f"{title}{joiners[i % len(joiners)]}{attack}"
        for i, (title, attack) in enumerate(zip(valid_clean, attacks[cut[1] :], strict=False))
    ]
    # Per candidate: the share of clean validation titles changed, and of attacked ones
    # screened back to the clean title exactly.
    measured = {}
    for candidate in THRESHOLDS:
        detector = Detector(weights, bias, candidate, "training")
        measured[candidate] = (
            float(np.mean([bool(detector.flagged_spans(t)) for t in valid_clean])),
            float(
                np.mean(
                    [
                        remove_flagged(detector, attacked) == title
                        for title, attacked in zip(valid_clean, valid_attacked, strict=False)
                    ]
                )
            ),
        )
    eligible = [t for t in THRESHOLDS if measured[t][0] <= clean_flag_rate]
    if not eligible:
        raise SystemExit(
            f"no threshold of {THRESHOLDS} changes at most {clean_flag_rate:.2%} of the "
            f"{len(valid_clean)} validation titles (changed, restored per threshold: {measured})"
        )
    # The highest threshold that restores nearly as many attacked titles as the best: the
    # validation titles are of the corpus's domains, a marketplace's are not, and there a
    # lower threshold flags more clean titles (0.8 over 0.9: "Oakhaven RED Coffee Table SALE"
    # lost "Coffee Table" on the default marketplace) for little more restored.
    best = max(measured[t][1] for t in eligible)
    threshold = max(t for t in eligible if measured[t][1] >= best - RESTORED_TOLERANCE)
    flagged_clean, removed_exactly = measured[threshold]
    detector = Detector(weights, bias, threshold, "training")
    flagged_attacked = np.mean([bool(detector.flagged_spans(t)) for t in valid_attacked])
    return {
        "version_note": "written by scripts/train_injection_detector.py; do not edit",
        "corpus_version": CORPUS_VERSION,
        "seed": SEED,
        "encoder": {"name": ENCODER, "sha256": MINILM_SHA256},
        "sklearn": sklearn.__version__,
        "training": {
            "clean_titles": cut[0],
            "injected_texts": cut[1],
            "clean_spans": len(train_clean),
            "injected_spans": len(train_attack),
        },
        "validation": {
            "clean_titles": len(valid_clean),
            "clean_titles_flagged": float(flagged_clean),
            "attacked_titles": len(valid_attacked),
            "attacked_titles_flagged": float(flagged_attacked),
            "attacked_titles_restored_exactly": float(removed_exactly),
        },
        "threshold": threshold,
        "thresholds_measured": {
            str(t): {"clean_titles_flagged": c, "attacked_titles_restored_exactly": r}
            for t, (c, r) in measured.items()
        },
        "bias": round(bias, 6),
        "weights": [round(float(w), 6) for w in classifier.coef_[0]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--clean-flag-rate", type=float, default=0.002)
    args = parser.parse_args()
    trained = train(clean_flag_rate=args.clean_flag_rate)
    print(json.dumps({k: trained[k] for k in ("training", "validation", "threshold")}, indent=2))
    if args.check:
        shipped = json.loads(WEIGHTS_FILE.read_text())
        drift = np.abs(np.array(shipped["weights"]) - np.array(trained["weights"])).max()
        print(f"largest weight difference from the shipped file: {drift:.2e}")
        print(f"threshold: shipped {shipped['threshold']}, trained {trained['threshold']}")
        same = drift < 1e-3 and shipped["threshold"] == trained["threshold"]
        sys.exit(0 if same and shipped["corpus_version"] == CORPUS_VERSION else 1)
    WEIGHTS_FILE.write_text(json.dumps(trained, indent=1) + "\n")
    print(f"wrote {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
