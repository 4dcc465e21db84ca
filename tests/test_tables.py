"""to_dataframe: one row per document or per segment, from results, records or a JSONL output (no models)."""

from __future__ import annotations

import json
import sys

import pytest

from pipeline import to_dataframe
from pipeline.display.tables import DOCUMENT_COLUMNS, SEGMENT_COLUMNS
from pipeline.results import DocumentResult, Segment, Summary

pd = pytest.importorskip("pandas")

FLAGS = {"translation": [{"segment": 1, "lost": ["5 Millionen", "Dienstag"], "invented": ["6 million"]}],
         "summary_invented": ["7 million"]}
RESULTS = [
    DocumentResult("a", "ok", translation="One. Two.", summary="One.", language="de",
                   segments=(Segment("Eins.", "One."), Segment("Zwei.", "Two.", 1)),
                   summarization=Summary("One."), warnings=("w1", "w2"), flags=FLAGS),
    DocumentResult("b", "skipped", error="empty document"),
]


def test_one_row_per_document_with_counts():
    table = to_dataframe(RESULTS)
    assert list(table.columns) == list(DOCUMENT_COLUMNS)
    assert list(table["id"]) == ["a", "b"] and list(table["status"]) == ["ok", "skipped"]
    first, second = table.to_dict("records")
    assert (first["segment_count"], first["warning_count"], first["flag_count"]) == (2, 2, 4)
    assert (first["translation_lost"], first["translation_invented"], first["summary_invented"]) == (2, 1, 1)
    assert first["summary"] == "One." and first["translation"] == "One. Two."
    assert second["error"] == "empty document" and second["segment_count"] == 0 and second["flag_count"] == 0


def test_one_row_per_segment():
    table = to_dataframe(RESULTS, explode_segments=True)
    assert list(table.columns) == list(SEGMENT_COLUMNS)
    assert table[["id", "segment", "paragraph", "source"]].values.tolist() == [["a", 0, 0, "Eins."],
                                                                             ["a", 1, 1, "Zwei."]]
    assert list(table["lost"]) == ["", "5 Millionen, Dienstag"] and list(table["invented"]) == ["", "6 million"]


def test_records_and_jsonl_outputs_give_the_same_table(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(r.to_record()) + "\n" for r in RESULTS) + "\n", encoding="utf-8")
    expected = to_dataframe(RESULTS)
    for source in (path, str(path), [r.to_record() for r in RESULTS]):
        assert to_dataframe(source).equals(expected)
    one = to_dataframe(RESULTS[0])  # a single result: a one-row table
    assert one[["id", "flag_count"]].values.tolist() == [["a", 4]]
    with pytest.raises(TypeError, match="item 1 is a int"):
        to_dataframe([RESULTS[0], 3])


def test_without_pandas_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails as if it were not installed
    with pytest.raises(ImportError, match="pip install pandas"):
        to_dataframe(RESULTS)
