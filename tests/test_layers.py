"""The package's layers (the import-linter contracts in pyproject.toml) hold, and nothing imports in a circle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold() -> None:
    pytest.importorskip("importlinter")
    done = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("package", ["pipeline", "scripts"])
def test_no_module_imports_in_a_circle(package: str) -> None:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph(package, cache_dir=None)
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.find_shortest_chain(importer=imported, imported=module) is not None:
                circles.append(f"{module} <-> {imported}")
    assert circles == []


def test_pipeline_has_few_top_level_modules_and_several_subpackages() -> None:
    top = [p for p in (ROOT / "pipeline").glob("*.py")]
    packages = [p for p in (ROOT / "pipeline").iterdir() if (p / "__init__.py").is_file()]
    assert len(top) <= 12, sorted(p.name for p in top)
    assert len(packages) >= 5
