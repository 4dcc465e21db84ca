"""The run manifest: everything needed to rebuild a run (config, models, library versions, machine)."""

from __future__ import annotations

import platform
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.flags import count_flags
from pipeline.output import read_records

LIBRARIES = ("torch", "transformers", "tokenizers", "sentencepiece", "datasets", "huggingface-hub",
             "ctranslate2", "ray", "py3langid", "numpy")


def library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def output_summary(output: Path) -> dict[str, Any]:
    """Counts by status and flags by kind over the whole output file."""
    statuses: Counter[str] = Counter()
    flags = []
    if output.exists():
        for _, record in read_records(output):
            statuses[record.get("status", "?")] += 1
            flags.append(record.get("flags") or {})
    return {"documents": sum(statuses.values()), "by_status": dict(sorted(statuses.items())),
            "flags": count_flags(flags)}


def build_manifest(config: Config, *, state: str, models: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": state,
        "config_hash": config.hash(),
        "config": config.to_dict(),
        "models": models,
        "versions": library_versions(),
        "machine": {"platform": platform.platform(), "processor": platform.machine(),
                    "python_executable": sys.executable},
        **extra,
    }
