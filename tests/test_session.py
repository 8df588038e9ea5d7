import pytest

from kpreco.session import DeltaJarsMissing, delta_jars


def test_missing_jars_error_says_what_to_run(tmp_path) -> None:
    with pytest.raises(DeltaJarsMissing, match="make setup"):
        delta_jars(str(tmp_path))


def test_session_has_working_delta(spark, tmp_path) -> None:
    path = str(tmp_path / "d")
    spark.range(3).write.format("delta").save(path)
    assert spark.read.format("delta").load(path).count() == 3
    assert spark.conf.get("spark.sql.extensions") == "io.delta.sql.DeltaSparkSessionExtension"
