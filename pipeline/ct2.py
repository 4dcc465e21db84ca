"""The CTranslate2 backend: the same checkpoint, converted once, run by ``ctranslate2.Translator``.

Install with ``pip install '.[fast]'``. Text goes through the checkpoint's own Hugging Face tokenizer in
both directions (tokens → ``translate_batch`` → ``convert_tokens_to_ids`` → ``decode``), so the output text
is what the transformers backend would print for the same tokens. The model families it runs (Marian, BART,
NLLB-200, M2M100, mBART-50, Pegasus, T5) and what differs per family (language codes, the decoder start, the
T5 prefix, LED's refusal) are in :mod:`pipeline.ct2_families`.

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
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline.config import ConfigError
from pipeline.conventions import SourceLanguages, language_code_tokens, read_conventions
from pipeline.ct2_families import (
    checkpoint_config,
    refuse_unconvertible,
    start_prefix,
)
from pipeline.ct2_families import converter as family_converter
from pipeline.generation import Generated
from pipeline.models import (
    ModelSpec,
    check_family,
    family_generation,
    hub_reachable,
    input_limit,
    load_error,
    merged_generation_config,
    model_provenance,
    resolve_budget,
)

log = logging.getLogger(__name__)

MISSING_EXTRA = "backend 'ctranslate2' needs the optional extra: pip install '.[fast]'"
DEFAULT_CACHE = Path("~/.cache/de-en-summarize")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".h5", ".msgpack")
# transformers' empty-weights loading (low_cpu_mem_usage) patches torch globally: one conversion per process
# at a time (runs in other processes are kept apart by the atomic rename)
_CONVERTING = threading.Lock()

# transformers' values for generation settings a GenerationConfig leaves unset (None)
_HF_DEFAULTS: dict[str, Any] = {
    "max_length": 20, "min_length": 0, "do_sample": False, "early_stopping": False, "num_beams": 1,
    "temperature": 1.0, "top_k": 50, "top_p": 1.0, "typical_p": 1.0, "repetition_penalty": 1.0,
    "length_penalty": 1.0, "no_repeat_ngram_size": 0, "encoder_no_repeat_ngram_size": 0,
    "num_return_sequences": 1, "epsilon_cutoff": 0.0, "eta_cutoff": 0.0, "encoder_repetition_penalty": 1.0,
    "num_beam_groups": 1, "diversity_penalty": 0.0, "remove_invalid_values": False,
}
# settings mapped to translate_batch arguments (see decoding_plan)
_MAPPED = frozenset({
    "max_length", "max_new_tokens", "min_length", "min_new_tokens", "num_beams", "early_stopping",
    "length_penalty", "no_repeat_ngram_size", "repetition_penalty", "do_sample", "top_k", "top_p",
    "temperature", "bad_words_ids", "suppress_tokens", "forced_bos_token_id", "forced_eos_token_id",
    "eos_token_id", "pad_token_id", "bos_token_id", "decoder_start_token_id", "renormalize_logits",
})
# settings that do not change the output (caching, returned extras, speed-up machinery)
_NO_EFFECT = frozenset({
    "use_cache", "cache_implementation", "cache_config", "max_cache_len", "output_attentions",
    "output_hidden_states", "output_scores", "output_logits", "return_dict_in_generate", "compile_config",
    "disable_compile", "continuous_batching_config", "low_memory", "prefill_chunk_size", "remove_invalid_values",
    "is_assistant", "num_assistant_tokens", "num_assistant_tokens_schedule", "assistant_confidence_threshold",
    "assistant_lookbehind", "target_lookbehind", "assistant_early_exit", "assistant_ensemble_weight",
    "transformers_version",
})


def import_ctranslate2() -> ModuleType:
    """The ``ctranslate2`` module, or a ConfigError that says how to install it."""
    try:
        import ctranslate2
    except ImportError:
        raise ConfigError(MISSING_EXTRA) from None
    return ctranslate2


# -- conversion cache -----------------------------------------------------------------------------------


def is_converted(folder: Path) -> bool:
    """True when ``folder`` holds a CTranslate2 model."""
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def cache_root(cache_dir: str | None) -> Path:
    """Where converted models live: ``<runtime.cache_dir or ~/.cache/de-en-summarize>/ct2``."""
    return Path(cache_dir).expanduser() / "ct2" if cache_dir else DEFAULT_CACHE.expanduser() / "ct2"


def stored_weights(compute_type: str) -> str:
    """The weight type a converted copy is stored in for ``compute_type`` (already resolved, not 'auto').

    All int8 compute types share one int8 copy; 'default' and float32 use the float32 copy. Loading a
    float32 copy with an int8 compute type also works, but reads the whole float32 file first: for
    a distilbart-cnn-12-6-sized model that peaks at 1.5 GB instead of 0.64 GB and loads in 3.3 s, not 0.8 s.
    """
    if compute_type.startswith("int8"):
        return "int8"
    return "float32" if compute_type == "default" else compute_type


def _source_identity(spec: ModelSpec, stored: str) -> dict[str, Any] | None:
    """What the converted copy depends on; None for a hub model not yet in the local cache (commit unknown)."""
    prov = model_provenance(spec.name, spec.revision)
    path = Path(spec.name)
    if path.is_dir():
        weights = sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in path.iterdir()
                         if f.is_file() and f.name.endswith(_WEIGHT_SUFFIXES))
        prov = {"files_sha256": prov["files_sha256"], "weights": weights}
    elif prov.get("commit") is None:
        return None
    import ctranslate2

    major = ctranslate2.__version__.split(".")[0]
    return {**prov, "model": spec.name, "stored": stored, "ctranslate2": major}


def _folder_name(spec: ModelSpec, identity: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(spec.name).name if Path(spec.name).is_dir() else spec.name)
    return f"{slug[-60:]}-{identity['stored']}-{digest}"


def convert_checkpoint(spec: ModelSpec, out_dir: Path, stored: str) -> None:
    """Convert ``spec``'s checkpoint into the empty folder ``out_dir`` with ``stored`` weights; the tokenizer,
    generation config and model config go into ``out_dir/hf`` so that the folder is complete without the
    original checkpoint."""
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    source, revision = spec.name, spec.revision
    try:
        if not Path(spec.name).is_dir() and not hub_reachable():
            # convert the cached snapshot (a folder) rather than let transformers retry the hub per file
            from huggingface_hub import snapshot_download

            source, revision = snapshot_download(spec.name, revision=spec.revision, local_files_only=True), None
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
        generation = GenerationConfig.from_pretrained(source, revision=revision)
        config = AutoConfig.from_pretrained(source, revision=revision)
    except (OSError, ValueError) as exc:
        raise load_error(spec, exc) from None
    # an architecture the product does not know, or a family CTranslate2 cannot convert, stops here
    refuse_unconvertible(check_family(spec, config, tokenizer), spec.role, spec.name)
    log.info("converting %s to CTranslate2 in %s", spec.name, out_dir)
    converter = family_converter(source, revision, int(config.vocab_size))
    with _CONVERTING:
        converter.convert(str(out_dir), quantization=None if stored == "float32" else stored, force=True)
    hf = out_dir / "hf"
    tokenizer.save_pretrained(hf)
    generation.save_pretrained(hf)
    config.save_pretrained(hf)


def _remove_stale_temps(root: Path, max_age_s: float = 86400.0) -> None:
    """Delete temporary folders left by conversions that were killed more than a day ago."""
    import time

    for temp in root.glob(".converting-*"):
        try:
            if time.time() - temp.stat().st_mtime > max_age_s:
                shutil.rmtree(temp, ignore_errors=True)
        except OSError:
            pass


def ensure_converted(spec: ModelSpec, root: Path, stored: str) -> Path:
    """The converted folder for ``spec`` with ``stored`` weights under ``root``: reused when present, else
    converted (race-safe)."""
    identity = _source_identity(spec, stored)
    if identity is not None:
        target = root / _folder_name(spec, identity)
        if is_converted(target):
            log.info("using the converted model in %s", target)
            return target
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(root)
    temp = Path(tempfile.mkdtemp(dir=root, prefix=".converting-"))
    try:
        convert_checkpoint(spec, temp, stored)
        identity = _source_identity(spec, stored) or {"model": spec.name, "revision": spec.revision,
                                                      "stored": stored}
        target = root / _folder_name(spec, identity)
        (temp / "provenance.json").write_text(json.dumps(identity, indent=2, default=str) + "\n",
                                              encoding="utf-8")
        try:
            os.rename(temp, target)
        except OSError:
            if not is_converted(target):
                raise
            log.info("another run converted %s first; using its copy in %s", spec.name, target)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return target


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


# -- decoding parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodingPlan:
    # keyword arguments of Translator.translate_batch, every one explicit
    options: dict[str, Any]
    # tokens every output starts with (BART's forced <s>); empty for none
    prefix: tuple[str, ...] = ()
    # the model forces EOS at the last position (transformers' forced_eos_token_id): CTranslate2 decodes one
    # step less, and an output cut there counts that EOS as transformers does
    forced_eos: bool = False
    # settings approximated rather than reproduced exactly, for the manifest
    notes: tuple[str, ...] = field(default=())


def _value(gen: Any, key: str) -> Any:
    value = getattr(gen, key, None)
    return _HF_DEFAULTS.get(key) if value is None else value


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    return [value] if isinstance(value, int) else list(value)


def decoding_plan(gen: Any, *, tokenizer: Any, vocabulary: set[str], role: str) -> DecodingPlan:
    """Map a transformers GenerationConfig to CTranslate2 ``translate_batch`` arguments.

    ========================================  ==================================================================
    transformers                              CTranslate2
    ========================================  ==================================================================
    num_beams                                 beam_size
    max_new_tokens, else max_length - 1       max_decoding_length (counts the forced BOS and the EOS), minus 1
                                              when forced_eos_token_id is set (transformers forces EOS there)
    min_new_tokens, else min_length - 1       min_decoding_length (same counting), at most the maximum
    length_penalty                            length_penalty
    early_stopping                            patience=1 (True: exact; False/'never': approximated)
    no_repeat_ngram_size                      no_repeat_ngram_size
    repetition_penalty                        repetition_penalty
    do_sample, top_k, top_p, temperature      sampling_topk (1 = off; top_k 0 = whole vocabulary), sampling_topp,
                                              sampling_temperature; seeded once at load (runtime.seed)
    bad_words_ids, suppress_tokens            suppress_sequences (tokens the converted vocabulary lacks, e.g.
                                              Marian's <pad>, cannot be generated anyway and are dropped)
    forced_bos_token_id                       target_prefix [[bos]] (BART's <s>; a multilingual translator's
                                              target language code, set by pipeline.conventions)
    eos_token_id                              end_token; return_end_token=True tells finished outputs apart
    decoder_start_token_id                    fixed at conversion (Marian: zero embedding); overriding it errors
    renormalize_logits                        always on: banned tokens are removed before the softmax; with
                                              false, beam search may rank differently where tokens are banned
                                              (no_repeat_ngram_size, min length): distilbart's setting
    (not a transformers setting)              max_input_length=0 (no truncation), num_hypotheses=1
    ========================================  ==================================================================
    """
    unsupported = [
        f"'{role}.generation.{key}' = {value!r}" for key, value in gen.to_dict().items()
        if not (key.startswith("_") or key in _MAPPED or key in _NO_EFFECT or value is None
                or (key in _HF_DEFAULTS and value == _HF_DEFAULTS[key]))
    ]
    if unsupported:
        raise ConfigError(f"generation setting(s) {', '.join(unsupported)} not supported by the ctranslate2 "
                          f"backend; remove them or use backend 'transformers'")
    notes = []
    tokens = tokenizer.convert_ids_to_tokens
    # transformers counts the decoder start token in max_length/min_length; an unset max_length means 20 new
    if gen.max_new_tokens is not None:
        max_new = gen.max_new_tokens
    else:
        max_new = gen.max_length - 1 if gen.max_length is not None else _HF_DEFAULTS["max_length"]
    min_new = gen.min_new_tokens if gen.min_new_tokens is not None else max((gen.min_length or 0) - 1, 0)
    forced_eos = gen.forced_eos_token_id is not None
    max_steps = max(max_new - 1, 1) if forced_eos else max(max_new, 1)
    early = _value(gen, "early_stopping")
    if early is not True and _value(gen, "num_beams") > 1:
        notes.append(f"early_stopping={early!r} approximated by CTranslate2's patience=1")
    bans = _value(gen, "no_repeat_ngram_size") > 0 or min_new > 0 or gen.bad_words_ids or gen.suppress_tokens
    if not gen.renormalize_logits and _value(gen, "num_beams") > 1 and bans:
        notes.append("renormalize_logits=False approximated: CTranslate2 renormalizes after banning tokens")
    sample = bool(_value(gen, "do_sample"))
    suppress = [list(tokens(_ids(seq))) for seq in (gen.bad_words_ids or [])]
    suppress += [[tokens(t)] for t in _ids(gen.suppress_tokens)]
    kept = [seq for seq in suppress if all(t in vocabulary for t in seq)]
    options: dict[str, Any] = {
        "beam_size": int(_value(gen, "num_beams")),
        "patience": 1.0,
        "num_hypotheses": 1,
        "length_penalty": float(_value(gen, "length_penalty")),
        "coverage_penalty": 0.0,
        "repetition_penalty": float(_value(gen, "repetition_penalty")),
        "no_repeat_ngram_size": int(_value(gen, "no_repeat_ngram_size")),
        "disable_unk": False,
        "suppress_sequences": kept or None,
        "end_token": [tokens(t) for t in _ids(gen.eos_token_id)] or None,
        "return_end_token": True,
        "max_input_length": 0,
        "max_decoding_length": int(max_steps),
        "min_decoding_length": int(min(min_new, max_steps)),
        "sampling_topk": int(_value(gen, "top_k") or 0) if sample else 1,
        "sampling_topp": float(_value(gen, "top_p")) if sample else 1.0,
        "sampling_temperature": float(_value(gen, "temperature")) if sample else 1.0,
    }
    prefix = (tokens(gen.forced_bos_token_id),) if gen.forced_bos_token_id is not None else ()
    return DecodingPlan(options, prefix, forced_eos, tuple(notes))


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
        index = int(device.split(":")[1]) if ":" in device else 0
        # CTranslate2 seeds each worker thread's generator when the thread starts, so sampling is seeded here
        # once per load (the same inputs in the same batches sample the same), not per batch as with torch
        ct2.set_random_seed(seed)
        self.translator = ct2.Translator(str(self.folder), device="cuda" if device.startswith("cuda") else "cpu",
                                         device_index=index, compute_type=self.compute_type,
                                         inter_threads=self.inter_threads, intra_threads=self.intra_threads)
        self._ct2 = ct2
        self._provenance = model_provenance(spec.name, spec.revision)
        log.info("loaded %s with ctranslate2 (%s, %s)", spec.name, device, self.translator.compute_type)

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
        plan = decoding_plan(self.generation_config, tokenizer=self.tokenizer,
                             vocabulary=_read_vocabulary(self.folder), role=spec.role)
        start = self.generation_config.decoder_start_token_id
        stored = _json(self.folder / "config.json").get("decoder_start_token")
        self.plan = replace(plan, prefix=start_prefix(
            stored, self.tokenizer.convert_ids_to_tokens(start) if start is not None else None,
            zero_start=family.name == "marian") + plan.prefix)
        self._eos = {self.tokenizer.convert_ids_to_tokens(t) for t in _ids(self.generation_config.eos_token_id)}

    def reconfigured(self, spec: ModelSpec, *, seed: int) -> CTranslate2Seq2Seq | None:
        """This model with another spec's generation settings and input budget, sharing the loaded
        translator; None when the change needs a new translator: another seed (CTranslate2 seeds its threads
        when they start) or sampling switched on or off (it changes the thread layout)."""
        if seed != self.seed:
            return None
        new = copy.copy(self)
        new._configure(spec)
        sampling = new.plan.options["sampling_topk"] != 1
        layout = thread_layout(self._threads, self._workers, device=self.device, sampling=sampling)
        return new if layout == (self.inter_threads, self.intra_threads) else None

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
