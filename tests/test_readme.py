"""The README's commands work as written on a fresh checkout: the offline route ("Just want to see the plumbing
work") is read from the README and run, unchanged, in a fresh copy of the repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SEEDS, fresh_copy

README = ROOT / "README.md"


def offline_route() -> str:
    """The ```bash block after "Just want to see the plumbing work"."""
    text = README.read_text(encoding="utf-8")
    start = text.index("Just want to see the plumbing work")
    match = re.compile(r"```bash\n(.*?)```", re.S).search(text, start)
    assert match, "no bash block after the offline-route sentence"
    return match.group(1).strip()


def test_the_offline_route_runs_as_written_on_a_fresh_checkout(tmp_path):
    command = offline_route()
    assert "make_tiny_models.py" in command and "pipeline.run" in command
    root = fresh_copy(tmp_path / "repo")
    # `python` as the README's set-up gives it (an activated environment): this interpreter's folder first on PATH
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "python").exists()
    # HOME in the test's folder: the first run's CTranslate2 conversion (backend: auto) and weight digests go to
    # ~/.cache, which is not the user's here
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1",
           "HOME": str(tmp_path / "home")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["bash", "-ec", command], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    output = root / "outputs" / "tiny.jsonl"
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert all(r["status"] == "ok" for r in records)
    manifest = json.loads((root / "outputs" / "tiny.manifest.json").read_text(encoding="utf-8"))
    assert manifest["state"] == "complete"
    # the run used this copy's code and models, not the checkout the tests run from
    assert Path(manifest["models"]["translation"]["local_path"]).is_relative_to(root)
    # the bar showed progress before the run ended: a share of the work between 0 and 100%
    shares = [int(m) for m in re.findall(r"documents \d+/\d+:\s*(\d+)%", done.stderr)]
    assert any(0 < share < 100 for share in shares), done.stderr[-3000:]
    assert "loading models" in done.stderr and done.stderr.index("models loaded") < done.stderr.index("documents")
