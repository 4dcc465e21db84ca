"""HTML for results: one document's card and a table of documents (pure: no torch, no JavaScript).

Everything works on JSONL records (the dicts that `DocumentResult.to_record()` returns and the output file
holds) and tolerates malformed ones, as a report over a damaged file must: every value is HTML-escaped,
values of the wrong type are shown as text or left out, and nothing raises.

Flagged figures are highlighted with `<mark>` on both sides of a segment (German: lost or changed in the
translation; English: not in the German) and in the summary (invented). The record's flags hold the
figures' texts; their positions are found again with the figure readers of `pipeline.quality.figures`, and by plain
text search for a figure those readers do not find.

The CSS is inline and scoped to `.dsr`; colours are semi-transparent over `color: inherit`, so a card reads
the same on the light and the dark Jupyter themes.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.display.warning_kinds import group_warnings
from pipeline.quality.figures import Figure, english_figures, german_figures

STATUSES = ("ok", "skipped", "error")
# how a highlight is labelled (shown after the figure) and explained (its title)
MARKS = {
    "lost": ("lost", "in the German, missing or changed in the English"),
    "invented": ("invented", "in the English, not in the German: invented or changed"),
    "summary": ("invented", "in the summary, found nowhere in the translation"),
}
# characters of the summary (or error) shown in a one-line view
PREVIEW_CHARS = 120
# flagged segments listed under the summary before "... more"
MAX_LISTED_FLAGS = 12

STYLE = """<style>
.dsr{color:inherit;font-size:13px;line-height:1.45}
.dsr *{box-sizing:border-box}
.dsr-card{border:1px solid var(--jp-border-color2,rgba(127,127,127,.4));border-radius:6px;padding:.5em .75em;
 margin:.4em 0;background:transparent}
.dsr-head{display:flex;flex-wrap:wrap;gap:.3em .6em;align-items:baseline}
.dsr-id{font-weight:600;overflow-wrap:anywhere}
.dsr-meta{opacity:.75}
.dsr-badge{display:inline-block;border-radius:3px;padding:0 .45em;border:1px solid rgba(127,127,127,.45);
 font-size:.9em}
.dsr-s-ok .dsr-badge,.dsr-badge.dsr-s-ok{background:rgba(46,160,67,.25)}
.dsr-s-skipped .dsr-badge,.dsr-badge.dsr-s-skipped{background:rgba(127,127,127,.25)}
.dsr-s-error .dsr-badge,.dsr-badge.dsr-s-error{background:rgba(218,54,51,.3)}
.dsr-s-other .dsr-badge,.dsr-badge.dsr-s-other{background:rgba(137,87,229,.25)}
.dsr-summary{margin:.4em 0;white-space:pre-wrap;overflow-wrap:anywhere}
.dsr-label{font-weight:600;margin-right:.4em}
.dsr-error,.dsr-skip,.dsr-warnings,.dsr-flags{margin:.35em 0;padding:.15em .6em;white-space:pre-wrap;
 overflow-wrap:anywhere}
.dsr-error{border-left:3px solid rgba(218,54,51,.85);background:rgba(218,54,51,.12)}
.dsr-skip{border-left:3px solid rgba(127,127,127,.7);background:rgba(127,127,127,.1)}
.dsr-warnings{border-left:3px solid rgba(210,153,34,.85);background:rgba(210,153,34,.12)}
.dsr-flags{border-left:3px solid rgba(137,87,229,.85);background:rgba(137,87,229,.1)}
.dsr ul{margin:.1em 0;padding-left:1.3em}
.dsr details>summary{cursor:pointer;margin:.3em 0}
.dsr table.dsr-t{border-collapse:collapse;width:100%;table-layout:fixed;margin:.2em 0;font-size:inherit}
.dsr table.dsr-t th,.dsr table.dsr-t td{border:none;border-top:1px solid rgba(127,127,127,.3);padding:.25em .45em;
 vertical-align:top;text-align:left;color:inherit;background:transparent;white-space:pre-wrap;
 overflow-wrap:anywhere;line-height:1.45;max-width:none}
.dsr table.dsr-t th{font-weight:600;border-top:none;border-bottom:1px solid rgba(127,127,127,.6)}
.dsr table.dsr-t tr{background:transparent}
.dsr table.dsr-t tr.dsr-para>td{border-top:2px solid rgba(127,127,127,.65)}
.dsr table.dsr-t tr.dsr-flagged>td:first-child{box-shadow:inset 3px 0 rgba(137,87,229,.85)}
.dsr table.dsr-t td.dsr-n{opacity:.7;font-variant-numeric:tabular-nums}
.dsr mark{color:inherit;border-radius:3px;padding:0 .15em}
.dsr mark[data-kind]::after{content:attr(data-kind);font-size:.72em;font-weight:600;opacity:.85;margin-left:.3em;
 vertical-align:.15em;text-transform:uppercase;letter-spacing:.02em}
.dsr mark.dsr-lost{background:rgba(218,54,51,.3);box-shadow:0 0 0 1px rgba(218,54,51,.75)}
.dsr mark.dsr-invented{background:rgba(210,153,34,.35);box-shadow:0 0 0 1px rgba(210,153,34,.85)}
.dsr mark.dsr-summary{background:rgba(137,87,229,.3);box-shadow:0 0 0 1px rgba(137,87,229,.8)}
.dsr-none{opacity:.6;font-style:italic}
</style>"""


def plural(count: int, word: str) -> str:
    """``1 segment``, ``2 segments``, ``0 segments``."""
    return f"{count} {word}{'s' * (count != 1)}"


# Unicode's bidirectional controls (embeddings, overrides, isolates, marks): in a document's text they can reorder
# what a reviewer sees (an id or a figure shown backwards, the page's own labels swapped). They are shown as
# visible code points instead; the records keep them.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def esc(value: Any) -> str:
    """HTML-escaped text of any value (quotes included, so it is safe inside attributes too), with bidirectional
    controls shown as ``[U+202E]``."""
    text = html.escape(value if isinstance(value, str) else text_of(value) or "", quote=True)
    return _BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def text_of(value: Any) -> str | None:
    """A record's value as text: None stays None, strings stay, anything else becomes JSON (or str)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(text_of(v) or "" for v in value)
    return (text_of(value) or "",)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class SegmentFlag:
    # index into the segments; None when the record's index is not a valid one (see `label`)
    segment: int | None
    # the index as the record wrote it, for display
    label: str
    # German figures missing or changed in the English, and English figures not in the German
    lost: tuple[str, ...]
    invented: tuple[str, ...]


@dataclass(frozen=True)
class View:
    """A record read defensively: every field has the type the renderer expects."""

    id: str
    status: str
    error: str | None
    language: str | None
    summary: str | None
    translation: str | None
    warnings: tuple[str, ...]
    # (German, English or None, paragraph or None)
    segments: tuple[tuple[str, str | None, int | None], ...]
    segment_flags: tuple[SegmentFlag, ...]
    summary_invented: tuple[str, ...]
    chunks: int | None
    rounds: int | None

    @property
    def flag_count(self) -> int:
        """Flagged figures: lost and invented in the segments, invented in the summary."""
        return sum(len(f.lost) + len(f.invented) for f in self.segment_flags) + len(self.summary_invented)

    @property
    def status_class(self) -> str:
        return self.status if self.status in STATUSES else "other"

    @property
    def classes(self) -> str:
        """Classes that the report's filter selects on: status, flagged, with warnings."""
        flagged = " dsr-fl" if self.flag_count else ""
        warned = " dsr-w" if self.warnings else ""
        return f"dsr-item dsr-s-{self.status_class}{flagged}{warned}"


def view(record: Any) -> View:
    """Read a record (a dict from `to_record()` or a JSONL line) into a `View`; never raises."""
    rec: Mapping[str, Any] = record if isinstance(record, Mapping) else {"id": text_of(record), "status": "?"}
    segments = []
    raw_segments = rec.get("segments")
    for item in raw_segments if isinstance(raw_segments, (list, tuple)) else _texts(raw_segments):
        if isinstance(item, Mapping):
            segments.append((text_of(item.get("source")) or "", text_of(item.get("translation")),
                             _int(item.get("paragraph"))))
        else:
            segments.append((text_of(item) or "", None, None))
    flags = rec.get("flags") if isinstance(rec.get("flags"), Mapping) else {}
    segment_flags = []
    raw_flags = flags.get("translation")
    for item in raw_flags if isinstance(raw_flags, (list, tuple)) else ():
        if not isinstance(item, Mapping):
            segment_flags.append(SegmentFlag(None, text_of(item) or "", (), ()))
            continue
        index = _int(item.get("segment"))
        valid = index if index is not None and 0 <= index < len(segments) else None
        segment_flags.append(SegmentFlag(valid, text_of(item.get("segment")) or "?",
                                         _texts(item.get("lost")), _texts(item.get("invented"))))
    how = rec.get("summarization") if isinstance(rec.get("summarization"), Mapping) else {}
    return View(
        id=text_of(rec.get("id")) or "",
        status=text_of(rec.get("status")) or "?",
        error=text_of(rec.get("error")),
        language=text_of(rec.get("language")),
        summary=text_of(rec.get("summary")),
        translation=text_of(rec.get("translation")),
        warnings=_texts(rec.get("warnings")),
        segments=tuple(segments),
        segment_flags=tuple(segment_flags),
        summary_invented=_texts(flags.get("summary_invented")),
        chunks=_int(how.get("chunks")),
        rounds=_int(how.get("rounds")),
    )


def preview(text: str | None, limit: int = PREVIEW_CHARS) -> str:
    """The start of a text on one line: whitespace collapsed, cut at `limit` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def one_line(record: Any, name: str = "DocumentResult", limit: int = 299) -> str:
    """A short one-line text view: id, status, language, the start of the summary (or the error), counts."""
    v = view(record)
    if v.summary is not None or v.error is None:
        text = f"summary={preview(v.summary, 80)!r}" if v.summary is not None else "summary=None"
    else:
        text = f"error={preview(v.error, 80)!r}"
    language = None if v.language is None else preview(v.language, 10)
    line = (f"{name}(id={preview(v.id, 60)!r}, status={preview(v.status, 20)!r}, language={language!r}, "
            f"{text}, segments={len(v.segments)}, warnings={len(v.warnings)}, flags={v.flag_count})")
    # repr() escapes line breaks; escapes can lengthen a text, so cut the line itself as a last resort
    return line if len(line) <= limit else line[: limit - 2] + "…)"


def figure_spans(text: str, wanted: Sequence[str], read: Callable[[str], list[Figure]]) -> list[tuple[int, int]]:
    """Where the figures whose texts are `wanted` stand in `text`: each wanted text once, read as a figure
    where possible, else found by text search; sorted, never overlapping."""
    if not text or not wanted:
        return []
    need = Counter(w for w in wanted if w)
    spans: list[tuple[int, int]] = []
    for figure in read(text):
        if need[figure.text] > 0:
            need[figure.text] -= 1
            spans.append((figure.start, figure.end))
    for target, count in need.items():
        pos = 0
        while count > 0 and (start := text.find(target, pos)) >= 0:
            end = start + len(target)
            if not any(start < b and a < end for a, b in spans):
                spans.append((start, end))
                count -= 1
            pos = start + 1
    return sorted(spans)


def marked(text: str, spans: Iterable[tuple[int, int]], kind: str) -> str:
    """`text` escaped, with each span wrapped in a `<mark>` labelled with the flag's kind."""
    label, title = MARKS[kind]
    out, pos = [], 0
    for start, end in spans:
        out.append(esc(text[pos:start]))
        out.append(f'<mark class="dsr-{kind}" data-kind="{label}" title="{title}">{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _figures_list(items: Sequence[str], kind: str) -> str:
    return ", ".join(marked(item, [(0, len(item))], kind) for item in items)


def _flags_html(v: View) -> str:
    if not v.flag_count:
        return ""
    items = []
    for flag in v.segment_flags:
        if not (flag.lost or flag.invented):
            continue
        parts = []
        if flag.lost:
            parts.append(f"lost {_figures_list(flag.lost, 'lost')}")
        if flag.invented:
            parts.append(f"invented {_figures_list(flag.invented, 'invented')}")
        where = f"segment {flag.segment}" if flag.segment is not None else f"segment {esc(flag.label)} (not found)"
        items.append(f"<li>{where}: {'; '.join(parts)}</li>")
    shown = items[:MAX_LISTED_FLAGS]
    if len(items) > len(shown):
        shown.append(f"<li>… {len(items) - len(shown)} more flagged segments: see the segments below</li>")
    if v.summary_invented:
        shown.append(f"<li>summary: invented {_figures_list(v.summary_invented, 'summary')}</li>")
    return (f'<div class="dsr-flags"><span class="dsr-label">Figures flagged ({v.flag_count})</span>'
            f"<ul>{''.join(shown)}</ul></div>")


def segments_table(v: View) -> str:
    """The German | English table of a document's segments, flagged figures highlighted on both sides."""
    by_segment: dict[int, tuple[list[str], list[str]]] = {}
    for flag in v.segment_flags:
        if flag.segment is not None:
            lost, invented = by_segment.setdefault(flag.segment, ([], []))
            lost.extend(flag.lost)
            invented.extend(flag.invented)
    rows, previous = [], None
    for index, (source, translation, paragraph) in enumerate(v.segments):
        lost, invented = by_segment.get(index, ((), ()))
        german = marked(source, figure_spans(source, lost, german_figures), "lost")
        if translation is None:
            english = '<span class="dsr-none">not translated</span>'
        else:
            english = marked(translation, figure_spans(translation, invented, english_figures), "invented")
        classes = []
        if index and paragraph != previous:
            classes.append("dsr-para")
        if lost or invented:
            classes.append("dsr-flagged")
        previous = paragraph
        attr = f' class="{" ".join(classes)}"' if classes else ""
        rows.append(f'<tr{attr}><td class="dsr-n">{index}</td><td lang="de">{german}</td>'
                    f'<td lang="en">{english}</td></tr>')
    return ('<table class="dsr-t"><colgroup><col style="width:3.2em"><col><col></colgroup>'
            "<thead><tr><th>#</th><th>German</th><th>English</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def card(record: Any, *, style: bool = True, number: int | None = None, open_segments: bool = False) -> str:
    """One document as an HTML card: status, id, language and counts, the summary, the error, warnings,
    the flagged figures, and a collapsible German | English table of the segments. With `number`, the card
    shows it and has the anchor `d<number>`; `style=False` leaves out the CSS (for a page that has it)."""
    v = view(record)
    meta = [f"language {esc(v.language)}" if v.language else "language ?", plural(len(v.segments), "segment")]
    if v.warnings:
        meta.append(plural(len(v.warnings), "warning"))
    if v.flag_count:
        meta.append(plural(v.flag_count, "flagged figure"))
    if v.chunks and v.chunks > 1:
        meta.append(f"summarized in {v.chunks} chunks, {v.rounds or '?'} rounds")
    shown_number = f'<span class="dsr-n">#{number}</span>' if number is not None else ""
    parts = [f'<div class="dsr-head">{shown_number}<span class="dsr-badge">{esc(v.status)}</span>'
             f'<span class="dsr-id">{esc(v.id)}</span><span class="dsr-meta">{" · ".join(meta)}</span></div>']
    if v.error is not None and v.status == "skipped":  # nothing went wrong: a neutral note saying why
        parts.append(f'<div class="dsr-skip"><span class="dsr-label">Skipped</span>{esc(v.error)}</div>')
    elif v.error is not None:
        parts.append(f'<div class="dsr-error"><span class="dsr-label">Error</span>{esc(v.error)}</div>')
    if v.summary is not None:
        spans = figure_spans(v.summary, v.summary_invented, english_figures)
        parts.append(f'<div class="dsr-summary" lang="en"><span class="dsr-label">Summary</span>'
                     f"{marked(v.summary, spans, 'summary')}</div>")
    if v.warnings:
        items = "".join(f"<li>{esc(g.label())}</li>" for g in group_warnings(v.warnings))
        parts.append(f'<div class="dsr-warnings"><span class="dsr-label">Warnings</span><ul>{items}</ul></div>')
    parts.append(_flags_html(v))
    if v.segments:
        flagged = sum(1 for f in v.segment_flags if f.segment is not None and (f.lost or f.invented))
        note = f", {flagged} with flagged figures" if flagged else ""
        parts.append(f"<details{' open' * open_segments}><summary>{plural(len(v.segments), 'segment')}, "
                     f"German | English{note}</summary>{segments_table(v)}</details>")
    elif v.translation:
        parts.append(f'<details><summary>Translation</summary><div class="dsr-summary" lang="en">'
                     f"{esc(v.translation)}</div></details>")
    id_attr = f' id="d{number}"' if number is not None else ""
    body = f'<div class="dsr dsr-card {v.classes}"{id_attr}>{"".join(parts)}</div>'
    return STYLE + body if style else body


def warnings_cell(v: View) -> str:
    """A table cell with the number of warnings and, for more than one kind, the number of kinds; each kind with
    its count in the cell's title."""
    groups = group_warnings(v.warnings)
    title = "; ".join(g.label(max_segments=3) for g in groups)
    kinds = f" ({len(groups)} kinds)" if len(groups) > 1 else ""
    attr = f' title="{esc(title)}"' if title else ""
    return f'<td class="dsr-n"{attr}>{len(v.warnings)}{kinds}</td>'


def badge(v: View) -> str:
    return f'<span class="dsr-badge dsr-s-{v.status_class}">{esc(v.status)}</span>'


def table(records: Sequence[Any], *, max_rows: int = 50, style: bool = True) -> str:
    """Documents as a table, one row per document (id, status, language, summary start, counts); clicking
    the summary opens the document's card. Rows after `max_rows` are counted, not shown."""
    rows = []
    for index, record in enumerate(records[:max_rows]):
        v = view(record)
        start = preview(v.summary if v.summary is not None else v.error) or "—"
        text_class = "" if v.summary is not None or v.error is None else ' class="dsr-none"'
        rows.append(
            f'<tr class="{v.classes}"><td class="dsr-n">{index}</td><td class="dsr-id">{esc(v.id)}</td>'
            f"<td>{badge(v)}</td><td>{esc(v.language or '')}</td>"
            f"<td><details><summary><span{text_class}>{esc(start)}</span></summary>"
            f"{card(record, style=False)}</details></td>"
            f'<td class="dsr-n">{len(v.segments)}</td>{warnings_cell(v)}'
            f'<td class="dsr-n">{v.flag_count}</td></tr>'
        )
    more = len(records) - len(rows)
    if more > 0:
        rows.append(f'<tr><td colspan="8" class="dsr-none">… {more} more: slice the list to see them '
                    f"(results[{max_rows}:{2 * max_rows}])</td></tr>")
    if not records:
        rows.append('<tr><td colspan="8" class="dsr-none">no results</td></tr>')
    head = ('<colgroup><col style="width:3.2em"><col style="width:16%"><col style="width:5.5em">'
            '<col style="width:3.5em"><col><col style="width:6.5em"><col style="width:6.5em">'
            '<col style="width:4em"></colgroup><thead><tr><th>#</th><th>id</th><th>status</th><th>lang</th>'
            "<th>summary (click for the document)</th><th>segments</th><th>warnings</th><th>flags</th></tr></thead>")
    body = f'<div class="dsr"><table class="dsr-t dsr-list">{head}<tbody>{"".join(rows)}</tbody></table></div>'
    return STYLE + body if style else body
