"""A small OpenAI-compatible server over a local GGUF model (llama.cpp): `/v1/completions` and
`/v1/chat/completions` answering one token with its top log-probabilities.

For trying the `openai` judge backend without a GPU cluster, and for testing it: with
`fault_rate` > 0 it answers that share of requests with a fault (503, 429, a slow response,
a garbage or truncated body, or a body without logprobs), so clients' retries can be tested.

    python -m tests.judge_server --model packaged:smollm2-135m --port 8000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from kpreco.judge.backends import resolve_model_path
from kpreco.judge.backends.llamacpp import LlamaCppBackend
from kpreco.judge.prompt import TEMPLATES, chatml

FAULTS = ("503", "429", "slow", "garbage", "truncated", "no_logprobs")


class LogprobModel:
    """Top-k next-token log-probabilities of a prompt, one request at a time."""

    def __init__(self, model: str, threads: int = 2, context: int = 2048):
        self.backend = LlamaCppBackend(
            TEMPLATES["instruction"], resolve_model_path(model), threads, context
        )
        self.lock = threading.Lock()
        self.requests = 0

    def top_logprobs(self, prompt: str, k: int) -> list[tuple[str, float]]:
        llm = self.backend.llm
        with self.lock:
            self.requests += 1
            tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
            logits = self.backend.next_token_logits(tokens).astype(np.float64)
            shifted = logits - logits.max()
            logprobs = shifted - math.log(np.exp(shifted).sum())
            best = np.argsort(-logprobs)[:k]
            return [
                (llm.detokenize([int(i)]).decode("utf-8", errors="replace"), float(logprobs[i]))
                for i in best
            ]


def completion_body(model: str, top: list[tuple[str, float]]) -> dict:
    token, logprob = top[0]
    return {
        "object": "text_completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "text": token,
                "finish_reason": "length",
                "logprobs": {
                    "tokens": [token],
                    "token_logprobs": [logprob],
                    "top_logprobs": [dict(top)],
                },
            }
        ],
    }


def chat_body(model: str, top: list[tuple[str, float]]) -> dict:
    token, logprob = top[0]
    entries = [{"token": t, "logprob": lp} for t, lp in top]
    return {
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "length",
                "message": {"role": "assistant", "content": token},
                "logprobs": {
                    "content": [{"token": token, "logprob": logprob, "top_logprobs": entries}]
                },
            }
        ],
    }


def make_handler(
    model: LogprobModel,
    name: str,
    api_key: str | None,
    fault_rate: float,
    seed: int,
    slow_seconds: float = 5.0,
    faults: tuple[str, ...] = FAULTS,
):
    rng = random.Random(seed)
    rng_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: tests and users read their own logs
            return

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            # The client may have given up (a timeout): nothing is left to answer then.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

        def _fault(self) -> str | None:
            with rng_lock:
                return rng.choice(faults) if rng.random() < fault_rate else None

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if api_key and self.headers.get("Authorization") != f"Bearer {api_key}":
                return self._send(401, b'{"error": "invalid api key"}')
            chat = self.path.rstrip("/").endswith("/chat/completions")
            if not chat and not self.path.rstrip("/").endswith("/completions"):
                return self._send(404, b'{"error": "not found"}')
            fault = self._fault()
            if fault in ("503", "429"):
                return self._send(int(fault), b'{"error": "injected fault"}')
            if fault == "slow":
                time.sleep(slow_seconds)
            k = (
                int(body.get("top_logprobs") or body.get("logprobs") or 5)
                if chat
                else int(body.get("logprobs") or 5)
            )
            prompt = chatml(body["messages"]) if chat else body["prompt"]
            top = model.top_logprobs(prompt, max(1, min(k, 20)))
            answer = chat_body(name, top) if chat else completion_body(name, top)
            if fault == "no_logprobs":
                answer["choices"][0]["logprobs"] = None
            payload = json.dumps(answer).encode()
            if fault == "garbage":
                return self._send(200, b"<html>502 Bad Gateway</html>")
            if fault == "truncated":
                return self._send(200, payload[: len(payload) // 2])
            return self._send(200, payload)

    return Handler


def serve(
    model: str,
    host: str,
    port: int,
    api_key: str | None = None,
    fault_rate: float = 0.0,
    seed: int = 0,
    name: str = "judge",
    slow_seconds: float = 5.0,
    faults: tuple[str, ...] = FAULTS,
) -> ThreadingHTTPServer:
    """Start serving in a background thread; returns the server (call `shutdown()` to stop).

    `server.model.requests` counts the prompts the model evaluated.
    """
    logprob_model = LogprobModel(model)
    handler = make_handler(logprob_model, name, api_key, fault_rate, seed, slow_seconds, faults)
    server = ThreadingHTTPServer((host, port), handler)
    server.model = logprob_model
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="packaged:smollm2-135m")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--name", default="judge", help="the model name clients send")
    parser.add_argument("--api-key-env", help="require the key held in this environment variable")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    import os

    key = os.environ.get(args.api_key_env) if args.api_key_env else None
    server = serve(args.model, args.host, args.port, key, args.fault_rate, name=args.name)
    print(f"serving {args.model} on http://{args.host}:{server.server_port}/v1", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
