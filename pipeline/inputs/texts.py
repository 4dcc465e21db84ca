"""Texts handed to the Python API (``summarize()``, ``Pipeline``) → documents, or a TypeError at the call."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pipeline.inputs.decoding import surrogate_reason
from pipeline.results import Document

_ACCEPTED = "a str, an iterable of str (list, tuple, generator, pandas Series) or a mapping of id to str"


def documents_from_texts(texts: str | Iterable[str] | Mapping[Any, str]) -> tuple[bool, Iterator[Document]]:
    """``(single, documents)`` for what a caller passed to ``summarize()`` / ``Pipeline()``.

    A ``str`` is one document (``single`` is True). An iterable of ``str`` (list, tuple, generator, ...) gives
    one document per item, ids ``"0"``, ``"1"``, ..., read lazily as the documents are consumed; a pandas Series
    gives its index as the ids, a mapping its keys (``str()`` of each), so results join back to the input.
    ``None``, numbers, ``bytes``, sets, DataFrames and other non-iterables raise a ``TypeError`` naming the
    accepted types. Within an iterable, an item that is not a ``str`` becomes an error document ("expected a
    string, got int"), ``None`` or NaN one with "no text", and a text with lone surrogates (which no encoding can
    write) one that says so. A text that is the path of an existing file is processed as the text it is, with a
    warning saying how to read the file.
    """
    if isinstance(texts, str):
        return True, iter([_api_document("0", texts)])
    hint = _refusal(texts)
    if hint is not None:
        raise TypeError(f"texts must be {_ACCEPTED}; got {type(texts).__name__}{hint}")
    if isinstance(texts, Mapping) or _is_series(texts):
        pairs: Iterable[tuple[Any, Any]] = texts.items()  # type: ignore[union-attr]
        return False, (_api_document(str(key), item) for key, item in pairs)
    return False, (_api_document(str(i), item) for i, item in enumerate(texts))


def _is_series(texts: Any) -> bool:
    """A pandas Series (or alike): an index and items(), no columns."""
    return hasattr(texts, "index") and hasattr(texts, "items") and hasattr(texts, "iloc") and not hasattr(
        texts, "columns")


def _refusal(texts: Any) -> str | None:
    """None when ``texts`` is an acceptable iterable, else a hint to add to the TypeError."""
    if isinstance(texts, (bytes, bytearray, memoryview)):
        return " (decode it first, e.g. data.decode('utf-8'))"
    if isinstance(texts, (set, frozenset)):
        return " (a set has no order; pass a list, e.g. sorted(texts))"
    if hasattr(texts, "columns") and hasattr(texts, "iloc"):
        return " (pass the column holding the texts, e.g. df['text'])"
    if not isinstance(texts, Iterable):
        return ""
    return None


# A text this long or with a line break is a text, not a file name.
_MAX_PATH_CHARS = 1024


def file_path_warning(text: str) -> str | None:
    """A warning for a text that is the path of an existing file (``summarize("seeds/000.txt")`` summarizes
    those characters, not the file), saying how to read the file; None for any other text."""
    if len(text) > _MAX_PATH_CHARS or "\n" in text or not text.strip():
        return None
    try:
        is_file = os.path.isfile(text.strip())
    except (OSError, ValueError):
        return None
    if not is_file:
        return None
    return (f"the text is the path of an existing file ({text.strip()!r}) and was processed as it is; to "
            f"summarize the file, pass its contents: Path({text.strip()!r}).read_text(encoding='utf-8')")


def _api_document(doc_id: str, item: Any) -> Document:
    if item is None or (isinstance(item, float) and math.isnan(item)) or type(item).__name__ == "NAType":
        return Document(doc_id, None, error=f"no text: item {doc_id} is {item!r}, not a string")
    if not isinstance(item, str):
        return Document(doc_id, None, error=f"expected a string, got {type(item).__name__}")
    reason = surrogate_reason(item)
    if reason:
        return Document(doc_id, None, error=reason)
    note = file_path_warning(item)
    if note is not None:
        warnings.warn(note, UserWarning, stacklevel=2)
        return Document(doc_id, item, warnings=(note,))
    return Document(doc_id, item)
