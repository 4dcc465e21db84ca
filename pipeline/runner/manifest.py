"""The run manifest: everything needed to rebuild a run (config, models, library versions, machine)."""

from __future__ import annotations

import json
import platform
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.display.warning_kinds import count_kinds
from pipeline.fileio.jsonl import read_records
from pipeline.quality.flags import count_flags
from pipeline.runner.layout import journal_path, manifest_path


class ManifestError(RuntimeError):
    """The manifest exists but cannot be used (not JSON, not an object, missing keys)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"the manifest {str(path)!r} is corrupt: {reason}; run the same command with "
                         f"--rebuild-manifest to rebuild it from the output's intact records (with the config "
                         f"that wrote them), or --overwrite to start over")


# Manifest states: a run in progress (or killed), or a run that wrote a record for every document.
MANIFEST_STATES = ("running", "complete")


def load_manifest(path: Path) -> dict[str, Any] | None:
    """The JSON object in the manifest file ``path``; None when there is none; :class:`ManifestError` when it is
    not a JSON object. The one parser of manifests (the runner checks more in :func:`read_manifest`)."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ManifestError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ManifestError(path, f"JSON {type(data).__name__}, not an object")
    return data


def read_manifest(output: Path) -> dict[str, Any] | None:
    """The manifest of ``output`` as the runner needs it; None when there is none; :class:`ManifestError` when it
    is unreadable or not one the runner wrote."""
    path = manifest_path(output)
    data = load_manifest(path)
    if data is None:
        return None
    if data.get("state") not in MANIFEST_STATES or not isinstance(data.get("config_hash"), str):
        raise ManifestError(path, "no valid 'state' and 'config_hash'")
    if data.get("journal") != journal_path(output).name:
        raise ManifestError(path, f"it names no group journal ({journal_path(output).name}); it was written "
                                  f"by an older version")
    if not journal_path(output).exists() and output.exists() and output.stat().st_size:
        raise ManifestError(path, f"its group journal {journal_path(output).name} is missing")
    return data


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
    """Counts by status, flags by kind and warnings by kind (pipeline.display.warning_kinds) over the whole output."""
    statuses: Counter[str] = Counter()
    flags = []
    warnings: list[list[str]] = []
    if output.exists():
        for line in read_records(output):
            record = line.record
            statuses[record.get("status", "?")] += 1
            flags.append(record.get("flags") or {})
            warnings.append([w for w in record.get("warnings") or () if isinstance(w, str)])
    return {"documents": sum(statuses.values()), "by_status": dict(sorted(statuses.items())),
            "flags": count_flags(flags), "warnings": count_kinds(warnings)}


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


def spans(manifest: dict[str, Any] | None, config: Config, *, done: int,
          devices: dict[str, str]) -> list[dict[str, Any]]:
    """The manifest's list of run spans with one more for the run starting now, after ``done`` documents: the
    output-neutral settings it runs with (``Config.neutral_settings``: batch size, threads, ...) and the devices
    they resolved to. A resumed run may change those settings; each span says which documents had which."""
    previous = manifest.get("spans") if isinstance(manifest, dict) else None
    kept = [s for s in previous if isinstance(s, dict) and s.get("from_document", 0) < done] if isinstance(
        previous, list) else []
    return [*kept, {"from_document": done, "settings": config.neutral_settings(), "devices": devices}]
