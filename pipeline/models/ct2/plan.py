"""Decoding parameters for CTranslate2: the checkpoint's ``generation_config`` plus the user's overrides, mapped
to ``translate_batch`` arguments (see :func:`decoding_plan`). CTranslate2's own defaults (beam 2, 256 steps,
inputs cut at 1024 tokens) never apply: every argument is passed explicitly and inputs are not truncated. A
setting CTranslate2 cannot honour raises a :class:`ConfigError` naming the key (pure, no ctranslate2 import).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import ConfigError

log = logging.getLogger(__name__)
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


def token_ids(value: Any) -> list[int]:
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
                                              target language code, set by pipeline.models.conventions)
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
    suppress = [list(tokens(token_ids(seq))) for seq in (gen.bad_words_ids or [])]
    suppress += [[tokens(t)] for t in token_ids(gen.suppress_tokens)]
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
        "end_token": [tokens(t) for t in token_ids(gen.eos_token_id)] or None,
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
