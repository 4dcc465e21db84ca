"""Prompting decoder-only instruct models, shared by both backends (pure logic on a duck-typed tokenizer, no torch).

An instruct model reads a chat: the configured prompt (``summarization.prompt`` / ``translation.prompt``, with
``{text}`` and, for translation, the language names) is the user turn and the system prompt the system turn,
rendered by the checkpoint's own chat template (``apply_chat_template`` with the generation prompt). Where the
template has no system role (Gemma 2 raises; an older Mistral template silently drops it), the system text is
put before the user text instead. Thinking is switched off where the template knows ``enable_thinking`` (Qwen3),
and any ``<think>...</think>`` block is stripped from the output. A checkpoint without a chat template is
refused: a plain prompt to a model that was never tuned on it gives text of unknown shape, and the product
does not guess.

The input budget the pipeline sees (:attr:`max_input_tokens`, and :meth:`Prompter.count_tokens`) counts the
whole rendered prompt, so that a chunk planned within it, plus ``max_new_tokens``, fits the usable context.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import (
    SUMMARY_PROMPT,
    SUMMARY_SYSTEM_PROMPT,
    TRANSLATION_PROMPT,
    TRANSLATION_SYSTEM_PROMPT,
    ConfigError,
    prompt_problem,
)
from pipeline.models.generation import Generated, ModelLoadError
from pipeline.models.spec import ModelSpec

# new tokens an instruct model may write when neither its generation_config nor the user sets max_new_tokens
DEFAULT_MAX_NEW_TOKENS: Mapping[str, int] = {"summarization": 256, "translation": 512}
# an instruct translator's unit holds at most this share of max_new_tokens in text tokens, so that the
# translation (English takes about as many tokens as German) fits the output budget
TRANSLATION_INPUT_SHARE = 0.75
# tokens kept free for the longest language name in the translation prompt (units are counted with the default
# source language's name; a document in another language gets its own)
LANGUAGE_SLACK = 8
# the fewest text tokens a chunk must be allowed after the prompt and the output budget
MIN_TEXT_TOKENS = 16
# tokenizers without a limit report a huge model_max_length (Gemma: 1e30)
_UNLIMITED = 1_000_000_000
_DEFAULTS = {"summarization": (SUMMARY_PROMPT, SUMMARY_SYSTEM_PROMPT),
             "translation": (TRANSLATION_PROMPT, TRANSLATION_SYSTEM_PROMPT)}

# English names of the languages an instruct translator is told to translate from (ISO 639-1, as detected)
LANGUAGE_NAMES: Mapping[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "lb": "Luxembourgish", "lt": "Lithuanian",
    "lv": "Latvian", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai",
    "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}

_THINK = re.compile(r"<think>.*?</think>", flags=re.S)


def strip_think(text: str) -> str:
    """``text`` without ``<think>...</think>`` blocks; an unterminated ``<think>`` (cut at the length limit)
    drops everything after it. (Qwen3's think tags are not special tokens: decoding keeps them.)"""
    text = _THINK.sub("", text)
    if "<think>" in text:
        text = text.split("<think>", 1)[0]
    return text.replace("</think>", "").strip()


def language_name(code: str) -> str:
    """'German' for 'de'; ConfigError for a language without a name here."""
    if code not in LANGUAGE_NAMES:
        raise ConfigError(f"no language name for {code!r} to put in the translation prompt; expected one of "
                          f"{', '.join(sorted(LANGUAGE_NAMES))}")
    return LANGUAGE_NAMES[code]


def template_text(tokenizer: Any) -> str | None:
    """The tokenizer's chat template (the 'default' one of a named set), or None."""
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, Mapping):
        template = template.get("default")
    return template if isinstance(template, str) and template.strip() else None


class ChatFormat:
    """A checkpoint's chat template as the product uses it: system role or merged, thinking off."""

    _MARKER = "SYSTEM-MARKER-5c1e"

    def __init__(self, tokenizer: Any, *, name: str, role: str):
        template = template_text(tokenizer)
        if template is None:
            raise ModelLoadError(
                f"cannot use the {role} model {name!r}: its tokenizer has no chat template, so it is not an "
                f"instruct (chat) checkpoint the product can prompt; use the model's -Instruct / -it / -chat "
                f"variant, whose tokenizer_config.json (or chat_template.jinja) carries one")
        self.tokenizer = tokenizer
        # Qwen3-style hybrid thinking: off (the template then writes an empty think block)
        self.kwargs: dict[str, Any] = {"enable_thinking": False} if "enable_thinking" in template else {}
        self.digest = hashlib.sha256(template.encode("utf-8")).hexdigest()
        self.system_role = self._keeps_system()

    def _keeps_system(self) -> bool:
        """True when the template renders a system turn and keeps its text (Gemma 2 raises; an older Mistral
        v0.3 template drops it silently: both get the system text merged into the user turn)."""
        try:
            rendered = self._apply([{"role": "system", "content": self._MARKER}, {"role": "user", "content": "x"}])
        except Exception:  # jinja2's TemplateError from raise_exception, or anything else the template does
            return False
        return self._MARKER in rendered

    def _apply(self, messages: list[dict[str, str]]) -> str:
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False,
                                                  **self.kwargs)

    def render(self, user: str, system: str | None) -> str:
        """The prompt text for one user turn (and system turn), ending in the assistant's generation prompt."""
        if system and not self.system_role:
            user, system = f"{system}\n\n{user}", None
        messages = [{"role": "system", "content": system}] if system else []
        return self._apply([*messages, {"role": "user", "content": user}])

    def describe(self) -> dict[str, Any]:
        return {"chat_template_sha256": self.digest, "system_role": "own turn" if self.system_role else
                "merged into the user turn", "template_kwargs": dict(self.kwargs)}


class Prompter:
    """One role's prompts on one tokenizer: the rendered prompt and its token ids for each text."""

    def __init__(self, chat: ChatFormat, spec: ModelSpec):
        default_prompt, default_system = _DEFAULTS[spec.role]
        self.chat = chat
        self.role = spec.role
        self.template = spec.prompt if spec.prompt is not None else default_prompt
        self.system = spec.system_prompt if spec.prompt is not None else default_system
        for key, value in (("prompt", self.template), ("system_prompt", self.system)):
            problem = prompt_problem(f"{spec.role}.{key}", value) if value else None
            if problem is not None:
                raise ConfigError(f"config key '{spec.role}.{key}': {problem}")
        self.source = spec.source_language or "de"
        self.target = spec.target_language

    def _names(self, language: str | None) -> dict[str, str]:
        if self.role != "translation":
            return {}
        return {"source_language": language_name(language or self.source),
                "target_language": language_name(self.target)}

    def text(self, text: str, language: str | None = None) -> str:
        """The rendered prompt for ``text`` (``language``: its source language; None = the default)."""
        names = self._names(language)
        system = self.system.format(**names) if self.system else None
        return self.chat.render(self.template.format(text=text, **names), system)

    def ids(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[list[int]]:
        """Token ids of each rendered prompt. The template writes the BOS itself: no special tokens added."""
        langs = list(languages) if languages is not None else [None] * len(texts)
        prompts = [self.text(t, lang) for t, lang in zip(texts, langs, strict=True)]
        return [list(row) for row in self.chat.tokenizer(prompts, add_special_tokens=False)["input_ids"]]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(row) for row in self.ids(texts)] if texts else []

    def describe(self) -> dict[str, Any]:
        return {"prompt": self.template, "system_prompt": self.system, **self.chat.describe()}


def context_limit(config: Any, tokenizer: Any) -> int:
    """The checkpoint's usable context: the smaller of max_position_embeddings and the tokenizer's limit."""
    limits = [int(tokenizer.model_max_length)] if (tokenizer.model_max_length or _UNLIMITED) < _UNLIMITED else []
    positions = getattr(config, "max_position_embeddings", None)
    if positions:
        limits.append(int(positions))
    if not limits:
        raise ModelLoadError("the model declares no context length (max_position_embeddings / model_max_length)")
    return min(limits)


def input_budget(spec: ModelSpec, *, context: int, max_new_tokens: int, overhead: int) -> tuple[int, int]:
    """(max_input_tokens, usable context): the most prompt tokens (template and text) one input may have so that
    prompt + ``max_new_tokens`` fit the context (capped by ``max_context_tokens``). A translator's units are
    also kept within what ``max_new_tokens`` can translate. ConfigError names the keys when no text fits."""
    usable = context if spec.max_context_tokens is None else min(context, spec.max_context_tokens)
    budget = usable - max_new_tokens - (LANGUAGE_SLACK if spec.role == "translation" else 0)
    if budget < overhead + MIN_TEXT_TOKENS:
        raise ConfigError(
            f"config keys '{spec.role}.max_context_tokens' / '{spec.role}.generation.max_new_tokens': a context of "
            f"{usable} tokens leaves {budget - overhead} for text after the prompt ({overhead} tokens) and "
            f"max_new_tokens ({max_new_tokens}); raise max_context_tokens (the model takes {context}) or lower "
            f"max_new_tokens")
    if spec.max_input_tokens is not None:
        if spec.max_input_tokens > budget:
            raise ConfigError(f"config key '{spec.role}.max_input_tokens': {spec.max_input_tokens} exceeds what fits "
                              f"with the prompt and max_new_tokens ({budget} tokens); expected null or <= {budget}")
        if spec.max_input_tokens < overhead + MIN_TEXT_TOKENS:
            raise ConfigError(f"config key '{spec.role}.max_input_tokens': {spec.max_input_tokens} leaves no room "
                              f"for text after the prompt ({overhead} tokens); expected null or > "
                              f"{overhead + MIN_TEXT_TOKENS}")
        return spec.max_input_tokens, usable
    if spec.role == "translation":  # units no longer than max_new_tokens can translate
        budget = min(budget, overhead + max(int(max_new_tokens * TRANSLATION_INPUT_SHARE), MIN_TEXT_TOKENS))
    return budget, usable


def max_new_tokens(generation: Any, spec: ModelSpec) -> int:
    """The new-token limit: the user's override, the checkpoint's, or the role's default."""
    if "max_new_tokens" in spec.generation and spec.generation["max_new_tokens"] is not None:
        return int(spec.generation["max_new_tokens"])
    value = getattr(generation, "max_new_tokens", None)
    return int(value) if value else DEFAULT_MAX_NEW_TOKENS[spec.role]


def markup_ids(tokenizer: Any) -> frozenset[int]:
    """Ids of the chat markup and control tokens (the added tokens), except the think tags, which
    :func:`strip_think` removes with their content."""
    added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    keep = {"<think>", "</think>"}
    return frozenset(int(i) for i, token in added.items() if str(token) not in keep)


def finish(rows: Sequence[Sequence[int]], *, eos: frozenset[int], markup: frozenset[int], tokenizer: Any
           ) -> list[Generated]:
    """Outputs from the new tokens of each row: cut at the first end-of-turn id, chat markup dropped, decoded,
    think blocks stripped. ``finished`` says whether the model ended the turn itself."""
    kept, ends = [], []
    for row in rows:
        end = next((i for i, t in enumerate(row) if t in eos), None)
        body = list(row[:end] if end is not None else row)
        kept.append([t for t in body if t not in markup])
        ends.append((end is not None, len(body) + (end is not None)))
    texts = tokenizer.batch_decode(kept, skip_special_tokens=True) if kept else []
    return [Generated(strip_think(text), finished, tokens) for text, (finished, tokens) in zip(texts, ends,
                                                                                              strict=True)]


def eos_ids(generation: Any, tokenizer: Any) -> frozenset[int]:
    """Every end-of-turn id the generation config lists (Llama 3: end_of_text, eom_id, eot_id), else the
    tokenizer's EOS."""
    value = getattr(generation, "eos_token_id", None)
    ids = [value] if isinstance(value, int) else list(value or [])
    if not ids and tokenizer.eos_token_id is not None:
        ids = [tokenizer.eos_token_id]
    if not ids:
        raise ModelLoadError("the instruct model names no end-of-turn token (generation_config eos_token_id)")
    return frozenset(int(i) for i in ids)


def check_fits(rows: Sequence[Sequence[int]], *, limit: int, new_tokens: int) -> None:
    """ValueError for a prompt that would not fit the context with its output (never truncated)."""
    for row in rows:
        if len(row) + new_tokens > limit:
            raise ValueError(f"prompt of {len(row)} tokens + max_new_tokens {new_tokens} exceeds the usable "
                             f"context of {limit} tokens; the input is not truncated")


class PromptedModel:
    """What both backends' instruct models share beyond loading: the languages a translator is told by name, and
    token counts of whole rendered prompts. Needs ``spec`` and ``prompter``."""

    spec: ModelSpec
    prompter: Prompter

    @property
    def source_languages(self) -> frozenset[str]:
        """An instruct translator is told the language by name: every language it has a name for."""
        return frozenset(LANGUAGE_NAMES) if self.spec.role == "translation" else frozenset()

    def source_code(self, language: str | None) -> str | None:
        if self.spec.role != "translation":
            return None
        return language or self.prompter.source

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text's whole rendered prompt (chat markup, instructions and text)."""
        return self.prompter.count_tokens(texts)
