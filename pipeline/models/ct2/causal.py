"""Decoder-only instruct models run by ``ctranslate2.Generator`` (Qwen2/2.5/3, Gemma 3, Mistral; Llama and
Gemma 2 where CTranslate2 runs them as transformers does, see :func:`~pipeline.models.ct2.families.unfaithful`).

The checkpoint is converted once into the conversion cache (:mod:`pipeline.models.ct2.cache`), after the family
and the faithfulness checks. Prompts are rendered and tokenized exactly as by the transformers backend
(:mod:`pipeline.models.prompts`); the prompt tokens go to ``generate_batch`` with
``include_prompt_in_result=False`` (only new tokens come back), ``end_token`` = every end-of-turn id of the
generation config, and the checkpoint's generation settings mapped by
:func:`~pipeline.models.ct2.plan.decoding_plan` (``max_new_tokens`` → ``max_length``, which then counts new
tokens only). Sampling (Qwen's generation config samples) starts every batch from ``runtime.seed``.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pipeline.config import ConfigError
from pipeline.hub import model_provenance
from pipeline.models.conventions import read_conventions
from pipeline.models.ct2.backend import _load_tokenizer, release_freed_memory, resolve_compute_type, thread_layout
from pipeline.models.ct2.cache import cache_root, ensure_converted, is_converted, stored_weights
from pipeline.models.ct2.families import refuse_unconvertible
from pipeline.models.ct2.plan import decoding_plan
from pipeline.models.generation import Generated
from pipeline.models.loading import capped_generation, check_family, import_ctranslate2, merged_generation_config
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

# decoding_plan's translate_batch arguments -> generate_batch's; the others have no Generator counterpart
_RENAMED = {"max_decoding_length": "max_length", "min_decoding_length": "min_length"}
_DROPPED = ("coverage_penalty", "max_input_length")


def _config_json(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _check_before_conversion(spec: ModelSpec) -> None:
    """A local checkpoint folder of a family CTranslate2 cannot run faithfully is refused before converting
    (a hub id is checked the same way by the conversion itself, before the converter runs)."""
    folder = Path(spec.name)
    if not folder.is_dir() or is_converted(folder):
        return
    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(folder)
    family = check_family(spec, config, AutoTokenizer.from_pretrained(folder))
    refuse_unconvertible(family, spec.role, spec.name, config)


class CTranslate2Causal(PromptedModel):
    """A decoder-only instruct checkpoint run by CTranslate2's Generator (converted on first use, then cached)."""

    backend = "ctranslate2"

    def __init__(self, spec: ModelSpec, *, device: str, compute_type: str = "auto", threads: int | None = None,
                 workers: int | None = None, cache_dir: str | None = None, seed: int = 0):
        ct2 = import_ctranslate2()
        if not (device == "cpu" or device.startswith("cuda")):
            raise ConfigError(f"runtime.device {device!r}: the ctranslate2 backend runs on 'cpu' or 'cuda[:N]'")
        self.device, self.seed = device, seed
        self.compute_type_requested = compute_type
        self.compute_type = resolve_compute_type(ct2, compute_type, device)
        given = Path(spec.name)
        if given.is_dir() and is_converted(given):
            self.folder = given
        else:
            _check_before_conversion(spec)
            self.folder = ensure_converted(spec, cache_root(cache_dir), stored_weights(self.compute_type))
        hf = self.folder / "hf" if (self.folder / "hf").is_dir() else self.folder
        from transformers import GenerationConfig

        try:
            self.tokenizer = _load_tokenizer(hf)
            self._base_generation = GenerationConfig.from_pretrained(hf)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"{hf}: cannot load the tokenizer or generation_config.json of the converted model "
                              f"({exc}); put the checkpoint's files in {self.folder / 'hf'}") from None
        self._config = SimpleNamespace(**_config_json(hf))
        self.family = check_family(spec, self._config, self.tokenizer)
        refuse_unconvertible(self.family, spec.role, spec.name, _config_json(hf))
        self.chat = ChatFormat(self.tokenizer, name=spec.name, role=spec.role)
        self._context = context_limit(self._config, self.tokenizer)
        self._markup = markup_ids(self.tokenizer)
        self._threads, self._workers = threads, workers
        self._configure(spec)
        self.inter_threads, self.intra_threads = thread_layout(threads, workers, device=device,
                                                               sampling=self._sampling)
        self._ct2 = ct2
        self.generator = self._new_generator()
        self._provenance = model_provenance(spec.name, spec.revision)
        log.info("loaded %s with ctranslate2.Generator (%s, %s)", spec.name, device, self.generator.compute_type)

    def _new_generator(self) -> Any:
        """A generator whose worker threads start their random generators from the run's seed (CTranslate2 seeds a
        thread's generator when the thread starts; ``generate_batch`` takes no seed)."""
        self._ct2.set_random_seed(self.seed)
        self._sampled = False
        index = int(self.device.split(":")[1]) if ":" in self.device else 0
        return self._ct2.Generator(str(self.folder), device="cuda" if self.device.startswith("cuda") else "cpu",
                                   device_index=index, compute_type=self.compute_type,
                                   inter_threads=self.inter_threads, intra_threads=self.intra_threads)

    def _configure(self, spec: ModelSpec) -> None:
        """Prompts, generation settings, decoding options and input budget for ``spec`` (no loading)."""
        self.spec = spec
        self.conventions = read_conventions(self.family, self._config, self.tokenizer, None, role=spec.role,
                                            name=spec.name, prefix="")
        self.prompter = Prompter(self.chat, spec)
        gen = merged_generation_config(self._base_generation, spec)
        gen.max_new_tokens = max_new_tokens(self._base_generation, spec)
        self._eos = eos_ids(gen, self.tokenizer)
        gen.eos_token_id = sorted(self._eos)
        self.generation_config = gen
        self.options = self._options(gen)
        self._sampling = self.options["sampling_topk"] != 1
        overhead = self.prompter.count_tokens([""])[0]
        self.max_input_tokens, self.context = input_budget(spec, context=self._context,
                                                           max_new_tokens=gen.max_new_tokens, overhead=overhead)

    def _options(self, gen: Any) -> dict[str, Any]:
        """``generate_batch`` arguments for the generation settings ``gen``."""
        plan = decoding_plan(gen, tokenizer=self.tokenizer, vocabulary=set(self.tokenizer.get_vocab()),
                             role=self.spec.role)
        options = {_RENAMED.get(k, k): v for k, v in plan.options.items() if k not in _DROPPED}
        options["end_token"] = sorted(self._eos)  # ids: CTranslate2 stops at any of them
        options["include_prompt_in_result"] = False
        return options

    def capped(self, max_new_tokens: int) -> CTranslate2Causal:
        """This model decoding greedily, at most ``max_new_tokens`` new tokens (the load-time check), with the same
        generator, prompt and end-of-turn ids."""
        new = copy.copy(self)
        new.generation_config = capped_generation(self.generation_config, max_new_tokens)
        new.options = new._options(new.generation_config)
        new._sampling = False
        return new

    def reconfigured(self, spec: ModelSpec, *, seed: int) -> CTranslate2Causal | None:
        """This model set up for ``spec`` (either role), sharing the loaded generator; None when the change needs
        a new generator: another seed, or sampling switched on or off (it changes the thread layout)."""
        if seed != self.seed:
            return None
        new = copy.copy(self)
        new._configure(spec)
        new._sampled = True  # the shared generator's threads may have sampled: the copy's first sample reseeds
        layout = thread_layout(self._threads, self._workers, device=self.device, sampling=new._sampling)
        return new if layout == (self.inter_threads, self.intra_threads) else None

    def generate_batch(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Generated]:
        rows = self.prompter.ids(texts, languages)
        check_fits(rows, limit=self.context, new_tokens=self.generation_config.max_new_tokens)
        prompts = [self.tokenizer.convert_ids_to_tokens(row) for row in rows]
        part = -(-len(prompts) // self.inter_threads) if self.inter_threads > 1 else 0
        if self._sampling:
            # every sampled batch starts from the run's seed, as with transformers (torch.manual_seed per batch),
            # so a resumed run samples what an uninterrupted one did: a new generator per sampled batch
            if self._sampled:
                self.generator = self._new_generator()
            self._sampled = True
        results = self.generator.generate_batch(prompts, max_batch_size=part, **self.options)
        out = finish([r.sequences_ids[0] for r in results], eos=self._eos, markup=self._markup,
                     tokenizer=self.tokenizer)
        if self.device == "cpu":
            release_freed_memory()
        return out

    def describe(self) -> dict[str, Any]:
        return {
            **self._provenance,
            "backend": self.backend,
            "ctranslate2_version": self._ct2.__version__,
            "device": self.device,
            "compute_type": self.generator.compute_type,
            "compute_type_requested": self.compute_type_requested,
            "inter_threads": self.inter_threads,
            "intra_threads": self.intra_threads,
            "converted_model": str(self.folder),
            "max_input_tokens": self.max_input_tokens,
            "context_tokens": self.context,
            **self.conventions.describe(),
            **self.prompter.describe(),
            "generation": {k: v for k, v in self.generation_config.to_diff_dict().items() if not k.startswith("_")},
            "decoding": dict(self.options),
        }
