"""JSON files written so that a reader (or a kill) never sees half of one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def stage_json(path: Path, data: dict[str, Any]) -> Path:
    """Write JSON to a temp file beside ``path`` (its name is per process), fsynced; returns the temp path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write((json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that a reader (or a kill) never sees a half-written file."""
    tmp = stage_json(path, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
