"""Keyphrase normalisation: the one function every stage compares keyphrases with.

Rules, in order:
1. Unicode NFKC (full-width letters, ligatures and compatibility forms fold to plain ones).
2. Lower case (str.lower, so "Ä" -> "ä"; accents are kept: "café" and "cafe" stay distinct).
3. Apostrophes are deleted, so "men's" and "mens" meet.
4. A "." or "," between two digits is kept ("6.5", "1,000"); every other character that is not
   a letter, a digit or a combining mark becomes a space. Hyphens, slashes, "&", "+", "#",
   quotes, brackets and emoji therefore separate words: "t-shirt" == "t shirt".
5. White space collapses to single spaces and is stripped.

The raw text is kept beside the normalised one for display.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_WHITESPACE = re.compile(r"\s+")


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "N", "M")


def _keeps(text: str, index: int) -> bool:
    char = text[index]
    if _is_word_char(char):
        return True
    between_digits = 0 < index < len(text) - 1 and text[index - 1].isdigit()
    return char in ".," and between_digits and text[index + 1].isdigit()


def normalize_keyphrase(text: str | None) -> str | None:
    """Normalised form of a keyphrase (rules in the module docstring); None stays None."""
    if text is None:
        return None
    folded = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).lower())
    spaced = "".join(c if _keeps(folded, i) else " " for i, c in enumerate(folded))
    return _WHITESPACE.sub(" ", spaced).strip()


def tokens(text: str | None) -> list[str]:
    normalised = normalize_keyphrase(text)
    return normalised.split() if normalised else []


@F.pandas_udf(StringType())
def _normalize_series(values: pd.Series) -> pd.Series:
    return values.map(normalize_keyphrase, na_action="ignore")


def normalize_keyphrase_col(column: Column | str) -> Column:
    """The same normalisation as a Spark column expression (a pandas UDF over the function)."""
    return _normalize_series(F.col(column) if isinstance(column, str) else column)
