"""A judge behind any OpenAI-compatible HTTP API (vLLM, TGI, llama.cpp server, Ollama, hosted).

One answer token is requested with its top log-probabilities (completions: `logprobs: k`;
chat: `logprobs: true, top_logprobs: k`), and P(relevant) comes from those, as in-process.
Per worker: at most `concurrency` requests in flight, at most `requests_per_second` started;
429, 5xx, timeouts, connection errors and unreadable bodies are retried with exponential
backoff and full jitter. The API key is read from the environment variable named in config
and sent only in the Authorization header: it is never logged, raised or stored.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from kpreco.config import OpenAISettings
from kpreco.judge.answer import MissingAnswerLogprobs, p_yes_from_top_logprobs
from kpreco.judge.backends.base import OK, JudgeBackend, JudgeRequest, JudgeResult
from kpreco.judge.prompt import PromptTemplate, chatml

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class RetryableError(RuntimeError):
    """A transient failure worth another attempt."""


class RateLimiter:
    """At most `rate` acquisitions per second across threads (evenly spaced)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next_slot = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = time.monotonic()
            wait = self.next_slot - now
            self.next_slot = max(now, self.next_slot) + self.interval
        if wait > 0:
            time.sleep(wait)


# Retries are hand-written, not tenacity's `Retrying`: with it the loop in `_call` is about as
# long (what retries, what fails at once and the attempt count in the failure message stay
# ours either way), and a seeded `rng` keeps the waits reproducible in tests.
def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^attempt)]."""
    return rng.uniform(0.0, min(cap, base * (2**attempt)))


def top_logprobs_of(body: dict, api: str) -> dict[str, float]:
    """The first generated token's {token: logprob} from a completions or chat response."""
    choice = body["choices"][0]
    logprobs = choice.get("logprobs")
    if not logprobs:
        raise MissingAnswerLogprobs("the response holds no logprobs")
    if api == "chat":
        first = logprobs["content"][0]
        return {entry["token"]: float(entry["logprob"]) for entry in first["top_logprobs"]}
    return {token: float(value) for token, value in logprobs["top_logprobs"][0].items()}


def answer_text(body: dict, api: str) -> str:
    choice = body["choices"][0]
    return (
        (choice.get("message") or {}).get("content") or ""
        if api == "chat"
        else choice.get("text") or ""
    )


class OpenAIBackend(JudgeBackend):
    def __init__(self, template: PromptTemplate, settings: OpenAISettings):
        super().__init__(template)
        self.settings = settings
        self.limiter = RateLimiter(settings.requests_per_second)
        self.rng = random.Random()
        self.url = settings.base_url.rstrip("/") + (
            "/chat/completions" if settings.api == "chat" else "/completions"
        )

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.settings.api_key_env or "", "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def payload(self, request: JudgeRequest) -> dict:
        messages = self.template.messages(
            request.title, request.category, request.keyphrase_display
        )
        common = {"model": self.settings.model, "max_tokens": 1, "temperature": 0.0}
        if self.settings.api == "chat":
            return {
                **common,
                "messages": messages,
                "logprobs": True,
                "top_logprobs": self.settings.top_logprobs,
            }
        return {**common, "prompt": chatml(messages), "logprobs": self.settings.top_logprobs}

    def _post_once(self, body: bytes) -> dict:
        request = urllib.request.Request(
            self.url, data=body, headers=self._headers(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            message = f"HTTP {error.code} from {self.url}"
            if error.code in RETRYABLE_STATUS:
                raise RetryableError(message) from None
            raise RuntimeError(message) from None
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RetryableError(f"{type(error).__name__}: {reason}") from None
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise RetryableError(f"unreadable body ({len(raw)} bytes)") from None

    def _call(self, request: JudgeRequest) -> JudgeResult:
        started = time.perf_counter()
        body = json.dumps(self.payload(request)).encode()
        last_error = "no attempt"
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                time.sleep(
                    backoff_delay(
                        attempt - 1,
                        self.settings.backoff_base_s,
                        self.settings.backoff_max_s,
                        self.rng,
                    )
                )
            self.limiter.acquire()
            try:
                response = self._post_once(body)
                top = top_logprobs_of(response, self.settings.api)
                p_yes = p_yes_from_top_logprobs(top)
                raw = answer_text(response, self.settings.api)
                return JudgeResult(p_yes, raw, OK, None, (time.perf_counter() - started) * 1000.0)
            except RetryableError as error:
                last_error = str(error)
            except (
                MissingAnswerLogprobs,
                KeyError,
                IndexError,
                TypeError,
                ValueError,
                RuntimeError,
            ) as error:
                last_error = f"{type(error).__name__}: {error}"
                break
        attempts = f"after {attempt + 1} attempt{'s' if attempt else ''}"
        return JudgeResult.failure(
            f"{last_error} ({attempts})", (time.perf_counter() - started) * 1000.0
        )

    def judge(self, requests: list[JudgeRequest]) -> list[JudgeResult]:
        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            return list(pool.map(self._call, requests))
