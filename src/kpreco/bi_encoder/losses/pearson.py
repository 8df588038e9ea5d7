from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from sentence_transformers import util
from sentence_transformers.base.losses.merged_forward import embed_columns
from torch import Tensor, nn


def pearson_correlation(predictions: Tensor, targets: Tensor, eps: float = 1e-8) -> Tensor:
    """Pearson's r between two 1-d tensors (differentiable)."""
    centred_predictions = predictions - predictions.mean()
    centred_targets = targets - targets.mean()
    covariance = (centred_predictions * centred_targets).sum()
    scale = torch.sqrt((centred_predictions**2).sum() * (centred_targets**2).sum())
    return covariance / (scale + eps)


class PearsonCorrelationLoss(nn.Module):
    def __init__(self, model, similarity_fct=util.pairwise_cos_sim) -> None:
        """
        Distillation by correlation: ``loss = 1 - Pearson(cos(u_i, v_i), t_i)`` over a batch of
        (title, keyphrase, teacher score) rows.

        Pearson's r is invariant to scale and shift of the teacher's scores, so the student
        copies how the teacher *orders and spaces* pairs within a batch without being forced
        to make cosine similarity equal a probability or a logit (which MSE would demand).

        Args:
            model: the SentenceTransformer student.
            similarity_fct: pairwise similarity of the two columns' embeddings (cosine).

        Inputs:
            +---------------------------------------+----------------------------------------+
            | Texts                                 | Labels                                 |
            +=======================================+========================================+
            | (title, keyphrase) pairs              | teacher score (any real scale)         |
            +---------------------------------------+----------------------------------------+

        A batch whose teacher scores are all equal carries no ranking information: its
        correlation is 0 and the loss is 1 with no gradient. Batches need at least 2 rows.
        """
        super().__init__()
        self.model = model
        self.similarity_fct = similarity_fct

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        embeddings = embed_columns(self.model, sentence_features)
        return self.compute_loss_from_embeddings(embeddings, labels)

    def compute_loss_from_embeddings(self, embeddings: list[Tensor], labels: Tensor) -> Tensor:
        scores = self.similarity_fct(embeddings[0], embeddings[1]).float()
        return 1.0 - pearson_correlation(scores, labels.view(-1).float())

    def get_config_dict(self) -> dict[str, Any]:
        return {"similarity_fct": self.similarity_fct.__name__}
