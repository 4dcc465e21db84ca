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
from pipeline.fileio.safe import read_side
from pipeline.quality.flags import count_flags
from pipeline.runner.layout import journal_path, manifest_path


class ManifestError(RuntimeError):
    """The manifest exists but cannot be used (not JSON, not an object, missing keys)."""

    def __init__(self, path: Path, reason: str, *, rebuildable: bool = True):
        self.path, self.reason = path, reason
        way = ("run the same command with --rebuild-manifest to rebuild it from the output's records that its "
               "group journal vouches for, or --overwrite to start over") if rebuildable else \
            ("its group journal is gone too, so nothing can vouch for the records' config; pass --overwrite to "
             "redo the run, or choose another output.path")
        super().__init__(f"the manifest {str(path)!r} is corrupt: {reason}; {way}")


# Manifest states: a run in progress (or killed), or a run that wrote a record for every document.
MANIFEST_STATES = ("running", "complete")


def load_manifest(path: Path) -> dict[str, Any] | None:
    """The JSON object in the manifest file ``path``; None when there is none; :class:`ManifestError` when it is
    not a JSON object. The one parser of manifests (the runner checks more in :func:`read_manifest`)."""
    raw = read_side(path)  # never through a symlink, never a FIFO, at most SIDE_FILE_LIMIT bytes
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ManifestError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ManifestError(path, f"JSON {type(data).__name__}, not an object")
    return data


def read_manifest(output: Path) -> dict[str, Any] | None:
    """The manifest of ``output`` as the runner needs it; None when there is none; :class:`ManifestError` when it
    is unreadable or not one the runner wrote."""
    path = manifest_path(output)
    rebuildable = journal_path(output).exists()
    try:
        data = load_manifest(path)
    except ManifestError as exc:
        raise ManifestError(path, exc.reason, rebuildable=rebuildable) from None
    if data is None:
        return None
    if data.get("state") not in MANIFEST_STATES or not isinstance(data.get("config_hash"), str):
        raise ManifestError(path, "no valid 'state' and 'config_hash'", rebuildable=rebuildable)
    if data.get("journal") != journal_path(output).name:
        raise ManifestError(path, f"it names no group journal ({journal_path(output).name}); it was written "
                                  f"by an older version")
    if not journal_path(output).exists() and output.exists() and output.stat().st_size:
        raise ManifestError(path, f"its group journal {journal_path(output).name} is missing",
                            rebuildable=isinstance(data.get("config_hash"), str))
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
        for line in read_records(output, guarded=True):
            record = line.record
            statuses[record.get("status", "?")] += 1
            flags.append(record.get("flags") or {})
            warnings.append([w for w in record.get("warnings") or () if isinstance(w, str)])
    return {"documents": sum(statuses.values()), "by_status": dict(sorted(statuses.items())),
            "flags": count_flags(flags), "warnings": count_kinds(warnings)}


def build_manifest(config: Config, *, state: str, models: dict[str, Any] | None, extra: dict[str, Any],
                   fingerprint: dict[str, Any] | None) -> dict[str, Any]:
    """``fingerprint``: what decides the outputs besides the config (``runner.fingerprint``); None for a manifest
    rebuilt from records, until a run records its own."""
    return {
        "state": state,
        "config_hash": config.hash(),
        "config": config.to_dict(),
        "fingerprint": fingerprint,
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
