"""The transformers backend: the shared-prefix batch equals one full forward per prompt."""

import numpy as np
import pytest
import torch

from kpreco.judge.answer import p_yes_from_logits
from kpreco.judge.backends import resolve_model_path
from kpreco.judge.backends.base import JudgeRequest
from kpreco.judge.backends.transformers_backend import TransformersBackend
from kpreco.judge.prompt import TEMPLATES


@pytest.fixture(scope="module")
def backend() -> TransformersBackend:
    path = resolve_model_path("packaged:smollm2-135m")
    return TransformersBackend(TEMPLATES["instruction"], path, batch_size=4, threads=2)


def full_forward(backend: TransformersBackend, request: JudgeRequest) -> np.ndarray:
    """Last-position logits of one whole prompt, no cache, no padding."""
    ids = torch.tensor([backend.tokens(request)])
    with torch.no_grad():
        return backend.model(input_ids=ids).logits[0, -1].float().numpy()


def test_prefix_cache_with_left_padding_matches_single_prompts(backend) -> None:
    keyphrases = ["couch", "a much longer query about leather sofas", "lamp", "grey settee", "rug"]
    batch = [JudgeRequest("i1", k, "Hallbrook Grey Leather Sofa", None, k) for k in keyphrases]
    results = backend.judge(batch)
    singles = [
        p_yes_from_logits(full_forward(backend, r), backend.yes_ids, backend.no_ids) for r in batch
    ]
    np.testing.assert_allclose([r.p_relevant for r in results], singles, atol=2e-4)
    assert all(r.status == "ok" for r in results)
