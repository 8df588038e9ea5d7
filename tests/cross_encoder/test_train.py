"""The assistant's warm-up on weak labels: done once per process for the same labels and
settings, and the reused weights are the weights a fresh warm-up gives."""

from __future__ import annotations

import pandas as pd
import torch

from kpreco.cross_encoder import train
from kpreco.embedding import resolve_encoder_path
from tests.conftest import make_test_config

WEAK = pd.DataFrame(
    {
        "title": ["Grey Sofa", "Grey Sofa", "Oak Desk", "Oak Desk", "Red Mug", "Red Mug"] * 3,
        "keyphrase_display": ["couch", "desk", "oak desk", "mug", "red mug", "sofa"] * 3,
        "target": [0.9, 0.1, 0.8, 0.05, 0.95, 0.0] * 3,
    }
)


def fresh_model(settings):
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    torch.manual_seed(settings.seed)
    model = train.load_cross_encoder(resolve_encoder_path(settings.base_model))
    return model, BinaryCrossEntropyLoss(model)


def weights(model) -> dict[str, torch.Tensor]:
    return {name: t.detach().clone() for name, t in model.state_dict().items()}


def test_a_second_warm_up_on_the_same_labels_reuses_the_first(tmp_path) -> None:
    settings = make_test_config(tmp_path).cross_encoder
    train._warmed_up.clear()
    untrained, loss = fresh_model(settings)
    before = weights(untrained)
    assert train.warm_up(untrained, loss, WEAK, settings) is False
    first = weights(untrained)
    assert any(not torch.equal(before[name], first[name]) for name in first)  # it trained

    again, loss = fresh_model(settings)
    assert train.warm_up(again, loss, WEAK, settings) is True
    assert all(torch.equal(first[name], t) for name, t in weights(again).items())

    # A fresh warm-up in a new process (an empty store) gives the same weights.
    train._warmed_up.clear()
    fresh, loss = fresh_model(settings)
    assert train.warm_up(fresh, loss, WEAK, settings) is False
    assert all(torch.allclose(first[name], t, atol=1e-6) for name, t in weights(fresh).items())


def test_other_labels_or_settings_warm_up_again(tmp_path) -> None:
    settings = make_test_config(tmp_path).cross_encoder
    key = train.warm_up_key(WEAK, settings)
    assert train.warm_up_key(WEAK.copy(), settings) == key
    assert train.warm_up_key(WEAK.assign(target=WEAK["target"] * 0.5), settings) != key
    assert train.warm_up_key(WEAK.iloc[::-1], settings) != key  # the order is part of it
    other = settings.model_copy(update={"learning_rate": settings.learning_rate * 2})
    assert train.warm_up_key(WEAK, other) != key
    train._warmed_up.clear()
    model, loss = fresh_model(settings)
    train.warm_up(model, loss, WEAK, settings)
    model, loss = fresh_model(other)
    assert train.warm_up(model, loss, WEAK, other) is False  # other settings: trained anew
