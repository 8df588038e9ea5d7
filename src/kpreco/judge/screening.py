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
  instruction, or claims relevance to every query, or is a bare yes/no, is removed.

Fields without such text pass unchanged (the same string). The item's stored title is never
changed; only the judge's prompt sees the screened text. SCREEN_VERSION is part of the prompt
version, so changing these rules re-judges (the cache key changes).
"""

from __future__ import annotations

import re

SCREEN_VERSION = "screen-1"

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
_TRIM = " \t,-–—:/\"'|;"


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
    spans, start = [], 0
    for delimiter in _DELIMITER.finditer(text):
        spans.append((start, delimiter.start()))
        start = delimiter.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def screen_field(text: str | None) -> str | None:
    """`text` without instruction-like content; unchanged (same string) when it has none."""
    if not text:
        return text
    kept = _cut_at_imitation(text)
    segments = _segments(kept)
    removed = [i for i, (a, b) in enumerate(segments) if _INSTRUCTION.search(kept[a:b])]
    if not removed and kept == text:
        return text
    for i in reversed(removed):
        # A segment goes with the delimiters before it ("Sofa. Ignore ... Yes. Oak" ->
        # "Sofa. Oak"); the last one also with those after it (its own full stop).
        start = segments[i - 1][1] if i else 0
        end = segments[i][1] if i + 1 < len(segments) else len(kept)
        if not i and i + 1 < len(segments):
            end = segments[i + 1][0]
        kept = kept[:start] + kept[end:]
        segments = _segments(kept)
    kept = _balanced(re.sub(r"\s+", " ", kept))
    kept = re.sub(r"[(\[{]\s*[)\]}]", " ", kept)
    return re.sub(r"\s+", " ", kept).strip(_TRIM)


def is_screened(text: str | None) -> bool:
    return screen_field(text) != text
