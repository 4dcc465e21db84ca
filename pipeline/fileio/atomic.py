"""JSON files written so that a reader (or a kill) never sees half of one."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pipeline.fileio.safe import open_side_file


def stage_json(path: Path, data: dict[str, Any], tmp: Path | None = None) -> Path:
    """Write JSON to a temp file beside ``path`` (``tmp``, else a name per process), fsynced; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp or temp_path(path)
    try:
        with open_side_file(tmp, "wb") as fh:
            fh.write((json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def temp_path(path: Path, pid: int | None = None) -> Path:
    """``x.json`` → ``x.json.<pid>.tmp``: where :func:`write_json_atomic` stages ``path``."""
    return path.with_name(f"{path.name}.{os.getpid() if pid is None else pid}.tmp")


def stale_temp_files(path: Path) -> list[Path]:
    """Temp files of ``path`` left by killed writers (``x.json.<pid>.tmp``); only call it holding a lock."""
    pattern = re.compile(re.escape(path.name) + r"\.\d+\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.with_name(n) for n in sorted(names) if pattern.fullmatch(n)]


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that a reader (or a kill) never sees a half-written file."""
    tmp = stage_json(path, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
