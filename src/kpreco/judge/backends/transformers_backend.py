"""In-process judge through transformers: batched, left-padded, with a shared-prefix KV cache.

The GPU path (on CPU it works, slowly: a GGUF is dequantised to fp32, about 7 GB for the
1.5B). For each run of requests of one item, the common prompt prefix (system, examples,
title) is encoded once; its KV cache is repeated across the batch, and only the left-padded
suffixes (the keyphrases) are run, with positions continuing after the prefix.
"""

from __future__ import annotations

import time
from itertools import groupby
from pathlib import Path

from kpreco.judge.answer import NO_WORDS, YES_WORDS, p_yes_from_logits, single_token_ids
from kpreco.judge.backends.base import (
    OK,
    JudgeBackend,
    JudgeRequest,
    JudgeResult,
    common_prefix_length,
)
from kpreco.judge.prompt import PromptTemplate, chatml


class TransformersBackend(JudgeBackend):
    def __init__(self, template: PromptTemplate, model_path: Path, batch_size: int, threads: int):
        super().__init__(template)
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        torch.set_num_threads(threads)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        if model_path.suffix == ".gguf":
            folder, extra = str(model_path.parent), {"gguf_file": model_path.name}
        else:
            folder, extra = str(model_path), {}
        self.tokenizer = AutoTokenizer.from_pretrained(folder, **extra)
        self.model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, **extra)
        self.model.to(self.device).eval()
        self.batch_size = batch_size
        self.pad_id = self.tokenizer.pad_token_id
        if self.pad_id is None:
            self.pad_id = self.tokenizer.eos_token_id or 0
        self.yes_ids = single_token_ids(self._tokenize_plain, YES_WORDS)
        self.no_ids = single_token_ids(self._tokenize_plain, NO_WORDS)

    def _tokenize_plain(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False)

    def tokens(self, request: JudgeRequest) -> list[int]:
        messages = self.template.messages(
            request.title, request.category, request.keyphrase_display
        )
        return self.tokenizer.encode(chatml(messages), add_special_tokens=False)

    def _prefix_cache(self, prefix: list[int]):
        with self.torch.no_grad():
            ids = self.torch.tensor([prefix], device=self.device)
            output = self.model(input_ids=ids, use_cache=True)
            return getattr(output, "cache", None) or output.past_key_values

    def _batch_cache(self, prefix_cache, size: int):
        from transformers import DynamicCache

        return DynamicCache(
            [
                (
                    keys.expand(size, -1, -1, -1).contiguous(),
                    values.expand(size, -1, -1, -1).contiguous(),
                )
                for keys, values, *_ in prefix_cache
            ]
        )

    def next_token_logits(self, sequences: list[list[int]]):
        """Last-position logits for each sequence (numpy, one row each)."""
        torch = self.torch
        shared = min(common_prefix_length(sequences), min(len(s) for s in sequences) - 1)
        prefix_cache = self._prefix_cache(sequences[0][:shared]) if shared else None
        suffixes = [s[shared:] for s in sequences]
        width = max(len(s) for s in suffixes)
        ids = torch.full((len(suffixes), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(suffixes), width), dtype=torch.long)
        for row, suffix in enumerate(suffixes):
            ids[row, width - len(suffix) :] = torch.tensor(suffix)
            mask[row, width - len(suffix) :] = 1
        positions = (shared + mask.cumsum(dim=1) - 1).clamp(min=shared)
        full_mask = torch.cat([torch.ones((len(suffixes), shared), dtype=torch.long), mask], dim=1)
        inputs = {
            "input_ids": ids.to(self.device),
            "attention_mask": full_mask.to(self.device),
            "position_ids": positions.to(self.device),
        }
        if prefix_cache is not None:
            inputs["cache"] = self._batch_cache(prefix_cache, len(suffixes))
        with torch.no_grad():
            # Only the last position's logits are needed (logits_to_keep=1 saves the rest).
            logits = self.model(
                **inputs, use_cache=prefix_cache is not None, logits_to_keep=1
            ).logits[:, -1, :]
        return logits.float().cpu().numpy()

    def _judge_group(self, requests: list[JudgeRequest]) -> list[JudgeResult]:
        started = time.perf_counter()
        try:
            logits = self.next_token_logits([self.tokens(r) for r in requests])
        except Exception as error:
            elapsed = (time.perf_counter() - started) * 1000.0
            return [JudgeResult.failure(repr(error), elapsed / len(requests))] * len(requests)
        per_request = (time.perf_counter() - started) * 1000.0 / len(requests)
        results = []
        for row in logits:
            answer = self.tokenizer.decode([int(row.argmax())])
            p_yes = p_yes_from_logits(row, self.yes_ids, self.no_ids)
            results.append(JudgeResult(p_yes, answer, OK, None, per_request))
        return results

    def judge(self, requests: list[JudgeRequest]) -> list[JudgeResult]:
        results: list[JudgeResult] = []
        for _, group in groupby(requests, key=lambda r: (r.title, r.category)):
            items = list(group)
            for start in range(0, len(items), self.batch_size):
                results += self._judge_group(items[start : start + self.batch_size])
        return results
