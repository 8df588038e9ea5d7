"""The pandas-UDF fan-out gives what the backend gives when called directly."""

import pytest

from kpreco.config import JudgeSettings
from kpreco.judge.backends import create_backend
from kpreco.judge.fanout import judge_frame, requests_of
from kpreco.judge.sampling import REQUEST_SCHEMA

ROWS = [
    ("i1", "couch", "couch", "Hallbrook Grey Leather Sofa", "furniture", "clicked"),
    (
        "i1",
        "coffee table",
        "coffee table",
        "Hallbrook Grey Leather Sofa",
        "furniture",
        "sr_negative",
    ),
    (
        "i2",
        "sneakers",
        "Sneakers",
        "Stridex Mens Running Shoes US 9",
        "footwear",
        "unshown_candidate",
    ),
    ("i3", "mug", "mug", 'Kiln & Co "Ceramic" Mug', None, "sr_positive"),
]


def test_spark_fan_out_equals_direct_calls(spark) -> None:
    settings = JudgeSettings(
        backend="llamacpp", model="packaged:smollm2-135m", prompt="fewshot", partitions=2
    )
    requests = spark.createDataFrame(ROWS, REQUEST_SCHEMA)
    through_spark = {(r.item_id, r.keyphrase): r for r in judge_frame(requests, settings).collect()}
    backend = create_backend(settings)
    direct = backend.judge(requests_of(requests.toPandas().sort_values(["item_id", "keyphrase"])))
    backend.close()
    assert len(through_spark) == len(ROWS)
    for (item_id, keyphrase, *_), result in zip(sorted(ROWS), direct, strict=True):
        row = through_spark[(item_id, keyphrase)]
        assert row.status == "ok"
        assert row.p_relevant == pytest.approx(result.p_relevant, abs=2e-3)
