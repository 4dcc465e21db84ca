"""The HTML report of a run: facts from its manifest, counts, a CSS-only filter, and every document's card.

Up to ``page_size`` documents it is one page. Beyond that the page holds an index (one short row per
document, filterable) and the cards go to numbered pages beside it, so that every page opens fast however long
the run. Lines of the JSONL that cannot be read (a torn last line, invalid JSON) are skipped and listed at the
top; a missing or unreadable manifest is said so (the caller reads it and passes it in, with a note).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.display.render import (
    STATUSES,
    STYLE,
    View,
    badge,
    card,
    esc,
    plural,
    preview,
    text_of,
    view,
    warnings_cell,
)
from pipeline.display.warning_kinds import warning_kind
from pipeline.fileio.jsonl import read_records
from pipeline.fileio.safe import open_side_file, read_side_head
from pipeline.quality.flags import FLAG_KINDS

# documents per page; a page of 250 cards of about 30 segments each is about 3 MB
PAGE_SIZE = 250
# the mark in every page's head by which the report knows its own files (it overwrites and removes only those)
MARKER = '<meta name="generator" content="pipeline.report">'
# longest JSONL line the report reads (a record of a 50 MB document is far shorter); longer ones are skipped
MAX_LINE_BYTES = 512 << 20
# unreadable lines listed one by one before "... more"
MAX_NOTES = 20

PAGE_STYLE = """<style>
:root{color-scheme:light dark}
body{margin:0;padding:1em 1.5em 3em;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 background:#fff;color:#1f2328}
a{color:#0969da}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}a{color:#58a6ff}}
h1{font-size:1.35em;margin:.2em 0 .5em;overflow-wrap:anywhere}
h2{font-size:1.1em;margin:1.1em 0 .4em}
.dsr-nav{margin:.3em 0 .8em}
.dsr-nav a{margin-right:1em}
.dsr-notes{border-left:3px solid rgba(210,153,34,.85);background:rgba(210,153,34,.12);padding:.3em .8em;
 margin:.5em 0;overflow-wrap:anywhere}
.dsr-grid{display:flex;flex-wrap:wrap;gap:0 2.5em;align-items:flex-start}
.dsr table.dsr-facts{width:auto;max-width:100%;table-layout:auto}
.dsr table.dsr-facts td:first-child{white-space:nowrap;opacity:.8;padding-right:1.2em}
.dsr table.dsr-facts td{white-space:normal}
.dsr pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;max-height:30em;overflow:auto;
 border:1px solid rgba(127,127,127,.35);padding:.5em}
.dsr-filter{margin:.8em 0 .4em}
.dsr-filter input{margin:0 .15em 0 .7em;vertical-align:middle}
.dsr-filter input:first-child{margin-left:0}
.dsr-filter input:checked+label{font-weight:600;text-decoration:underline}
#f-ok:checked~.dsr-docs .dsr-item:not(.dsr-s-ok),#f-skipped:checked~.dsr-docs .dsr-item:not(.dsr-s-skipped),
#f-error:checked~.dsr-docs .dsr-item:not(.dsr-s-error),#f-other:checked~.dsr-docs .dsr-item:not(.dsr-s-other),
#f-flagged:checked~.dsr-docs .dsr-item:not(.dsr-fl),#f-warned:checked~.dsr-docs .dsr-item:not(.dsr-w){display:none}
.dsr-docs{margin-top:.6em}
.dsr-docs>.dsr-card{content-visibility:auto;contain-intrinsic-size:auto 7em}
.dsr-card .dsr-n{opacity:.7;margin-right:.2em}
</style>"""


@dataclass(frozen=True)
class IndexRow:
    """What the index shows of one document."""

    number: int
    page: int
    view_classes: str
    status_badge: str
    id: str
    language: str
    segments: int
    # the warnings' table cell (count, kinds in its title)
    warnings_cell: str
    flags: int
    preview: str
    is_error_text: bool


@dataclass
class Tally:
    """Counts over the documents of the whole report or of one page."""

    documents: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    flagged: int = 0
    warned: int = 0
    # warnings by kind (pipeline.display.warning_kinds)
    warning_kinds: Counter[str] = field(default_factory=Counter)

    def add(self, v: View) -> None:
        self.documents += 1
        self.by_status[v.status_class] += 1
        self.flags["translation_lost"] += sum(len(f.lost) for f in v.segment_flags)
        self.flags["translation_invented"] += sum(len(f.invented) for f in v.segment_flags)
        self.flags["summary_invented"] += len(v.summary_invented)
        self.flagged += bool(v.flag_count)
        self.warned += bool(v.warnings)
        self.warning_kinds.update(warning_kind(w) for w in v.warnings)


@dataclass(frozen=True)
class ReportFiles:
    """What `write_report` wrote."""

    # the report page, then the numbered pages of cards (none when everything fits on the report page)
    paths: tuple[Path, ...]
    documents: int
    # unreadable lines of the JSONL, each as "line N: why"
    skipped: tuple[str, ...]






def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _scalars(data: Any, skip: tuple[str, ...] = ()) -> str:
    """The plain values of a mapping as "key value · key value", escaped; other values as text. Empty values
    (None, "") are left out: a library that is not installed, a model without a prefix."""
    if not isinstance(data, dict):
        return esc(data)
    return " · ".join(f"{esc(k)} {esc(v)}" for k, v in data.items()
                      if k not in skip and not isinstance(v, (dict, list)) and v is not None and v != "")


def facts_html(manifest: dict[str, Any] | None) -> str:
    """The run facts of a manifest as a table; the resolved config under a fold."""
    if manifest is None:
        return ""
    rows = [("state", esc(manifest.get("state"))), ("config hash", esc(manifest.get("config_hash")))]
    source, total = _get(manifest, "input", "source"), _get(manifest, "input", "total")
    if source is not None or total is not None:
        count = plural(total, "document") if isinstance(total, int) else f"{esc(total)} documents"
        rows.append(("input", f"{esc(source)} ({count})" if total is not None else esc(source)))
    output = manifest.get("output")
    if isinstance(output, dict):
        rows.append(("documents written", f"{esc(output.get('documents'))}: {_scalars(output.get('by_status'))}"))
        rows.append(("flagged figures", _scalars(output.get("flags"))))
    for key, label in (("wall_time_s", "wall time (s)"), ("resumed_after", "resumed after")):
        if manifest.get(key) is not None:
            rows.append((label, esc(manifest.get(key))))
    models = manifest.get("models")
    for role, model in (models.items() if isinstance(models, dict) else ()):
        rows.append((esc(role), _scalars(model, skip=("generation",))))
    rows.append(("versions", _scalars(manifest.get("versions"))))
    rows.append(("machine", _scalars(manifest.get("machine"))))
    body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows if v)
    config = manifest.get("config")
    folded = ("" if config is None else "<details><summary>resolved config</summary>"
              f"<pre>{esc(json.dumps(config, indent=2, ensure_ascii=False, default=str))}</pre></details>")
    return f'<h2>Run</h2><table class="dsr-t dsr-facts"><tbody>{body}</tbody></table>{folded}'


def counts_html(tally: Tally) -> str:
    statuses = [s for s in (*STATUSES, "other") if tally.by_status[s] or s in STATUSES]
    status_rows = "".join(f"<tr><td>{s}</td><td>{tally.by_status[s]}</td></tr>" for s in statuses)
    flag_rows = "".join(f"<tr><td>{kind.replace('_', ' ')}</td><td>{tally.flags[kind]}</td></tr>"
                        for kind in FLAG_KINDS)
    kinds = tally.warning_kinds.most_common()
    warning_rows = "".join(f"<tr><td>{esc(kind)}</td><td>{count}</td></tr>" for kind, count in kinds)
    warnings = ("" if not kinds else
                f'<table class="dsr-t dsr-facts"><thead><tr><th>warnings by kind</th><th>count</th></tr></thead>'
                f"<tbody>{warning_rows}</tbody></table>")
    return (f'<h2>{plural(tally.documents, "document")}</h2><div class="dsr-grid">'
            f'<table class="dsr-t dsr-facts"><thead><tr><th>status</th><th>documents</th></tr></thead>'
            f"<tbody>{status_rows}</tbody></table>"
            f'<table class="dsr-t dsr-facts"><thead><tr><th>flagged figures</th><th>count</th></tr></thead>'
            f"<tbody>{flag_rows}<tr><td>documents with flags</td><td>{tally.flagged}</td></tr>"
            f"<tr><td>documents with warnings</td><td>{tally.warned}</td></tr></tbody></table>{warnings}</div>")


def _tally_line(tally: Tally) -> str:
    parts = [f"{tally.by_status[s]} {s}" for s in (*STATUSES, "other") if tally.by_status[s]]
    return " · ".join([*parts, f"{tally.flagged} flagged", f"{tally.warned} with warnings"])


def filter_html(tally: Tally) -> str:
    """Radio buttons that the page's CSS turns into a filter; they must precede `.dsr-docs` as siblings."""
    options = [("all", f"all ({tally.documents})")]
    options += [(s, f"{s} ({tally.by_status[s]})") for s in (*STATUSES, "other") if tally.by_status[s]]
    options += [("flagged", f"flagged ({tally.flagged})"), ("warned", f"with warnings ({tally.warned})")]
    inputs = "".join(f'<input type="radio" name="f" id="f-{key}"{" checked" * (key == "all")}>'
                     f'<label for="f-{key}">{label}</label>' for key, label in options)
    return f'<span class="dsr-label">Show</span>{inputs}'


def _page(title: str, body: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'{MARKER}<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title>{STYLE}{PAGE_STYLE}</head>"
            f'<body><div class="dsr">{body}</div></body></html>\n')


class ReportTargetError(ValueError):
    """The report would be written onto a file it did not create (the run's output, a user's file)."""


def is_report_file(path: Path) -> bool:
    """Is ``path`` a regular file (not a symlink) that this module wrote (it starts with :data:`MARKER`)?"""
    try:
        head = read_side_head(path, 1024)
    except OSError:
        return False
    return head is not None and MARKER.encode() in head[:1024]


def check_target(path: Path) -> None:
    """Refuse to write ``path`` unless it is free or a report page written before."""
    if os.path.lexists(path) and not is_report_file(path):
        raise ReportTargetError(f"{path} exists and is not a report this tool wrote; it is never overwritten: "
                                f"choose another -o, or move it away")


def _write(path: Path, text: str) -> None:
    check_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open_side_file(tmp, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def page_path(report: Path, page: int) -> Path:
    """The numbered pages beside a report: ``report.html`` → ``report.page-2.html``."""
    return report.with_name(f"{report.stem}.page-{page}{report.suffix}")


_page_path = page_path


def _href(path: Path, anchor: str = "") -> str:
    return esc(quote(path.name) + (f"#{anchor}" if anchor else ""))


def _index_row(row: IndexRow, report: Path) -> str:
    text = f'<span class="dsr-none">{esc(row.preview)}</span>' if row.is_error_text else esc(row.preview)
    href = _href(_page_path(report, row.page), f"d{row.number}")
    return (f'<tr class="{row.view_classes}"><td class="dsr-n"><a href="{href}">'
            f'{row.number}</a></td><td class="dsr-id">{esc(row.id)}</td><td>{row.status_badge}</td>'
            f'<td>{esc(row.language)}</td><td>{text}</td><td class="dsr-n">{row.segments}</td>'
            f'{row.warnings_cell}<td class="dsr-n">{row.flags}</td></tr>')


def _index_table(rows: list[IndexRow], report: Path) -> str:
    head = ('<colgroup><col style="width:4.5em"><col style="width:14%"><col style="width:5.5em">'
            '<col style="width:3.5em"><col><col style="width:6.5em"><col style="width:6.5em">'
            '<col style="width:4em"></colgroup><thead><tr><th>#</th><th>id</th><th>status</th><th>lang</th>'
            "<th>summary (or error)</th><th>segments</th><th>warnings</th><th>flags</th></tr></thead>")
    return f'<table class="dsr-t dsr-list">{head}<tbody>{"".join(_index_row(r, report) for r in rows)}</tbody></table>'


def render_report(output: Path, report: Path, *, manifest: dict[str, Any] | None, manifest_note: str | None = None,
                 page_size: int = PAGE_SIZE) -> ReportFiles:
    """Write the report of the run whose JSONL is `output` to `report` (and numbered pages beside it when
    there are more than `page_size` documents). Reads the records once, a page at a time."""
    total, skipped, index = Tally(), [], []
    page_cards: list[str] = []
    page_tally = Tally()
    pages: list[Path] = []
    page_tallies: list[Tally] = []

    def flush_page(has_next: bool) -> None:
        number = len(pages) + 1
        path = _page_path(report, number)
        nav = [f'<a href="{_href(report)}">report</a>']
        if number > 1:
            nav.append(f'<a href="{_href(_page_path(report, number - 1))}">← page {number - 1}</a>')
        if has_next:
            nav.append(f'<a href="{_href(_page_path(report, number + 1))}">page {number + 1} →</a>')
        first = index[-len(page_cards)].number
        body = (f"<h1>{esc(output.name)}: page {number}, documents {first} to {first + len(page_cards) - 1}</h1>"
                f'<nav class="dsr-nav">{"".join(nav)}</nav><div class="dsr-filter">{filter_html(page_tally)}'
                f'<div class="dsr-docs">{"".join(page_cards)}</div></div>'
                f'<nav class="dsr-nav">{"".join(nav)}</nav>')
        _write(path, _page(f"{output.name}: page {number}", body))
        pages.append(path)
        page_tallies.append(page_tally)

    check_target(report)  # before any page is written
    for line in read_records(output, on_bad="skip", max_line=MAX_LINE_BYTES):
        record = line.record
        if record is None:
            skipped.append(line.problem)
            continue
        if len(page_cards) == page_size:
            flush_page(has_next=True)
            page_cards, page_tally = [], Tally()
        v = view(record)
        number = total.documents
        total.add(v)
        page_tally.add(v)
        page_cards.append(card(record, style=False, number=number))
        text = v.summary if v.summary is not None else v.error
        index.append(IndexRow(number, len(pages) + 1, v.classes, badge(v), v.id, v.language or "",
                              len(v.segments), warnings_cell(v), v.flag_count, preview(text, 140) or "—",
                              v.summary is None))
    if pages:
        flush_page(has_next=False)
    stale = len(pages) + 1
    while is_report_file(_page_path(report, stale)):  # pages of an earlier, longer report (only ours)
        _page_path(report, stale).unlink()
        stale += 1

    notes = [manifest_note] if manifest_note else []
    state = _get(manifest, "state")
    if manifest is not None and state != "complete":
        notes.append(f"the manifest says the run is {text_of(state)!r}, not complete: the output may be partial")
    written = _get(manifest, "output", "documents")
    if isinstance(written, int) and written != total.documents:
        notes.append(f"the manifest counts {written} documents; this file has {total.documents} readable records")
    notes += skipped[:MAX_NOTES]
    if len(skipped) > MAX_NOTES:
        notes.append(f"… and {len(skipped) - MAX_NOTES} more unreadable lines, skipped")
    notes_html = ("" if not notes else
                  '<div class="dsr-notes"><ul>' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul></div>")
    if pages:
        groups = []
        for number, (path, tally) in enumerate(zip(pages, page_tallies, strict=True), 1):
            rows = [row for row in index if row.page == number]
            groups.append(f'<details><summary><a href="{_href(path)}">page {number}</a>: documents '
                          f"{rows[0].number} to {rows[-1].number} · {_tally_line(tally)}</summary>"
                          f"{_index_table(rows, report)}</details>")
        docs = (f"<h2>Documents</h2><p>{plural(total.documents, 'document')} on {plural(len(pages), 'page')} of "
                f"up to {page_size}. "
                "Open a page, or unfold its line for one row per document.</p>"
                f'<div class="dsr-filter">{filter_html(total)}<div class="dsr-docs">{"".join(groups)}</div></div>')
    else:
        docs = (f'<h2>Documents</h2><div class="dsr-filter">{filter_html(total)}'
                f'<div class="dsr-docs">{"".join(page_cards)}</div></div>')
    body = (f"<h1>Report: {esc(output.name)}</h1>{notes_html}{facts_html(manifest)}{counts_html(total)}{docs}")
    _write(report, _page(f"Report: {output.name}", body))
    return ReportFiles((report, *pages), total.documents, tuple(skipped))


