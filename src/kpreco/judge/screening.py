"""Instruction-like text in listing fields, screened out before the judge reads them.

A listing title describes a product. Text that addresses the reader ("ignore the instructions",
"answer yes", "note to the AI reviewer"), claims to match every query, or imitates a chat role
or the prompt's own field labels is not a product attribute: it is how a seller would steer an
LLM judge. Quoting the field (kpreco.judge.prompt) keeps such text inside the title's string,
but a small model still obeys it (bench/prompt_injection.py measured +0.22 mean P on
irrelevant pairs with quoting alone), so the judge reads the field with it removed:

- a chat-template marker (`<|im_end|>`, `[INST]`, ...), a role label at the start of a line
  ("SYSTEM:", "assistant") or one of the prompt's field labels ("Buyer search query:") cuts
  the field there: everything after it imitates the prompt;
- a segment (text between . ! ? ; | ( ) [ ] quotes or line breaks) that gives the reader an
  instruction, or claims relevance to every query, or is a bare yes/no, is removed;
- invisible format characters (zero-width spaces, direction marks) are removed first: they
  hide words from the rules and the detector, not from the judge.

After the rules, the injection detector (kpreco.judge.detector) removes the spans that do not
read like product text at all, whatever their wording: the rules know phrasings, the detector
does not need to.

Fields without such text pass unchanged (the same string). The item's stored title is never
changed; only the judge's prompt sees the screened text. SCREEN_VERSION (the version of the
rules and of the detector's span logic, and the detector's weights) is part of the prompt
version, so changing any of them re-judges (the cache key changes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame

from kpreco.judge.detector import TRIM, detector_version, remove_non_product_text, spans_between

# Bumped with any change to the rules here or to how the detector cuts spans (detector.py).
SCREEN_VERSION = f"screen-5+{detector_version()}"

_MARKER = re.compile(r"<\|[^|<>]{0,40}\|>|\[/?INST\]|<</?SYS>>|</?s>", re.IGNORECASE)
_ROLES = r"(?:system|assistant|user|human|developer)"
# "SYSTEM:" at the start of the field or of a line; a bare role word alone on a later line.
_ROLE_LINE = re.compile(
    rf"(?:^|[\n\r])\s*{_ROLES}\s*:|[\n\r]\s*{_ROLES}\s*(?:[\n\r]|$)", re.IGNORECASE
)
_FIELD_LABEL = re.compile(
    r"\b(?:listing\s+title|listing\s+category|buyer\s+search\s+query|search\s+query|answer)\s*:",
    re.IGNORECASE,
)
_DELIMITER = re.compile(r"[\n\r.!?;|()\[\]{}\"“”«»]+|\s[-–—]+\s")
_INSTRUCTION = re.compile(
    "|".join(
        (
            # "ignore all previous instructions", "disregard the rules above"
            r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}?"
            r"\b(?:instructions?|rules?|prompts?|guidelines?|above|previous|prior|directions?)\b",
            # "answer Yes", "reply with yes", "respond: relevant"
            r"\b(?:answer|reply|respond|output)\b.{0,20}?\b(?:yes|true|relevant|bid)\b",
            # addressing the model
            r"\b(?:as\s+an\s+ai|language\s+model|chatgpt|llm)\b",
            r"\b(?:dear|attention|note\s+to|hey)\s+(?:the\s+)?"
            r"(?:ai|assistant|model|judge|reviewer|evaluator|bot|grader)\b",
            r"\b(?:ai|llm)\s+(?:assistant|model|judge|reviewer|evaluator|grader)s?\b",
            # claims of universal relevance
            r"\b(?:every|all|any)\s+(?:search\s+|buyer\s+)?(?:quer(?:y|ies)|searches|keywords?"
            r"|keyphrases?)\b.{0,30}?\b(?:relevant|match(?:es)?|appl(?:y|ies)|fits?)\b",
            r"\b(?:relevant|match(?:es|ing)?|fits?)\s+(?:to\s+|for\s+|with\s+)?"
            r"(?:every|all|any)\s+(?:search|quer|keyword|keyphrase)",
            r"^\s*(?:yes|no)\s*$",
        )
    ),
    re.IGNORECASE,
)


def _cut_at_imitation(text: str) -> str:
    """The field up to the first chat marker, role line or prompt field label."""
    cuts = [m.start() for m in (p.search(text) for p in (_MARKER, _ROLE_LINE, _FIELD_LABEL)) if m]
    return text[: min(cuts)] if cuts else text


def _balanced(text: str) -> str:
    """`text` without brackets left unmatched, or a last unpaired double quote, by a removal."""
    pairs, stack, dropped = {")": "(", "]": "[", "}": "{"}, [], set()
    for position, char in enumerate(text):
        if char in "([{":
            stack.append(position)
        elif char in pairs:
            if stack and text[stack[-1]] == pairs[char]:
                stack.pop()
            else:
                dropped.add(position)
    dropped.update(stack)
    if text.count('"') % 2:
        dropped.add(text.rindex('"'))
    return "".join(c for i, c in enumerate(text) if i not in dropped)


def _segments(text: str) -> list[tuple[int, int]]:
    """Spans of the text between delimiters."""
    return [(a, b) for a, b in spans_between(text, _DELIMITER) if text[a:b].strip()]


def visible(text: str) -> str:
    """`text` without invisible format characters (Unicode category Cf: zero-width spaces and
    joiners, direction marks, soft hyphens): they carry nothing a buyer sees, and split words
    so that neither the rules nor the detector read them ("a\u200bl\u200bw\u200ba\u200by\u200bs")
    while the judge's tokenizer still does."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def rule_screen(text: str) -> str:
    """`text` without the instruction-like content the rules know, and without invisible
    characters; the same string when none.

    A segment with an instruction goes whole; where that would leave no words (the instruction
    glued onto the title without a delimiter), only the segment's text from the instruction on
    goes: the judge is never left without the product when the product is there."""
    shown = visible(text)
    kept = _cut_at_imitation(shown)
    segments = _segments(kept)
    found = {i: _INSTRUCTION.search(kept[a:b]) for i, (a, b) in enumerate(segments)}
    found = {i: match for i, match in found.items() if match}
    if not found and kept == shown:
        return shown
    screened = _without_segments(kept, segments, sorted(found))
    if re.search(r"\w", screened) or not found:
        return screened
    for i in sorted(found, reverse=True):
        a, b = segments[i]
        kept = kept[: a + found[i].start()] + kept[b:]
    return _tidy(kept)


def _without_segments(kept: str, segments: list[tuple[int, int]], removed: list[int]) -> str:
    for i in reversed(removed):
        # A segment goes with the delimiters before it ("Sofa. Ignore ... Yes. Oak" ->
        # "Sofa. Oak"); the last one also with those after it (its own full stop).
        start = segments[i - 1][1] if i else 0
        end = segments[i][1] if i + 1 < len(segments) else len(kept)
        if not i and i + 1 < len(segments):
            end = segments[i + 1][0]
        kept = kept[:start] + kept[end:]
        segments = _segments(kept)
    return _tidy(kept)


def _tidy(kept: str) -> str:
    kept = _balanced(re.sub(r"\s+", " ", kept))
    kept = re.sub(r"[(\[{]\s*[)\]}]", " ", kept)
    return re.sub(r"\s+", " ", kept).strip(TRIM)


@dataclass(frozen=True)
class Screening:
    """What the judge reads of one field, and why it differs from the seller's text."""

    text: str | None  # what the judge reads
    by_rules: bool  # the rule screen changed it
    removed_by_detector: tuple[str, ...]  # spans the detector removed after the rules
    detector_score: float  # the highest score among them (0.0 when none)

    @property
    def changed(self) -> bool:
        return self.by_rules or bool(self.removed_by_detector)


def screening_of(text: str | None) -> Screening:
    if not text:
        return Screening(text, False, (), 0.0)
    ruled = rule_screen(text)
    if not ruled:
        return Screening(ruled, ruled != text, (), 0.0)
    finding = remove_non_product_text(ruled)  # `cleaned` is `ruled` itself when none removed
    return Screening(finding.cleaned, ruled != text, tuple(finding.removed), finding.score)


def screen_field(text: str | None) -> str | None:
    """`text` as the judge reads it: without instruction-like or non-product content;
    unchanged (the same string) when it has none."""
    return screening_of(text).text


SCREENED_SCHEMA = (
    "item_id string, title string, judged_title string, by_rules boolean, "
    "removed_by_detector array<string>, detector_score double, screen_version string, "
    "run_id string"
)


SCREENED_COLUMNS = [field.split()[0] for field in SCREENED_SCHEMA.split(", ")]


def screened_titles(requests: DataFrame, run_id: str) -> DataFrame:
    """The distinct (item_id, title) of `requests` whose title the judge reads changed: what
    it reads instead and why (the review table `screened_titles`)."""

    def screen(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            rows = []
            for item_id, title in zip(batch["item_id"], batch["title"], strict=True):
                found = screening_of(title)
                if found.changed:
                    rows.append(
                        (
                            item_id,
                            title,
                            found.text,
                            found.by_rules,
                            list(found.removed_by_detector),
                            found.detector_score,
                            SCREEN_VERSION,
                            run_id,
                        )
                    )
            yield pd.DataFrame(rows, columns=SCREENED_COLUMNS)

    return requests.select("item_id", "title").distinct().mapInPandas(screen, SCREENED_SCHEMA)
