"""The runner under the mistakes and faults real users make (issue 9): each test names its case.

A small job (five short documents, groups of two) on the short tiny models; its uninterrupted output is the
reference every repaired or resumed run must equal byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.results import Document
from pipeline.run import main
from pipeline.runner.checkpoint import Checkpoints
from pipeline.runner.layout import lock_path, manifest_path
from pipeline.runner.lock import OutputLock, OutputLockedError
from tests.conftest import ROOT, SEEDS, records, tiny_config, write_config

DOCS = {
    "a": "Die Firma wächst. Der Umsatz stieg um 7 Prozent.",
    "b": "Der Vorstand plant neue Werke. Die Aktie fiel am Dienstag.",
    "c": "Berlin investiert in Schulen. Der Senat beschloss das Programm.",
    "d": "Die Bahn erhöht die Preise. Kunden zahlen ab März mehr.",
    "e": "Ein Sturm traf die Küste. Tausende Haushalte waren ohne Strom.",
}
RUNTIME = {"group_size": 2, "threads": 1}


# The runner in a process whose files may not grow beyond argv[1] bytes (RLIMIT_FSIZE): a disk that fills up
# once the run has started (the language model's temp copy is made before).
FULL_DISK = ("import resource, sys; from pipeline.text.language import detect_language; "
             "detect_language('Die Firma wächst, der Umsatz steigt.'); "
             "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]),) * 2); "
             "from pipeline.run import main; sys.exit(main(sys.argv[2:]))")


def small_input(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def long_input(folder: Path) -> Path:
    """The documents eight times over: records of a few kB each, so that an output outgrows its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / f"{name}.txt").write_text(" ".join([text] * 8), encoding="utf-8")
    return folder


def job(tiny_models: dict[str, Path], root: Path, folder: Path | None = None, **sections) -> tuple[Config, Path]:
    """A config of the small job writing under ``root`` (input: ``folder``, else a fresh copy), and its YAML."""
    root.mkdir(parents=True, exist_ok=True)
    folder = folder or small_input(root / "docs")
    sections.setdefault("runtime", RUNTIME)
    config = tiny_config(tiny_models, root, short=True, input={"path": str(folder)}, **sections)
    return config, write_config(config, root / "c.yaml")


@pytest.fixture(scope="module")
def reference(tiny_models, tmp_path_factory) -> bytes:
    """The uninterrupted output of the small job."""
    config, path = job(tiny_models, tmp_path_factory.mktemp("reference"))
    assert main([str(path)]) == 0
    return Path(config.output.path).read_bytes()


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.run", *args], cwd=ROOT, capture_output=True, text=True,
                          **kwargs)


def one_error_line(stderr: str) -> str:
    """The failure message: exactly one line starting with 'error', and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 1, stderr
    return lines[0]


def snapshot(output: Path) -> tuple[bytes, bytes]:
    return output.read_bytes(), manifest_path(output).read_bytes()


# -- case 1: --overwrite checks everything before it touches the old run -------------------------------------


def test_failing_overwrite_leaves_the_finished_run_as_it_was(tiny_models, tmp_path, capsys, caplog):
    # one group of long documents: larger than the manifest, so a disk can fill up between the two
    config, path = job(tiny_models, tmp_path, long_input(tmp_path / "long"),
                       runtime={**RUNTIME, "group_size": len(DOCS)})
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    before = snapshot(out)
    # an input that does not exist: refused before anything is opened
    assert main([str(path), "--set", f"input.path={tmp_path / 'no_such.jsonl'}", "--overwrite"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert snapshot(out) == before
    # a model that cannot be loaded: the new run never wrote a group, so the old one stays
    assert main([str(path), "--set", f"translation.model={tmp_path / 'no_model'}", "--overwrite"]) == 2
    assert snapshot(out) == before
    # a disk that fills up after the new run's manifest, while it writes its first group
    limit = len(before[1]) + 512
    assert len(before[0]) > limit
    full = subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), str(path), "--overwrite"], cwd=ROOT,
                          capture_output=True, text=True)
    assert full.returncode == 2 and "disk full" in one_error_line(full.stderr)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["records.groups.jsonl", "records.jsonl",
                                                            "records.manifest.json"]
    caplog.set_level(logging.INFO, logger="pipeline")
    assert main([str(path)]) == 0
    assert "already complete" in caplog.text and snapshot(out) == before


def test_a_run_that_fails_before_its_first_record_leaves_nothing(tiny_models, tmp_path):
    config, path = job(tiny_models, tmp_path, translation={"model": str(tmp_path / "no_model")})
    assert main([str(path)]) == 2
    assert not Path(config.output.path).parent.exists()


def test_successful_overwrite_replaces_output_and_manifest(tiny_models, tmp_path, reference):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path), "--set", "runtime.batch_size=3"]) == 0
    assert main([str(path), "--overwrite"]) == 0
    assert out.read_bytes() == reference
    assert json.loads(manifest_path(out).read_text())["config_hash"] == config.hash()


# -- case 2: the output can never be the input ------------------------------------------------------------------


def test_output_that_is_the_input_is_refused(tiny_models, tmp_path, capsys):
    data = tmp_path / "table.jsonl"
    data.write_text('{"id": "a", "text": "Die Firma wächst."}\n', encoding="utf-8")
    original = data.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(data)
    for output in (data, link):
        config, path = job(tiny_models, tmp_path, data, output={"path": str(output)})
        assert main([str(path), "--overwrite"]) == 2
        assert "would overwrite the input" in capsys.readouterr().err
        assert data.read_bytes() == original


def test_output_inside_the_input_folder_is_fine(tiny_models, tmp_path):
    folder = small_input(tmp_path / "docs")
    config, path = job(tiny_models, tmp_path, folder, output={"path": str(folder / "out.jsonl")})
    assert main([str(path)]) == 0
    assert [r["id"] for r in records(Path(config.output.path))] == list(DOCS)


# -- case 3: a changed input is refused, or redone with --resume-changed ----------------------------------------


def test_changed_input_is_refused_then_redone(tiny_models, tmp_path, reference, capsys, caplog):
    config, path = job(tiny_models, tmp_path / "run")
    folder, out = Path(config.input.path), Path(config.output.path)
    assert main([str(path)]) == 0
    assert out.read_bytes() == reference
    (folder / "c.txt").write_text("Ganz neuer Text. Er ersetzt den alten.", encoding="utf-8")
    capsys.readouterr()
    before = snapshot(out)
    assert main([str(path)]) == 2  # the finished job: not "already complete"
    err = capsys.readouterr().err
    assert "'c'" in err and "1 document(s) differ" in err and "--resume-changed" in err
    assert snapshot(out) == before
    assert main([str(path), "--resume-changed"]) == 0
    expected, expected_path = job(tiny_models, tmp_path / "expected", folder)
    assert main([str(expected_path)]) == 0
    assert out.read_bytes() == Path(expected.output.path).read_bytes() != reference
    caplog.set_level(logging.INFO, logger="pipeline")
    assert main([str(path)]) == 0  # and now it is complete for the new input
    assert "already complete" in caplog.text


# -- case 4: a damaged output is cut back to its last intact group, never counted as complete --------------------


@pytest.mark.parametrize("damage", ["truncated", "altered"])
def test_damaged_output_is_repaired(tiny_models, tmp_path, reference, damage, caplog):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    data = out.read_bytes()
    fourth = sum(len(line) for line in data.splitlines(keepends=True)[:3])
    if damage == "truncated":  # cut in the middle of record 4 (the second group)
        out.write_bytes(data[: fourth + 20])
    else:  # one byte of record 4 changed, the length kept
        out.write_bytes(data[:fourth + 20] + (b"X" if data[fourth + 20:fourth + 21] != b"X" else b"Y")
                        + data[fourth + 21:])
    assert main([str(path)]) == 0
    assert "damaged" in caplog.text
    assert out.read_bytes() == reference


# -- case 5: one writer per output -----------------------------------------------------------------------------


def test_second_run_on_the_same_output_exits_at_once_naming_the_holder(tiny_models, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(2):
        for seed in sorted(SEEDS.glob("*.txt")):
            (folder / f"{i}_{seed.name}").write_bytes(seed.read_bytes())
    config, path = job(tiny_models, tmp_path, folder)
    out = Path(config.output.path)
    first = subprocess.Popen([sys.executable, "-m", "pipeline.run", str(path)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and first.poll() is None:
            if lock_path(out).exists() and lock_path(out).read_text().strip():
                break
            time.sleep(0.02)
        assert lock_path(out).read_text().strip() == str(first.pid)
        second = cli(str(path), "--set", "runtime.batch_size=3")  # another config, same output
        assert first.poll() is None, "the first run ended before the second one was tried"
        assert second.returncode == 2
        message = one_error_line(second.stderr)
        assert f"pid {first.pid}" in message and str(out) in message
    finally:
        assert first.wait(timeout=300) == 0
    got = records(out)
    assert len(got) == len({r["id"] for r in got}) == 14
    assert not lock_path(out).exists()


def test_stale_lock_of_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "records.jsonl"
    hold = ("import sys, time; from pathlib import Path; from pipeline.runner.lock import OutputLock; "
            "OutputLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLockedError, match=f"pid {holder.pid}"):
            OutputLock(out).acquire()
    finally:
        holder.kill()
        holder.wait()
    assert lock_path(out).read_text().strip() == str(holder.pid)  # the killed run's lock file is still there
    with OutputLock(out):
        assert lock_path(out).read_text().strip() == str(os.getpid())
    assert not lock_path(out).exists()


# -- case 10: failures of the runner itself are one line and exit 2 ------------------------------------------------


def test_read_only_output_folder_is_found_before_the_models_load(tiny_models, tmp_path):
    if os.geteuid() != 0:
        folder = tmp_path / "read_only"
        folder.mkdir()
        folder.chmod(0o555)
    elif not os.access("/proc/sys", os.W_OK):
        folder = Path("/proc/sys")  # read-only even for root
    else:
        pytest.skip("no folder this user cannot write")
    # the models do not exist: loading them first would give a model error instead
    config, path = job(tiny_models, tmp_path, output={"path": str(folder / "out" / "records.jsonl")},
                       translation={"model": str(tmp_path / "no_model")})
    result = cli(str(path))
    assert result.returncode == 2
    message = one_error_line(result.stderr)
    assert "not writable" in message and str(folder) in message


def test_full_disk_is_one_line_and_the_same_command_continues(tiny_models, tmp_path):
    folder = long_input(tmp_path / "long")
    runtime = {**RUNTIME, "group_size": 1}
    expected, expected_path = job(tiny_models, tmp_path / "expected", folder, runtime=runtime)
    assert main([str(expected_path)]) == 0
    reference = Path(expected.output.path).read_bytes()
    first_group = len(reference.splitlines(keepends=True)[0])
    limit = max(first_group, manifest_path(Path(expected.output.path)).stat().st_size) + 512
    assert limit < len(reference), "the output must outgrow the limit for this test to mean anything"

    config, path = job(tiny_models, tmp_path / "run", folder, runtime=runtime)
    out = Path(config.output.path)
    result = subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), str(path)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2
    message = one_error_line(result.stderr)
    assert "disk full" in message and str(out.parent) in message and "same command" in message
    assert 0 < out.stat().st_size <= limit  # some groups were written
    assert cli(str(path)).returncode == 0
    assert out.read_bytes() == reference


@pytest.mark.parametrize("manifest", ["[]", "{not json", '{"state": "complete"}'])
def test_corrupt_manifest_is_reported_and_rebuilt_from_the_records(tiny_models, tmp_path, reference, manifest,
                                                                  capsys):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    manifest_path(out).write_text(manifest)
    # a torn last group: the rebuild keeps only whole groups of complete records that the journal vouches for
    # (ids, input digests, the config's stamp), then resumes
    out.write_bytes(reference[: len(reference) - 30])
    result = cli(str(path))
    assert result.returncode == 2
    message = one_error_line(result.stderr)
    assert "corrupt" in message and str(manifest_path(out)) in message and "--rebuild-manifest" in message
    assert main([str(path), "--rebuild-manifest"]) == 0
    assert out.read_bytes() == reference
    rebuilt = json.loads(manifest_path(out).read_text())
    assert rebuilt["state"] == "complete" and rebuilt["output"]["documents"] == len(DOCS)


def test_rebuild_without_anything_that_vouches_for_the_records_is_refused(tiny_models, tmp_path, capsys):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    manifest_path(out).write_text("{not json")
    out.with_name("records.groups.jsonl").unlink()
    before = out.read_bytes()
    assert main([str(path)]) == 2
    assert "--rebuild-manifest" not in capsys.readouterr().err  # the message suggests only what works
    assert main([str(path), "--rebuild-manifest"]) == 2
    assert "verified" in capsys.readouterr().err and out.read_bytes() == before


def test_output_path_that_is_a_folder_is_refused(tiny_models, tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    config, path = job(tiny_models, tmp_path, output={"path": str(folder)})
    result = cli(str(path))
    assert result.returncode == 2
    message = one_error_line(result.stderr)
    assert "is a folder" in message and str(folder) in message


# -- resume granularity for giant documents ------------------------------------------------------------------


def test_large_group_resumes_from_its_finished_batches(tiny_pipeline, tmp_path, monkeypatch):
    """A group killed part-way through its translation redoes only the batches that had not finished."""
    runtime = dataclasses.replace(tiny_pipeline.config.runtime, batch_size=2)
    monkeypatch.setattr(tiny_pipeline, "config", dataclasses.replace(tiny_pipeline.config, runtime=runtime))
    text = " ".join(f"Im Quartal {i} stieg der Umsatz um {i} Prozent." for i in range(1, 11))
    doc = Document("big", text)
    reference = tiny_pipeline.process([doc])[0].to_record()
    segments = len(reference["segments"])
    assert segments >= 8
    original = tiny_pipeline.translator.generate_batch
    calls: list[int] = []

    def killed_after_three_batches(texts):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(len(texts))
        return original(texts)

    monkeypatch.setattr(tiny_pipeline, "checkpoints", Checkpoints(tmp_path / "partial", min_segments=1))
    monkeypatch.setattr(tiny_pipeline.translator, "generate_batch", killed_after_three_batches)
    with pytest.raises(KeyboardInterrupt):
        tiny_pipeline.process([doc])
    calls.clear()
    monkeypatch.setattr(tiny_pipeline.translator, "generate_batch", lambda texts: calls.append(len(texts)) or
                        original(texts))
    assert tiny_pipeline.process([doc])[0].to_record() == reference
    assert sum(calls) == segments - 6  # the three finished batches (2 segments each) were read back
