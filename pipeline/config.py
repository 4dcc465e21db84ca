"""The run configuration: every default is defined here, once.

`configs/default.yaml` mirrors these dataclasses key for key (a test keeps them in agreement). A YAML file,
a mapping, and ``--set dotted.key=value`` overrides all go through :func:`load_config`, which refuses unknown
keys and wrong types with a :class:`ConfigError` that names the key and the valid choices.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from pipeline.text.codes import DETECTABLE

Backend = Literal["auto", "transformers", "ctranslate2"]
ComputeType = Literal[
    "auto", "default", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
    "float16", "bfloat16", "float32",
]
DType = Literal["auto", "float32", "float16", "bfloat16"]
DecodeErrors = Literal["error", "replace"]
Engine = Literal["local", "ray"]
InputFormat = Literal["auto", "txt", "jsonl", "csv", "parquet", "hf"]
OnEnglish = Literal["skip_translation", "translate", "error"]
OnOther = Literal["skip", "translate", "error"]


# Instruct (decoder-only chat) models: the prompts, sent through the checkpoint's chat template. Placeholders:
# {text} (required, once), and for translation {source_language} / {target_language} (language names such as
# 'German'); literal braces are written {{ }}. Seq2seq models ignore them.
SUMMARY_PROMPT = (
    "Summarize the following text in English in three to five sentences. Keep the key figures (amounts, "
    "percentages, dates) and names exactly as they appear. Reply with the summary only.\n\n{text}"
)
SUMMARY_SYSTEM_PROMPT = "You are a careful assistant that writes short, factual summaries in English."
TRANSLATION_PROMPT = (
    "Translate the following {source_language} text into {target_language}. Translate all of it, sentence by "
    "sentence, keeping every number, name and paragraph break. Reply with the translation only.\n\n{text}"
)
TRANSLATION_SYSTEM_PROMPT = "You are a professional translator."
# placeholders each prompt key may use ('text' is required in the prompts, not allowed in the system prompts)
PROMPT_FIELDS: dict[str, frozenset[str]] = {
    "summarization.prompt": frozenset({"text"}),
    "summarization.system_prompt": frozenset(),
    "translation.prompt": frozenset({"text", "source_language", "target_language"}),
    "translation.system_prompt": frozenset({"source_language", "target_language"}),
}

DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
DEVICE_CHOICES = "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"


class ConfigError(ValueError):
    """A config key is unknown or its value is invalid; the message names the key and the valid choices."""


@dataclass(frozen=True)
class InputConfig:
    # a folder of .txt files, a .jsonl/.csv/.parquet file, or a Hugging Face dataset name
    path: str = "seeds"
    # split to read when `path` is a Hugging Face dataset name
    split: str = "train"
    # column holding the document id (tables and datasets); row number if the column is absent
    id_column: str = "id"
    # column holding the German text (tables and datasets)
    text_column: str = "text"
    # text-file encoding: 'auto' tries UTF-8 (BOM or not), then Windows-1252; or any Python codec name
    encoding: str = "auto"
    # how to read `path`: 'auto' (a folder: its .txt files; a file: by its extension; 'owner/name': a Hugging
    # Face dataset), or 'txt', 'jsonl', 'csv', 'parquet', 'hf' (a hub dataset or a local dataset folder)
    format: InputFormat = "auto"
    # bytes invalid in the text's encoding (and lone surrogates): 'error' (an error record for the document) or
    # 'replace' (U+FFFD in their place, with a warning counting them)
    decode_errors: DecodeErrors = "error"
    # largest document in bytes (a .txt file, a JSONL line, a table row's text); larger ones get an error
    # record and are not read
    max_bytes: int = 50_000_000


@dataclass(frozen=True)
class OutputConfig:
    # JSONL file with one record per input document; the manifest is written beside it
    path: str = "outputs/summaries.jsonl"


@dataclass(frozen=True)
class TranslationConfig:
    # hub id or local folder of a translation checkpoint (Marian, NLLB-200, M2M100, mBART-50; see the README)
    model: str = "Helsinki-NLP/opus-mt-de-en"
    # hub revision (branch, tag or commit); None means the default branch
    revision: str | None = None
    # inference engine: 'auto' (ctranslate2 when it is installed, pip install '.[fast]', and converts the model's
    # family, on CPU or CUDA; else transformers), 'transformers' or 'ctranslate2'
    backend: Backend = "auto"
    # CTranslate2 compute type; 'auto' = int8 on CPU, int8_float16 on CUDA (README: Speed)
    compute_type: ComputeType = "auto"
    # GenerationConfig fields overriding the model's own generation_config (num_beams, max_new_tokens, ...)
    generation: dict = field(default_factory=dict)
    # token budget of one segment; None means the model's own input limit (opus-mt: 512)
    max_input_tokens: int | None = None
    # pack several sentences into one segment up to the budget (off: Marian drops sentences from long inputs)
    pack_sentences: bool = False
    # multilingual translators (NLLB, M2M100, mBART-50): the language (ISO 639-1) every document is translated
    # from; None = each document's detected language. Single-pair models (opus-mt-de-en) have theirs built in
    source_language: str | None = None
    # multilingual translators: the language (ISO 639-1) to translate into; the summarizer reads it
    target_language: str = "en"
    # instruct models: the user turn, with {text}, {source_language}, {target_language} (language names)
    prompt: str = TRANSLATION_PROMPT
    # instruct models: the system turn (merged into the user turn where the chat template has none); None = none
    system_prompt: str | None = TRANSLATION_SYSTEM_PROMPT
    # instruct models: most tokens of prompt + text + output; None = the model's whole context (long contexts
    # are slow on CPU)
    max_context_tokens: int | None = 4096


@dataclass(frozen=True)
class SummarizationConfig:
    # hub id or local folder of a summarization checkpoint (BART, Pegasus, T5, LED; see the README)
    model: str = "sshleifer/distilbart-cnn-12-6"
    # hub revision (branch, tag or commit); None means the default branch
    revision: str | None = None
    # inference engine: 'auto' (ctranslate2 when it is installed, pip install '.[fast]', and converts the model's
    # family, on CPU or CUDA; else transformers), 'transformers' or 'ctranslate2'
    backend: Backend = "auto"
    # CTranslate2 compute type; 'auto' = int8 on CPU, int8_float16 on CUDA (README: Speed)
    compute_type: ComputeType = "auto"
    # GenerationConfig fields overriding the model's own generation_config (num_beams, min_new_tokens, ...)
    generation: dict = field(default_factory=dict)
    # token budget of one summarizer input; None means the model's own limit (BART: 1024); longer
    # translations are summarized in chunks whose summaries are summarized again (map-reduce)
    max_input_tokens: int | None = None
    # text put before every summarizer input (T5: 'summarize: '); None means the checkpoint's own
    # (config task_specific_params.summarization.prefix), '' none
    prefix: str | None = None
    # instruct models: the user turn, with {text}
    prompt: str = SUMMARY_PROMPT
    # instruct models: the system turn (merged into the user turn where the chat template has none); None = none
    system_prompt: str | None = SUMMARY_SYSTEM_PROMPT
    # instruct models: most tokens of prompt + text + summary; None = the model's whole context (long contexts
    # are slow on CPU); longer translations are summarized in chunks
    max_context_tokens: int | None = 4096


@dataclass(frozen=True)
class LanguageConfig:
    # detect each document's language (py3langid, offline) and record it as `language`
    detect: bool = True
    # English documents: 'skip_translation' (summarize the English directly), 'translate' or 'error'
    english: OnEnglish = "skip_translation"
    # documents in neither German nor English: 'skip' (status skipped), 'translate' anyway, or 'error'
    other: OnOther = "skip"


@dataclass(frozen=True)
class RuntimeConfig:
    # 'auto' (CUDA if available, then MPS, else CPU), 'cpu', 'cuda', 'cuda:N' or 'mps'
    device: str = "auto"
    # 'auto' (float32 on CPU; bfloat16 on GPUs that support it, else float32), 'float32', 'float16', 'bfloat16'
    dtype: DType = "auto"
    # most inputs (segments or summarizer chunks) in one generate call
    batch_size: int = 64
    # most padded input tokens in one generate call (rows x longest row); None means no token budget.
    # Bounds memory on long summarizer chunks (4 x 1024 tokens); raise it on GPUs with memory to spare
    max_batch_tokens: int | None = 4096
    # CPU threads for torch / CTranslate2; None means the library default (CTranslate2 on CPU: all the cores
    # this process may use, or OMP_NUM_THREADS)
    threads: int | None = None
    # ctranslate2 backend on CPU: parts of a batch decoded at once (CTranslate2's inter_threads), sharing the
    # threads; None = 1 for one thread, else max(2, threads // 4). Sampling always uses 1 (reproducibility)
    workers: int | None = None
    # dynamic int8 quantization of the transformers backend's linear layers (CPU only)
    quantize: bool = False
    # seed for sampling (when the checkpoint's generation_config or an override sets do_sample: true)
    seed: int = 0
    # documents processed together (their segments share batches); also the unit of resume
    group_size: int = 64
    # show a progress bar: in the runner, and in summarize() / Pipeline calls on more than one document
    progress: bool = True
    # 'local' (this process) or 'ray' (an actor pool on a Ray cluster: pip install '.[ray]')
    engine: Engine = "local"
    # folder for converted CTranslate2 models; None means ~/.cache/de-en-summarize
    cache_dir: str | None = None


@dataclass(frozen=True)
class RayConfig:
    # address of an existing Ray cluster ('auto' or 'ray://host:10001'); None starts a local one
    address: str | None = None
    # number of actors, each loading both models once; None means one per GPU, or 1 on a CPU cluster
    num_actors: int | None = None
    # CPUs reserved per actor
    num_cpus: float = 1.0
    # GPUs per actor; None means 1 when the cluster has GPUs, else 0
    num_gpus: float | None = None
    # retries of a group whose actor failed (crashed, killed) on the restarted actor; then its documents are
    # tried one by one, as often, and a document that still fails becomes an error record
    max_retries: int = 2


@dataclass(frozen=True)
class EvaluationConfig:
    # input column with the reference English translation (python -m pipeline.evaluate); null = none
    reference_translation: str | None = "reference_translation"
    # input column with the reference English summary (sentences separated by newlines); null = none
    reference_summary: str | None = "reference_summary"


@dataclass(frozen=True)
class Config:
    input: InputConfig = field(default_factory=InputConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    translation: TranslationConfig = field(default_factory=TranslationConfig)
    summarization: SummarizationConfig = field(default_factory=SummarizationConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    ray: RayConfig = field(default_factory=RayConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)

    def to_dict(self) -> dict[str, Any]:
        """The resolved config as plain nested dicts (YAML/JSON-safe)."""
        return dataclasses.asdict(self)

    def hash(self) -> str:
        """SHA-256 over the output-deciding keys: everything but :data:`OUTPUT_NEUTRAL` and
        :data:`RESOLVED_KEYS` (see :func:`output_deciding`)."""
        return hashlib.sha256(json.dumps(output_deciding(self.to_dict()), sort_keys=True).encode()).hexdigest()

    def neutral_settings(self) -> dict[str, Any]:
        """The output-neutral settings in effect, as ``{dotted key: value}`` (what a resumed span records)."""
        data = self.to_dict()
        out: dict[str, Any] = {}
        for dotted in (*OUTPUT_NEUTRAL, *RESOLVED_KEYS):
            section, _, key = dotted.partition(".")
            out[dotted] = data[section][key] if key else data[section]
        return out


# The split of the config's keys. Every key not named below decides the records (models, generation settings,
# budgets, languages, group size, dtype, seed, ...): it is hashed, and a run resumes only with the same values.
#
# OUTPUT_NEUTRAL: keys that never change a record. Batches are length-sorted with padding masked and the order
# restored, so batch size, token budget, CTranslate2 workers and thread counts change speed and memory, not
# the tokens; progress, engine placement (local or Ray), the conversion cache and evaluation columns change
# nothing a record holds. A resumed run may change them; the manifest records them per resumed span.
OUTPUT_NEUTRAL = ("runtime.batch_size", "runtime.max_batch_tokens", "runtime.threads", "runtime.workers",
                  "runtime.progress", "runtime.engine", "runtime.cache_dir", "ray", "evaluation")
# RESOLVED_KEYS: keys compared by what they resolve to, not as written ('auto' and 'cpu' are the same device on a
# machine without a GPU): left out of the hash; the runner compares the resolved device with the manifest's.
RESOLVED_KEYS = ("runtime.device",)
# PATH_KEYS: where the input and output lie. The input is checked document by document against the journal's
# digests (so a moved folder, or a relative path for an absolute one, resumes), and the output is where the
# manifest lies: neither path is hashed.
PATH_KEYS = ("input.path", "output.path")
# Everything the hash leaves out.
HASH_EXEMPT = (*OUTPUT_NEUTRAL, *RESOLVED_KEYS, *PATH_KEYS)


def output_deciding(data: Mapping[str, Any]) -> dict[str, Any]:
    """A resolved config as nested dicts (``Config.to_dict()``, or the ``config`` of a manifest) without the keys
    in :data:`HASH_EXEMPT`: what two runs must share for one to continue the other."""
    out = {name: dict(value) if isinstance(value, Mapping) else value for name, value in data.items()}
    for dotted in HASH_EXEMPT:
        section, _, key = dotted.partition(".")
        if key and isinstance(out.get(section), dict):
            out[section].pop(key, None)
        elif not key:
            out.pop(section, None)
    return out

# largest input.max_bytes (2**53, 8 PiB: any real file; beyond it sizes overflow the readers)
MAX_INPUT_BYTES = 2**53
# largest runtime.seed: both backends' generators take an unsigned 32-bit seed
MAX_SEED = 2**32 - 1
# a config file larger than this is refused unread; a config (file, mapping and --set values together) with more
# values than MAX_CONFIG_NODES (YAML aliases counted each time they are used) or nested deeper than
# MAX_CONFIG_DEPTH is refused before anything expands it (a YAML alias bomb)
MAX_CONFIG_BYTES = 1 << 20
MAX_CONFIG_NODES = 100_000
MAX_CONFIG_DEPTH = 32

_PROMPT_CHOICES = ("a template using only its placeholders: prompts need {text} once (translation may add "
                   "{source_language}, {target_language}); system prompts take no {text}; write literal braces as "
                   "{{ and }}")


def prompt_fields(template: str) -> list[str]:
    """The placeholders of a ``str.format`` template, in order; ValueError for a malformed one."""
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def prompt_problem(key: str, template: str) -> str | None:
    """What is wrong with the prompt template of config key ``key``, or None when it is fine."""
    import string

    try:
        parsed = [item for item in string.Formatter().parse(template) if item[1] is not None]
    except ValueError as exc:
        return f"malformed template ({exc})"
    if any(spec or conversion for _, _, spec, conversion in parsed):
        return "placeholders take no format spec or conversion ({text}, not {text!r} or {text:>9})"
    fields = [name for _, name, _, _ in parsed]
    allowed = PROMPT_FIELDS[key]
    unknown = sorted({f or "{}" for f in fields} - allowed)
    if unknown:
        return f"unknown placeholder(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed)) or 'none'}"
    if "text" in allowed and fields.count("text") != 1:
        return "the template must contain {text} exactly once"
    return None


_LANGUAGE_CHOICES = "null or a language code as pipeline.text.language detects it (ISO 639-1: 'de', 'fr', 'it', ...)"

# Extra value checks beyond the type: key -> (predicate, description of the valid values).
_VALUE_CHECKS: dict[str, tuple[typing.Callable[[Any], bool], str]] = {
    "runtime.device": (lambda v: bool(DEVICE_PATTERN.match(v)), DEVICE_CHOICES),
    "runtime.batch_size": (lambda v: v >= 1, "an integer >= 1"),
    "runtime.max_batch_tokens": (lambda v: v is None or v >= 1, "null or an integer >= 1"),
    "runtime.threads": (lambda v: v is None or v >= 1, "null or an integer >= 1"),
    "runtime.workers": (lambda v: v is None or v >= 1, "null or an integer >= 1"),
    "runtime.group_size": (lambda v: v >= 1, "an integer >= 1"),
    "translation.max_input_tokens": (lambda v: v is None or v >= 8, "null or an integer >= 8"),
    "summarization.max_input_tokens": (lambda v: v is None or v >= 16, "null or an integer >= 16"),
    "translation.max_context_tokens": (lambda v: v is None or v >= 64, "null or an integer >= 64"),
    "summarization.max_context_tokens": (lambda v: v is None or v >= 64, "null or an integer >= 64"),
    **{key: (lambda v, key=key: prompt_problem(key, v) is None, _PROMPT_CHOICES) for key in PROMPT_FIELDS},
    "translation.source_language": (lambda v: _language_code(v), _LANGUAGE_CHOICES),
    "translation.target_language": (lambda v: _language_code(v), _LANGUAGE_CHOICES),
    "ray.num_actors": (lambda v: v is None or v >= 1, "null or an integer >= 1"),
    "ray.num_cpus": (lambda v: v >= 0, "a number >= 0"),
    "ray.num_gpus": (lambda v: v is None or v >= 0, "null or a number >= 0"),
    "ray.max_retries": (lambda v: v >= 0, "an integer >= 0"),
    "input.encoding": (lambda v: _known_encoding(v), "'auto' or a Python codec name such as 'utf-8', 'cp1252'"),
    "input.max_bytes": (lambda v: 1 <= v <= MAX_INPUT_BYTES, f"an integer from 1 to {MAX_INPUT_BYTES} (bytes)"),
    "runtime.seed": (lambda v: 0 <= v <= MAX_SEED, f"an integer from 0 to {MAX_SEED} (2**32 - 1)"),
}


def _language_code(code: str) -> bool:
    return code in DETECTABLE


def _known_encoding(name: str) -> bool:
    import codecs

    if name == "auto":
        return True
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _generation_fields() -> frozenset[str]:
    from transformers import GenerationConfig

    return frozenset(k for k in GenerationConfig().to_dict() if not k.startswith("_"))


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp))
    if tp is type(None):
        return "null"
    return {int: "an integer", float: "a number", bool: "true/false", str: "a string", dict: "a mapping"}.get(
        tp, str(tp)
    )


def _coerce(key: str, tp: Any, value: Any) -> Any:
    """Check `value` against the annotation `tp`; return it (ints widened to float where a float is wanted)."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(tp):
            try:
                return _coerce(key, arg, value)
            except ConfigError:
                continue
        raise ConfigError(f"config key '{key}': invalid value {value!r}; expected {_describe(tp)}")
    if origin is Literal:
        if value in typing.get_args(tp):
            return value
        raise ConfigError(f"config key '{key}': unknown value {value!r}; expected one of {_describe(tp)}")
    if tp is type(None):
        if value is None:
            return None
    elif tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > 2**63 - 1:
                raise ConfigError(f"config key '{key}': invalid value {value!r}; expected an integer of at most "
                                  f"2**63 - 1 in size")
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif tp is dict and isinstance(value, Mapping):
        return dict(value)
    raise ConfigError(f"config key '{key}': invalid value {value!r}; expected {_describe(tp)}")


def _build(cls: type, data: Mapping[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in hints:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            where = f"'{prefix[:-1]}'" if prefix else "the top level"
            raise ConfigError(
                f"unknown config key '{dotted}'{hint}; valid keys in {where}: {', '.join(names)}"
            )
        tp = hints[key]
        if dataclasses.is_dataclass(tp):
            if value is None:
                value = {}
            if not isinstance(value, Mapping):
                raise ConfigError(f"config key '{dotted}': expected a mapping of {', '.join(_keys(tp))}")
            kwargs[key] = _build(tp, value, dotted + ".")
            continue
        value = _coerce(dotted, tp, value)
        check = _VALUE_CHECKS.get(dotted)
        if check is not None and value is not None and not check[0](value):
            problem = prompt_problem(dotted, value) if dotted in PROMPT_FIELDS else None
            why = f" ({problem})" if problem else ""
            raise ConfigError(f"config key '{dotted}': invalid value {value!r}{why}; expected {check[1]}")
        if key == "generation":
            _check_generation(dotted, value)
        kwargs[key] = value
    return cls(**kwargs)


def _keys(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# Value checks for the common decoding settings (transformers validates only some of them, and late).
_GENERATION_CHECKS: dict[str, tuple[typing.Callable[[Any], bool], str]] = {
    "num_beams": (lambda v: _is_int(v) and v >= 1, "an integer >= 1"),
    "max_new_tokens": (lambda v: v is None or (_is_int(v) and v >= 1), "null or an integer >= 1"),
    "min_new_tokens": (lambda v: v is None or (_is_int(v) and v >= 0), "null or an integer >= 0"),
    "max_length": (lambda v: v is None or (_is_int(v) and v >= 1), "null or an integer >= 1"),
    "min_length": (lambda v: v is None or (_is_int(v) and v >= 0), "null or an integer >= 0"),
    "length_penalty": (_is_number, "a number"),
    "no_repeat_ngram_size": (lambda v: _is_int(v) and v >= 0, "an integer >= 0"),
    "repetition_penalty": (lambda v: _is_number(v) and v > 0, "a number > 0"),
    "temperature": (lambda v: _is_number(v) and v > 0, "a number > 0"),
    "top_p": (lambda v: _is_number(v) and 0 < v <= 1, "a number in (0, 1]"),
    "top_k": (lambda v: _is_int(v) and v >= 0, "an integer >= 0"),
    "do_sample": (lambda v: isinstance(v, bool), "true/false"),
    "early_stopping": (lambda v: isinstance(v, bool) or v == "never", "true, false or 'never'"),
}


def _check_generation(dotted: str, overrides: Mapping[str, Any]) -> None:
    valid = _generation_fields()
    low, high = overrides.get("min_new_tokens"), overrides.get("max_new_tokens")
    if _is_int(low) and _is_int(high) and low > high:
        raise ConfigError(f"config key '{dotted}': min_new_tokens ({low}) is larger than max_new_tokens ({high})")
    for name, value in overrides.items():
        check = _GENERATION_CHECKS.get(name)
        if check is not None and not check[0](value):
            raise ConfigError(f"config key '{dotted}.{name}': invalid value {value!r}; expected {check[1]}")
        if name not in valid:
            close = difflib.get_close_matches(str(name), sorted(valid), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"unknown generation setting '{dotted}.{name}'{hint}; valid settings are the "
                f"transformers GenerationConfig fields, e.g. num_beams, max_new_tokens, min_new_tokens, "
                f"length_penalty, no_repeat_ngram_size, repetition_penalty, do_sample"
            )


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        # `generation` mappings are merged key by key too, so an override adds to the YAML's settings
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def parse_set(assignment: str) -> dict[str, Any]:
    """Turn ``'runtime.batch_size=8'`` into ``{'runtime': {'batch_size': 8}}`` (the value is read as YAML)."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects dotted.key=value, got {assignment!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError(f"--set {key}: cannot read value {raw!r} as YAML: {exc}") from None
    if value is None and "." not in key.strip():
        raise ConfigError(f"--set {key.strip()}=null would reset the whole section '{key.strip()}' to its defaults; "
                          f"set its keys one by one instead (--set {key.strip()}.KEY=VALUE)")
    nested: Any = value
    for part in reversed(key.strip().split(".")):
        nested = {part: nested}
    return nested


def load_config(
    source: str | Path | Mapping[str, Any] | Config | None = None,
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Config:
    """Read a config from a YAML path, a mapping or an existing Config, then apply overrides.

    ``overrides`` is either a list of ``dotted.key=value`` strings (as given to ``--set``) or a nested
    mapping with the same keys as the YAML (``{"runtime": {"device": "cpu"}}``).
    """
    if isinstance(source, Config):
        data = source.to_dict()
    elif isinstance(source, Mapping):
        data = dict(source)
    elif source is None:
        data = {}
    else:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"config file {str(path)!r} does not exist")
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"config file {str(path)!r} is larger than {MAX_CONFIG_BYTES:,} bytes; a config is a few "
                              f"kB (is it the right file?)")
        try:
            loaded = yaml.safe_load(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"config file {str(path)!r} is not UTF-8 text ({exc.reason})") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {str(path)!r} is not valid YAML: {exc}") from None
        if loaded is not None and not isinstance(loaded, Mapping):
            raise ConfigError(f"config file {str(path)!r} must hold a mapping of sections, not {type(loaded).__name__}")
        data = dict(loaded or {})
        data = _beside(data, path.parent)
    if overrides:
        items = [parse_set(o) for o in overrides] if not isinstance(overrides, Mapping) else [overrides]
        for item in items:
            _check_bounded(item)
            data = _merge(data, item)
    _check_bounded(data)
    return _build(Config, data, "")


# Relative paths in a config file that, when they do not exist from the working directory, are looked up in the
# config file's folder, then in the folder above it (configs/tiny.yaml names models/tiny/marian). The output path
# is not among them: it need not exist yet.
BESIDE_CONFIG = ("translation.model", "summarization.model", "input.path")


def _beside(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``data`` (a config file's mapping) with each relative path of :data:`BESIDE_CONFIG` that does not exist
    from the working directory but does from the config file's ``folder`` (or the one above) made absolute, so
    that ``load_config("../configs/tiny.yaml")`` from ``notebooks/`` finds the repository's ``models/tiny``."""
    out = dict(data)
    for dotted in BESIDE_CONFIG:
        section, _, key = dotted.partition(".")
        values = out.get(section)
        value = values.get(key) if isinstance(values, Mapping) else None
        if not isinstance(value, str) or not value or Path(value).is_absolute() or Path(value).exists():
            continue
        # the config's folder, then the one above it (the project's root in a `configs/` layout)
        found = [base / value for base in (folder, folder.resolve().parent) if (base / value).exists()]
        if found:
            out[section] = {**values, key: str(found[0].resolve())}
    return out


def _check_bounded(data: Any) -> None:
    """Refuse a config with more than MAX_CONFIG_NODES values or nested deeper than MAX_CONFIG_DEPTH, counting a
    shared (aliased) value each time it is used, and stopping as soon as a bound is passed (never expanding)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_CONFIG_NODES or depth > MAX_CONFIG_DEPTH:
            what = f"more than {MAX_CONFIG_NODES:,} values" if nodes > MAX_CONFIG_NODES else \
                f"values nested more than {MAX_CONFIG_DEPTH} deep"
            raise ConfigError(f"the config holds {what} (YAML aliases counted where used); a config is a few dozen "
                              f"keys: remove the aliases or the oversized value")
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, depth + 1) for v in value)
