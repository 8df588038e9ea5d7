"""Scoring through Spark with the shipped model equals direct prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kpreco import registry
from kpreco.cross_encoder.calibration import apply_calibration
from kpreco.cross_encoder.scoring import CrossEncoderScorer, score_frame
from kpreco.cross_encoder.train import load_cross_encoder, predict_logits
from kpreco.executor_files import ship_folder
from kpreco.tables import read_delta


def test_spark_scoring_equals_direct_predict(spark, assistant_workspace) -> None:
    config = assistant_workspace
    location, metadata = registry.resolve(spark, config, "cross_encoder", None)
    pairs = read_delta(spark, config.table_path("pairs")).limit(40)
    shipped = ship_folder(spark, Path(location))
    scorer = CrossEncoderScorer(shipped, metadata["calibration"], 64, 16, 1, shipped=True)
    scored = score_frame(pairs, scorer, 2).toPandas()
    local = pairs.toPandas().merge(scored, on=["item_id", "keyphrase"])
    model = load_cross_encoder(location)
    direct = predict_logits(model, local["title"].tolist(), local["keyphrase_display"].tolist(), 16)
    np.testing.assert_allclose(local["ce_logit"], direct, rtol=1e-4, atol=1e-4)
    # The probabilities are the calibration of those logits (compared on Spark's own logits:
    # the 1e-4 of float arithmetic between processes grows with the calibration's slope).
    np.testing.assert_allclose(
        local["ce_prob"], apply_calibration(metadata["calibration"], local["ce_logit"]), atol=1e-9
    )
    assert len(local) == 40
