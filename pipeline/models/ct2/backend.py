"""The CTranslate2 backend: the same checkpoint, converted once, run by ``ctranslate2.Translator``.

Install with ``pip install '.[fast]'``. Text goes through the checkpoint's own Hugging Face tokenizer in
both directions (tokens → ``translate_batch`` → ``convert_tokens_to_ids`` → ``decode``), so the output text
is what the transformers backend would print for the same tokens. The model families it runs (Marian, BART,
NLLB-200, M2M100, mBART-50, Pegasus, T5) and what differs per family (language codes, the decoder start, the
T5 prefix, LED's refusal) are in :mod:`pipeline.models.ct2.families`.

**Conversion cache.** A hub id or a local checkpoint folder is converted on first use with
``ctranslate2.converters.TransformersConverter`` into ``<cache>/ct2/<name>-<weights>-<key>/`` where
``<cache>`` is ``runtime.cache_dir`` or ``~/.cache/de-en-summarize`` and ``<key>`` digests the model id,
revision and resolved commit (hub) or the folder's file digest and its weight files' sizes and mtimes (local
folder), the stored weight type and the CTranslate2 major version. Later runs reuse the folder. Two runs
that start at once both convert into a private temporary folder beside the target and rename it into place;
rename is atomic, and the loser deletes its copy and uses the winner's.

**Quantization.** ``compute_type`` ``auto`` means int8 on CPU and int8_float16 on CUDA (int8 weights,
float16 activations: the smallest and fastest choice for Marian/BART; a GPU without int8 support gets
float16, then float32). The copy is stored in the weight type of the compute type (:func:`stored_weights`):
every int8 compute type (int8, int8_float32, int8_float16, int8_bfloat16) shares one int8 copy, float32 and
'default' one float32 copy. CTranslate2 could quantize a float32 copy at load time instead, but it reads the
whole float32 file first: for a distilbart-cnn-12-6-sized model (int8 on CPU, torch and transformers
imported) the process then peaked at 1.5 GB and loaded in 3.3 s, against 0.64 GB and 0.8 s from the int8 copy.

**Already converted folders.** ``model`` may name a folder holding ``model.bin`` (CTranslate2's
``config.json`` and vocabulary beside it) plus the checkpoint's tokenizer files and ``generation_config.json``,
either in an ``hf/`` subfolder (the layout this module writes, which also keeps the checkpoint's
``config.json``) or directly beside ``model.bin`` (``ct2-transformers-converter --copy_files ...``).

**Decoding parameters** are the checkpoint's ``generation_config`` plus the user's overrides, mapped to
``translate_batch`` arguments by :func:`decoding_plan` (see its table). CTranslate2's own defaults (beam 2,
256 steps, inputs cut at 1024 tokens) never apply: every argument is passed explicitly and inputs are not
truncated. A setting CTranslate2 cannot honour raises a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import copy
import ctypes
import ctypes.util
import functools
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline.config import ConfigError
from pipeline.hub import model_provenance
from pipeline.models.conventions import SourceLanguages, language_code_tokens, read_conventions
from pipeline.models.ct2.cache import cache_root, ensure_converted, is_converted, stored_weights
from pipeline.models.ct2.families import checkpoint_config, refuse_unconvertible, start_prefix
from pipeline.models.ct2.plan import decoding_plan, token_ids
from pipeline.models.generation import Generated
from pipeline.models.loading import (
    capped_generation,
    check_family,
    family_generation,
    import_ctranslate2,
    input_limit,
    merged_generation_config,
    resolve_budget,
)
from pipeline.models.spec import ModelSpec

log = logging.getLogger(__name__)

# -- compute type -----------------------------------------------------------------------------------------


def resolve_compute_type(ct2: ModuleType, requested: str, device: str) -> str:
    """'auto' → int8 on CPU, int8_float16 on CUDA (else float16, else float32); others checked to exist."""
    kind = "cuda" if device.startswith("cuda") else "cpu"
    supported = set(ct2.get_supported_compute_types(kind))
    if requested == "auto":
        preference = ("int8_float16", "float16", "float32") if kind == "cuda" else ("int8", "float32")
        return next(t for t in preference if t in supported)
    if requested != "default" and requested not in supported:
        raise ConfigError(f"compute_type {requested!r} is not supported by CTranslate2 on {kind}; expected "
                          f"'auto', 'default' or one of {', '.join(sorted(supported))}")
    return requested


# -- the backend ------------------------------------------------------------------------------------------


def _read_vocabulary(folder: Path) -> set[str]:
    for name in ("target_vocabulary.json", "shared_vocabulary.json"):
        if (folder / name).is_file():
            return set(json.loads((folder / name).read_text(encoding="utf-8")))
    for name in ("target_vocabulary.txt", "shared_vocabulary.txt"):
        if (folder / name).is_file():
            return set((folder / name).read_text(encoding="utf-8").splitlines())
    raise ConfigError(f"{folder} holds model.bin but no CTranslate2 vocabulary file")


def _checkpoint_files(folder: Path, spec: ModelSpec) -> tuple[Any, Any, Any]:
    """The tokenizer, the checkpoint's own generation config (before the family's conventions and the user's
    overrides) and its model config (a namespace of ``config.json``, see
    :func:`~pipeline.ct2_families.checkpoint_config`) kept beside a converted model: in ``folder/hf`` or, for
    a folder converted elsewhere, in ``folder`` itself."""
    from transformers import GenerationConfig

    hf = folder / "hf" if (folder / "hf").is_dir() else folder
    try:
        tokenizer = _load_tokenizer(hf)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{hf}: cannot load the tokenizer of the converted model ({exc}); put the "
                          f"checkpoint's tokenizer files in {folder / 'hf'}") from None
    if not (hf / "generation_config.json").is_file():
        raise ConfigError(f"{hf} has no generation_config.json; copy the checkpoint's generation_config.json "
                          f"(and tokenizer files) into {folder / 'hf'}")
    if "decoder_start_token_id" in spec.generation:
        raise ConfigError(f"generation setting '{spec.role}.generation.decoder_start_token_id' is fixed when "
                          f"the model is converted; the ctranslate2 backend cannot override it")
    config = checkpoint_config(_json(hf / "config.json"), type(tokenizer).__name__)
    return tokenizer, GenerationConfig.from_pretrained(hf), config


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _load_tokenizer(hf: Path) -> Any:
    """The tokenizer class that ``tokenizer_config.json`` names, loaded directly: ``AutoTokenizer`` goes through
    ``AutoConfig``, which imports torch (about 220 MB of memory that a CTranslate2 run has no use for). It gives
    the same class; without a ``tokenizer_class`` entry, ``AutoTokenizer`` decides."""
    import transformers

    name = _json(hf / "tokenizer_config.json").get("tokenizer_class")
    tokenizer_class = getattr(transformers, name, None) if isinstance(name, str) else None
    if tokenizer_class is None:
        return transformers.AutoTokenizer.from_pretrained(hf)
    return tokenizer_class.from_pretrained(hf)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None on other C libraries."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Hand the memory freed by the last batch back to the system.

    Each CTranslate2 worker thread allocates from its own glibc arena, and glibc keeps what is freed there
    for reuse; from batch to batch, buffers of changing sizes then leave the arenas fragmented and the
    process grows. Measured on the benchmark (2 workers, 7 documents twice): peak RSS 1,317 -> 1,599 MB
    without, 1,121 -> 1,190 MB with ``malloc_trim`` after every batch, at the same speed.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def available_threads() -> int:
    """The CPU threads this process should use: OMP_NUM_THREADS when set (Ray sets it per actor), else the
    cores it may run on."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        pass
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def thread_layout(threads: int | None, workers: int | None, *, device: str, sampling: bool) -> tuple[int, int]:
    """(inter_threads, intra_threads) for CTranslate2.

    On CPU a batch is split between ``workers`` replicas (sharing one copy of the weights), each decoding its
    part on ``threads // workers`` threads: CTranslate2 spreads one batch's many small per-step operations
    poorly over threads, and on 2 cores two 1-thread workers decode opus-mt 20-25% and distilbart about 15%
    faster than one 2-thread worker. Sampling keeps one worker: each worker has its own random generator,
    and which one gets which part is not fixed. On CUDA one worker uses the device.
    """
    if device != "cpu":
        return 1, threads or 0
    total = threads or available_threads()
    if sampling:
        return 1, total
    inter = workers or (1 if total == 1 else max(2, total // 4))
    return inter, max(1, total // inter)


class CTranslate2Seq2Seq(SourceLanguages):
    """A seq2seq checkpoint run by CTranslate2 (converted on first use, then cached).

    ``threads`` and ``workers`` give CTranslate2's intra and inter threads (see :func:`thread_layout`).
    """

    backend = "ctranslate2"

    def __init__(self, spec: ModelSpec, *, device: str, compute_type: str = "auto", threads: int | None = None,
                 workers: int | None = None, cache_dir: str | None = None, seed: int = 0):
        ct2 = import_ctranslate2()
        if not (device == "cpu" or device.startswith("cuda")):
            raise ConfigError(f"runtime.device {device!r}: the ctranslate2 backend runs on 'cpu' or 'cuda[:N]'")
        self.spec = spec
        self.device = device
        self.seed = seed
        self.compute_type_requested = compute_type
        self.compute_type = resolve_compute_type(ct2, compute_type, device)
        given = Path(spec.name)
        if given.is_dir() and is_converted(given):
            self.folder = given
        else:
            self.folder = ensure_converted(spec, cache_root(cache_dir), stored_weights(self.compute_type))
        self._threads, self._workers = threads, workers
        self._configure(spec)
        sampling = self.plan.options["sampling_topk"] != 1
        self.inter_threads, self.intra_threads = thread_layout(threads, workers, device=device, sampling=sampling)
        self._ct2 = ct2
        self.translator = self._new_translator()
        self._provenance = model_provenance(spec.name, spec.revision, cache_dir=cache_dir)
        log.info("loaded %s with ctranslate2 (%s, %s)", spec.name, device, self.translator.compute_type)

    def _new_translator(self) -> Any:
        """A translator whose worker threads start their random generators from the run's seed: CTranslate2
        seeds a thread's generator when the thread starts (``set_random_seed`` before it), and
        ``translate_batch`` takes no seed."""
        self._ct2.set_random_seed(self.seed)
        self._sampled = False
        index = int(self.device.split(":")[1]) if ":" in self.device else 0
        return self._ct2.Translator(str(self.folder), device="cuda" if self.device.startswith("cuda") else "cpu",
                                    device_index=index, compute_type=self.compute_type,
                                    inter_threads=self.inter_threads, intra_threads=self.intra_threads)

    def _configure(self, spec: ModelSpec) -> None:
        """What follows from the spec without loading the model: tokenizer files, the family's conventions
        (language codes, prefix), generation settings, decoding plan and input budget."""
        self.spec = spec
        self.tokenizer, base_generation, model_config = _checkpoint_files(self.folder, spec)
        family = check_family(spec, model_config, self.tokenizer)
        refuse_unconvertible(family, spec.role, spec.name)
        self.conventions = read_conventions(
            family, model_config, self.tokenizer, base_generation, role=spec.role, name=spec.name,
            prefix=spec.prefix, source_language=spec.source_language, target_language=spec.target_language)
        self.generation_config = merged_generation_config(family_generation(base_generation, self.conventions),
                                                          spec)
        self._prefix = self.conventions.prefix
        self._set_source(self.conventions.source_code(None))
        # language codes are no text (M2M100's tokenizer does not count them as special), as in TransformersSeq2Seq
        self._codes = language_code_tokens(self.conventions, self.tokenizer)
        self.max_input_tokens = resolve_budget(spec, input_limit(self.tokenizer, model_config))
        self._vocabulary = _read_vocabulary(self.folder)
        plan = decoding_plan(self.generation_config, tokenizer=self.tokenizer, vocabulary=self._vocabulary,
                             role=spec.role)
        start = self.generation_config.decoder_start_token_id
        stored = _json(self.folder / "config.json").get("decoder_start_token")
        self.plan = replace(plan, prefix=start_prefix(
            stored, self.tokenizer.convert_ids_to_tokens(start) if start is not None else None,
            zero_start=family.name == "marian") + plan.prefix)
        self._eos = {self.tokenizer.convert_ids_to_tokens(t) for t in token_ids(self.generation_config.eos_token_id)}

    def reconfigured(self, spec: ModelSpec, *, seed: int) -> CTranslate2Seq2Seq | None:
        """This model with another spec's generation settings and input budget, sharing the loaded
        translator; None when the change needs a new translator: another seed (CTranslate2 seeds its threads
        when they start) or sampling switched on or off (it changes the thread layout)."""
        if seed != self.seed:
            return None
        new = copy.copy(self)
        new._configure(spec)
        new._sampled = True  # the shared translator's generators may have run: the copy's first sample reseeds
        sampling = new.plan.options["sampling_topk"] != 1
        layout = thread_layout(self._threads, self._workers, device=self.device, sampling=sampling)
        return new if layout == (self.inter_threads, self.intra_threads) else None

    def capped(self, max_new_tokens: int) -> CTranslate2Seq2Seq:
        """This model decoding greedily, at most ``max_new_tokens`` new tokens (the load-time check), with the
        same translator, target prefix and end tokens."""
        new = copy.copy(self)
        new.generation_config = capped_generation(self.generation_config, max_new_tokens)
        plan = decoding_plan(new.generation_config, tokenizer=self.tokenizer, vocabulary=self._vocabulary,
                             role=self.spec.role)
        new.plan = replace(plan, prefix=self.plan.prefix)
        return new

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input tokens of each text: prefix, language code and special tokens included."""
        if not texts:
            return []
        inputs = [self._prefix + text for text in texts]
        return [len(ids) for ids in self.tokenizer(inputs, truncation=False, verbose=False)["input_ids"]]

    def generate_batch(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[Generated]:
        """Generate for one batch. ``languages``: each text's source language (ISO 639-1; multilingual
        translators only; None = translation.source_language or German)."""
        ids = self.source_ids([self._prefix + text for text in texts], languages)
        source = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        prefix = [list(self.plan.prefix)] * len(source) if self.plan.prefix else None
        # one part per worker (CTranslate2 splits the batch by length and decodes the parts in parallel)
        part = -(-len(source) // self.inter_threads) if self.inter_threads > 1 else 0
        if self.plan.options["sampling_topk"] != 1:
            # sampling: every batch starts from the run's seed, as the transformers backend's does
            # (torch.manual_seed per batch), so a batch samples the same whatever ran before it (a resume
            # included); CTranslate2 reseeds only new threads, hence a new translator per sampled batch
            if self._sampled:
                self.translator = self._new_translator()
            self._sampled = True
        results = self.translator.translate_batch(source, prefix, max_batch_size=part, **self.plan.options)
        limit = self.plan.options["max_decoding_length"]
        out = []
        for result in results:
            hypothesis = result.hypotheses[0]
            finished = bool(hypothesis) and hypothesis[-1] in self._eos
            tokens = len(hypothesis)
            if not finished and self.plan.forced_eos and tokens >= limit:
                tokens += 1  # transformers emits the forced EOS at this position
            kept = [t for t in hypothesis if t not in self._codes] if self._codes else hypothesis
            text = self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(kept), skip_special_tokens=True)
            out.append(Generated(text.strip(), finished, tokens))
        if self.device == "cpu":
            release_freed_memory()
        return out

    def describe(self) -> dict[str, Any]:
        return {
            **self._provenance,
            "backend": self.backend,
            "ctranslate2_version": self._ct2.__version__,
            "device": self.device,
            "compute_type": self.translator.compute_type,
            "compute_type_requested": self.compute_type_requested,
            "inter_threads": self.inter_threads,
            "intra_threads": self.intra_threads,
            "converted_model": str(self.folder),
            "max_input_tokens": self.max_input_tokens,
            **self.conventions.describe(),
            "generation": {k: v for k, v in self.generation_config.to_diff_dict().items() if not k.startswith("_")},
            "decoding": {**self.plan.options, "target_prefix": list(self.plan.prefix),
                         "forced_eos": self.plan.forced_eos},
            "decoding_notes": list(self.plan.notes),
        }
