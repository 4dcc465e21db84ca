"""The HTML report of a run: hostile records and manifests, torn files, pages, exit codes, a real run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.report import main, write_report
from pipeline.runner.layout import manifest_path
from tests.conftest import ROOT, SEEDS, records, tiny_config
from tests.html_checks import HOSTILE, Parsed, assert_safe
from tests.test_render import flagged_result, hostile_record


def write_jsonl(path: Path, items: list, tail: bytes = b"") -> Path:
    lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in items]
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8") + tail)
    return path


def ok_record(i: int) -> dict:
    return {**flagged_result().to_record(), "id": f"doc{i}"}


def anchors(html: str) -> list[str]:
    return [attrs["id"] for tag, attrs in Parsed(html).elements if tag == "div" and attrs.get("id")]


def test_report_on_hostile_records_and_manifest(tmp_path):
    name = 'run"<img src=x onerror=alert(0)>\'.jsonl'  # the file name is shown too (no / in a name)
    output = write_jsonl(tmp_path / name, [hostile_record(text) for text in HOSTILE])
    hostile = " ".join(HOSTILE)
    manifest = {"state": hostile, "config_hash": hostile, "config": {"input": {"path": hostile}},
                "models": {hostile: {"model": hostile, "generation": {hostile: hostile}}, "other": hostile},
                "versions": {hostile: hostile}, "machine": hostile, "input": {"source": hostile, "total": hostile},
                "output": {"documents": hostile, "by_status": {hostile: hostile}, "flags": hostile},
                "wall_time_s": hostile, "resumed_after": [hostile]}
    manifest_path(output).write_text(json.dumps(manifest), encoding="utf-8")
    for page_size in (100, 2):  # one page, and an index with pages of cards
        files = write_report(output, tmp_path / f"report{page_size}.html", page_size=page_size)
        assert files.documents == len(HOSTILE)
        text = "".join(assert_safe(path.read_text(encoding="utf-8")).all_text for path in files.paths)
        assert all(h in text for h in HOSTILE) and name in text
        assert len(files.paths) == (1 if page_size == 100 else 1 + 4)


def test_report_of_a_torn_file_skips_bad_lines_with_a_note(tmp_path):
    good = [json.dumps(ok_record(i)).encode() for i in range(3)]
    lines = [good[0], b"{not json", good[1], b"[1, 2]", b"  ", b"\xff\xfe", good[2]]
    output = tmp_path / "out.jsonl"
    output.write_bytes(b"\n".join(lines) + b'\n{"id": "torn", "sta')
    files = write_report(output, tmp_path / "r.html")
    assert files.documents == 3
    assert [s.split(":")[0] for s in files.skipped] == ["line 2", "line 4", "line 6", "line 8"]
    text = Parsed((tmp_path / "r.html").read_text(encoding="utf-8")).all_text
    assert "line 2: not valid JSON" in text and "line 4: not a JSON object" in text
    assert "line 6: not valid JSON" in text and "line 8: incomplete last line" in text
    assert "manifest missing" in text
    assert anchors((tmp_path / "r.html").read_text(encoding="utf-8")) == ["d0", "d1", "d2"]


@pytest.mark.parametrize("content", [b"{broken", b"[1, 2]", b"\xff\xfe"])
def test_a_broken_manifest_is_said_and_the_records_still_render(tmp_path, content):
    output = write_jsonl(tmp_path / "out.jsonl", [ok_record(0)])
    manifest_path(output).write_bytes(content)
    write_report(output, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "manifest unreadable" in Parsed(html).all_text and anchors(html) == ["d0"]


def test_pages_hold_every_document_once_and_the_index_links_to_them(tmp_path):
    output = write_jsonl(tmp_path / "out.jsonl", [ok_record(i) for i in range(7)])
    report = tmp_path / "r.html"
    files = write_report(output, report, page_size=3)
    assert [p.name for p in files.paths] == ["r.html", "r.page-1.html", "r.page-2.html", "r.page-3.html"]
    assert [anchors(p.read_text(encoding="utf-8")) for p in files.paths[1:]] == [
        ["d0", "d1", "d2"], ["d3", "d4", "d5"], ["d6"]]
    index = Parsed(report.read_text(encoding="utf-8"))
    links = [a["href"] for tag, a in index.elements if tag == "a" and "#" in (a.get("href") or "")]
    assert links == [f"r.page-{i // 3 + 1}.html#d{i}" for i in range(7)]
    assert anchors(report.read_text(encoding="utf-8")) == []  # the index page has no cards
    # fewer documents later: one page, and the earlier numbered pages are removed
    write_jsonl(output, [ok_record(0)])
    files = write_report(output, report, page_size=3)
    assert files.paths == (report,) and not list(tmp_path.glob("r.page-*.html"))


def test_report_never_writes_onto_its_input_or_a_users_file(tmp_path, capsys):
    # issue 17, item 3
    output = write_jsonl(tmp_path / "out.jsonl", [ok_record(i) for i in range(5)])
    before = output.read_bytes()
    assert main([str(output), "-o", str(output)]) == 2
    assert main([str(output), "-o", str(manifest_path(output))]) == 2
    assert output.read_bytes() == before and not manifest_path(output).exists()
    # a user's files beside the report: named like pages, or at -o itself, are neither removed nor overwritten
    users = {tmp_path / f"notes-{i}.txt": f"mine {i}" for i in (1, 2, 3)}
    users[tmp_path / "notes.page-4.txt"] = "mine too"
    for path, text in users.items():
        path.write_text(text)
    assert main([str(output), "-o", str(tmp_path / "notes.txt"), "--page-size", "2"]) == 0
    assert all(path.read_text() == text for path, text in users.items())
    (tmp_path / "mine.html").write_text("my notes")
    assert main([str(output), "-o", str(tmp_path / "mine.html")]) == 2
    assert (tmp_path / "mine.html").read_text() == "my notes"
    capsys.readouterr()
    # its own report is replaced, and only its own stale pages removed
    assert main([str(output), "-o", str(tmp_path / "notes.txt"), "--page-size", "100"]) == 0
    assert not (tmp_path / "notes.page-1.txt").exists() and (tmp_path / "notes.page-4.txt").read_text() == "mine too"


def test_report_on_a_file_without_line_breaks_is_one_line(tmp_path, capsys, monkeypatch):
    # issue 17, item 13: a line longer than the limit is skipped, never held whole
    import pipeline.display.report as display

    monkeypatch.setattr(display, "MAX_LINE_BYTES", 1 << 16)
    output = tmp_path / "out.jsonl"
    output.write_bytes(json.dumps(ok_record(0)).encode() + b"\n" + b"x" * (1 << 20) + b"\n"
                       + json.dumps(ok_record(1)).encode() + b"\n")
    assert main([str(output), "-o", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert anchors(html) == ["d0", "d1"] and "line 2: longer than" in Parsed(html).all_text


def test_filter_and_counts(tmp_path):
    items = [ok_record(0), {**ok_record(1), "flags": {}, "warnings": ["w"]},
             {"id": "e", "status": "error", "error": "boom"}, {"id": "s", "status": "skipped", "error": "empty"}]
    output = write_jsonl(tmp_path / "out.jsonl", items)
    html = (write_report(output, tmp_path / "r.html").paths[0]).read_text(encoding="utf-8")
    parsed = Parsed(html)
    radios = [a["id"] for tag, a in parsed.elements if tag == "input"]
    assert radios == ["f-all", "f-ok", "f-skipped", "f-error", "f-flagged", "f-warned"]
    for radio in radios[1:]:
        assert f"#{radio}:checked~.dsr-docs .dsr-item" in html  # each option hides the others by CSS alone
    classes = [a["class"].split() for tag, a in parsed.elements if tag == "div" and "dsr-item" in a.get("class", "")]
    assert [c[3:] for c in classes] == [["dsr-s-ok", "dsr-fl"], ["dsr-s-ok", "dsr-w"], ["dsr-s-error"],
                                        ["dsr-s-skipped"]]
    text = parsed.all_text
    assert "all (4)" in text and "flagged (1)" in text and "with warnings (1)" in text
    assert "<script" not in html


def test_report_is_deterministic(tmp_path):
    output = write_jsonl(tmp_path / "out.jsonl", [ok_record(i) for i in range(4)])
    first = [p.read_bytes() for p in write_report(output, tmp_path / "a.html", page_size=2).paths]
    second = [p.read_bytes() for p in write_report(output, tmp_path / "a.html", page_size=2).paths]
    assert first == second


def test_command_exit_codes(tmp_path, capsys):
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.jsonl: no such file" in err
    assert main([str(tmp_path)]) == 2 and "is a directory" in capsys.readouterr().err
    output = write_jsonl(tmp_path / "out.jsonl", [ok_record(0)])
    assert main([str(output), "-o", str(tmp_path / "no-such-dir" / "r.html")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot write the report")
    with pytest.raises(SystemExit) as stop:
        main([str(output), "--page-size", "0"])
    assert stop.value.code == 2
    capsys.readouterr()
    assert main([str(output)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "out.report.html").exists() and "1 document" in out and "1 documents" not in out


def test_run_facts_leave_out_empty_values_and_count_warnings_by_kind(tmp_path):
    from pipeline.display.report import facts_html

    manifest = {"state": "complete", "versions": {"python": "3.11.9", "ctranslate2": None, "ray": None},
                "models": {"summarization": {"model": "m", "prefix": "", "backend": "transformers"}}}
    facts = Parsed(facts_html(manifest)).all_text
    assert "3.11.9" in facts and "transformers" in facts
    assert "ctranslate2" not in facts and "ray" not in facts and "prefix" not in facts
    limit = "translation stopped at the length limit (48 tokens)"
    warned = {**ok_record(0), "warnings": [f"segment {i}: {limit}" for i in range(5)]}
    output = write_jsonl(tmp_path / "out.jsonl", [warned, ok_record(1)])
    page = Parsed(write_report(output).paths[0].read_text(encoding="utf-8")).all_text
    assert "warnings by kind" in page and "2 documents" in page


def test_report_of_a_real_tiny_model_run(tiny_models, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "z_empty.txt").write_bytes(b"")
    config = tiny_config(tiny_models, tmp_path, input={"path": str(folder)})
    from pipeline.runner.job import run

    run(config)
    output = Path(config.output.path)
    done = subprocess.run([sys.executable, "-m", "pipeline.report", str(output), "-o", str(tmp_path / "r.html")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    parsed = assert_safe(html)
    assert anchors(html) == [f"d{i}" for i in range(len(records(output)))] == ["d0", "d1", "d2"]
    assert "manifest missing" not in parsed.all_text and "manifest unreadable" not in parsed.all_text
    assert "config hash" in parsed.all_text and config.hash() in parsed.all_text
    assert "skipped (1)" in parsed.all_text


def test_report_of_synthetic_records(tmp_path):
    from scripts.synthetic_records import main as synthesize

    output = tmp_path / "syn.jsonl"
    synthesize([str(output), "--documents", "30", "--segments", "6"])
    files = write_report(output, tmp_path / "syn.html", page_size=12)
    assert files.documents == 30 and len(files.paths) == 1 + 3 and not files.skipped
    pages = "".join(p.read_text(encoding="utf-8") for p in files.paths[1:])
    assert anchors(pages) == [f"d{i}" for i in range(30)]
    assert 'data-kind="lost"' in pages and 'data-kind="invented"' in pages


def test_rendering_and_the_report_do_not_import_torch():
    code = ("import sys, pipeline.report, pipeline.display.render, pipeline.results as r; "
            "r.DocumentResult('a', 'ok')._repr_html_(); r.ResultList()._repr_html_(); "
            "sys.exit('torch' in sys.modules or 'transformers' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
