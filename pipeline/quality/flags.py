"""Faithfulness flags for figures: lost or changed in translation, invented in the summary (pure, no torch).

Flags are notes for a reader; they never change the outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.results import Segment

from pipeline.quality.figures import summary_flags, translation_flags

# Kinds of flag, as counted in the manifest.
FLAG_KINDS = ("translation_lost", "translation_invented", "summary_invented")


def document_flags(segments: Sequence[Segment], translation: str, summary: str) -> dict[str, Any]:
    """Flags of one document: per segment, figures of the German missing from the English (lost or
    changed) and figures of the English absent from the German; figures of the summary found nowhere in
    the translation. Empty lists when nothing is suspicious."""
    flagged = []
    for index, segment in enumerate(segments):
        if segment.translation is None or segment.translation == segment.source:
            continue
        comparison = translation_flags(segment.source, segment.translation)
        if comparison.missing or comparison.extra:
            flagged.append({
                "segment": index,
                "lost": [f.text for f in comparison.missing],
                "invented": [f.text for f in comparison.extra],
            })
    invented = [f.text for f in summary_flags(translation, summary)] if summary else []
    return {"translation": flagged, "summary_invented": invented}


def count_flags(flag_dicts: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Totals by kind over many records' ``flags`` (for the manifest)."""
    totals = dict.fromkeys(FLAG_KINDS, 0)
    for flags in flag_dicts:
        for seg in flags.get("translation", ()):
            totals["translation_lost"] += len(seg["lost"])
            totals["translation_invented"] += len(seg["invented"])
        totals["summary_invented"] += len(flags.get("summary_invented", ()))
    return totals
