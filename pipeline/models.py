"""Load a seq2seq checkpoint (hub id or local folder) and generate with its own generation settings.

This is the transformers backend: ``AutoTokenizer`` + ``AutoModelForSeq2SeqLM.generate`` under
``torch.inference_mode``. The decoding settings are the checkpoint's ``generation_config`` updated with the
user's ``generation`` overrides; the input limit is read from the tokenizer and the model config.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError
from pipeline.conventions import (
    Conventions,
    SourceLanguages,
    UnknownFamily,
    family_of,
    language_code_tokens,
    read_conventions,
)
from pipeline.generation import Generated, ModelLoadError
from pipeline.speedups import apply_speedups

log = logging.getLogger(__name__)

_UNLIMITED = 1_000_000  # tokenizers without a limit report a huge model_max_length


class _SupersededLengthFilter(logging.Filter):
    """Drop transformers' note that max_new_tokens overrides the checkpoint's max_length: that is the
    documented meaning of a `generation.max_new_tokens` override, not a problem worth a line per batch."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seem to have been set" not in record.getMessage()


logging.getLogger("transformers.generation.utils").addFilter(_SupersededLengthFilter())


@dataclass(frozen=True)
class ModelSpec:
    # 'translation' or 'summarization': the config section the model comes from
    role: str
    # hub id or local folder
    name: str
    # hub revision; None = default branch
    revision: str | None
    # GenerationConfig overrides
    generation: Mapping[str, Any]
    # requested input budget; None = the model's limit
    max_input_tokens: int | None
    # text before every input; None = the checkpoint's own (task_specific_params), '' = none
    prefix: str | None = None
    # multilingual translators: language (ISO 639-1) texts come in when none is given per text; None = 'de'
    source_language: str | None = None
    # multilingual translators: language (ISO 639-1) to translate into
    target_language: str = "en"


@functools.lru_cache(maxsize=1)
def hub_reachable() -> bool:
    """One quick probe of the hub (no retries): unreachable means cache-only loading, at once, instead of
    huggingface_hub's minute of retries per file before it falls back to the cache."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    try:
        urllib.request.urlopen(constants.ENDPOINT, timeout=5).close()
    except urllib.error.HTTPError:
        return True  # it answered
    except (OSError, ValueError):
        log.warning("the Hugging Face hub (%s) cannot be reached; loading models from the local cache only",
                    constants.ENDPOINT)
        return False
    return True


def load_error(spec: ModelSpec, exc: BaseException) -> ModelLoadError:
    """A message that names the model, where it was looked for, and the ways to fix it."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        reason = ", and HF_HUB_OFFLINE=1 forbids downloading"
    elif not hub_reachable():
        reason = f", and the hub ({constants.ENDPOINT}) cannot be reached"
    else:
        reason = ", and the hub has no such model or revision (or it needs a token: huggingface-cli login)"
    where = (f"it is not a local folder ({os.path.abspath(spec.name)} does not exist), not in the Hugging Face "
             f"cache ({constants.HF_HUB_CACHE}){reason}")
    if Path(spec.name).is_dir():
        where = f"the folder {os.path.abspath(spec.name)} exists but is not a complete checkpoint"
    return ModelLoadError(
        f"cannot load the {spec.role} model {spec.name!r}"
        + (f" (revision {spec.revision!r})" if spec.revision else "")
        + f": {where}. ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})\n"
        f"Fix: set {spec.role}.model to a local folder holding the checkpoint; or run "
        f"`python scripts/download_models.py CONFIG --to models/` on a machine with internet access and copy "
        f"the folder over; or, with the files in the cache, set HF_HUB_OFFLINE=1 (and HF_HUB_CACHE if the "
        f"cache is elsewhere)."
    )


def model_provenance(name: str, revision: str | None) -> dict[str, Any]:
    """Where the checkpoint came from: the resolved hub commit, or the local folder with a config digest."""
    path = Path(name)
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(path.iterdir()):
            if file.is_file() and file.suffix in {".json", ".txt", ".spm", ".model"}:
                digest.update(file.name.encode() + file.read_bytes())
        return {"model": name, "local_path": str(path.resolve()), "files_sha256": digest.hexdigest()}
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name, "config.json", revision=revision)
    commit = None
    if isinstance(cached, str):
        match = re.search(r"snapshots[\\/]([0-9a-f]{40})[\\/]", cached)
        commit = match.group(1) if match else None
    return {"model": name, "revision": revision, "commit": commit}


def input_limit(tokenizer: Any, config: Any) -> int:
    """The most input tokens the model takes: the smaller of the tokenizer's and the (encoder) position
    embeddings' (LED: max_encoder_position_embeddings). Relative positions (T5) leave the tokenizer's."""
    limits = [int(tokenizer.model_max_length)] if tokenizer.model_max_length < _UNLIMITED else []
    positions = getattr(config, "max_encoder_position_embeddings", None) or getattr(
        config, "max_position_embeddings", None)
    if positions:
        limits.append(int(positions))
    if not limits:
        raise ModelLoadError("the model declares no input limit (model_max_length / max_position_embeddings)")
    return min(limits)


def resolve_budget(spec: ModelSpec, limit: int) -> int:
    if spec.max_input_tokens is None:
        return limit
    if spec.max_input_tokens > limit:
        raise ConfigError(
            f"config key '{spec.role}.max_input_tokens': {spec.max_input_tokens} exceeds the input limit of "
            f"{spec.name!r} ({limit} tokens); expected null or an integer <= {limit}"
        )
    return spec.max_input_tokens


# beam-search-only settings a checkpoint may carry (distilbart: early_stopping, length_penalty 2.0), with
# the values that mean "off": without beams they would only make the strict validation fail
BEAM_ONLY = {"early_stopping": False, "length_penalty": 1.0}


def merged_generation_config(base: Any, spec: ModelSpec) -> Any:
    """The model's GenerationConfig with the user's overrides applied and validated.

    With ``num_beams: 1`` (greedy or sampling), the checkpoint's beam-only settings are switched off unless
    the overrides set them too, so that ``generation: {num_beams: 1}`` is all a user writes for greedy search.
    """
    gen = copy.deepcopy(base)
    try:
        unknown = gen.update(**dict(spec.generation))
        if unknown:
            raise ConfigError(f"unknown generation setting(s) for {spec.role}: {', '.join(sorted(unknown))}")
        if gen.num_beams == 1:
            for key, off in BEAM_ONLY.items():
                if key not in spec.generation and getattr(gen, key) != off:
                    log.info("%s: %s=%r of the checkpoint applies to beam search only; off with num_beams 1",
                             spec.role, key, getattr(gen, key))
                    setattr(gen, key, off)
        gen.validate(strict=True)
    except ConfigError:
        raise
    except Exception as exc:  # transformers raises ValueError or warns-as-error with the reason
        raise ConfigError(f"config key '{spec.role}.generation': {exc}") from None
    return gen


def check_family(spec: ModelSpec, config: Any, tokenizer: Any) -> Any:
    """The checkpoint's family (pipeline.families); ModelLoadError for an architecture the product does not
    know (encoder-only, decoder-only, unknown seq2seq) or a family that does not fill the role."""
    try:
        return family_of(config, type(tokenizer).__name__, role=spec.role)
    except UnknownFamily as exc:
        raise ModelLoadError(f"cannot use the {spec.role} model {spec.name!r}: {exc}") from None


def family_generation(base: Any, conventions: Conventions) -> Any:
    """The checkpoint's GenerationConfig with the family's conventions: the forced first target token of a
    multilingual translator (the target language's code), and task_specific_params settings it lacks (T5)."""
    gen = copy.deepcopy(base)
    for key, value in conventions.generation_defaults.items():
        setattr(gen, key, value)
    if conventions.target_token_id is not None:
        gen.forced_bos_token_id = conventions.target_token_id
    return gen


class TransformersSeq2Seq(SourceLanguages):
    """A seq2seq checkpoint run by transformers on one device."""

    backend = "transformers"

    def __init__(self, spec: ModelSpec, *, device: str, dtype: Any, quantize: bool = False, seed: int = 0):
        import torch
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
        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(spec.name, revision=spec.revision, dtype=dtype,
                                                          local_files_only=local_only)
        except (OSError, ValueError) as exc:
            raise load_error(spec, exc) from None
        model.eval()
        self.quantized = False
        if quantize:
            if device != "cpu":
                raise ConfigError(f"runtime.quantize: dynamic int8 quantization runs on CPU only, not {device!r}")
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            self.quantized = True
        self.model = model.to(device)
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
