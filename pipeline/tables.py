"""Results as a pandas DataFrame: one row per document, or one per segment (pandas is optional).

>>> from pipeline import summarize, to_dataframe
>>> to_dataframe(summarize(texts))                        # id, status, error, language, summary, ...
>>> to_dataframe("outputs/summaries.jsonl", explode_segments=True)   # a run's records, one row per segment
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.flags import FLAG_KINDS, count_flags
from pipeline.results import DocumentResult

MISSING_PANDAS = "to_dataframe needs pandas, which is not installed: pip install pandas"

# Columns of the two tables, in order.
DOCUMENT_COLUMNS = ("id", "status", "error", "language", "summary", "translation", "segment_count",
                    "warning_count", "flag_count", *FLAG_KINDS)
SEGMENT_COLUMNS = ("id", "status", "segment", "paragraph", "source", "translation", "lost", "invented")

Results = DocumentResult | Mapping[str, Any] | Iterable[DocumentResult | Mapping[str, Any]] | str | Path


def as_records(results: Results) -> list[dict[str, Any]]:
    """JSONL records from results, record dicts, or the path of a run's JSONL output."""
    if isinstance(results, (str, Path)):
        path = Path(results)
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    if isinstance(results, (DocumentResult, Mapping)):
        results = [results]
    records = []
    for index, item in enumerate(results):
        if isinstance(item, DocumentResult):
            records.append(item.to_record())
        elif isinstance(item, Mapping):
            records.append(dict(item))
        else:
            raise TypeError(f"to_dataframe: item {index} is a {type(item).__name__}; expected a DocumentResult, "
                            f"a record dict, or pass the path of a JSONL output")
    return records


def document_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        flags = count_flags([record.get("flags") or {}])
        rows.append({
            **{key: record.get(key) for key in ("id", "status", "error", "language", "summary", "translation")},
            "segment_count": len(record.get("segments") or ()),
            "warning_count": len(record.get("warnings") or ()),
            "flag_count": sum(flags.values()),
            **flags,
        })
    return rows


def segment_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        flagged = {f["segment"]: f for f in (record.get("flags") or {}).get("translation", ())}
        for index, segment in enumerate(record.get("segments") or ()):
            flag = flagged.get(index, {})
            rows.append({
                "id": record.get("id"), "status": record.get("status"), "segment": index,
                "paragraph": segment.get("paragraph"), "source": segment.get("source"),
                "translation": segment.get("translation"),
                # figures of the German missing from the English, and figures of the English not in the German
                "lost": ", ".join(flag.get("lost", ())), "invented": ", ".join(flag.get("invented", ())),
            })
    return rows


def to_dataframe(results: Results, *, explode_segments: bool = False) -> Any:
    """A ``pandas.DataFrame`` of results.

    Args:
        results: what ``summarize()`` returned (a result or a list of them), record dicts, or the path of a
            run's JSONL output.
        explode_segments: one row per segment (``id``, ``status``, ``segment``, ``paragraph``, ``source``,
            ``translation``, and the figures flagged as ``lost`` / ``invented`` in its translation) instead
            of one per document.

    Returns:
        One row per document: ``id``, ``status``, ``error``, ``language``, ``summary``, ``translation``,
        ``segment_count``, ``warning_count``, ``flag_count`` and the flag counts by kind
        (``translation_lost``, ``translation_invented``, ``summary_invented``). A document without segments
        has no row when exploded.

    Raises:
        ImportError: pandas is not installed (``pip install pandas``).
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(MISSING_PANDAS) from None
    records = as_records(results)
    if explode_segments:
        return pd.DataFrame(segment_rows(records), columns=list(SEGMENT_COLUMNS))
    return pd.DataFrame(document_rows(records), columns=list(DOCUMENT_COLUMNS))
