"""Typed documents and results: what came in, what happened to each document, the JSONL record it becomes,
and how it shows in a notebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, SupportsIndex, overload

Status = Literal["ok", "skipped", "error"]


@dataclass(frozen=True)
class Document:
    # the document's id: file name without extension, the id column, or the row number
    id: str
    # the text; None when it could not be read (see error)
    text: str | None
    # why the document cannot be processed (binary, undecodable, wrong type); None when readable
    error: str | None = None
    # non-fatal notes from reading (e.g. read as Windows-1252)
    warnings: tuple[str, ...] = ()



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

    def __repr__(self) -> str:
        """One line, under 300 characters: id, status, language, the start of the summary (or the error), counts."""
        from pipeline.display.render import one_line

        return one_line(self.to_record())

    def _repr_html_(self) -> str:
        """Jupyter's view: a card with the summary, error, warnings, flagged figures and the segments."""
        from pipeline.display.render import card

        return card(self.to_record())


class ResultList(list):
    """A list of `DocumentResult` that shows as a table in Jupyter (one row per document; click a summary to
    open its card) and as a few short lines elsewhere. It is a plain list otherwise; slices stay ResultLists."""

    # rows shown in the HTML table and lines in the text view; the rest are counted
    max_rows = 50
    max_lines = 5

    @overload
    def __getitem__(self, index: SupportsIndex) -> DocumentResult: ...
    @overload
    def __getitem__(self, index: slice) -> ResultList: ...
    def __getitem__(self, index):  # noqa: E301
        item = super().__getitem__(index)
        return ResultList(item) if isinstance(index, slice) else item

    def __add__(self, other: list) -> ResultList:  # type: ignore[override]
        return ResultList(list.__add__(self, other))

    def copy(self) -> ResultList:
        return ResultList(self)

    def _records(self) -> list[Any]:
        return [r.to_record() if isinstance(r, DocumentResult) else r for r in self]

    def __repr__(self) -> str:
        from pipeline.display.render import preview, view

        views = [view(record) for record in self._records()]
        counts: dict[str, int] = {}
        for v in views:
            status = preview(v.status, 20)
            counts[status] = counts.get(status, 0) + 1
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        flagged = sum(1 for v in views if v.flag_count)
        head = f"ResultList({len(self)} document{'s' * (len(self) != 1)}{': ' + parts if parts else ''}"
        head += f"; {flagged} with flagged figures)" if flagged else ")"
        shown = [repr(item)[:299] for item in list.__getitem__(self, slice(self.max_lines))]
        more = [f"  … {len(self) - self.max_lines} more"] if len(self) > self.max_lines else []
        return "\n".join([head, *(f"  {line}" for line in shown), *more])

    def _repr_html_(self) -> str:
        from pipeline.display.render import table

        return table(self._records(), max_rows=self.max_rows)
