"""Judge backends behind one interface (`judge.backend`): llamacpp, transformers, openai."""

from __future__ import annotations

from pathlib import Path

from kpreco.config import JudgeSettings
from kpreco.judge.backends.base import JudgeBackend
from kpreco.judge.prompt import TEMPLATES

PACKAGED_PREFIX = "packaged:"


class JudgeModelNotFound(FileNotFoundError):
    """The configured judge model is not on disk."""


def resolve_model_path(model: str) -> Path:
    """`packaged:NAME` -> the file set-up assembled; anything else -> that path."""
    from kpreco.judge.packaged import model_path

    path = (
        model_path(model.removeprefix(PACKAGED_PREFIX))
        if model.startswith(PACKAGED_PREFIX)
        else Path(model)
    )
    if not path.exists():
        hint = " (run `make setup` to assemble it)" if model.startswith(PACKAGED_PREFIX) else ""
        raise JudgeModelNotFound(f"judge model {model}: nothing at {path}{hint}")
    return path


def judge_model_id(settings: JudgeSettings) -> str:
    """The model part of a judgment's cache key: backend and model name."""
    if settings.backend == "openai":
        return f"openai:{settings.openai.model}"
    model = settings.model
    name = (
        model.removeprefix(PACKAGED_PREFIX)
        if model.startswith(PACKAGED_PREFIX)
        else Path(model).name
    )
    return f"{settings.backend}:{name}"


def prompt_version(settings: JudgeSettings) -> str:
    return TEMPLATES[settings.prompt].version


def create_backend(settings: JudgeSettings) -> JudgeBackend:
    template = TEMPLATES[settings.prompt]
    if settings.backend == "openai":
        from kpreco.judge.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(template, settings.openai)
    path = resolve_model_path(settings.model)
    if settings.backend == "transformers":
        from kpreco.judge.backends.transformers_backend import TransformersBackend

        return TransformersBackend(template, path, settings.batch_size, settings.threads)
    from kpreco.judge.backends.llamacpp import LlamaCppBackend

    return LlamaCppBackend(template, path, settings.threads, settings.context_tokens)
