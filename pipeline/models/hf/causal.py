"""Decoder-only instruct models (Qwen2/2.5/3, Llama 3.x, Gemma 2/3, Mistral, Phi-3) run by transformers.

``AutoModelForCausalLM.generate`` on prompts rendered by the checkpoint's chat template
(:mod:`pipeline.models.prompts`). Batches are padded on the left with an attention mask (generate derives the
positions from it), so a text's output does not depend on the batch it is in (greedy, float32); only the new
tokens are decoded, cut at the first end-of-turn id of the generation config. The checkpoint's own generation
settings apply (Qwen's sample: seeded per batch with ``runtime.seed``, as the seq2seq backend does).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.hub import hub_reachable, model_provenance
from pipeline.models.conventions import read_conventions
from pipeline.models.generation import Generated
from pipeline.models.hf.backend import load_weights
from pipeline.models.loading import capped_generation, check_family, load_error, merged_generation_config
from pipeline.models.prompts import (
    ChatFormat,
    PromptedModel,
    Prompter,
    check_fits,
    context_limit,
    eos_ids,
    finish,
    input_budget,
    markup_ids,
    max_new_tokens,
)
from pipeline.models.spec import ModelSpec

log = logging.getLogger(__name__)


class TransformersCausal(PromptedModel):
    """A decoder-only instruct checkpoint run by transformers on one device; prompted for its role."""

    backend = "transformers"

    def __init__(self, spec: ModelSpec, *, device: str, dtype: Any, quantize: bool = False, seed: int = 0):
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

        local_only = not Path(spec.name).is_dir() and not hub_reachable()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(spec.name, revision=spec.revision,
                                                           local_files_only=local_only)
            config = AutoConfig.from_pretrained(spec.name, revision=spec.revision, local_files_only=local_only)
        except (OSError, ValueError) as exc:
            raise load_error(spec, exc) from None
        self.family = check_family(spec, config, self.tokenizer)
        self.chat = ChatFormat(self.tokenizer, name=spec.name, role=spec.role)  # refuses a missing template
        model = self.model = load_weights(AutoModelForCausalLM, spec, dtype=dtype, device=device,
                                          quantize=quantize, local_only=local_only)
        self.quantized = quantize
        self.device, self.dtype, self.seed = device, dtype, seed
        self._context = context_limit(model.config, self.tokenizer)
        self._markup = markup_ids(self.tokenizer)
        self._provenance = model_provenance(spec.name, spec.revision)
        self._configure(spec)

    def _configure(self, spec: ModelSpec) -> None:
        """Prompts, generation settings and input budget for ``spec`` (no loading)."""
        self.spec = spec
        model = self.model
        self.conventions = read_conventions(self.family, model.config, self.tokenizer, None, role=spec.role,
                                            name=spec.name, prefix="")
        self.prompter = Prompter(self.chat, spec)
        gen = merged_generation_config(model.generation_config, spec)
        gen.max_new_tokens = max_new_tokens(model.generation_config, spec)
        self._eos = eos_ids(gen, self.tokenizer)
        gen.eos_token_id = sorted(self._eos)
        pad = gen.pad_token_id if gen.pad_token_id is not None else self.tokenizer.pad_token_id
        self._pad = pad if pad is not None else min(self._eos)  # Llama 3 and Mistral have no pad token
        gen.pad_token_id = self._pad
        self.generation_config = gen
        overhead = self.prompter.count_tokens([""])[0]
        self.max_input_tokens, self.context = input_budget(spec, context=self._context,
                                                           max_new_tokens=gen.max_new_tokens, overhead=overhead)

    def reconfigured(self, spec: ModelSpec, *, seed: int) -> TransformersCausal:
        """This model set up for ``spec`` (either role: the same checkpoint serves both) and ``seed``, sharing
        the loaded weights and tokenizer."""
        new = copy.copy(self)
        new.seed = seed
        new._configure(spec)
        return new

    def capped(self, max_new_tokens: int) -> TransformersCausal:
        """This model decoding greedily, at most ``max_new_tokens`` new tokens (the load-time check), with the same
        prompt, end-of-turn ids and padding."""
        new = copy.copy(self)
        new.generation_config = capped_generation(self.generation_config, max_new_tokens)
        return new

    def generate_batch(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Generated]:
        import torch

        rows = self.prompter.ids(texts, languages)
        gen = self.generation_config
        check_fits(rows, limit=self.context, new_tokens=gen.max_new_tokens)
        width = max(len(row) for row in rows)
        input_ids = torch.tensor([[self._pad] * (width - len(row)) + row for row in rows], device=self.device)
        mask = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows], device=self.device)
        with torch.inference_mode():
            if gen.do_sample:
                torch.manual_seed(self.seed)
            out = self.model.generate(input_ids=input_ids, attention_mask=mask, generation_config=gen)
        return finish(out[:, width:].tolist(), eos=self._eos, markup=self._markup, tokenizer=self.tokenizer)

    def describe(self) -> dict[str, Any]:
        import torch

        gen = self.generation_config
        return {
            **self._provenance,
            "backend": self.backend,
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "quantized_int8": self.quantized,
            "threads": torch.get_num_threads(),
            "max_input_tokens": self.max_input_tokens,
            "context_tokens": self.context,
            "sliding_window": getattr(self.model.config, "sliding_window", None),
            **self.conventions.describe(),
            **self.prompter.describe(),
            "generation": {k: v for k, v in gen.to_diff_dict().items() if not k.startswith("_")},
        }
