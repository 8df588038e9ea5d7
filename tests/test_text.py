import pytest
from chispa import assert_column_equality

from kpreco.text import normalize_keyphrase, normalize_keyphrase_col


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Men's  T-Shirt", "mens t shirt"),
        ("ＮＩＫＥ Air", "nike air"),  # full-width folds under NFKC
        ("size 6.5, blue", "size 6.5 blue"),
        ("1,000 pcs", "1,000 pcs"),
        ("🔥 Sneakers!!", "sneakers"),
        ("café", "café"),
        ("a.b/c&d", "a b c d"),
        ("  \t ", ""),
        ("ﬁne", "fine"),  # ligature
        ("حذاء رياضي", "حذاء رياضي"),  # right-to-left text is kept
    ],
)
def test_normalize_keyphrase(raw: str, expected: str) -> None:
    assert normalize_keyphrase(raw) == expected


def test_normalize_none_stays_none() -> None:
    assert normalize_keyphrase(None) is None


def test_spark_column_uses_the_same_function(spark) -> None:
    raws = ["Men's  T-Shirt", "ＮＩＫＥ Air", None, "🔥 Sneakers!!"]
    frame = spark.createDataFrame(
        [(raw, normalize_keyphrase(raw)) for raw in raws], "raw string, expected string"
    ).withColumn("actual", normalize_keyphrase_col("raw"))
    assert_column_equality(frame, "actual", "expected")
