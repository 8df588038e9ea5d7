"""Scoring through Spark with the shipped model equals direct prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


def test_int8_scoring_is_per_item_and_quantises_the_linear_layers(
    spark, assistant_workspace
) -> None:
    """The relevance filter's int8 precision: the linear layers are dynamically quantised (a
    different model from float32, not float32 under another name), and scored per group an
    item's scores are those it gets scored alone, whatever items share its call; one batch of
    every item's pairs (int8's activation scale per batch) gives other scores."""
    import torch

    from kpreco.cross_encoder.scoring import _loaded

    config = assistant_workspace
    location, metadata = registry.resolve(spark, config, "cross_encoder", None)
    local = read_delta(spark, config.table_path("pairs")).limit(400).toPandas()
    items = local["item_id"].drop_duplicates().head(6).tolist()
    local = local[local["item_id"].isin(items)].sort_values(["item_id", "keyphrase"])
    titles, keyphrases = local["title"].tolist(), local["keyphrase_display"].tolist()
    groups = local.groupby("item_id", sort=False).size().tolist()
    assert len(groups) == 6 and len(titles) > 12
    int8 = CrossEncoderScorer(location, metadata["calibration"], 64, 128, 1, precision="int8")
    together = int8.logits(titles, keyphrases, groups)
    alone = np.concatenate(
        [
            int8.logits(group["title"].tolist(), group["keyphrase_display"].tolist())
            for _, group in local.groupby("item_id", sort=False)
        ]
    )
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-6)
    assert np.abs(int8.logits(titles, keyphrases) - together).max() > 1e-4
    float32 = CrossEncoderScorer(location, metadata["calibration"], 64, 128, 1)
    assert np.abs(float32.logits(titles, keyphrases, groups) - together).max() > 1e-4
    # float32 is scored per group too: the same scores as each item scored alone.
    float32_alone = np.concatenate(
        [
            float32.logits(group["title"].tolist(), group["keyphrase_display"].tolist())
            for _, group in local.groupby("item_id", sort=False)
        ]
    )
    np.testing.assert_allclose(
        float32.logits(titles, keyphrases, groups), float32_alone, rtol=0, atol=1e-5
    )
    with pytest.raises(ValueError, match="groups cover 1 pairs"):
        float32.logits(titles, keyphrases, [1])
    linear = [type(m) for m in _loaded(location, 64, 1, "int8").modules()]
    assert torch.nn.Linear not in linear
    assert torch.ao.nn.quantized.dynamic.Linear in linear
