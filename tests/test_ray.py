"""The Ray engine on a local 2-CPU Ray: the same records as the local engine, crashes, resume, no Ray.

One local Ray is started for the session; the runner reuses it (it never starts a second one in-process).
The resume test runs the CLI in a subprocess, which starts (and loses, when killed) its own local Ray.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import pipeline.runner.job
from pipeline.config import ConfigError
from pipeline.results import Document
from pipeline.run import main
from pipeline.runner.job import run
from pipeline.runner.ray_engine import GroupWorker, RayEngine
from tests.conftest import ROOT, SEEDS, records, seed_copies, tiny_config, write_config
from tests.test_runner import bad_inputs  # noqa: F401  (a fixture)

# one thread per actor and for the local engine: both sides compute the same way, and 2 cores are not
# oversubscribed by two actors
RAY = {"runtime": {"group_size": 2, "threads": 1, "engine": "ray"}, "ray": {"num_actors": 2}}
LOCAL = {"runtime": {"group_size": 2, "threads": 1}}
MARKER = "ABSTURZMARKE"


@pytest.fixture(scope="session")
def ray_session() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


class CrashingWorker(GroupWorker):
    """Exits its process, as a segfault or the OOM killer would end it, on a group holding the marker."""

    def __call__(self, group: Sequence[Document]) -> list[dict[str, Any]]:
        if any(doc.text and MARKER in doc.text for doc in group):
            os._exit(1)
        return super().__call__(group)


def _both(tiny_models, tmp_path: Path, **sections: Any) -> tuple[bytes, bytes, Path]:
    """Run the local and the Ray engine on the same input; their outputs, and the Ray run's output path."""
    outputs = []
    for name, engine in (("local", LOCAL), ("ray", RAY)):
        config = tiny_config(tiny_models, tmp_path / name, **{**engine, **sections})
        run(config)
        outputs.append(Path(config.output.path))
    return outputs[0].read_bytes(), outputs[1].read_bytes(), outputs[1]


def test_ray_gives_the_local_records_byte_for_byte(tiny_models, tmp_path, ray_session):
    local, remote, out = _both(tiny_models, tmp_path)
    assert remote == local
    assert [r["id"] for r in records(out)] == [p.stem for p in sorted(SEEDS.glob("*.txt"))]
    manifest = json.loads(out.with_name("records.manifest.json").read_text())
    assert manifest["state"] == "complete"
    models = manifest["models"]
    assert models["engine"] == "ray" and models["actors"] == 2 and models["num_gpus"] == 0
    assert models["actor_devices"] == ["cpu", "cpu"] and models["translation"]["threads"] == 1
    assert ray_session.is_initialized()  # the runner reused the session's Ray and left it running


def test_ray_bad_inputs_give_the_local_records(tiny_models, tmp_path, bad_inputs, ray_session):  # noqa: F811
    local, remote, out = _both(tiny_models, tmp_path, short=True, input={"path": str(bad_inputs)})
    assert remote == local
    statuses = {r["id"]: r["status"] for r in records(out)}
    assert statuses["b_empty"] == statuses["c_blank"] == "skipped" and statuses["d_binary"] == "error"
    assert statuses["e_cp1252"] == "ok"


def test_a_crashing_document_becomes_an_error_record_and_the_run_goes_on(tiny_models, tmp_path, ray_session,
                                                                        monkeypatch):
    folder = tmp_path / "inputs"
    folder.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds[:5]:
        (folder / path.name).write_bytes(path.read_bytes())
    # groups of 2 in name order: 000 001 | 002 003_auto... | 003_crash 004: the crash shares its group
    (folder / "003_crash.txt").write_text(f"Der Server stürzt ab. {MARKER} Danach läuft alles weiter.",
                                          encoding="utf-8")
    config = tiny_config(tiny_models, tmp_path, input={"path": str(folder)}, runtime=RAY["runtime"],
                         ray={"num_actors": 2, "max_retries": 1})
    # pytest imports this file under a name the workers cannot import: send the class itself
    ray_session.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(pipeline.runner.job, "make_engine", lambda config: RayEngine(config, worker=CrashingWorker))
    assert run(config) == 1  # some documents errored; the run finished
    got = records(Path(config.output.path))
    assert [r["id"] for r in got] == sorted(p.stem for p in folder.glob("*.txt"))
    crashed = next(r for r in got if r["id"] == "003_crash")
    assert crashed["status"] == "error"
    assert crashed["error"] == ("the Ray worker failed 2 time(s) on this document: its process died "
                                "(crashed, exited or was killed, e.g. out of memory)")
    assert all(r["status"] == "ok" for r in got if r["id"] != "003_crash")


def test_resume_after_the_driver_is_killed_equals_an_uninterrupted_run(tiny_models, tmp_path, ray_session):
    folder = tmp_path / "many"
    seeds = seed_copies(folder, 2)
    reference = tiny_config(tiny_models, tmp_path / "ref", short=True, input={"path": str(folder)}, **LOCAL)
    assert run(reference) == 0
    expected = Path(reference.output.path).read_bytes()

    config = tiny_config(tiny_models, tmp_path / "killed", short=True, input={"path": str(folder)}, **RAY)
    config_path = write_config(config, tmp_path / "killed.yaml")
    out = Path(config.output.path)
    command = [sys.executable, "-m", "pipeline.run", str(config_path)]
    # its own session, so that what its Ray leaves behind when the driver is killed can be cleaned up
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline, killed = time.time() + 180, False
        while time.time() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 3:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.05)
        proc.wait()
    finally:
        _kill_group(proc.pid)
    assert killed, "the run finished before it could be killed"
    assert 3 <= out.read_bytes().count(b"\n") < 14
    with out.open("ab") as fh:  # a torn last line, as a kill in the middle of a write leaves
        fh.write(b'{"id": "torn')
    final = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-3000:]
    assert out.read_bytes() == expected
    ids = [r["id"] for r in records(out)]
    assert len(ids) == len(set(ids)) == len(seeds) * 2
    manifest = json.loads(out.with_name("records.manifest.json").read_text())
    assert manifest["resumed_after"] >= 2 and manifest["models"]["engine"] == "ray"


def _kill_group(pgid: int) -> None:
    """Kill what is left of the process group this test started (Ray's agents outlive a killed driver)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def test_engine_ray_without_ray_says_how_to_install(tiny_models, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    config = tiny_config(tiny_models, tmp_path, runtime={"engine": "ray"})
    with pytest.raises(ConfigError, match=r"pip install '\.\[ray\]'"):
        RayEngine(config)
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 2
    err = capsys.readouterr().err
    assert "config error" in err and "pip install '.[ray]'" in err and "runtime.engine" in err
