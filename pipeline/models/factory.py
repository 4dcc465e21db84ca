"""Which backend loads a model: a config section → a loaded model of the protocol the pipeline uses.

The one place that knows both backends (imported lazily: transformers and ctranslate2 load with the models),
and the rules for reusing a loaded model under new settings (:func:`load_key`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from pipeline.config import Config, ConfigError, RuntimeConfig
from pipeline.models.generation import FailureWatch, Seq2SeqModel, check_generates
from pipeline.models.loading import checkpoint_json, import_ctranslate2, peek_family
from pipeline.models.spec import ModelSpec
from pipeline.progress import quiet_loading

log = logging.getLogger(__name__)


def model_spec(section: Any, role: str) -> ModelSpec:
    return ModelSpec(role, section.model, section.revision, section.generation, section.max_input_tokens,
                     prefix=getattr(section, "prefix", None),
                     source_language=getattr(section, "source_language", None),
                     target_language=getattr(section, "target_language", "en"),
                     prompt=getattr(section, "prompt", None), system_prompt=getattr(section, "system_prompt", None),
                     max_context_tokens=getattr(section, "max_context_tokens", None))


def resolve_backend(section: Any, runtime: RuntimeConfig, role: str) -> tuple[str, str]:
    """The backend that runs ``section``'s model, and why: an explicit ``backend`` as written; ``auto`` gives
    ctranslate2 where it can run the model (installed, on CPU or CUDA, and its converter takes the family: read
    from the checkpoint's config files before anything is loaded or converted), else transformers.

    The one place that decides: a new model kind (a family of another architecture) plugs in through
    :mod:`pipeline.models.families` and :func:`pipeline.models.ct2.families.converts`."""
    if section.backend != "auto":
        return section.backend, f"{role}.backend is {section.backend!r}"
    if runtime.device == "mps":
        return "transformers", "CTranslate2 does not run on MPS (runtime.device: mps)"
    try:
        ct2 = import_ctranslate2()
    except ConfigError:
        return "transformers", "ctranslate2 is not installed (pip install '.[fast]' for the faster backend)"
    from pipeline.models.ct2.cache import is_converted
    from pipeline.models.ct2.families import converts, unfaithful

    if Path(section.model).is_dir() and is_converted(Path(section.model)):
        return "ctranslate2", "the model folder holds a model converted to CTranslate2"
    spec = model_spec(section, role)
    family = peek_family(spec)
    if family is None:
        return "transformers", "the checkpoint's family could not be read before loading"
    config = checkpoint_json(spec, "config.json")
    if not converts(family, config):
        why = unfaithful(family, config) or "its converter does not convert them"
        return "transformers", f"CTranslate2 cannot run this {family.title} model: {why}"
    return "ctranslate2", f"ctranslate2 {ct2.__version__} is installed and converts {family.title} models"


def load_key(section: Any, runtime: RuntimeConfig, role: str) -> tuple[Any, ...]:
    """The settings that loading a model depends on. A loaded model serves any config with the same key:
    generation settings, the input budget and the seed are applied to it without loading (``reconfigured``)."""
    backend, _ = resolve_backend(section, runtime, role)
    common = (section.model, section.revision, backend, runtime.device, runtime.threads)
    if backend == "ctranslate2":
        return (*common, section.compute_type, runtime.workers, runtime.cache_dir)
    return (*common, runtime.dtype, runtime.quantize)


def load_model(section: Any, runtime: RuntimeConfig, role: str) -> Seq2SeqModel:
    """Load one model with the configured backend (``auto`` resolved by :func:`resolve_backend`) on the
    configured device (third-party bars kept quiet): a seq2seq model, or a decoder-only instruct model
    (:func:`checkpoint_kind`) prompted for ``role``; and check that it generates. Logs the choice of an ``auto``
    backend, and the load time (loading, conversion if any, and the check)."""
    from pipeline.models.devices import apply_threads, resolve_device, resolve_dtype
    from pipeline.models.loading import checkpoint_kind

    started = time.perf_counter()
    backend, why = resolve_backend(section, runtime, role)
    if section.backend == "auto":
        log.info("%s model: backend %s (%s)", role, backend, why)
    spec = model_spec(section, role)
    device = resolve_device(runtime.device, backend)
    causal = checkpoint_kind(spec) == "causal"
    model: Seq2SeqModel
    with quiet_loading():
        if backend == "ctranslate2":
            from pipeline.models.ct2.backend import CTranslate2Seq2Seq
            from pipeline.models.ct2.causal import CTranslate2Causal

            model = (CTranslate2Causal if causal else CTranslate2Seq2Seq)(
                spec, device=device, compute_type=section.compute_type, threads=runtime.threads,
                workers=runtime.workers, cache_dir=runtime.cache_dir, seed=runtime.seed)
        else:
            from pipeline.models.hf.backend import TransformersSeq2Seq
            from pipeline.models.hf.causal import TransformersCausal

            apply_threads(runtime.threads)
            model = (TransformersCausal if causal else TransformersSeq2Seq)(
                spec, device=device, dtype=resolve_dtype(runtime.dtype, device), quantize=runtime.quantize,
                seed=runtime.seed)
    # a model that loads but cannot generate stops here (every load, a reload by with_config included)
    checked = time.perf_counter()
    check_generates(model, _model_name(section, role))
    done = time.perf_counter()
    log.info("%s model %s ready in %.1f s (%s; load-time check %.2f s)", role, section.model, done - started,
             backend, done - checked)
    return model


def load_models(config: Config) -> tuple[Seq2SeqModel, Seq2SeqModel]:
    """The translator and the summarizer. One instruct checkpoint named by both sections with the same load
    settings (:func:`load_key`) is loaded once: the summarizer shares the translator's weights."""
    translator = load_model(config.translation, config.runtime, "translation")
    if (load_key(config.translation, config.runtime, "translation")
            == load_key(config.summarization, config.runtime, "summarization")
            and translator.conventions.family.instruct):
        shared = translator.reconfigured(model_spec(config.summarization, "summarization"), seed=config.runtime.seed)
        if shared is not None:
            log.info("summarization uses the translation model's loaded weights (%s)", config.summarization.model)
            check_generates(shared, _model_name(config.summarization, "summarization"))
            return translator, shared
    return translator, load_model(config.summarization, config.runtime, "summarization")


def _model_name(section: Any, role: str) -> str:
    return f"{role} model {section.model!r}"


def failure_watches(config: Config) -> dict[str, FailureWatch]:
    """One watch per model: a model that fails every input alike stops the run (ModelBrokenError) instead of
    giving an error record for every document."""
    return {role: FailureWatch(_model_name(getattr(config, role), role)) for role in ("translation", "summarization")}


def reuse_or_load(model: Seq2SeqModel, old: Config, new: Config, role: str) -> Seq2SeqModel:
    """``model`` (loaded for ``old``) set up for ``new`` without loading when the load keys agree, else a
    newly loaded model. A backend reuses its models through ``reconfigured(spec, seed=...)``, which returns
    a copy sharing the loaded weights, or None when the change needs loading; without it, it loads again."""
    old_section, section = getattr(old, role), getattr(new, role)
    if load_key(old_section, old.runtime, role) == load_key(section, new.runtime, role):
        reused = model.reconfigured(model_spec(section, role), seed=new.runtime.seed)
        if reused is not None:
            return reused
    log.info("loading the %s model again: a setting that loading depends on changed", role)
    return load_model(section, new.runtime, role)
