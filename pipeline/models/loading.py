"""What both backends do when they load a checkpoint: its family, input limit, generation settings, and the
error that says how to get a model that cannot be found (no torch import)."""

from __future__ import annotations

import copy
import json
import logging
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline.config import ConfigError
from pipeline.hub import hub_reachable
from pipeline.models.conventions import Conventions, family_of
from pipeline.models.families import Family, UnknownFamily, identify
from pipeline.models.generation import ModelLoadError
from pipeline.models.spec import ModelSpec

log = logging.getLogger(__name__)

MISSING_EXTRA = "backend 'ctranslate2' needs the optional extra: pip install '.[fast]'"

_UNLIMITED = 1_000_000  # tokenizers without a limit report a huge model_max_length


# The way to try the product with no download at all (random weights: the output is noise).
TINY_ROUTE = "python scripts/make_tiny_models.py models/tiny && python -m pipeline.run configs/tiny.yaml"


def looks_local(name: str) -> bool:
    """A model name meant as a folder, not a hub id ``owner/name``: absolute, ``./`` or ``../`` or ``~``, a
    backslash, more than one ``/``, or an ``owner`` part that is a local folder (``models/marian``)."""
    if name.startswith(("/", "./", "../", "~", ".\\", "..\\")) or "\\" in name or name.count("/") > 1:
        return True
    owner, slash, _ = name.partition("/")
    return bool(slash) and Path(owner).is_dir()


def load_error(spec: ModelSpec, exc: BaseException) -> ModelLoadError:
    """A message that names the model, where it was looked for, and the ways to fix it: a local path that does
    not exist is said so (no download advice); a hub id gets the download route, the offline switch unless it is
    already set, and the tiny-model route that needs no download."""
    from huggingface_hub import constants

    revision = f" (revision {spec.revision!r})" if spec.revision else ""
    cause = f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
    head = f"cannot load the {spec.role} model {spec.name!r}{revision}"
    if Path(spec.name).is_dir():
        return ModelLoadError(f"{head}: the folder {os.path.abspath(spec.name)} exists but is not a complete "
                              f"checkpoint {cause}.\nFix: point {spec.role}.model at a folder with the checkpoint's "
                              f"config.json, tokenizer and weights files.")
    if looks_local(spec.name):
        return ModelLoadError(
            f"{head}: no such folder ({os.path.abspath(os.path.expanduser(spec.name))} does not exist; a relative "
            f"path is read from the working directory {os.getcwd()}, and in a config file also from the file's "
            f"folder and the one above it).\nFix: set {spec.role}.model to an existing checkpoint folder"
            + ("; the tiny models are built by `python scripts/make_tiny_models.py models/tiny`"
               if "tiny" in spec.name else "") + ".")
    offline = constants.HF_HUB_OFFLINE
    if offline:
        reason = ", and HF_HUB_OFFLINE=1 (set) forbids downloading"
    elif not hub_reachable():
        reason = f", and the hub ({constants.ENDPOINT}) cannot be reached"
    else:
        reason = ", and the hub has no such model or revision (or it needs a token: huggingface-cli login)"
    fixes = [f"set {spec.role}.model to a local folder holding the checkpoint",
             "run `python scripts/download_models.py CONFIG --to models/` on a machine with internet access and "
             "copy the folder over"]
    if not offline:
        fixes.append("with the files in the Hugging Face cache, set HF_HUB_OFFLINE=1")
    fixes.append(f"if the cache is elsewhere, set HF_HUB_CACHE (now {constants.HF_HUB_CACHE})")
    fixes.append(f"to try the pipeline with no download at all: `{TINY_ROUTE}` (random weights: the output is noise)")
    return ModelLoadError(
        f"{head}: it is not a local folder ({os.path.abspath(spec.name)} does not exist), not in the Hugging Face "
        f"cache ({constants.HF_HUB_CACHE}){reason}. {cause}\nFix: " + "; or ".join(fixes) + ".")


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
# sampling-only settings a checkpoint may carry (Qwen, Llama 3, Gemma 3: temperature, top_p, top_k), unset when
# the overrides switch sampling off: greedy search ignores them, and they would only fail the strict validation
SAMPLING_ONLY = ("temperature", "top_p", "top_k", "min_p", "typical_p")


def merged_generation_config(base: Any, spec: ModelSpec) -> Any:
    """The model's GenerationConfig with the user's overrides applied and validated.

    With ``num_beams: 1`` (greedy or sampling), the checkpoint's beam-only settings are switched off unless
    the overrides set them too, so that ``generation: {num_beams: 1}`` is all a user writes for greedy search;
    likewise its sampling-only settings without ``do_sample`` (``generation: {do_sample: false}`` on Qwen).
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
        if not gen.do_sample:
            for key in SAMPLING_ONLY:
                if key not in spec.generation and getattr(gen, key, None) is not None:
                    setattr(gen, key, None)
        gen.validate(strict=True)
    except ConfigError:
        raise
    except Exception as exc:  # transformers raises ValueError or warns-as-error with the reason
        raise ConfigError(f"config key '{spec.role}.generation': {exc}") from None
    return gen


# the load-time check's values of every setting that makes decoding search, sample or run long: explicit (an
# unset value would be filled in from the checkpoint's generation_config by transformers' generate)
_CAPPED = {
    "num_beams": 1, "do_sample": False, "temperature": 1.0, "top_k": 50, "top_p": 1.0, "typical_p": 1.0,
    "epsilon_cutoff": 0.0, "eta_cutoff": 0.0, "num_beam_groups": 1, "diversity_penalty": 0.0,
    "num_return_sequences": 1, "min_length": 0, "min_new_tokens": 0, **BEAM_ONLY,
}


def capped_generation(gen: Any, max_new_tokens: int) -> Any:
    """``gen`` for the load-time check: greedy, at most ``max_new_tokens`` new tokens, no minimum length; every
    setting that decides what a token may be (forced tokens, language codes, bans, repetition rules) kept."""
    capped = copy.deepcopy(gen)
    for key, value in _CAPPED.items():
        if hasattr(capped, key):
            setattr(capped, key, value)
    capped.max_new_tokens = max_new_tokens
    return capped


def check_family(spec: ModelSpec, config: Any, tokenizer: Any) -> Any:
    """The checkpoint's family (pipeline.models.families); ModelLoadError for an architecture the product does not
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


def checkpoint_json(spec: ModelSpec, filename: str) -> dict[str, Any] | None:
    """``filename`` of the checkpoint as a dict, read without loading anything: from a local folder (or its
    ``hf/`` subfolder, where a converted copy keeps the checkpoint's files), else from the Hugging Face cache,
    else from the hub when it is reachable; None when it cannot be read."""
    folder = Path(spec.name)
    if folder.is_dir():
        paths = [folder / filename, folder / "hf" / filename]
        path = next((p for p in paths if p.is_file()), None)
    else:
        from huggingface_hub import hf_hub_download, try_to_load_from_cache

        cached = try_to_load_from_cache(spec.name, filename, revision=spec.revision)
        path = Path(cached) if isinstance(cached, str) else None
        if path is None and cached is None and hub_reachable():
            try:
                path = Path(hf_hub_download(spec.name, filename, revision=spec.revision))
            except Exception:  # no such file or repository, or a network failure: loading will say
                path = None
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def peek_family(spec: ModelSpec) -> Family | None:
    """The checkpoint's family from its ``config.json`` (and ``tokenizer_config.json``'s tokenizer class), read
    before the model is loaded or converted; None when those files cannot be read or name no family the product
    knows for the role (loading then says what is wrong)."""
    config = checkpoint_json(spec, "config.json")
    if config is None:
        return None
    tokenizer = (checkpoint_json(spec, "tokenizer_config.json") or {}).get("tokenizer_class")
    try:
        return identify(config.get("model_type"), tokenizer if isinstance(tokenizer, str) else None,
                        role=spec.role, is_encoder_decoder=bool(config.get("is_encoder_decoder", False)))  # type: ignore[arg-type]
    except UnknownFamily:
        return None


def import_ctranslate2() -> ModuleType:
    """The ``ctranslate2`` module, or a ConfigError that says how to install it."""
    try:
        import ctranslate2
    except ImportError:
        raise ConfigError(MISSING_EXTRA) from None
    return ctranslate2


def checkpoint_kind(spec: ModelSpec) -> str:
    """'causal' for a checkpoint of a decoder-only instruct family, else 'seq2seq', read from its config.json
    (a local folder, a converted folder's ``hf/``, or the hub cache) without loading anything else. A config
    that cannot be read gives 'seq2seq': the seq2seq loader then says what is missing."""
    import json

    from pipeline.models.families import FAMILIES

    folder = Path(spec.name)
    path: Path | None = None
    if folder.is_dir():
        path = next((p for p in (folder / "hf" / "config.json", folder / "config.json") if p.is_file()), None)
    else:
        try:
            from huggingface_hub import hf_hub_download

            path = Path(hf_hub_download(spec.name, "config.json", revision=spec.revision,
                                        local_files_only=not hub_reachable()))
        except Exception:  # no network, no such repo, gated: the loader reports it properly
            path = None
    try:
        model_type = json.loads(path.read_text(encoding="utf-8")).get("model_type") if path else None
    except (OSError, ValueError):
        model_type = None
    causal = {f.model_type for f in FAMILIES if f.kind == "causal"}
    return "causal" if model_type in causal else "seq2seq"
