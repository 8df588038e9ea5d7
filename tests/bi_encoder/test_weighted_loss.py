"""The task weight scales the wrapped loss and its gradients, and is saved in the config."""

from __future__ import annotations

import torch

from kpreco.bi_encoder.losses.weighted import TaskWeightedLoss


class Squares(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor(2.0))

    def forward(self, features, labels):
        return ((self.scale * features[0]["x"] - labels) ** 2).mean()


def test_weight_scales_loss_and_gradient() -> None:
    features, labels = [{"x": torch.tensor([1.0, 2.0])}], torch.tensor([1.0, 1.0])
    inner = Squares()
    plain = inner(features, labels)  # ((2-1)^2 + (4-1)^2) / 2 = 5
    assert plain.item() == 5.0
    plain.backward()
    plain_grad = inner.scale.grad.clone()
    inner.scale.grad = None
    weighted = TaskWeightedLoss(inner, 0.25)
    value = weighted(features, labels)
    assert value.item() == 1.25
    value.backward()
    assert torch.allclose(inner.scale.grad, 0.25 * plain_grad)
    assert weighted.get_config_dict() == {"loss": "Squares", "weight": 0.25}
