"""What a loaded checkpoint's family asks of the backend: language codes, the forced first target token, the
task prefix, and generation settings kept in ``task_specific_params``.

Read once at load time from the checkpoint's config and tokenizer (duck-typed; no torch import), so that both
backends apply the same conventions. See :mod:`pipeline.models.families` for the families themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import ConfigError
from pipeline.models.families import DETECTABLE, Family, UnknownFamily, identify, language_codes

log = logging.getLogger(__name__)

# the language the pipeline expects when nothing else is known (a single-pair model's own, opus-mt-de-en)
DEFAULT_SOURCE = "de"


@dataclass(frozen=True)
class Conventions:
    """The family's conventions as they apply to one loaded checkpoint."""

    family: Family
    # config model_type and architectures[0], for the manifest
    model_type: str
    architecture: str | None
    # text put before every input ('' for none); its tokens count toward the input limit
    prefix: str = ""
    # multilingual translators: language (ISO 639-1) -> the model's code, for every language it can read;
    # empty for single-pair models
    source_codes: Mapping[str, str] = field(default_factory=dict)
    # the language texts are translated from when none is given per text (translation.source_language or 'de')
    default_source: str | None = None
    # multilingual translators: the target language's code and its token id (the forced first target token)
    target_code: str | None = None
    target_token_id: int | None = None
    # generation settings from task_specific_params that the checkpoint's generation_config lacks
    generation_defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def multilingual(self) -> bool:
        return bool(self.source_codes)

    def source_code(self, language: str | None) -> str | None:
        """The model's code for ``language`` (None: the default source); None for single-pair models."""
        if not self.multilingual:
            return None
        language = language or self.default_source
        if language not in self.source_codes:
            raise ValueError(f"the {self.family.title} model has no code for language {language!r}")
        return self.source_codes[language]

    def describe(self) -> dict[str, Any]:
        """Family, prefix and language codes for the manifest."""
        out: dict[str, Any] = {
            "family": {"name": self.family.name, "title": self.family.title, "model_type": self.model_type,
                       "architecture": self.architecture},
            "prefix": self.prefix,
        }
        if self.multilingual:
            out["languages"] = {"source": dict(self.source_codes), "default_source": self.default_source,
                                "target": self.target_code}
        if self.generation_defaults:
            out["generation_from_task_specific_params"] = dict(self.generation_defaults)
        return out


def tokenizer_class(tokenizer: Any) -> str:
    return type(tokenizer).__name__


def family_of(config: Any, tokenizer_name: str | None, *, role: str) -> Family:
    """The checkpoint's family; UnknownFamily (listing the supported families) for anything else."""
    return identify(getattr(config, "model_type", None), tokenizer_name, role=role,  # type: ignore[arg-type]
                    is_encoder_decoder=bool(getattr(config, "is_encoder_decoder", False)))


def _task_params(config: Any, role: str) -> dict[str, Any]:
    params = getattr(config, "task_specific_params", None) or {}
    return dict(params.get(role) or {}) if isinstance(params, Mapping) else {}


def _known_token(tokenizer: Any):
    unknown = getattr(tokenizer, "unk_token_id", None)

    def known(token: str) -> bool:
        token_id = tokenizer.convert_tokens_to_ids(token)
        return token_id is not None and token_id != unknown

    return known


def read_conventions(family: Family, config: Any, tokenizer: Any, generation_config: Any, *, role: str,
                     name: str, prefix: str | None = None, source_language: str | None = None,
                     target_language: str = "en") -> Conventions:
    """Apply ``family``'s conventions to a loaded tokenizer/config; ConfigError names a language the model
    cannot use."""
    task = _task_params(config, role)
    own_prefix = task.get("prefix") or ""
    chosen_prefix = own_prefix if prefix is None else prefix
    defaults: dict[str, Any] = {}
    if generation_config is not None:
        already = generation_config.to_diff_dict()
        defaults = {k: v for k, v in task.items() if k != "prefix" and k not in already
                    and hasattr(generation_config, k)}
    architectures = getattr(config, "architectures", None) or [None]
    base = {"family": family, "model_type": config.model_type, "architecture": architectures[0],
            "prefix": chosen_prefix, "generation_defaults": defaults}
    if family.codes is None:
        _check_single_pair(tokenizer, role, name, source_language, target_language)
        return Conventions(**base)

    codes = language_codes(family.codes, _known_token(tokenizer))
    for key, language in (("source_language", source_language), ("target_language", target_language)):
        if language is not None and language not in codes:
            raise ConfigError(
                f"config key '{role}.{key}': {name!r} ({family.title}) has no code for {language!r}; "
                f"it reads: {', '.join(sorted(codes))}"
            )
    default_source = source_language or DEFAULT_SOURCE
    if default_source not in codes:
        raise ConfigError(f"config key '{role}.source_language': {name!r} ({family.title}) has no code for "
                          f"{default_source!r}; set one of: {', '.join(sorted(codes))}")
    target_code = codes[target_language]
    return Conventions(**base, source_codes=codes, default_source=default_source, target_code=target_code,
                       target_token_id=int(tokenizer.convert_tokens_to_ids(target_code)))


def _check_single_pair(tokenizer: Any, role: str, name: str, source: str | None, target: str) -> None:
    """A single-pair model translates one way only: a configured language must be its own (where it says)."""
    if role != "translation":
        return
    for key, wanted, own in (("source_language", source, getattr(tokenizer, "source_lang", None)),
                             ("target_language", target, getattr(tokenizer, "target_lang", None))):
        # only a side the tokenizer names with a code like ours ('de', 'en'; not 'mul' or 'eng') is checked
        if wanted is not None and own in DETECTABLE and wanted != own:
            raise ConfigError(
                f"config key '{role}.{key}': {wanted!r}, but {name!r} translates {own!r} only for that side "
                f"(a single language pair); use a multilingual model (NLLB-200, M2M100, mBART-50) or null"
            )


def tokenizer_source_value(family: Family, code: str) -> str:
    """What the tokenizer's ``src_lang`` takes for ``code`` (M2M100 wants 'de' for '__de__')."""
    return code.strip("_") if family.codes == "m2m100" else code


__all__ = ["Conventions", "UnknownFamily", "family_of", "read_conventions", "tokenizer_source_value"]


def language_code_tokens(conventions: Conventions, tokenizer: Any) -> frozenset[str]:
    """The language-code tokens of a multilingual translator (those it reads, and M2M100's whole table), which
    are dropped from outputs before decoding; empty for other models."""
    if not conventions.multilingual:
        return frozenset()
    return frozenset([*conventions.source_codes.values(), *getattr(tokenizer, "lang_token_to_id", {})])


class SourceLanguages:
    """The source-language side both backends share: which languages a multilingual translator reads, its code
    for each, and setting the tokenizer's source language. Needs ``conventions`` and ``tokenizer``."""

    conventions: Conventions
    tokenizer: Any

    @property
    def source_languages(self) -> frozenset[str]:
        """Languages (ISO 639-1) a multilingual translator reads; empty for a single-pair model."""
        return frozenset(self.conventions.source_codes)

    def source_code(self, language: str | None) -> str | None:
        """The model's code for ``language`` (None: the default source); None for a single-pair model."""
        return self.conventions.source_code(language)

    def _set_source(self, code: str | None) -> None:
        if code is not None:
            self.tokenizer.src_lang = tokenizer_source_value(self.conventions.family, code)

    def source_ids(self, inputs: Sequence[str], languages: Sequence[str | None] | None) -> list[list[int]]:
        """Token ids of each input. A multilingual translator tokenizes each with its own source-language
        code (``languages``: ISO 639-1 per input; None = the default source), setting the tokenizer's
        ``src_lang`` on every call (reconfigured copies share the tokenizer) and resetting it afterwards."""
        conventions = self.conventions
        if not conventions.multilingual:
            return [list(ids) for ids in self.tokenizer(list(inputs), truncation=False)["input_ids"]]
        codes = [conventions.source_code(language) for language in (languages or [None] * len(inputs))]
        rows: list[list[int]] = [[] for _ in inputs]
        try:
            for code in dict.fromkeys(codes):
                self._set_source(code)
                picked = [i for i, c in enumerate(codes) if c == code]
                encoded = self.tokenizer([inputs[i] for i in picked], truncation=False)["input_ids"]
                for i, ids in zip(picked, encoded, strict=True):
                    rows[i] = list(ids)
        finally:
            self._set_source(conventions.source_code(None))
        return rows
