"""In-process GGUF judge through llama-cpp-python, reusing the KV cache of the shared prefix.

Consecutive requests of one item share system prompt, examples and title: only the tokens
after the longest common prefix with the previous prompt are evaluated.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kpreco.judge.answer import NO_WORDS, YES_WORDS, p_yes_from_logits, single_token_ids
from kpreco.judge.backends.base import OK, JudgeBackend, JudgeRequest, JudgeResult
from kpreco.judge.prompt import PromptTemplate, chatml


class LlamaCppBackend(JudgeBackend):
    def __init__(self, template: PromptTemplate, model_path: Path, threads: int, context: int):
        super().__init__(template)
        import llama_cpp

        self._llama_cpp = llama_cpp
        self.llm = llama_cpp.Llama(
            model_path=str(model_path),
            n_ctx=context,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=512,
            logits_all=False,
            verbose=False,
        )
        self.yes_ids = single_token_ids(self._tokenize_plain, YES_WORDS)
        self.no_ids = single_token_ids(self._tokenize_plain, NO_WORDS)
        self.vocabulary = self.llm.n_vocab()

    def _tokenize_plain(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode(), add_bos=False, special=False)

    def tokens(self, request: JudgeRequest) -> list[int]:
        messages = self.template.messages(
            request.title, request.category, request.keyphrase_display
        )
        return self.llm.tokenize(chatml(messages).encode(), add_bos=False, special=True)

    def next_token_logits(self, tokens: list[int]) -> np.ndarray:
        """Logits after `tokens`, evaluating only what differs from the cached prompt."""
        cached = self.llm.input_ids[: self.llm.n_tokens]
        common = 0
        for left, right in zip(cached, tokens, strict=False):
            if left != right:
                break
            common += 1
        # Re-evaluate at least the last token: its logits are what we read.
        self.llm.n_tokens = min(common, len(tokens) - 1)
        self.llm.eval(tokens[self.llm.n_tokens :])
        pointer = self._llama_cpp.llama_get_logits_ith(self.llm.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(self.vocabulary,)).copy()

    def judge(self, requests: list[JudgeRequest]) -> list[JudgeResult]:
        results = []
        for request in requests:
            started = time.perf_counter()
            try:
                tokens = self.tokens(request)
                if len(tokens) >= self.llm.n_ctx():
                    raise ValueError(f"prompt of {len(tokens)} tokens exceeds the context")
                logits = self.next_token_logits(tokens)
            except Exception as error:
                self.llm.reset()
                results.append(JudgeResult.failure(repr(error), _elapsed(started)))
                continue
            p_yes = p_yes_from_logits(logits, self.yes_ids, self.no_ids)
            best = int(np.argmax(logits))
            raw = self.llm.detokenize([best]).decode("utf-8", errors="replace")
            results.append(JudgeResult(p_yes, raw, OK, None, _elapsed(started)))
        return results

    def close(self) -> None:
        self.llm.close()


def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
