"""Texts handed to the Python API (``summarize()``, ``Pipeline``) → documents, or a TypeError at the call."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pipeline.inputs.decoding import surrogate_reason
from pipeline.results import Document

_ACCEPTED = "a str or an iterable of str (list, tuple, generator, pandas Series)"


def documents_from_texts(texts: str | Iterable[str]) -> tuple[bool, Iterator[Document]]:
    """``(single, documents)`` for what a caller passed to ``summarize()`` / ``Pipeline()``.

    A ``str`` is one document (``single`` is True). An iterable of ``str`` (list, tuple, generator, pandas
    Series, ...) gives one document per item, ids ``"0"``, ``"1"``, ..., read lazily as the documents are
    consumed. ``None``, numbers, ``bytes``, mappings, sets, DataFrames and other non-iterables raise a
    ``TypeError`` naming the accepted types. Within an iterable, an item that is not a ``str`` becomes an error
    document ("expected a string, got int"), ``None`` or NaN one with "no text", and a text with lone
    surrogates (which no encoding can write) one that says so.
    """
    if isinstance(texts, str):
        return True, iter([_api_document("0", texts)])
    hint = _refusal(texts)
    if hint is not None:
        raise TypeError(f"texts must be {_ACCEPTED}; got {type(texts).__name__}{hint}")
    return False, (_api_document(str(i), item) for i, item in enumerate(texts))


def _refusal(texts: Any) -> str | None:
    """None when ``texts`` is an acceptable iterable, else a hint to add to the TypeError."""
    if isinstance(texts, (bytes, bytearray, memoryview)):
        return " (decode it first, e.g. data.decode('utf-8'))"
    if isinstance(texts, Mapping):
        return " (pass its values, e.g. list(texts.values()))"
    if isinstance(texts, (set, frozenset)):
        return " (a set has no order; pass a list, e.g. sorted(texts))"
    if hasattr(texts, "columns") and hasattr(texts, "iloc"):
        return " (pass the column holding the texts, e.g. df['text'])"
    if not isinstance(texts, Iterable):
        return ""
    return None


def _api_document(doc_id: str, item: Any) -> Document:
    if item is None or (isinstance(item, float) and math.isnan(item)) or type(item).__name__ == "NAType":
        return Document(doc_id, None, error=f"no text: item {doc_id} is {item!r}, not a string")
    if not isinstance(item, str):
        return Document(doc_id, None, error=f"expected a string, got {type(item).__name__}")
    reason = surrogate_reason(item)
    return Document(doc_id, None if reason else item, error=reason)
