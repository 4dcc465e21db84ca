"""No module of the package may take a standard-library name: run as a script from pipeline/ (``python
pipeline/x.py`` puts that folder first on sys.path), it would shadow the real one (a ``numbers.py`` there
broke ``import fractions`` inside ``decimal``)."""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"


def test_no_module_shadows_the_standard_library():
    # every module and subpackage, at any depth (a script run from a subpackage's folder shadows the same way)
    names = {path.stem for path in PACKAGE.rglob("*.py")} | {path.parent.name for path in PACKAGE.rglob("__init__.py")}
    assert names  # the package was found
    shadows = sorted(names & set(sys.stdlib_module_names) - {"__init__", "__main__"})
    assert not shadows, f"pipeline/ modules named like standard-library modules: {shadows}"
