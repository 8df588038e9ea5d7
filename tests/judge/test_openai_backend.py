"""The `openai` backend against a real HTTP server on loopback (SmolLM2 behind it)."""

from __future__ import annotations

import random
import time

import pytest

from kpreco.config import OpenAISettings
from kpreco.judge.backends import resolve_model_path
from kpreco.judge.backends.base import JudgeRequest
from kpreco.judge.backends.llamacpp import LlamaCppBackend
from kpreco.judge.backends.openai_backend import OpenAIBackend, RateLimiter, backoff_delay
from kpreco.judge.prompt import TEMPLATES
from tests.conftest import base_url

SECRET = "sk-test-do-not-leak-0123456789"
REQUESTS = [
    JudgeRequest("i1", k, "Hallbrook Grey Leather Sofa", "furniture", k)
    for k in ("couch", "leather sofa", "coffee table", "grey settee")
] + [JudgeRequest("i2", "sneakers", "Stridex Mens Running Shoes", None, "sneakers")]


def settings(server, **overrides) -> OpenAISettings:
    values = {
        "base_url": base_url(server),
        "model": "judge",
        "top_logprobs": 20,
        "backoff_base_s": 0.01,
    }
    return OpenAISettings(**{**values, **overrides})


def test_completions_and_chat_agree_with_the_in_process_model(llm_server) -> None:
    server = llm_server()
    completions = OpenAIBackend(TEMPLATES["instruction"], settings(server)).judge(REQUESTS)
    chat = OpenAIBackend(TEMPLATES["instruction"], settings(server, api="chat")).judge(REQUESTS)
    local = LlamaCppBackend(
        TEMPLATES["instruction"], resolve_model_path("packaged:smollm2-135m"), 2, 2048
    )
    direct = local.judge(REQUESTS)
    local.close()
    assert all(r.status == "ok" for r in completions + chat)
    for api, in_process in zip(completions, direct, strict=True):
        # The API sees only the top-20 tokens, the in-process judge every logit.
        assert api.p_relevant == pytest.approx(in_process.p_relevant, abs=0.05)
    assert [r.p_relevant for r in chat] == pytest.approx(
        [r.p_relevant for r in completions], abs=1e-9
    )


def test_api_key_comes_from_the_environment_and_never_leaks(llm_server, monkeypatch) -> None:
    server = llm_server(api_key=SECRET)
    monkeypatch.setenv("KPRECO_TEST_KEY", SECRET)
    with_key = OpenAIBackend(
        TEMPLATES["instruction"], settings(server, api_key_env="KPRECO_TEST_KEY")
    )
    assert [r.status for r in with_key.judge(REQUESTS[:2])] == ["ok", "ok"]
    monkeypatch.setenv("KPRECO_TEST_KEY", "wrong-key")
    failed = with_key.judge(REQUESTS[:1])[0]
    assert failed.status == "failed" and "HTTP 401" in failed.error
    assert SECRET not in repr(failed) and "wrong-key" not in repr(failed)


def test_transient_faults_are_retried_until_every_pair_succeeds(llm_server) -> None:
    transient = ("503", "429", "slow", "garbage", "truncated")
    server = llm_server(fault_rate=0.4, seed=3, slow_seconds=3.0, faults=transient)
    backend = OpenAIBackend(
        TEMPLATES["instruction"], settings(server, max_retries=12, timeout_s=2.0, concurrency=3)
    )
    results = backend.judge(REQUESTS * 3)
    assert [r.status for r in results] == ["ok"] * 15, [r.error for r in results if r.error]
    assert server.model.requests > 15 - 1  # faults (other than 503/429) still reach the model


def test_a_body_without_logprobs_fails_its_pair_without_retrying(llm_server) -> None:
    server = llm_server(fault_rate=1.0, faults=("no_logprobs",))
    backend = OpenAIBackend(TEMPLATES["instruction"], settings(server, max_retries=5))
    results = backend.judge(REQUESTS[:2])
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("no logprobs (after 1 attempt)" in r.error for r in results)


def test_without_retries_faults_are_recorded_per_pair(llm_server) -> None:
    # The timeout sits far from both a real answer (the model's prompt evaluation, which a busy
    # machine slows several-fold) and the slow fault, so the split does not depend on load.
    server = llm_server(fault_rate=0.6, seed=5, slow_seconds=30.0)
    backend = OpenAIBackend(
        TEMPLATES["instruction"], settings(server, max_retries=0, timeout_s=10.0)
    )
    results = backend.judge(REQUESTS * 4)
    failed = [r for r in results if r.status == "failed"]
    assert failed and len(failed) < len(results)
    assert any("HTTP 503" in r.error or "HTTP 429" in r.error for r in failed)
    assert all("(after 1 attempt)" in r.error for r in failed)
    assert all(r.p_relevant is None and r.error for r in failed)
    assert all(0 < r.p_relevant < 1 for r in results if r.status == "ok")


def test_unreachable_server_fails_pairs_without_raising() -> None:
    closed = OpenAISettings(
        base_url="http://127.0.0.1:9/v1", max_retries=1, backoff_base_s=0.01, timeout_s=0.5
    )
    results = OpenAIBackend(TEMPLATES["instruction"], closed).judge(REQUESTS[:2])
    assert [r.status for r in results] == ["failed", "failed"]
    assert "after 2 attempts" in results[0].error


def test_rate_limiter_spaces_requests() -> None:
    limiter = RateLimiter(rate=50.0)
    started = time.monotonic()
    for _ in range(11):
        limiter.acquire()
    assert time.monotonic() - started >= 10 / 50.0 - 0.01


def test_backoff_is_bounded_full_jitter() -> None:
    rng = random.Random(0)
    delays = [backoff_delay(attempt, 0.5, 4.0, rng) for attempt in range(8) for _ in range(50)]
    assert min(delays) >= 0.0 and max(delays) <= 4.0
    assert max(backoff_delay(0, 0.5, 4.0, rng) for _ in range(200)) <= 0.5
