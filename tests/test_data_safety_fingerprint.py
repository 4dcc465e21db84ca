"""Data safety, second round (issue 17): what decides the outputs is fingerprinted, side files are guarded, the
rename windows recover, and the same command recovers from a kill at every point. Each test names its item.

The small job of ``test_data_safety`` (five short documents, groups of two) on the short tiny models.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.run import main
from pipeline.runner.fingerprint import fingerprint, fingerprint_differences, workers_differences
from pipeline.runner.layout import journal_path, lock_path, manifest_path, partial_folder, staged
from pipeline.runner.lock import OutputLock, OutputLockedError
from tests.conftest import ROOT
from tests.test_data_safety import DOCS, RUNTIME, job, one_error_line, small_input

KILLER = str(ROOT / "tests" / "kill_points.py")


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def partial_state(out: Path) -> None:
    """Turn a finished run into one killed after its first group (what a SIGKILL there leaves)."""
    first = next(iter(journal_path(out).read_bytes().splitlines(keepends=True)))
    entry = json.loads(first)
    out.write_bytes(out.read_bytes()[: entry["end"]])
    journal_path(out).write_bytes(first)
    manifest = json.loads(manifest_path(out).read_text())
    manifest["state"] = "running"
    manifest_path(out).write_text(json.dumps(manifest))


def own_models(tiny_models: dict[str, Path], root: Path) -> dict[str, Path]:
    """Copies of the short tiny models that a test may change in place."""
    out = {}
    for name in ("marian_short", "bart_short"):
        out[name] = root / name
        shutil.copytree(tiny_models[name], out[name])
    return out


def killed(args: list[str], at: int, count: Path, **env: str) -> int:
    result = subprocess.run([sys.executable, KILLER, str(at), str(count), *args], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, **env})
    assert result.returncode in (0, 137), result.stderr
    return result.returncode


# -- item 1: weights, libraries and devices are fingerprinted --------------------------------------------------


def test_weights_changed_in_place_are_refused_on_resume_and_when_complete(tiny_models, tmp_path, capsys):
    models = own_models(tiny_models, tmp_path / "models")
    config, path = job(models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    weights = models["marian_short"] / "model.safetensors"
    from safetensors.torch import load_file, save_file

    tensors = load_file(weights)  # a re-export in the same folder: same config files, other weights
    save_file({k: v * 1.5 if v.dim() == 2 else v for k, v in tensors.items()}, weights, metadata={"format": "pt"})
    before = files_of(out.parent)
    capsys.readouterr()
    assert main([str(path)]) == 2  # "already complete" under other weights
    err = capsys.readouterr().err
    assert "translation weights" in err and "--overwrite" in err
    assert files_of(out.parent) == before
    partial_state(out)
    before = files_of(out.parent)
    assert main([str(path)]) == 2  # a resume would mix records of the two
    assert "translation weights" in capsys.readouterr().err and files_of(out.parent) == before
    assert main([str(path), "--overwrite"]) == 0


def test_a_library_upgrade_between_kill_and_resume_is_refused(tiny_models, tmp_path, capsys, monkeypatch):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    partial_state(out)
    import pipeline.runner.job as job_module

    real = job_module.library_versions
    monkeypatch.setattr(job_module, "library_versions", lambda: {**real(), "transformers": "99.0.0"})
    assert main([str(path)]) == 2
    assert "transformers" in capsys.readouterr().err


def test_fingerprint_compares_resolved_facts_only():
    versions = {"torch": "2", "transformers": "5", "ctranslate2": "4", "tokenizers": "0", "sentencepiece": "0"}
    model = {"model": "m", "commit": "abc", "backend": "transformers", "device": "cuda:0", "dtype": "bfloat16",
             "threads": 4, "quantized_int8": False}
    same_device = fingerprint({"translation": {**model, "device": "cuda", "threads": 1}}, versions)
    assert not fingerprint_differences(fingerprint({"translation": model}, versions), same_device)
    cpu = fingerprint({"translation": {**model, "device": "cpu", "dtype": "float32"}}, versions)
    diffs = fingerprint_differences(fingerprint({"translation": model}, versions), cpu)
    assert len(diffs) == 2 and all(d.startswith("translation") for d in diffs)
    # Ray workers that resolve differently are named (the engine refuses them)
    workers = [fingerprint({"translation": model}, {}), fingerprint({"translation": {**model, "device": "cpu"}}, {})]
    assert workers_differences(workers) and not workers_differences(workers[:1] * 3)


# -- item 2: --rebuild-manifest adopts only what it can verify --------------------------------------------------


def test_rebuild_never_replaces_a_valid_manifest(tiny_models, tmp_path, capsys):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    before = files_of(out.parent)
    assert main([str(path), "--set", "summarization.generation.max_new_tokens=16", "--rebuild-manifest"]) == 2
    assert "valid manifest" in capsys.readouterr().err and files_of(out.parent) == before


def test_rebuild_with_another_config_is_refused(tiny_models, tmp_path, capsys):
    config, path = job(tiny_models, tmp_path, summarization={"generation": {"max_new_tokens": 6}})
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    manifest_path(out).write_text("{not json")
    before = files_of(out.parent)
    assert main([str(path), "--set", "summarization.generation.max_new_tokens=16", "--rebuild-manifest"]) == 2
    assert files_of(out.parent) == before


def test_rebuild_after_an_input_edit_redoes_the_edited_group(tiny_models, tmp_path):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    manifest_path(out).write_text("{not json")
    (Path(config.input.path) / "a.txt").write_text("Ganz anderer Text. Er ist neu.", encoding="utf-8")
    assert main([str(path), "--rebuild-manifest"]) == 0
    manifest = json.loads(manifest_path(out).read_text())
    assert manifest["state"] == "complete" and manifest["resumed_after"] == 0  # nothing stale adopted


# -- item 4 and 12: side files are never followed, never blocking ---------------------------------------------


def test_symlinked_lock_and_output_are_refused_and_their_targets_kept(tiny_models, tmp_path, capsys):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    out.parent.mkdir(parents=True)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    lock_path(out).symlink_to(precious)
    assert main([str(path)]) == 2
    assert precious.read_text() == "keep me" and not out.exists()
    lock_path(out).unlink()
    assert main([str(path)]) == 0
    out.unlink()
    out.symlink_to(precious)  # a finished output swapped for a symlink
    assert main([str(path)]) == 2
    assert precious.read_text() == "keep me"


@pytest.mark.parametrize("kind", ["fifo", "devzero"])
def test_a_fifo_or_device_at_a_side_file_is_refused_at_once(tiny_models, tmp_path, capsys, kind):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    for side in (manifest_path(out), journal_path(out)):
        saved = side.read_bytes()
        side.unlink()
        if kind == "fifo":
            os.mkfifo(side)
        else:
            side.symlink_to("/dev/zero")
        result = subprocess.run([sys.executable, "-m", "pipeline.run", str(path)], cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2 and str(side.name) in one_error_line(result.stderr)
        side.unlink()
        side.write_bytes(saved)


# -- item 6: outputs that share a stem ---------------------------------------------------------------------


def test_outputs_sharing_a_stem_are_refused_not_mixed(tiny_models, tmp_path, capsys):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    before = files_of(out.parent)
    other = out.with_suffix(".json")
    assert main([str(path), "--set", f"output.path={other}"]) == 2
    assert main([str(path), "--set", f"output.path={other}", "--overwrite"]) == 2
    assert "same stem" in capsys.readouterr().err and files_of(out.parent) == before
    with OutputLock(out), pytest.raises(OutputLockedError):  # at once, too: one lock per stem
        OutputLock(other).acquire()


# -- item 7: a document added to a finished run ------------------------------------------------------------


@pytest.mark.parametrize("group_size", [1, 2])  # the last group full (5 of 1) or partial (5 of 2)
def test_a_document_added_to_a_finished_run_is_refused_whatever_the_fill(tiny_models, tmp_path, capsys,
                                                                         group_size):
    config, path = job(tiny_models, tmp_path, runtime={**RUNTIME, "group_size": group_size})
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    (Path(config.input.path) / "z.txt").write_text("Ein neues Dokument. Es kam später.", encoding="utf-8")
    before = files_of(out.parent)
    capsys.readouterr()
    assert main([str(path)]) == 2
    assert "'z'" in capsys.readouterr().err and files_of(out.parent) == before
    assert main([str(path), "--resume-changed"]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [*DOCS, "z"]


# -- item 8: the rename windows, and stale temp files ---------------------------------------------------------


def test_stale_temp_files_of_killed_manifest_writes_are_removed(tiny_models, tmp_path):
    config, path = job(tiny_models, tmp_path)
    out = Path(config.output.path)
    assert main([str(path)]) == 0
    stale = manifest_path(out).with_name(manifest_path(out).name + ".999999.tmp")
    stale.write_text("{half")
    assert main([str(path)]) == 0 and not stale.exists()


def test_a_kill_between_the_output_and_manifest_renames_is_recovered(tiny_models, tmp_path):
    """The fresh run's swap: staged manifest, journal, output, then manifest renamed; killed after the output's."""
    config, path = job(tiny_models, tmp_path, runtime={**RUNTIME, "cache_dir": str(tmp_path / "cache")})
    out = Path(config.output.path)
    count = tmp_path / "count"
    killed([str(path)], 0, count)
    reference = out.read_bytes()
    shutil.rmtree(out.parent)
    # the points before the swap's three renames; the third is the manifest's
    points = []
    for at in range(1, int(count.read_text()) + 1):
        shutil.rmtree(out.parent, ignore_errors=True)
        killed([str(path)], at, count)
        if out.exists() and staged(manifest_path(out)).exists() and not manifest_path(out).exists():
            points.append(at)
            break
    assert points, "no kill point fell between the output's and the manifest's rename"
    assert main([str(path)]) == 0
    assert out.read_bytes() == reference and json.loads(manifest_path(out).read_text())["state"] == "complete"


# -- item 14: the checkpoint of a giant document survives a kill before the first group ---------------------------


def test_checkpoint_of_a_single_giant_document_survives_a_kill(tiny_models, tmp_path, caplog):
    folder = tmp_path / "giant"
    folder.mkdir()
    (folder / "big.txt").write_text(" ".join(f"Im Quartal {i} stieg der Umsatz um {i} Prozent." for i in range(12)),
                                    encoding="utf-8")
    config, path = job(tiny_models, tmp_path, folder, runtime={**RUNTIME, "batch_size": 2,
                                                                "cache_dir": str(tmp_path / "cache")})
    out = Path(config.output.path)
    count = tmp_path / "count"
    env = {"KILL_MIN_SEGMENTS": "1"}
    killed([str(path)], 0, count, **env)
    reference = out.read_bytes()
    shutil.rmtree(out.parent)
    killed([str(path)], 4, count, **env)  # lock fsync, then three finished batches: killed before the first group
    assert not out.exists() and any(partial_folder(out).iterdir())
    import logging

    caplog.set_level(logging.INFO, logger="pipeline")
    from pipeline.runner import checkpoint

    default = checkpoint.Checkpoints.__init__.__kwdefaults__["min_segments"]
    checkpoint.Checkpoints.__init__.__kwdefaults__["min_segments"] = 1
    try:
        assert main([str(path)]) == 0
    finally:
        checkpoint.Checkpoints.__init__.__kwdefaults__["min_segments"] = default
    assert "finished batches read" in caplog.text and out.read_bytes() == reference


# -- the kill-point sweep ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("overwrite", [False, True])
def test_every_kill_point_is_recovered_by_the_same_command(tiny_models, tmp_path, overwrite):
    """Killed just before every os.replace and just after every os.fsync of a fresh run (or of --overwrite of
    a finished run), the same command ends with the uninterrupted run's output and a complete manifest."""
    config, path = job(tiny_models, tmp_path, small_input(tmp_path / "docs"),
                       runtime={**RUNTIME, "group_size": 3, "cache_dir": str(tmp_path / "cache")})
    out = Path(config.output.path)
    args = [str(path), "--overwrite"] if overwrite else [str(path)]
    count = tmp_path / "count"
    killed([str(path)], 0, count)
    reference, finished = out.read_bytes(), files_of(out.parent)
    if overwrite:
        killed(args, 0, count)
    points = int(count.read_text())
    assert points >= 8
    for at in range(1, points + 1):
        shutil.rmtree(out.parent)
        if overwrite:
            out.parent.mkdir()
            for name, data in finished.items():
                (out.parent / name).write_bytes(data)
        assert killed(args, at, count) == 137
        assert killed(args, 0, count) == 0, f"kill point {at}"
        assert out.read_bytes() == reference, f"kill point {at}"
        manifest = json.loads(manifest_path(out).read_text())
        assert manifest["state"] == "complete", f"kill point {at}"
        assert sorted(p.name for p in out.parent.iterdir()) == ["records.groups.jsonl", "records.jsonl",
                                                                "records.manifest.json"], f"kill point {at}"
