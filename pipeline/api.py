"""The notebook entry points: ``summarize()``, the cached pipeline behind it, and texts → results.

>>> from pipeline import summarize
>>> results = summarize(texts, device="cpu", batch_size=16)     # a progress bar for more than one text

The models are loaded on the first call and kept (one pipeline, :data:`_CACHE`). A later call with other
settings reuses them whenever the settings that loading depends on are unchanged (model, revision, backend,
compute type, device, dtype, quantize, threads: :func:`pipeline.core.load_key`); everything else (batch size,
progress, generation settings, language options...) applies to the loaded models at once.

This module imports neither torch nor the pipeline's model code: :mod:`pipeline.core` is imported when a
pipeline is needed.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pipeline.config import Config, ConfigError, load_config
from pipeline.progress import tqdm_class
from pipeline.results import DocumentResult, ResultList

if TYPE_CHECKING:
    from pipeline.core import Pipeline

ConfigLike = Config | str | Path | Mapping[str, Any] | None

# The one cached pipeline (its models stay loaded between calls).
_CACHE: dict[str, Pipeline] = {}


def shortcut_overrides(
    sections: Mapping[str, Any], *, device: str | None = None, batch_size: int | None = None,
    backend: str | None = None,
) -> dict[str, Any]:
    """The section overrides with the flat keywords merged in: ``device`` and ``batch_size`` are
    ``runtime.device`` / ``runtime.batch_size``, ``backend`` sets both ``translation.backend`` and
    ``summarization.backend``. A flat keyword wins over the same key in a section mapping."""
    merged = {name: dict(value) if isinstance(value, Mapping) else value for name, value in sections.items()}

    def put(section: str, key: str, value: Any) -> None:
        if value is None:
            return
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, Mapping) else {}), key: value}

    put("runtime", "device", device)
    put("runtime", "batch_size", batch_size)
    put("translation", "backend", backend)
    put("summarization", "backend", backend)
    return merged


# summarize()'s flat keywords (besides the config's sections)
SHORTCUTS = ("device", "batch_size", "backend", "progress", "config")


def check_keywords(function: str, sections: Mapping[str, Any]) -> None:
    """A ConfigError for a keyword that is neither a flat shortcut nor a config section, with a did-you-mean over
    both (and over the keys inside the sections: ``group_size=8`` → ``runtime={'group_size': 8}``)."""
    names = [f.name for f in dataclasses.fields(Config)]
    unknown = [key for key in sections if key not in names]
    if not unknown:
        return
    key = unknown[0]
    inner = {f.name: section.name for section in dataclasses.fields(Config)
             for f in dataclasses.fields(section.default_factory())}  # type: ignore[misc]
    close = difflib.get_close_matches(key, [*SHORTCUTS, *names, *inner], n=1, cutoff=0.6)
    if close and close[0] in inner and close[0] not in SHORTCUTS:
        hint = f" (did you mean {inner[close[0]]}={{{close[0]!r}: ...}}?)"
    else:
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(f"{function}() got an unexpected keyword argument {key!r}{hint}; it takes "
                    f"{', '.join(SHORTCUTS)}, or overrides by config section: {', '.join(names)}")


def get_pipeline(config: ConfigLike = None, *, progress: bool | None = None, **sections: Any) -> Pipeline:
    """The cached :class:`~pipeline.core.Pipeline` set up for this config: its loaded models are reused
    whenever loading would give the same (see the module docstring), else loaded once more. ``progress``: the
    "loading models" line while models load (None: ``runtime.progress``)."""
    from pipeline.core import Pipeline

    check_keywords("get_pipeline", sections)
    tqdm_class()  # before transformers is imported (by the config's generation check or the models)
    resolved = load_config(config, overrides=sections or None)
    cached = _CACHE.get("pipeline")
    if cached is not None and cached.config == resolved:
        return cached
    # the new pipeline replaces the cached one only once it exists: an interrupted or failed load leaves the
    # cache as it was
    pipe = (cached.with_config(resolved, progress=progress) if cached is not None
            else Pipeline(resolved, progress=progress))
    _CACHE["pipeline"] = pipe
    return pipe


@overload
def summarize(
    texts: str, *, device: str | None = None, batch_size: int | None = None, backend: str | None = None,
    progress: bool | None = None, config: ConfigLike = None, **sections: Any,
) -> DocumentResult: ...


@overload
def summarize(
    texts: Iterable[str], *, device: str | None = None, batch_size: int | None = None, backend: str | None = None,
    progress: bool | None = None, config: ConfigLike = None, **sections: Any,
) -> ResultList: ...


def summarize(
    texts: str | Iterable[str], *, device: str | None = None, batch_size: int | None = None,
    backend: str | None = None, progress: bool | None = None, config: ConfigLike = None, **sections: Any,
) -> DocumentResult | ResultList:
    """Translate German text(s) into English and summarize them.

    Args:
        texts: one German text, or any iterable of them (a list, a pandas Series, a ``datasets`` column), or
            a mapping of id to text. An item that is not a string gives an ``error`` result, not an exception.
            A text that is the path of an existing file is processed as it is, with a warning.
        device: ``runtime.device``: 'auto' (the default: CUDA, then MPS, else CPU), 'cpu', 'cuda', 'cuda:N'
            or 'mps'.
        batch_size: ``runtime.batch_size``, the most segments (or summarizer chunks) in one generate call.
        backend: ``translation.backend`` and ``summarization.backend``: 'auto' (the default: CTranslate2 where
            it is installed, ``pip install '.[fast]'``, and converts the model, else transformers),
            'transformers' or 'ctranslate2'. The first call converts a model for CTranslate2 once (cached).
        progress: a progress bar over the documents, moving after every batch. None (the default): shown for
            more than one document unless ``runtime.progress`` is false; True: always; False: never.
        config: a YAML path, a mapping or a :class:`~pipeline.config.Config`; None means the defaults.
        **sections: overrides in the YAML's sections, e.g. ``runtime={"group_size": 8}``,
            ``summarization={"generation": {"num_beams": 2}}``, ``language={"english": "translate"}``.
            The flat keywords above win over the same keys here.

    Returns:
        For a ``str``, one :class:`~pipeline.results.DocumentResult` (``.summary``, ``.translation``,
        ``.segments``, ``.status``, ``.error``, ``.warnings``, ``.flags``). For an iterable, a
        :class:`~pipeline.results.ResultList` (a list) of them in input order, with ids "0", "1", ... (a
        Series' index, a mapping's keys).
        For results one at a time over a large input, use ``get_pipeline(...).stream(texts)``.

    Raises:
        ConfigError: an unknown key or keyword (with a did-you-mean over the flat keywords and the sections), or
            an invalid value, named with the valid choices.
        TypeError: ``texts`` of a type it does not take.
        ModelLoadError: a model cannot be found or loaded; the message says how to fix it.

    The models are loaded on the first call and reused by later calls whose loading settings are the same.
    """
    check_keywords("summarize", sections)
    pipe = get_pipeline(config, progress=progress,
                        **shortcut_overrides(sections, device=device, batch_size=batch_size, backend=backend))
    return pipe(texts, progress=progress)
