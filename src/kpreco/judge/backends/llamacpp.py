"""In-process GGUF judge through llama-cpp-python, reusing the KV cache of the shared prefix.

Consecutive requests of one item share system prompt, examples and title: only the tokens
after the longest common prefix with the previous prompt are evaluated.

Evaluation restarts only at fixed places of a prompt: after the system prompt and examples
(every prompt's), after the item's title and category (every keyphrase's of the item), and
each of those parts is evaluated as one batch. The logits of a batch depend, in the last
bits, on where it starts and how long it is, so restarting wherever the previous prompt
happened to diverge made P of the same prompt differ by up to 0.026 with what was judged
before it (measured on the default judge); with fixed places the same prompt gives the same
logits whatever came before.
"""

from __future__ import annotations

import time
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np

from kpreco.judge.answer import NO_WORDS, YES_WORDS, p_yes_from_logits, single_token_ids
from kpreco.judge.backends.base import (
    OK,
    JudgeBackend,
    JudgeRequest,
    JudgeResult,
    common_prefix_length,
)
from kpreco.judge.prompt import PromptTemplate, chatml

# Texts that differ in their first character's kind (letter, digit, symbol): where prompts
# with them part is where any two prompts may part (a tokenizer merges a quote with a letter).
_PROBES = ("a", "1", "[")


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
        self._shared_prefix: dict[PromptTemplate, int] = {}
        self._item_prefix: tuple[tuple, int] = ((), 0)

    def _tokenize_plain(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode(), add_bos=False, special=False)

    def tokens(self, request: JudgeRequest) -> list[int]:
        messages = self.template.messages(
            request.title, request.category, request.keyphrase_display
        )
        return self.llm.tokenize(chatml(messages).encode(), add_bos=False, special=True)

    @property
    def shared_prefix(self) -> int:
        """Tokens every prompt starts with: the system prompt and the examples."""
        if self.template not in self._shared_prefix:  # the benchmarks swap templates
            probes = [self.tokens(JudgeRequest("", p, p, None, p)) for p in _PROBES]
            self._shared_prefix[self.template] = common_prefix_length(probes)
        return self._shared_prefix[self.template]

    def item_prefix(self, request: JudgeRequest) -> int:
        """Tokens every prompt of the request's item (title, category) starts with."""
        item = (self.template, request.title, request.category)
        if self._item_prefix[0] != item:  # an item's keyphrases come one after another
            probes = [replace(request, keyphrase_display=probe) for probe in _PROBES]
            self._item_prefix = (item, common_prefix_length([self.tokens(p) for p in probes]))
        return self._item_prefix[1]

    def next_token_logits(self, tokens: list[int], restarts: tuple[int, ...] = ()) -> np.ndarray:
        """Logits after `tokens`, evaluating only what differs from the cached prompt.

        With `restarts` (positions in `tokens`), evaluation starts from the last of them (or
        0) that the cached prompt shares, and the rest is evaluated in batches split there:
        the logits depend on the prompt alone, not on the one before it."""
        cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
        # Re-evaluate at least the last token: its logits are what we read.
        common = min(common_prefix_length([cached, tokens]), len(tokens) - 1)
        if restarts:
            common = max(r for r in (0, *restarts) if r <= common)
        self.llm.n_tokens = common
        ends = [r for r in restarts if common < r < len(tokens)] + [len(tokens)]
        for start, end in pairwise([common, *ends]):
            self.llm.eval(tokens[start:end])
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
                restarts = (self.shared_prefix, self.item_prefix(request))
                logits = self.next_token_logits(tokens, restarts)
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
