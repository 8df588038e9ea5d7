"""PearsonCorrelationLoss against numpy, its invariances, and its gradients."""

import numpy as np
import pytest
import torch

from kpreco.bi_encoder.losses import ItemPearsonCorrelationLoss, PearsonCorrelationLoss
from kpreco.bi_encoder.losses.pearson import pearson_correlation, row_pearson


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


def test_item_loss_averages_each_rows_own_correlation() -> None:
    # Row 1: cosines (1, 0, -1) against teacher (0.9, 0.5, 0.1): r = 1.
    # Row 2: cosines (1, 0, -1) against teacher (0.1, 0.5, 0.9): r = -1.
    # Row 3: the teacher's scores are all equal: no ranking information, left out.
    anchors = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    same, orthogonal, opposite = (
        torch.tensor([[1.0, 0.0]] * 3),
        torch.tensor([[0.0, 1.0]] * 3),
        torch.tensor([[-1.0, 0.0]] * 3),
    )
    teacher = torch.tensor([[0.9, 0.5, 0.1], [0.1, 0.5, 0.9], [0.4, 0.4, 0.4]])
    loss = ItemPearsonCorrelationLoss(model=None).compute_loss_from_embeddings(
        [anchors, same, orthogonal, opposite], teacher
    )
    assert loss.item() == pytest.approx(1 - (1 + -1) / 2, abs=1e-5)
    first_only = ItemPearsonCorrelationLoss(model=None).compute_loss_from_embeddings(
        [anchors[:1], same[:1], orthogonal[:1], opposite[:1]], teacher[:1]
    )
    assert first_only.item() == pytest.approx(0.0, abs=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_item_loss_matches_numpy_per_row(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    anchors = torch.randn(5, 8, generator=generator)
    candidates = [torch.randn(5, 8, generator=generator) for _ in range(4)]
    teacher = torch.rand(5, 4, generator=generator)
    loss = ItemPearsonCorrelationLoss(model=None).compute_loss_from_embeddings(
        [anchors, *candidates], teacher
    )
    cosines = np.stack([cosine(anchors, c) for c in candidates], axis=1)
    expected = 1 - np.mean(
        [np.corrcoef(cosines[row], teacher[row].numpy())[0, 1] for row in range(5)]
    )
    assert loss.item() == pytest.approx(expected, abs=1e-5)


def test_item_loss_ignores_how_unrelated_items_compare() -> None:
    # Shifting one row's teacher scores (another item being 'more relevant' overall) changes
    # the across-batch Pearson loss but not the within-item one.
    generator = torch.Generator().manual_seed(5)
    anchors = torch.randn(4, 8, generator=generator)
    candidates = [torch.randn(4, 8, generator=generator) for _ in range(3)]
    teacher = torch.rand(4, 3, generator=generator)
    shifted = teacher.clone()
    shifted[0] += 5.0
    loss = ItemPearsonCorrelationLoss(model=None)
    assert loss.compute_loss_from_embeddings([anchors, *candidates], shifted).item() == (
        pytest.approx(loss.compute_loss_from_embeddings([anchors, *candidates], teacher).item())
    )


def test_row_pearson_is_zero_without_informative_rows() -> None:
    flat = torch.ones(2, 3)
    assert row_pearson(torch.rand(2, 3), flat).item() == 0.0


def contrastive_by_hand(anchors, candidates, teacher, threshold, scale) -> float:
    """The in-batch term written out: per positive (row i, candidate j), softplus of the
    log-sum-exp of the title's scaled cosines to every non-positive candidate of the batch
    minus its scaled cosine to the positive."""
    rows, width = teacher.shape
    flat = [(r, j, candidates[j][r].numpy()) for j in range(width) for r in range(rows)]

    def cos(u, v) -> float:
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))

    terms = []
    for i in range(rows):
        title = anchors[i].numpy()
        positives = [(r, j) for r, j, _ in flat if r == i and teacher[r, j] >= threshold]
        negatives = [
            scale * cos(title, v) for r, j, v in flat if not (r == i and teacher[r, j] >= threshold)
        ]
        for r, j in positives:
            gap = np.logaddexp.reduce(negatives) - scale * cos(title, candidates[j][r].numpy())
            terms.append(np.logaddexp(0.0, gap))
    return float(np.mean(terms))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contrastive_term_matches_the_hand_written_one(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    anchors = torch.randn(4, 8, generator=generator)
    candidates = [torch.randn(4, 8, generator=generator) for _ in range(3)]
    teacher = torch.rand(4, 3, generator=generator)
    teacher[0] = torch.tensor([0.2, 0.1, 0.3])  # a row without positives adds no term
    loss = ItemPearsonCorrelationLoss(model=None, contrastive_weight=0.5, scale=20.0)
    pearson_only = ItemPearsonCorrelationLoss(model=None)
    total = loss.compute_loss_from_embeddings([anchors, *candidates], teacher).item()
    base = pearson_only.compute_loss_from_embeddings([anchors, *candidates], teacher).item()
    expected = contrastive_by_hand(anchors, candidates, teacher, 0.5, 20.0)
    assert total - base == pytest.approx(0.5 * expected, rel=1e-4)


def test_contrastive_term_pulls_a_positive_above_other_items_candidates() -> None:
    # Two items; item 0's positive sits far from its title, item 1's candidates close to it:
    # one gradient step on the term must raise the title's cosine to its positive.
    anchors = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    positive = torch.tensor([[0.0, 1.0], [0.0, 1.0]], requires_grad=True)
    other = torch.tensor([[0.9, 0.1], [1.0, 0.2]])
    teacher = torch.tensor([[0.9, 0.1], [0.2, 0.1]])
    loss = ItemPearsonCorrelationLoss(model=None, contrastive_weight=1.0)
    term = loss.contrastive(anchors, [positive, other], teacher)
    term.backward()
    before = torch.nn.functional.cosine_similarity(anchors[:1], positive[:1].detach()).item()
    moved = positive.detach() - 0.1 * positive.grad
    after = torch.nn.functional.cosine_similarity(anchors[:1], moved[:1]).item()
    assert after > before


def test_no_positive_in_the_batch_adds_nothing() -> None:
    anchors = torch.randn(3, 4)
    candidates = [torch.randn(3, 4) for _ in range(2)]
    teacher = torch.full((3, 2), 0.1)
    loss = ItemPearsonCorrelationLoss(model=None, contrastive_weight=1.0)
    assert loss.contrastive(anchors, candidates, teacher).item() == 0.0
