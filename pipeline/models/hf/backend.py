"""Load a seq2seq checkpoint (hub id or local folder) and generate with its own generation settings.

This is the transformers backend: ``AutoTokenizer`` + ``AutoModelForSeq2SeqLM.generate`` under
``torch.inference_mode``. The decoding settings are the checkpoint's ``generation_config`` updated with the
user's ``generation`` overrides; the input limit is read from the tokenizer and the model config.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError
from pipeline.hub import hub_reachable, model_provenance
from pipeline.models.conventions import SourceLanguages, language_code_tokens, read_conventions
from pipeline.models.generation import Generated
from pipeline.models.hf.speedups import apply_speedups
from pipeline.models.loading import (
    capped_generation,
    check_family,
    family_generation,
    input_limit,
    load_error,
    merged_generation_config,
    resolve_budget,
)
from pipeline.models.spec import ModelSpec

log = logging.getLogger(__name__)


class _SupersededLengthFilter(logging.Filter):
    """Drop transformers' note that max_new_tokens overrides the checkpoint's max_length: that is the
    documented meaning of a `generation.max_new_tokens` override, not a problem worth a line per batch."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seem to have been set" not in record.getMessage()


logging.getLogger("transformers.generation.utils").addFilter(_SupersededLengthFilter())


def load_weights(auto_class: Any, spec: ModelSpec, *, dtype: Any, device: str, quantize: bool, local_only: bool
                 ) -> Any:
    """The checkpoint's weights through ``auto_class`` (seq2seq or causal), in eval mode on ``device``;
    ``quantize``: dynamic int8 linear layers (CPU only)."""
    import torch

    try:
        model = auto_class.from_pretrained(spec.name, revision=spec.revision, dtype=dtype,
                                           local_files_only=local_only)
    except (OSError, ValueError) as exc:
        raise load_error(spec, exc) from None
    model.eval()
    if quantize:
        if device != "cpu":
            raise ConfigError(f"runtime.quantize: dynamic int8 quantization runs on CPU only, not {device!r}")
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model.to(device)


class TransformersSeq2Seq(SourceLanguages):
    """A seq2seq checkpoint run by transformers on one device."""

    backend = "transformers"

    def __init__(self, spec: ModelSpec, *, device: str, dtype: Any, quantize: bool = False, seed: int = 0):
        from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

        self.spec = spec
        self.device = device
        self.seed = seed
        local_only = not Path(spec.name).is_dir() and not hub_reachable()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(spec.name, revision=spec.revision,
                                                           local_files_only=local_only)
            config = AutoConfig.from_pretrained(spec.name, revision=spec.revision, local_files_only=local_only)
        except (OSError, ValueError) as exc:
            raise load_error(spec, exc) from None
        family = check_family(spec, config, self.tokenizer)
        self.model = load_weights(AutoModelForSeq2SeqLM, spec, dtype=dtype, device=device, quantize=quantize,
                                  local_only=local_only)
        self.quantized = quantize
        self.dtype = dtype
        self.family = family
        self._configure(spec)
        # the speed-ups where the installed transformers is known to give its stock tokens with them
        self.speedups = apply_speedups(self.model, self.tokenizer, self.generation_config)
        self._provenance = model_provenance(spec.name, spec.revision)

    def _configure(self, spec: ModelSpec) -> None:
        """What follows from the spec without loading: the family's conventions (language codes, prefix),
        generation settings and input budget."""
        self.spec = spec
        model = self.model
        self.conventions = read_conventions(
            self.family, model.config, self.tokenizer, model.generation_config, role=spec.role, name=spec.name,
            prefix=spec.prefix, source_language=spec.source_language, target_language=spec.target_language)
        self.generation_config = merged_generation_config(family_generation(model.generation_config,
                                                                           self.conventions), spec)
        self._set_source(self.conventions.source_code(None))
        codes = language_code_tokens(self.conventions, self.tokenizer)
        self._code_ids: frozenset[int] = frozenset(self.tokenizer.convert_tokens_to_ids(list(codes)))
        self._prefix = self.conventions.prefix
        self.max_input_tokens = resolve_budget(spec, input_limit(self.tokenizer, model.config))
        self._eos = self.generation_config.eos_token_id
        self._pad = self.generation_config.pad_token_id

    def reconfigured(self, spec: ModelSpec, *, seed: int) -> TransformersSeq2Seq:
        """This model with another spec's generation settings and input budget, and another seed, sharing
        the loaded weights and tokenizer (``spec`` names the same checkpoint; nothing is loaded)."""
        new = copy.copy(self)
        new.seed = seed
        new._configure(spec)
        return new

    def capped(self, max_new_tokens: int) -> TransformersSeq2Seq:
        """This model decoding greedily, at most ``max_new_tokens`` new tokens (the load-time check)."""
        new = copy.copy(self)
        new.generation_config = capped_generation(self.generation_config, max_new_tokens)
        return new

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text: prefix, language code and special tokens included."""
        if not texts:
            return []
        inputs = [self._prefix + text for text in texts]
        return [len(ids) for ids in self.tokenizer(inputs, truncation=False, verbose=False)["input_ids"]]

    def _encode(self, texts: Sequence[str], languages: Sequence[str | None] | None) -> Any:
        """Tokenized, padded inputs; with ``languages``, each text carries its own source-language code."""
        inputs = [self._prefix + text for text in texts]
        conventions = self.conventions
        if not conventions.multilingual:
            return self.tokenizer(inputs, return_tensors="pt", padding=True, truncation=False)
        rows = self.source_ids(inputs, languages)
        return self.tokenizer.pad({"input_ids": rows}, return_tensors="pt", padding=True)

    def generate_batch(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Generated]:
        """Generate for one batch. ``languages``: each text's source language (ISO 639-1; multilingual
        translators only; None = translation.source_language or German)."""
        import torch

        enc = self._encode(texts, languages).to(self.device)
        extra = {}
        if self.conventions.family.global_attention_first:
            extra["global_attention_mask"] = torch.zeros_like(enc["input_ids"])
            extra["global_attention_mask"][:, 0] = 1
        with torch.inference_mode():
            if self.generation_config.do_sample:
                torch.manual_seed(self.seed)
            out = self.model.generate(**enc, **extra, generation_config=self.generation_config)
        eos = {self._eos} if isinstance(self._eos, int) else set(self._eos or ())
        gen = self.generation_config
        # the most tokens generate may produce; with forced_eos_token_id the last one is always an EOS, so
        # an EOS there means the output was cut at the limit, not ended by the model
        limit = gen.max_new_tokens if gen.max_new_tokens is not None else (gen.max_length or 0) - 1
        forced_end = gen.forced_eos_token_id is not None
        rows = out.tolist()
        if self._code_ids:  # language codes are no text (M2M100's tokenizer does not count them as special)
            texts = self.tokenizer.batch_decode([[t for t in row if t not in self._code_ids] for row in rows],
                                                skip_special_tokens=True)
        else:
            texts = self.tokenizer.batch_decode(out, skip_special_tokens=True)
        results = []
        for row, text in zip(rows, texts, strict=True):
            body = row[1:]  # drop the decoder start token
            end = next((i for i, t in enumerate(body) if t in eos), None)
            finished = end is not None and not (forced_end and end + 1 >= limit)
            tokens = len(body) - sum(1 for t in body if t == self._pad and t not in eos)
            results.append(Generated(text.strip(), finished, tokens))
        return results

    def describe(self) -> dict[str, Any]:
        import torch

        gen = self.generation_config
        return {
            **self._provenance,
            "backend": self.backend,
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "quantized_int8": self.quantized,
            "attention": getattr(self.model.config, "_attn_implementation", None),
            "beam_search": self.speedups.beam_search,
            "logits_bans": self.speedups.logits_bans,
            "speedups": self.speedups.reason,
            "threads": torch.get_num_threads(),
            "max_input_tokens": self.max_input_tokens,
            **self.conventions.describe(),
            "generation": {k: v for k, v in gen.to_diff_dict().items() if not k.startswith("_")},
        }
