"""How results show: the one-line repr, the HTML card, the ResultList table; escaping of hostile text."""

from __future__ import annotations

import pytest

from pipeline.display.render import card, figure_spans, one_line, table, view
from pipeline.quality.flags import document_flags
from pipeline.results import DocumentResult, ResultList, Segment, Summary
from tests.html_checks import HOSTILE, Parsed, assert_safe

GERMAN = ("Der Umsatz stieg um 12 Prozent auf 2,5 Mio. Euro.", "Am 02. September beginnt die Konferenz.")
ENGLISH = ("Sales rose 15 percent to 2.5 billion euros.", "The conference begins on September 2.")


def flagged_result() -> DocumentResult:
    segments = tuple(Segment(de, en, i) for i, (de, en) in enumerate(zip(GERMAN, ENGLISH, strict=True)))
    translation = "\n\n".join(ENGLISH)
    summary = "Sales rose 15 percent to 80 billion euros in September."
    flags = document_flags(segments, translation, summary)
    return DocumentResult("bericht", "ok", language="de", translation=translation, summary=summary,
                          segments=segments, summarization=Summary(summary), flags=flags)


def hostile_record(text: str) -> dict:
    """A record with `text` in every field the renderer shows."""
    return {
        "id": text, "status": text, "error": text, "language": text, "translation": text, "summary": text,
        "summarization": {"chunks": text, "rounds": text}, "warnings": [text, {"note": text}],
        "flags": {"translation": [{"segment": 0, "lost": [text], "invented": [text]},
                                  {"segment": text, "lost": [text], "invented": []}, text],
                  "summary_invented": [text]},
        "segments": [{"source": f"vor {text} nach", "translation": f"before {text} after", "paragraph": text},
                     {"source": text, "translation": None, "paragraph": 1}, text],
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_text_in_card_and_table(text):
    record = hostile_record(text)
    for html in (card(record), card(record, number=3, open_segments=True), table([record, record])):
        parsed = assert_safe(html)
        assert text in parsed.all_text  # shown, as text


def test_hostile_document_result_html_and_repr():
    text = HOSTILE[0] + HOSTILE[1]
    result = DocumentResult(text, "error", error=text, warnings=(text,),
                            segments=(Segment(text, text),), flags={"summary_invented": [text]})
    parsed = assert_safe(result._repr_html_())
    assert HOSTILE[0] in parsed.all_text and HOSTILE[1] in parsed.all_text
    assert_safe(ResultList([result, result])._repr_html_())


def test_flagged_figures_highlighted_on_both_sides_with_their_kind():
    result = flagged_result()
    assert result.flags["translation"], "the example must have flags"
    parsed = Parsed(result._repr_html_())
    table_marks = [(lang, kind, text) for lang, kind, text in parsed.marks if lang]
    lost = result.flags["translation"][0]["lost"]
    invented = result.flags["translation"][0]["invented"]
    assert sorted(t for lang, k, t in table_marks if lang == "de") == sorted(lost)
    assert sorted(t for lang, k, t in table_marks if lang == "en") == sorted(invented)
    assert {k for lang, k, _ in table_marks if lang == "de"} == {"lost"}
    assert {k for lang, k, _ in table_marks if lang == "en"} == {"invented"}
    # the summary's invented figure is marked in the summary, and the unflagged segment has no mark
    summary_marks = [t for lang, k, t in parsed.marks if lang is None and k == "invented"]
    assert set(result.flags["summary_invented"]) <= set(summary_marks)
    assert "<details>" in result._repr_html_() and "German" in parsed.all_text and "English" in parsed.all_text


def test_figure_spans_prefer_the_figure_reader_and_fall_back_to_text_search():
    from pipeline.quality.figures import german_figures

    text = "Von 12 Prozent auf 12 Prozent, dann zwölf."
    spans = figure_spans(text, ["12 Prozent", "12 Prozent", "nicht da", "dann"], german_figures)
    assert [text[a:b] for a, b in spans] == ["12 Prozent", "12 Prozent", "dann"]
    # a figure wanted once is marked once, whole (not "12" inside "12 Prozent")
    assert [text[a:b] for a, b in figure_spans(text, ["12 Prozent"], german_figures)] == ["12 Prozent"]


def test_flags_with_bad_segment_indexes_are_listed_not_lost():
    record = flagged_result().to_record()
    record["flags"]["translation"].append({"segment": 99, "lost": ["7"], "invented": []})
    record["flags"]["translation"].append({"segment": -1, "lost": ["8"], "invented": []})
    v = view(record)
    assert [f.segment for f in v.segment_flags][-2:] == [None, None]
    text = Parsed(card(record)).all_text
    assert "segment 99 (not found)" in text and "segment -1 (not found)" in text


@pytest.mark.parametrize("result", [
    DocumentResult("x" * 5000, "ok", summary="Ein\nzwei\r\ndrei\u2028vier " * 500, language="de",
                   segments=(Segment("a", "b"),) * 400, warnings=("w",) * 30),
    DocumentResult("id\nwith\nbreaks", "error", error="\x00\x01" * 2000),
    DocumentResult("\U0001f600" * 400, "skipped", error="'\"" * 500, language="\n" * 50),
    DocumentResult("", "ok"),
])
def test_repr_is_one_short_line(result):
    text = repr(result)
    assert len(text) < 300 and "\n" not in text and "\r" not in text and "\u2028" not in text
    assert text.startswith("DocumentResult(id=")
    assert f"status={result.status!r}" in text


def test_repr_names_the_counts_and_the_start_of_the_summary_or_error():
    result = flagged_result()
    text = repr(result)
    assert "id='bericht'" in text and "language='de'" in text and "summary='Sales rose 15" in text
    assert f"segments=2, warnings=0, flags={view(result.to_record()).flag_count})" in text
    assert view(result.to_record()).flag_count == 5
    assert "error='empty document'" in repr(DocumentResult("e", "skipped", error="empty document"))
    assert one_line({"nonsense": True}).startswith("DocumentResult(id='', status='?'")


def test_result_list_is_a_list_that_renders_one_row_per_document():
    results = ResultList([flagged_result(), DocumentResult("leer", "skipped", error="empty document"),
                          DocumentResult("kaputt", "error", error="undecodable bytes")])
    assert isinstance(results, list) and results == list(results)
    parsed = assert_safe(results._repr_html_())
    rows = [attrs for tag, attrs in parsed.elements if tag == "tr" and "dsr-item" in (attrs.get("class") or "")]
    assert len(rows) == 3
    assert [r.split()[1] for r in (attrs["class"] for attrs in rows)] == ["dsr-s-ok", "dsr-s-skipped", "dsr-s-error"]
    assert sum(1 for tag, _ in parsed.elements if tag == "table") == 1 + 1  # the list, and one card's segments
    assert isinstance(results[:2], ResultList) and len(results[:2]) == 2
    assert isinstance(results[::-1], ResultList) and results[::-1][0].id == "kaputt"
    assert isinstance(results[0], DocumentResult)
    assert isinstance(results + results, ResultList) and isinstance(results.copy(), ResultList)
    text = repr(results)
    assert text.splitlines()[0] == "ResultList(3 documents: 1 error, 1 ok, 1 skipped; 1 with flagged figures)"
    assert len(text.splitlines()) == 4


def test_long_result_lists_are_cut_in_both_views():
    results = ResultList([DocumentResult(f"d{i}", "ok", summary="s") for i in range(ResultList.max_rows + 7)])
    parsed = Parsed(results._repr_html_())
    rows = [a for tag, a in parsed.elements if tag == "tr" and "dsr-item" in (a.get("class") or "")]
    assert len(rows) == ResultList.max_rows
    assert "7 more" in parsed.all_text
    lines = repr(results).splitlines()
    assert len(lines) == 1 + ResultList.max_lines + 1 and lines[-1].strip().startswith("… 52 more")
    assert "no results" in Parsed(ResultList()._repr_html_()).all_text
    assert repr(ResultList()) == "ResultList(0 documents)"


def test_the_card_is_self_contained_and_themable():
    html = flagged_result()._repr_html_()
    assert html.startswith("<style>") and "<script" not in html and "<link" not in html
    assert "color:inherit" in html and "rgba(" in html  # text colour from the theme, see-through backgrounds


def test_jupyter_picks_up_both_views():
    formatters = pytest.importorskip("IPython.core.formatters")
    results = ResultList([flagged_result(), DocumentResult("leer", "skipped", error="empty document")])
    for item in (results[0], results, results[:1]):
        data, _ = formatters.DisplayFormatter().format(item)
        assert set(data) == {"text/html", "text/plain"}
        assert data["text/plain"] == repr(item) and data["text/html"] == item._repr_html_()


LIMIT = "translation stopped at the length limit (48 tokens) and may be incomplete"


def test_warnings_are_grouped_by_kind_with_a_count_in_card_and_table():
    warnings = tuple(f"segment {i}: {LIMIT}" for i in range(488)) + ("mixed languages (de 60%, en 40%)",)
    record = DocumentResult("long", "ok", summary="S.", warnings=warnings).to_record()
    html = card(record)
    assert html.count(LIMIT) == 1 and "488" in html and "mixed languages" in html
    assert len(record["warnings"]) == 489  # the record keeps every warning as written
    row = table([record])
    assert "489 (2 kinds)" in row and "488" in row


def test_group_warnings_counts_kinds_and_names_segments():
    from pipeline.display.warning_kinds import count_kinds, group_warnings

    groups = group_warnings([f"segment {i}: {LIMIT}" for i in (3, 7)] + ["English document: summarized"])
    assert [(g.count, g.segments) for g in groups] == [(2, (3, 7)), (1, ())]
    assert count_kinds([[f"segment 1: {LIMIT}"], [f"segment 9: {LIMIT}", "x"]])[
        "translation stopped at the length limit (N tokens) and may be incomplete"] == 2


def test_skipped_has_its_own_neutral_look_not_the_error_box():
    reason = "document language is 'fr' (language.other: skip)"
    skipped = card(DocumentResult("fr", "skipped", error=reason).to_record())
    failed = card(DocumentResult("bad", "error", error="binary content").to_record())
    assert 'class="dsr-skip"' in skipped and 'class="dsr-error"' not in skipped
    assert 'class="dsr-error"' in failed and 'class="dsr-skip"' not in failed
    assert 'class="dsr-skip"' in table([DocumentResult("fr", "skipped", error="empty document").to_record()])


def test_one_segment_is_singular():
    record = DocumentResult("one", "ok", summary="S.", segments=(Segment("Ein Satz.", "A sentence."),)).to_record()
    html = card(record)
    assert "1 segment," in html and "1 segments" not in html


def test_bidirectional_controls_cannot_reorder_what_a_reviewer_sees(tmp_path):
    """A right-to-left override in a document shows as a visible code point in the card, the table and the
    report (issue 17, item 17); the record itself keeps it."""
    import json

    from pipeline.report import write_report

    override = "\u202e"
    record = {"id": f"doc{override}1", "status": "ok", "summary": f"Gewinn {override}0051 Euro",
              "translation": f"profit {override}0051", "language": "de", "warnings": [f"note {override}x"],
              "segments": [{"source": f"Gewinn {override}0051", "translation": f"profit {override}0051",
                            "paragraph": 0}]}
    output = tmp_path / "out.jsonl"
    output.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    pages = [card(record), table([record]), *(p.read_text(encoding="utf-8") for p in write_report(output).paths)]
    for page in pages:
        assert override not in page and "[U+202E]" in page
    assert override in output.read_text(encoding="utf-8")
