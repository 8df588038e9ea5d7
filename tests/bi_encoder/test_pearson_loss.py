"""PearsonCorrelationLoss against numpy, its invariances, and its gradients."""

import numpy as np
import pytest
import torch

from kpreco.bi_encoder.losses import PearsonCorrelationLoss
from kpreco.bi_encoder.losses.pearson import pearson_correlation


def cosine(left: torch.Tensor, right: torch.Tensor) -> np.ndarray:
    return torch.nn.functional.cosine_similarity(left, right).detach().numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_is_one_minus_numpy_corrcoef(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    left, right = torch.randn(16, 8, generator=generator), torch.randn(16, 8, generator=generator)
    teacher = torch.rand(16, generator=generator)
    loss = PearsonCorrelationLoss(model=None).compute_loss_from_embeddings([left, right], teacher)
    expected = 1 - np.corrcoef(cosine(left, right), teacher.numpy())[0, 1]
    assert loss.item() == pytest.approx(expected, abs=1e-5)


def test_invariant_to_scale_and_shift_of_the_teacher() -> None:
    generator = torch.Generator().manual_seed(3)
    left, right = torch.randn(12, 8, generator=generator), torch.randn(12, 8, generator=generator)
    teacher = torch.rand(12, generator=generator)
    loss = PearsonCorrelationLoss(model=None)
    base = loss.compute_loss_from_embeddings([left, right], teacher).item()
    for scale, shift in [(3.0, 0.0), (0.01, 5.0), (120.0, -40.0)]:
        moved = loss.compute_loss_from_embeddings([left, right], teacher * scale + shift).item()
        assert moved == pytest.approx(base, abs=1e-4)  # float32 arithmetic
    flipped = loss.compute_loss_from_embeddings([left, right], -teacher).item()
    assert flipped == pytest.approx(2 - base, abs=1e-5)  # a negative scale inverts the ranking


def test_gradients_flow_to_both_embeddings() -> None:
    generator = torch.Generator().manual_seed(4)
    left = torch.randn(10, 8, generator=generator, requires_grad=True)
    right = torch.randn(10, 8, generator=generator, requires_grad=True)
    teacher = torch.rand(10, generator=generator)
    PearsonCorrelationLoss(model=None).compute_loss_from_embeddings(
        [left, right], teacher
    ).backward()
    assert left.grad is not None and right.grad is not None
    assert left.grad.abs().sum() > 0 and right.grad.abs().sum() > 0


def test_perfectly_correlated_is_zero_loss() -> None:
    scores = torch.tensor([0.1, 0.5, 0.2, 0.9])
    assert pearson_correlation(scores, 2 * scores + 1).item() == pytest.approx(1.0, abs=1e-6)
