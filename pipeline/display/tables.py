"""Results as a pandas DataFrame: one row per document, or one per segment (pandas is optional).

>>> from pipeline import summarize, to_dataframe
>>> to_dataframe(summarize(texts))                        # id, status, error, language, summary, ...
>>> to_dataframe("outputs/summaries.jsonl", explode_segments=True)   # a run's records, one row per segment
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.fileio.jsonl import read_records

if TYPE_CHECKING:
    pass

from pipeline.quality.flags import FLAG_KINDS, count_flags

log = logging.getLogger(__name__)

MISSING_PANDAS = "to_dataframe needs pandas, which is not installed: pip install pandas"

# Columns of the two tables, in order.
DOCUMENT_COLUMNS = ("id", "status", "error", "language", "summary", "translation", "segment_count",
                    "warning_count", "flag_count", *FLAG_KINDS)
SEGMENT_COLUMNS = ("id", "status", "segment", "paragraph", "source", "translation", "lost", "invented")

Results = Any  # a DocumentResult, a record dict, an iterable of either, or the path of a JSONL output


def as_records(results: Results) -> list[dict[str, Any]]:
    """JSONL records from results, record dicts, or the path of a run's JSONL output."""
    if isinstance(results, (str, Path)):
        lines = list(read_records(Path(results), on_bad="skip"))
        for line in lines:
            if line.problem is not None:
                log.warning("%s: %s", results, line.problem)
        return [line.record for line in lines if line.record is not None]
    if _is_result(results) or isinstance(results, Mapping):
        results = [results]
    records = []
    for index, item in enumerate(results):
        if _is_result(item):
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


def _is_result(item: Any) -> bool:
    """A :class:`~pipeline.results.DocumentResult` (display works on records; a result gives its record)."""
    return callable(getattr(item, "to_record", None))
