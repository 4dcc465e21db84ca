"""Reading input like a careful tool (issue 9, cases 6-9 and 11): JSONL line by line, only regular files of the
folder, a size limit, hub datasets only by intent, clear errors at open time, and the Python API's inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline.config import InputConfig
from pipeline.inputs.files import read_entry
from pipeline.inputs.sources import InputError, iter_documents, open_source
from pipeline.inputs.texts import documents_from_texts
from pipeline.run import main
from tests.conftest import ROOT, records, tiny_config, write_config

GERMAN = "Die Firma wächst. Der Umsatz steigt um 7,25 €."


def _documents(**options) -> tuple[int | None, list]:
    """open_source's count and the documents it yields (every test checks that the two agree)."""
    config = InputConfig(**options)
    source = open_source(config)
    docs = list(iter_documents(config))
    assert source.total in (None, len(docs))
    return source.total, docs


# -- 6. JSONL: a bad line is one error record, every other line is read ------------------------------------


def _jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_jsonl_bad_lines_become_error_records_naming_the_line(tmp_path):
    path = _jsonl(tmp_path / "docs.jsonl", [
        json.dumps({"id": "a", "text": GERMAN}).encode(),
        b'{"id": "b", "text": "kaputt',           # malformed JSON (line 2)
        b"",                                       # blank lines are no rows
        b'{"id": "c", "text": "Hallo \\ud800"}',  # a lone surrogate escape (line 4)
        b'["not", "an", "object"]',               # (line 5)
        b'"just a string"',                        # (line 6)
        json.dumps({"text": GERMAN}).encode(),     # no id: the row number (5)
    ])
    total, docs = _documents(path=str(path))
    assert total == 6
    assert [d.id for d in docs] == ["a", "1", "c", "3", "4", "5"]
    assert [d.error is None for d in docs] == [True, False, False, False, False, True]
    assert docs[0].text == docs[5].text == GERMAN
    assert "line 2" in docs[1].error and "JSON" in docs[1].error
    assert "line 4" in docs[2].error and "surrogate" in docs[2].error and docs[2].text is None
    assert "line 5" in docs[3].error and "array" in docs[3].error
    assert "line 6" in docs[4].error


def test_jsonl_line_that_is_not_utf8_is_an_error_or_replaced_with_a_count(tmp_path):
    path = _jsonl(tmp_path / "docs.jsonl", [b'{"id": "a", "text": "M\xe4rz"}', b'{"id": "b", "text": "gut"}'])
    _, docs = _documents(path=str(path))
    assert "line 1" in docs[0].error and "UTF-8" in docs[0].error and docs[1].text == "gut"
    _, docs = _documents(path=str(path), decode_errors="replace")
    assert docs[0].text == "M\ufffdrz" and "1 invalid UTF-8 bytes replaced" in docs[0].warnings[0]


def test_jsonl_lone_surrogate_is_replaced_when_configured(tmp_path):
    path = _jsonl(tmp_path / "docs.jsonl", [b'{"id": "a", "text": "Hallo \\ud800 Welt"}'])
    _, docs = _documents(path=str(path), decode_errors="replace")
    assert docs[0].text == "Hallo \ufffd Welt" and "surrogate" in docs[0].warnings[0]


def test_jsonl_id_with_a_lone_surrogate_stays_writable(tmp_path):
    path = _jsonl(tmp_path / "docs.jsonl", [b'{"id": "x\\udc00", "text": "Hallo."}'])
    _, docs = _documents(path=str(path))
    assert docs[0].id == "x\\udc00" and docs[0].id.encode("utf-8") and docs[0].text == "Hallo."


def test_jsonl_line_longer_than_max_bytes_is_an_error_record(tmp_path):
    long_line = json.dumps({"id": "big", "text": "x" * 500}).encode()
    path = _jsonl(tmp_path / "docs.jsonl", [b'{"id": "a", "text": "kurz"}', long_line, b'{"id": "c", "text": "auch"}'])
    total, docs = _documents(path=str(path), max_bytes=100)
    assert total == 3
    assert [d.text for d in docs] == ["kurz", None, "auch"]
    assert "line 2" in docs[1].error and "input.max_bytes" in docs[1].error


@pytest.mark.parametrize(("line", "reason"), [(b'{"id": "a", "text": null}', "null"),
                                              (b'{"id": "a", "body": "Hallo."}', "missing")])
def test_missing_or_null_text_is_no_text(tmp_path, line, reason):
    path = _jsonl(tmp_path / "docs.jsonl", [line, b'{"id": "b", "text": "Hallo."}'])
    _, docs = _documents(path=str(path))
    assert docs[0].text is None and docs[0].error.startswith("no text") and reason in docs[0].error


def test_parquet_null_is_no_text_and_a_csv_empty_cell_is_an_empty_document(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a", "b"], "text": [None, "Hallo."]}), tmp_path / "docs.parquet")
    _, docs = _documents(path=str(tmp_path / "docs.parquet"))
    assert docs[0].error.startswith("no text") and docs[1].text == "Hallo."
    (tmp_path / "docs.csv").write_text("id,text\na,\nb,Hallo.\n", encoding="utf-8")
    _, docs = _documents(path=str(tmp_path / "docs.csv"))
    assert (docs[0].text, docs[0].error) == ("", None)


def test_table_text_larger_than_max_bytes_is_an_error(tmp_path):
    (tmp_path / "docs.csv").write_text(f"id,text\na,{'x' * 300}\nb,kurz\n", encoding="utf-8")
    _, docs = _documents(path=str(tmp_path / "docs.csv"), max_bytes=100)
    assert docs[0].text is None and "input.max_bytes" in docs[0].error and docs[1].text == "kurz"


# -- 7. .txt folders: regular files inside the folder, never blocking, never more than max_bytes -------------


def _special_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a_ok.txt").write_text(GERMAN, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:geheim", encoding="utf-8")
    (folder / "b_outside.txt").symlink_to(secret)
    (folder / "c_zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "d_fifo.txt")
    (folder / "e_folder.txt").mkdir()
    (folder / "f_broken.txt").symlink_to(folder / "nowhere")
    (folder / "g_inside.txt").symlink_to(folder / "a_ok.txt")
    (folder / "h_big.txt").write_bytes(b"x" * 1001)
    (folder / "i_limit.txt").write_bytes(b"y" * 1000)
    return folder


POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(),
                                reason="needs FIFOs and /dev/zero")


@POSIX_ONLY
def test_special_files_get_an_error_record_without_being_read(tmp_path):
    folder = _special_folder(tmp_path)
    result: dict = {}
    # a FIFO opened for reading would block forever: read in a thread so that a regression fails, not hangs
    reader = threading.Thread(target=lambda: result.update(docs=_documents(path=str(folder), max_bytes=1000)),
                              daemon=True)
    reader.start()
    reader.join(timeout=120)
    assert not reader.is_alive(), "reading the folder blocked (on the FIFO?)"
    total, docs = result["docs"]
    by_id = {d.id: d for d in docs}
    assert total == 9 and list(by_id) == sorted(by_id)
    assert by_id["a_ok"].text == GERMAN and by_id["g_inside"].text == GERMAN
    assert "outside the input folder" in by_id["b_outside"].error
    assert "outside the input folder" in by_id["c_zero"].error
    assert "FIFO" in by_id["d_fifo"].error
    assert "is a folder" in by_id["e_folder"].error
    assert "broken symlink" in by_id["f_broken"].error
    assert "1,001 bytes" in by_id["h_big"].error and "input.max_bytes" in by_id["h_big"].error
    assert by_id["i_limit"].text == "y" * 1000
    for doc in docs:
        assert (doc.text is None) == (doc.error is not None)
        assert "geheim" not in (doc.text or "")


@POSIX_ONLY
def test_a_device_is_refused_without_reading():
    # /dev/zero seen from a folder that contains it: refused for what it is, not read until memory runs out
    read = read_entry(Path("/dev/zero"), Path("/"), 1000)
    assert read.data is None and "device" in read.error


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names there are always Unicode")
def test_file_names_that_are_not_utf8_give_writable_ids(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / os.fsdecode(b"Gr\xf6\xdfe.txt")).write_text(GERMAN, encoding="utf-8")
    _, docs = _documents(path=str(folder))
    assert docs[0].id == "Gr\\xf6\\xdfe" and docs[0].text == GERMAN and "not valid UTF-8" in docs[0].warnings[0]


# -- 9. what input.path is: checked at open time, hub datasets only by intent ---------------------------------


@pytest.mark.parametrize(("path", "must_mention"), [
    ("no_such_folder", ["'no_such_folder' does not exist", "owner/name", "input.format: hf"]),
    ("missing.jsonl", ["'missing.jsonl' does not exist"]),
    ("tests/no_such_name", ["does not exist", "the folder 'tests' exists"]),
])
def test_a_missing_path_does_not_exist_without_asking_the_hub(path, must_mention):
    with pytest.raises(InputError) as caught:
        open_source(InputConfig(path=path))
    message = str(caught.value)
    assert all(m in message for m in must_mention), message
    assert "\n" not in message and "Hub" not in message


def test_empty_folder_and_folder_without_txt_files(tmp_path):
    with pytest.raises(InputError, match="is an empty folder"):
        open_source(InputConfig(path=str(tmp_path)))
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(InputError, match=r"has no \.txt files .*notes\.md"):
        open_source(InputConfig(path=str(tmp_path)))


def test_missing_text_column_is_found_at_open_time(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "a.jsonl").write_text('{"id": 1, "content": "Hallo."}\n', encoding="utf-8")
    (tmp_path / "a.csv").write_text("id,content\n1,Hallo.\n", encoding="utf-8")
    pq.write_table(pa.table({"id": [1], "content": ["Hallo."]}), tmp_path / "a.parquet")
    for name in ("a.jsonl", "a.csv", "a.parquet"):
        with pytest.raises(InputError, match=r"input.text_column 'text' .*content"):
            open_source(InputConfig(path=str(tmp_path / name)))


def test_file_that_is_not_json_lines_and_empty_files(tmp_path):
    (tmp_path / "a.jsonl").write_text("id,text\n1,Hallo\n", encoding="utf-8")
    with pytest.raises(InputError, match="one object per line"):
        open_source(InputConfig(path=str(tmp_path / "a.jsonl")))
    (tmp_path / "b.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no documents"):
        open_source(InputConfig(path=str(tmp_path / "b.jsonl")))


def test_local_dataset_folder_by_intent(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"id": "a", "text": "Hallo."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="input.format: hf"):
        open_source(InputConfig(path=str(tmp_path)))
    source = open_source(InputConfig(path=str(tmp_path), format="hf"))
    assert [(d.id, d.text) for d in source] == [("a", "Hallo.")]


HUB_PROBE = """
import sys, time
from pipeline.config import InputConfig
from pipeline.inputs.sources import InputError, open_source
for options in (InputConfig(path="owner/name"), InputConfig(path="squad", format="hf")):
    started = time.monotonic()
    try:
        open_source(options)
    except InputError as exc:
        print(f"{time.monotonic() - started:.2f}s", exc)
"""


def test_hub_dataset_only_by_intent_with_one_probe():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))}
    env.update(HF_ENDPOINT="http://127.0.0.1:9", PYTHONPATH=str(ROOT))  # a port where nothing answers
    done = subprocess.run([sys.executable, "-c", HUB_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout + done.stderr
    for line in lines:
        assert "cannot be reached" in line and "HF_DATASETS_OFFLINE=1" in line
    assert "'owner/name'" in lines[0] and "'squad'" in lines[1]


# -- 11. the Python API's inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("texts", [None, 5, 2.5, b"Hallo", bytearray(b"Hallo"), {"Hallo"}])
def test_api_refuses_what_is_not_text_with_the_accepted_types(texts):
    with pytest.raises(TypeError, match=r"a str, an iterable of str .*got " + type(texts).__name__):
        documents_from_texts(texts)


def test_api_mapping_keys_are_the_ids():
    single, docs = documents_from_texts({"a": "Hallo.", 7: "Welt."})
    assert not single and [(d.id, d.text) for d in docs] == [("a", "Hallo."), ("7", "Welt.")]


def test_api_refuses_a_dataframe():
    pandas = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=r"df\['text'\]"):
        documents_from_texts(pandas.DataFrame({"text": ["Hallo."]}))


def test_api_items_that_are_not_text_get_error_documents():
    single, docs = documents_from_texts(["Hallo.", 5, None, float("nan"), "Hallo \ud800", b"x"])
    docs = list(docs)
    assert not single and [d.id for d in docs] == ["0", "1", "2", "3", "4", "5"]
    assert docs[0].text == "Hallo." and docs[0].error is None
    assert docs[1].error == "expected a string, got int"
    assert docs[2].error.startswith("no text") and docs[3].error.startswith("no text")
    assert docs[4].text is None and "surrogate" in docs[4].error
    assert docs[5].error == "expected a string, got bytes"


def test_api_reads_iterables_lazily():
    pandas = pytest.importorskip("pandas")
    taken: list[str] = []

    def texts():
        for text in ("eins", "zwei"):
            taken.append(text)
            yield text

    single, docs = documents_from_texts(texts())
    assert taken == [] and not single
    assert [d.text for d in docs] == ["eins", "zwei"]
    assert [d.text for d in documents_from_texts(pandas.Series(["a", "b"]))[1]] == ["a", "b"]
    single, docs = documents_from_texts("Hallo.")
    assert single and [d.text for d in docs] == ["Hallo."]


def test_pipeline_call_refuses_wrong_types_and_records_bad_items(tiny_pipeline):
    with pytest.raises(TypeError, match="an iterable of str"):
        tiny_pipeline(None)
    results = tiny_pipeline(iter(["Die Firma wächst.", "Hallo \ud800", None, 5]))
    assert [r.status for r in results] == ["ok", "error", "error", "error"]
    assert "surrogate" in results[1].error and results[2].error.startswith("no text")
    assert results[3].error == "expected a string, got int"


# -- the runner on these inputs (tiny models) ----------------------------------------------------------------


def test_runner_gives_a_record_per_jsonl_line_when_one_is_bad(tiny_models, tmp_path, capsys):
    path = _jsonl(tmp_path / "docs.jsonl", [json.dumps({"id": "a", "text": GERMAN}).encode(),
                                            b'{"id": "b", "text": "kaputt', b'{"id": "c", "text": "\\ud800"}',
                                            json.dumps({"id": "d", "text": GERMAN}).encode()])
    config = tiny_config(tiny_models, tmp_path, short=True, input={"path": str(path)})
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 1
    got = records(Path(config.output.path))
    assert [(r["id"], r["status"]) for r in got] == [("a", "ok"), ("1", "error"), ("c", "error"), ("d", "ok")]
    assert "line 2" in got[1]["error"] and "line 3" in got[2]["error"]
    assert "2 ok, 0 skipped, 2 error" in capsys.readouterr().out


def test_runner_missing_bare_name_exits_2_before_loading_models(tiny_models, tmp_path, capsys):
    # models that do not exist: reaching them would be a model error, not the input error
    config = tiny_config(tiny_models, tmp_path, translation={"model": str(tmp_path / "no-model")},
                         summarization={"model": str(tmp_path / "no-model")})
    assert main([str(write_config(config, tmp_path / "c.yaml")), "--set", "input.path=no_such_folder"]) == 2
    err = capsys.readouterr().err
    assert "error (input error): input.path 'no_such_folder' does not exist" in err
    assert "cannot load" not in err and "Hub" not in err
