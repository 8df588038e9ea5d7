from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from torch import Tensor, nn


class TaskWeightedLoss(nn.Module):
    def __init__(self, loss: nn.Module, weight: float) -> None:
        """
        ``weight * loss``: the per-task weight of multi-task training. With one task per batch
        (round-robin or proportional mixing), it scales that task's gradient steps.

        Inputs and labels: those of the wrapped loss.
        """
        super().__init__()
        self.loss = loss
        self.weight = weight
        self.model = getattr(loss, "model", None)

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        return self.weight * self.loss(sentence_features, labels)

    def get_config_dict(self) -> dict[str, Any]:
        return {"loss": type(self.loss).__name__, "weight": self.weight}
