from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from sentence_transformers import util
from sentence_transformers.base.losses.merged_forward import embed_columns
from torch import Tensor, nn


def pearson_correlation(predictions: Tensor, targets: Tensor, eps: float = 1e-8) -> Tensor:
    """Pearson's r between two 1-d tensors (differentiable); 0 when the targets are constant."""
    return row_pearson(predictions.view(1, -1), targets.view(1, -1), eps)


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


class ItemPearsonCorrelationLoss(nn.Module):
    def __init__(
        self,
        model,
        similarity_fct=util.pairwise_cos_sim,
        contrastive_weight: float = 0.0,
        positive_threshold: float = 0.5,
        scale: float = 20.0,
    ) -> None:
        """
        Distillation that ranks each item's own candidates: ``loss = 1 - mean_i r_i`` where
        ``r_i`` is Pearson's r between the student's cosines of row i's title with its N
        candidates and the teacher's N scores of those pairs.

        `PearsonCorrelationLoss` correlates across the rows of a batch, which mixes unrelated
        items: it is rewarded for separating product types (easy) rather than for ordering
        one item's near candidates (what serving needs). Grouping by item asks only the
        latter. No library loss does this (sentence-transformers' `DistillKLDivLoss` takes the
        same input but matches softmax distributions, `kpreco` offers it as `listwise`).

        Args:
            model: the SentenceTransformer student.
            similarity_fct: pairwise similarity of two columns' embeddings (cosine).

        Inputs:
            +---------------------------------------+----------------------------------------+
            | Texts                                 | Labels                                 |
            +=======================================+========================================+
            | (title, candidate_1, ..., candidate_N)| N teacher scores per row (any scale)   |
            +---------------------------------------+----------------------------------------+

        Rows whose N teacher scores are all equal carry no ranking information and are left
        out of the mean (a batch of only such rows gives loss 1, no gradient). N >= 2.

        With `contrastive_weight` > 0 a second term places the teacher's positives in the
        whole vocabulary, which within-item Pearson cannot (it orders 8 candidates and says
        nothing of the 5,000 others): each candidate the teacher scores at or above
        `positive_threshold` (a calibrated probability) must out-score, as its title's match,
        every candidate of the batch that is not one of its title's positives (its own item's
        near misses under the threshold, the hard negatives, and all the other items'
        candidates, in-batch negatives):
        ``softplus(logsumexp_negatives(scale * cos) - scale * cos_positive)``, averaged over
        positives (the supervised-contrastive form of MultipleNegativesRankingLoss for several
        positives per title; no library loss takes grouped rows with per-candidate labels).
        Other items' positives are negatives too, as in-batch negatives always are. The term
        uses cosine whatever `similarity_fct` is (the scale of 20 is MNRL's, for cosines).
        """
        super().__init__()
        self.model = model
        self.similarity_fct = similarity_fct
        self.contrastive_weight = contrastive_weight
        self.positive_threshold = positive_threshold
        self.scale = scale

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        embeddings = embed_columns(self.model, sentence_features)
        return self.compute_loss_from_embeddings(embeddings, labels)

    def compute_loss_from_embeddings(self, embeddings: list[Tensor], labels: Tensor) -> Tensor:
        anchors, candidates = embeddings[0], embeddings[1:]
        if len(candidates) < 2:
            raise ValueError("ItemPearsonCorrelationLoss needs at least 2 candidate columns")
        scores = torch.stack([self.similarity_fct(anchors, c) for c in candidates], dim=1).float()
        targets = labels.float().view(scores.shape)
        loss = 1.0 - row_pearson(scores, targets)
        if self.contrastive_weight > 0:
            loss = loss + self.contrastive_weight * self.contrastive(anchors, candidates, targets)
        return loss

    def contrastive(self, anchors: Tensor, candidates: list[Tensor], targets: Tensor) -> Tensor:
        """The in-batch term: every title against every candidate of the batch."""
        everything = torch.cat(candidates, dim=0)  # column-major: candidate j of row i at j*B+i
        cosines = util.cos_sim(anchors, everything).float() * self.scale
        positive = torch.zeros_like(cosines, dtype=torch.bool)
        rows = torch.arange(len(anchors)).repeat(len(candidates))
        positive[rows, torch.arange(len(everything))] = (
            targets.t().reshape(-1) >= self.positive_threshold
        )
        if not positive.any():
            return cosines.sum() * 0.0
        # A title's negatives: every candidate of the batch that is not one of its positives.
        below = cosines.masked_fill(positive, float("-inf"))
        negatives = torch.logsumexp(below, dim=1, keepdim=True).expand_as(cosines)
        return nn.functional.softplus(negatives[positive] - cosines[positive]).mean()

    def get_config_dict(self) -> dict[str, Any]:
        return {
            "similarity_fct": self.similarity_fct.__name__,
            "contrastive_weight": self.contrastive_weight,
            "positive_threshold": self.positive_threshold,
            "scale": self.scale,
        }


def row_pearson(predictions: Tensor, targets: Tensor, eps: float = 1e-8) -> Tensor:
    """Mean over rows of Pearson's r between the rows of two (B, N) tensors, over the rows
    whose targets vary; 0 when none do."""
    centred_predictions = predictions - predictions.mean(dim=1, keepdim=True)
    centred_targets = targets - targets.mean(dim=1, keepdim=True)
    covariance = (centred_predictions * centred_targets).sum(dim=1)
    target_scale = (centred_targets**2).sum(dim=1)
    scale = torch.sqrt((centred_predictions**2).sum(dim=1) * target_scale)
    informative = target_scale > eps
    if not informative.any():
        return covariance.sum() * 0.0
    return (covariance[informative] / (scale[informative] + eps)).mean()
