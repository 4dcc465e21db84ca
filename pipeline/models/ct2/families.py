"""The CTranslate2 backend and the model families: which ones its converter takes, and what differs per family.

CTranslate2's ``TransformersConverter`` converts Marian, BART, M2M100 (NLLB-200 and M2M100), mBART, Pegasus and
T5 checkpoints; it has no LED (Longformer attention) converter. A family it cannot convert is refused at load
time with a :class:`ConfigError` that names the family and says to use ``backend: transformers``.

Per family, the backend does what transformers does:

- **source language** (NLLB, M2M100, mBART-50): the source tokens are the Hugging Face tokenizer's, with its
  ``src_lang`` set to each text's language code, so they carry the code where the tokenizer puts it
  (``[deu_Latn, ..., </s>]``);
- **target language**: the forced first target token (the target language's code) is ``target_prefix``;
- **decoder start**: the converter stores the checkpoint's decoder start token (``</s>`` for NLLB, M2M100 and
  mBART-50, ``<pad>`` for T5 and Pegasus); where it stores none (mBART-25-style checkpoints, whose config names
  no ``MBart50Tokenizer``), CTranslate2 starts the decoder from the first ``target_prefix`` token, so the
  checkpoint's start token goes first in the prefix (:func:`start_prefix`);
- **task prefix** (T5): put before every input text, as with transformers;
- **vocabulary**: under transformers 5, ``M2M100Tokenizer.get_vocab()`` and its ``special_tokens_map`` leave out
  the ``__xx__`` language codes, and the converter then builds a vocabulary 100 entries short of the embedding
  ("Source vocabulary 0 has size 509 but the model expected a vocabulary of size 609"). The converter here is
  given a tokenizer whose ``get_vocab`` also lists the ids the tokenizer produces beyond it
  (:func:`missing_tokens`), through the converter's public ``load_tokenizer`` hook.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Mapping
from typing import Any

from pipeline.config import ConfigError

log = logging.getLogger(__name__)

# pipeline.models.families names of the families CTranslate2's TransformersConverter converts
CONVERTIBLE: tuple[str, ...] = ("marian", "bart", "nllb", "m2m100", "mbart", "pegasus", "t5",
                                # decoder-only instruct families (ctranslate2.Generator), see unfaithful()
                                "qwen2", "qwen3", "gemma3", "mistral", "llama", "gemma2")


def convertible_titles() -> str:
    """'MarianMT, BART, NLLB-200, ...' for messages."""
    from pipeline.models.families import FAMILIES

    return ", ".join(f.title for f in FAMILIES if f.name in CONVERTIBLE)


def _get(config: Any, key: str) -> Any:
    return config.get(key) if isinstance(config, Mapping) else getattr(config, key, None)


def unfaithful(family: Any, config: Any) -> str | None:
    """Why CTranslate2 (4.8, under transformers 5) would run this checkpoint differently from transformers, or
    None. Measured on tiny checkpoints (float32, greedy): its Llama converter ignores the 'llama3' RoPE scaling of
    Llama 3.1/3.2 (outputs diverge from the second token), and its Gemma 2 converter skips
    ``attn_logit_softcapping``; Qwen2/Qwen3/Gemma 3/Mistral give transformers' tokens exactly. ``config``: the
    checkpoint's config (a mapping or an object; v4 ``rope_scaling`` or v5 ``rope_parameters``)."""
    if family.name == "llama":
        for key in ("rope_scaling", "rope_parameters"):
            rope = _get(config, key) or {}
            if isinstance(rope, Mapping) and "llama3" in (rope.get("rope_type"), rope.get("type")):
                return "its converter ignores the 'llama3' RoPE scaling of Llama 3.1/3.2 (outputs would differ)"
    if family.name == "gemma2" and _get(config, "attn_logit_softcapping"):
        return "its Gemma 2 converter skips attn_logit_softcapping (outputs would differ)"
    return None


def converts(family: Any, config: Any = None) -> bool:
    """True when the ctranslate2 backend runs ``family``'s checkpoint (with ``config``: this one) faithfully."""
    return family.name in CONVERTIBLE and (config is None or unfaithful(family, config) is None)


def refuse_unconvertible(family: Any, role: str, name: str, config: Any = None) -> None:
    """ConfigError unless CTranslate2 can convert ``family``'s checkpoints (with ``config``: and run this one as
    transformers does). Called before any conversion."""
    reason = None if family.name not in CONVERTIBLE or config is None else unfaithful(family, config)
    if family.name in CONVERTIBLE and reason is None:
        return
    why = reason or "CTranslate2's converter does not convert it"
    raise ConfigError(
        f"{role}.model {name!r} is a {family.title} model ({family.model_type}), and the ctranslate2 backend "
        f"cannot run it: {why}. Set '{role}.backend: transformers' for this model (the ctranslate2 backend runs: "
        f"{convertible_titles()}; Llama only without 'llama3' RoPE scaling, Gemma 2 only without attention "
        f"softcapping)"
    )


# tokenizer class (no 'Fast' suffix) -> config model_type, for a converted folder without the checkpoint's
# config.json (converted elsewhere: the config.json beside model.bin is CTranslate2's own)
_MODEL_TYPE_BY_TOKENIZER = {
    "MarianTokenizer": "marian", "BartTokenizer": "bart", "RobertaTokenizer": "bart", "NllbTokenizer": "m2m_100",
    "M2M100Tokenizer": "m2m_100", "MBart50Tokenizer": "mbart", "MBartTokenizer": "mbart", "T5Tokenizer": "t5",
    "PegasusTokenizer": "pegasus",
}


def checkpoint_config(data: Mapping[str, Any], tokenizer_name: str) -> Any:
    """The checkpoint's ``config.json`` as an attribute namespace (what the family conventions and the input
    limit read), without importing transformers' config classes (they import torch). Without a
    ``model_type`` (CTranslate2's own config.json), the model type is the one its tokenizer class implies."""
    fields = dict(data)
    if "model_type" not in fields:
        model_type = _MODEL_TYPE_BY_TOKENIZER.get(tokenizer_name.removesuffix("Fast"))
        fields.update(model_type=model_type, is_encoder_decoder=model_type is not None)
        log.info("no checkpoint config.json beside the converted model; %s taken for a %s model",
                 tokenizer_name, model_type)
    return types.SimpleNamespace(**fields)


def missing_tokens(tokenizer: Any, rows: int) -> dict[str, int]:
    """Tokens the tokenizer produces for ids below ``rows`` (the embedding's rows) that its ``get_vocab`` lacks,
    as token -> id; ids it maps to the unknown token are left out (M2M100's madeupwords, which the converter
    adds itself)."""
    vocab = tokenizer.get_vocab()
    known = set(vocab.values())
    unk = tokenizer.unk_token
    extra: dict[str, int] = {}
    for i in range(rows):
        if i in known:
            continue
        token = tokenizer.convert_ids_to_tokens(i)
        if isinstance(token, str) and token != unk and token not in vocab and token not in extra:
            extra[token] = i
    return extra


class _CompleteVocabulary:
    """A tokenizer whose ``get_vocab`` includes ``extra``; everything else is the tokenizer's."""

    def __init__(self, tokenizer: Any, extra: dict[str, int]):
        self._tokenizer = tokenizer
        self._extra = extra

    def get_vocab(self) -> dict[str, int]:
        return {**self._tokenizer.get_vocab(), **self._extra}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


def converter(source: str, revision: str | None, rows: int) -> Any:
    """A ``TransformersConverter`` for ``source`` whose tokenizer lists every token id below ``rows``."""
    from ctranslate2.converters import TransformersConverter

    class _Converter(TransformersConverter):
        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            extra = missing_tokens(tokenizer, rows)
            if not extra:
                return tokenizer
            ids = sorted([*tokenizer.get_vocab().values(), *extra.values()])
            if ids != list(range(len(ids))):
                log.warning("the vocabulary of %s has gaps; CTranslate2's copy may be misaligned", source)
            log.info("%s: %d token ids missing from the tokenizer's vocabulary added for the conversion "
                     "(e.g. %s)", source, len(extra), next(iter(extra)))
            return _CompleteVocabulary(tokenizer, extra)

    return _Converter(source, revision=revision, low_cpu_mem_usage=True)


def start_prefix(stored_start: str | None, expected_start: str | None, *, zero_start: bool) -> tuple[str, ...]:
    """Tokens to put before the target prefix so that the decoder starts as with transformers.

    ``stored_start`` is the converted model's ``decoder_start_token`` (None: CTranslate2 starts from the first
    prefix token and leaves it out of the output), ``expected_start`` the checkpoint's decoder start token;
    ``zero_start``: the converted decoder starts from a zero embedding (Marian), whatever the token.
    """
    if zero_start or expected_start is None or stored_start == expected_start:
        return ()
    if stored_start is None:
        return (expected_start,)
    raise ConfigError(f"the converted model starts decoding with {stored_start!r}, the checkpoint with "
                      f"{expected_start!r}; convert it again (delete the converted folder) or use backend "
                      f"'transformers'")
