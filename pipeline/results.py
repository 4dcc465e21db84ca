"""Typed results: what happened to each document, and the JSONL record it becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "skipped", "error"]


@dataclass(frozen=True)
class Segment:
    # the German source text of this segment, an exact substring of the document
    source: str
    # its English translation; None when the segment could not be translated (see the document's error)
    translation: str | None
    # index of the paragraph (blank-line separated block) the segment belongs to
    paragraph: int = 0


@dataclass(frozen=True)
class Summary:
    # the final English summary
    text: str
    # number of chunks the translation was cut into (1: summarized in one pass)
    chunks: int = 1
    # rounds of summarizing (1: direct; more: chunk summaries were summarized again, map-reduce)
    rounds: int = 1


@dataclass(frozen=True)
class DocumentResult:
    # the document's id (file name without extension, or the id column)
    id: str
    # 'ok', 'skipped' (nothing to do, see `error` for why) or 'error' (see `error`)
    status: Status
    # why the document was skipped or failed; None when ok
    error: str | None = None
    # the full English translation, paragraphs separated by a blank line; None if not produced
    translation: str | None = None
    # the English summary; None if not produced
    summary: str | None = None
    # the German segments with their translations, in document order
    segments: tuple[Segment, ...] = ()
    # detected language (ISO 639-1), or None when detection is off
    language: str | None = None
    # multilingual translators: the model's code of the language the document was translated from
    # ('fra_Latn', '__fr__', 'fr_XX'); None for single-pair models and untranslated documents
    translated_from: str | None = None
    # how the summary was made (chunks, rounds); None when there is no summary
    summarization: Summary | None = None
    # non-fatal notes, e.g. a translation that hit the length limit
    warnings: tuple[str, ...] = ()
    # faithfulness flags for figures (lost or changed in translation, invented in the summary)
    flags: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The JSONL record: stable key order, no timing fields (records of identical runs are identical)."""
        return {
            "id": self.id,
            "status": self.status,
            "error": self.error,
            "language": self.language,
            "translated_from": self.translated_from,
            "translation": self.translation,
            "summary": self.summary,
            "summarization": ({"chunks": self.summarization.chunks, "rounds": self.summarization.rounds}
                              if self.summarization else None),
            "warnings": list(self.warnings),
            "flags": self.flags,
            "segments": [{"source": s.source, "translation": s.translation, "paragraph": s.paragraph}
                         for s in self.segments],
        }
