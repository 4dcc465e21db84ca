"""The runner end to end on tiny models: records, manifest, bad input, exit codes, determinism, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.run import main
from pipeline.runner.layout import lock_path
from tests.conftest import ROOT, SEEDS, records, seed_copies, squash, tiny_config, write_config

ENGLISH = ("Microsoft announced on Tuesday that it is developing its own artificial intelligence models. "
           "The company also won a large government contract worth billions of dollars. Analysts said the "
           "move puts pressure on its partner OpenAI, which has long supplied the models behind Copilot.")
CLAUSES = "Der Vorstand betonte, " + ", ".join(
    f"dass der Umsatz im Quartal {i} um {i % 9},5 Prozent gestiegen sei" for i in range(400)) + "."








@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "a_seed.txt").write_bytes((SEEDS / "000_microsoft_doppelschlag.txt").read_bytes())
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_blank.txt").write_bytes(b"  \n\n\t \n")
    (folder / "d_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (folder / "e_cp1252.txt").write_bytes("Die Größe des Marktes wächst. Der Umsatz stieg um 7,25 %.".encode("cp1252"))
    (folder / "f_english.txt").write_text(ENGLISH, encoding="utf-8")
    (folder / "g_clauses.txt").write_text(CLAUSES, encoding="utf-8")
    (folder / "h_bom.txt").write_bytes(b"\xef\xbb\xbf" + "Übernahme geplatzt. Die Aktie fiel.".encode())
    return folder


def test_seeds_end_to_end(tiny_models, tmp_path, capsys):
    config = tiny_config(tiny_models, tmp_path)
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 0
    out = Path(config.output.path)
    got = records(out)
    seeds = sorted(SEEDS.glob("*.txt"))
    assert [r["id"] for r in got] == [p.stem for p in seeds]
    for record, path in zip(got, seeds, strict=True):
        assert record["status"] == "ok" and record["error"] is None
        assert record["summary"] and record["translation"]
        assert squash("".join(s["source"] for s in record["segments"])) == squash(path.read_text())
        assert record["language"] == "de"
    manifest = json.loads((out.parent / "records.manifest.json").read_text())
    assert manifest["state"] == "complete"
    assert manifest["config_hash"] == config.hash()
    assert manifest["output"]["by_status"] == {"ok": len(seeds)}
    assert {"python", "torch", "transformers", "tokenizers", "sentencepiece", "datasets"} <= set(manifest["versions"])
    assert manifest["models"]["translation"]["local_path"] == str(tiny_models["marian"].resolve())
    assert manifest["models"]["translation"]["device"] == "cpu"
    assert "wall_time_s" in manifest
    assert f"{len(seeds)} documents: {len(seeds)} ok" in capsys.readouterr().out


def test_bad_inputs_get_a_record_each(tiny_models, tmp_path, bad_inputs, capsys):
    config = tiny_config(tiny_models, tmp_path, short=True, input={"path": str(bad_inputs)})
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 1
    got = {r["id"]: r for r in records(Path(config.output.path))}
    assert list(got) == sorted(p.stem for p in bad_inputs.glob("*.txt"))
    assert got["a_seed"]["status"] == "ok"
    assert got["b_empty"]["status"] == "skipped" and got["b_empty"]["error"]
    assert got["c_blank"]["status"] == "skipped" and got["c_blank"]["error"]
    assert got["d_binary"]["status"] == "error" and "binary" in got["d_binary"]["error"]
    cp = got["e_cp1252"]
    assert cp["status"] == "ok" and "Größe" in cp["segments"][0]["source"]
    assert any("Windows-1252" in w for w in cp["warnings"])
    assert got["f_english"]["status"] == "ok" and got["f_english"]["language"] == "en"
    clauses = got["g_clauses"]
    assert clauses["status"] == "ok" and len(clauses["segments"]) > 1
    assert squash("".join(s["source"] for s in clauses["segments"])) == squash(CLAUSES)
    assert got["h_bom"]["segments"][0]["source"].startswith("Übernahme")
    assert "1 error" in capsys.readouterr().out


def test_identical_runs_give_identical_bytes(tiny_models, tmp_path):
    outputs = []
    for name in ("one", "two"):
        config = tiny_config(tiny_models, tmp_path / name, short=True)
        assert main([str(write_config(config, tmp_path / f"{name}.yaml"))]) == 0
        outputs.append(Path(config.output.path).read_bytes())
    assert outputs[0] == outputs[1]


def test_table_inputs(tiny_models, tmp_path):
    rows = [{"doc": "x1", "body": "Die Firma wächst. Der Umsatz steigt."}, {"doc": "x2", "body": ""},
            {"doc": "x3", "body": "Bad\x00bytes"}]
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    csv_path = tmp_path / "docs.csv"
    csv_path.write_text("doc,body\nx1,Die Firma wächst. Der Umsatz steigt.\nx2,\n", encoding="utf-8")
    for path, expected in ((jsonl, ["ok", "skipped", "error"]), (csv_path, ["ok", "skipped"])):
        config = tiny_config(tiny_models, tmp_path / path.suffix[1:], short=True,
                             input={"path": str(path), "id_column": "doc", "text_column": "body"})
        main([str(write_config(config, tmp_path / "c.yaml"))])
        got = records(Path(config.output.path))
        assert [r["id"] for r in got] == [r["doc"] for r in rows][: len(expected)]
        assert [r["status"] for r in got] == expected


def test_wrong_text_column_is_an_input_error(tiny_models, tmp_path, capsys):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": 1, "content": "Hallo."}\n')
    config = tiny_config(tiny_models, tmp_path, input={"path": str(path)})
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 2
    err = capsys.readouterr().err
    assert "text_column" in err and "content" in err


def test_missing_model_names_the_model_and_the_fix(tiny_models, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = tiny_config(tiny_models, tmp_path, translation={"model": "nobody/no-such-model"})
    code = subprocess.run([sys.executable, "-m", "pipeline.run", str(write_config(config, tmp_path / "c.yaml"))],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert code.returncode == 2
    assert "nobody/no-such-model" in code.stderr
    assert "download_models.py" in code.stderr and "HF_HUB_OFFLINE" in code.stderr


def test_different_config_refuses_to_resume_unless_overwrite(tiny_models, tmp_path, capsys):
    config = tiny_config(tiny_models, tmp_path, short=True)
    path = write_config(config, tmp_path / "c.yaml")
    assert main([str(path)]) == 0
    out = Path(config.output.path)
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    assert main([str(path)]) == 0  # complete: nothing to do, the output is not touched
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    assert main([str(path), "--set", "runtime.batch_size=3"]) == 0  # output-neutral: still complete
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    assert main([str(path), "--set", "runtime.group_size=3"]) == 2
    err = capsys.readouterr().err
    assert "runtime.group_size" in err and "--overwrite" in err
    assert main([str(path), "--set", "runtime.group_size=3", "--overwrite"]) == 0


def _run_cli(config_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.run", str(config_path)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_resume_after_sigkill_equals_an_uninterrupted_run(tiny_models, tmp_path):
    folder = tmp_path / "many"
    seeds = seed_copies(folder, 3)
    reference = tiny_config(tiny_models, tmp_path / "ref", short=True, input={"path": str(folder)},
                            runtime={"group_size": 2})
    assert main([str(write_config(reference, tmp_path / "ref.yaml"))]) == 0
    expected = Path(reference.output.path).read_bytes()

    config = tiny_config(tiny_models, tmp_path / "killed", short=True, input={"path": str(folder)},
                         runtime={"group_size": 2})
    config_path = write_config(config, tmp_path / "killed.yaml")
    out = Path(config.output.path)
    kills = 0
    for wait_for_lines in (3, 9):  # kill twice, at different points
        proc = _run_cli(config_path)
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= wait_for_lines:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.02)
        proc.wait()
    assert kills >= 1
    # As a kill in the middle of a group's write leaves it: whole groups, then one complete record of the
    # next group (made up here, so keeping it would show) and a torn line. Only whole groups may be kept.
    complete = [line for line in out.read_bytes().splitlines(keepends=True) if line.endswith(b"\n")]
    whole = complete[: len(complete) - len(complete) % 2]
    partial = json.loads(expected.splitlines()[len(whole)])
    partial["summary"] = "a record of a group that was never finished"
    out.write_bytes(b"".join(whole) + json.dumps(partial).encode() + b"\n" + b'{"id": "torn')
    final = subprocess.run([sys.executable, "-m", "pipeline.run", str(config_path)], cwd=ROOT,
                           capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert out.read_bytes() == expected
    assert not lock_path(out).exists()
    ids = [r["id"] for r in records(out)]
    assert len(ids) == len(set(ids)) == len(seeds) * 3


def _kill_after_first_group(config_path: Path, out: Path, group_size: int) -> None:
    proc = _run_cli(config_path)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= group_size:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        proc.wait()


def test_resume_with_other_batch_size_and_threads_equals_an_uninterrupted_run(sharp_models, tmp_path):
    folder = tmp_path / "many"
    seed_copies(folder, 2)
    sections = {"input": {"path": str(folder)}, "runtime": {"group_size": 3, "batch_size": 16, "threads": 2}}
    reference = tiny_config(sharp_models, tmp_path / "ref", **sections)
    assert main([str(write_config(reference, tmp_path / "ref.yaml"))]) == 0
    expected = Path(reference.output.path).read_bytes()

    config = tiny_config(sharp_models, tmp_path / "killed", **sections)
    config_path = write_config(config, tmp_path / "killed.yaml")
    out = Path(config.output.path)
    _kill_after_first_group(config_path, out, 3)
    written = out.read_bytes().count(b"\n") if out.exists() else 0
    assert 3 <= written < expected.count(b"\n"), "the run was not killed part-way"
    resumed = subprocess.run([sys.executable, "-m", "pipeline.run", str(config_path), "--set", "runtime.batch_size=3",
                              "--set", "runtime.threads=1", "--set", "runtime.max_batch_tokens=512",
                              "--set", "runtime.device=auto"], cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert out.read_bytes() == expected
    manifest = json.loads(out.with_name("records.manifest.json").read_text())
    assert manifest["state"] == "complete"
    first, last = manifest["spans"][0], manifest["spans"][-1]
    assert first["from_document"] == 0 and first["settings"]["runtime.batch_size"] == 16
    assert last["from_document"] >= 3 and last["settings"]["runtime.batch_size"] == 3
    assert last["settings"]["runtime.threads"] == 1 and last["devices"]["translation"] == "cpu"

    # finished: "complete" whatever the output-neutral settings, and the output is not touched
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    again = subprocess.run([sys.executable, "-m", "pipeline.run", str(config_path), "--set", "runtime.batch_size=5",
                            "--set", "runtime.progress=false"], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before


def test_an_output_deciding_change_is_refused_with_the_two_ways_on(tiny_models, tmp_path, capsys):
    config = tiny_config(tiny_models, tmp_path, short=True, input={"path": str(SEEDS)})
    path = write_config(config, tmp_path / "c.yaml")
    assert main([str(path)]) == 0
    out = Path(config.output.path)
    before = out.read_bytes()
    capsys.readouterr()
    assert main([str(path), "--set", "translation.generation.num_beams=1"]) == 2
    err = capsys.readouterr().err
    assert "translation.generation" in err and "--overwrite" in err and "output.path" in err
    assert "batch_size" not in err
    assert out.read_bytes() == before
