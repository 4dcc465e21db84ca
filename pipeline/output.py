"""The JSONL output: append-and-flush writing, and resuming a run that was killed part-way.

Records are written a group at a time, in input order, flushed and fsynced. A killed run leaves complete
groups plus possibly a partial group and a torn last line; resuming keeps whole groups only and redoes the
rest, so the batches (and thus the records) are exactly those of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ResumeError(RuntimeError):
    """The existing output cannot be continued by this run (different config or input)."""


def manifest_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.manifest.json``."""
    return output.with_name(output.stem + ".manifest.json")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Complete records of a JSONL file with the byte offset just after each; stops at a torn line."""
    offset = 0
    with path.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                return
            try:
                record = json.loads(line)
            except ValueError:
                return
            offset += len(line)
            yield offset, record


@dataclass(frozen=True)
class ResumePoint:
    # documents already written in whole groups (they are skipped, not recomputed)
    done: int
    # byte length the output is cut to before appending
    offset: int
    # ids of the kept records, in order, to check against the input
    ids: tuple[str, ...]


def find_resume_point(output: Path, *, group_size: int) -> ResumePoint:
    """Whole groups already in ``output`` (a group is kept only if all of its records are there).

    The last group of the input can be shorter than ``group_size``; it is redone unless the manifest says
    the run completed (the caller checks that).
    """
    if not output.exists():
        return ResumePoint(0, 0, ())
    offsets, ids = [0], []
    for offset, record in read_records(output):
        offsets.append(offset)
        ids.append(str(record.get("id")))
    done = (len(ids) // group_size) * group_size
    return ResumePoint(done, offsets[done], tuple(ids[:done]))


def config_differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two resolved configs."""
    keys = sorted(set(old) | set(new))
    out = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and key != "generation":
            out.extend(config_differences(a, b, f"{prefix}{key}."))
        elif a != b:
            out.append(f"{prefix}{key}: {a!r} → {b!r}")
    return out


class RecordWriter:
    """Appends records to the output, one group per write, flushed to disk before returning."""

    def __init__(self, path: Path, *, offset: int):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = path.open("r+b" if path.exists() else "wb")
        self._fh.truncate(offset)
        self._fh.seek(offset)

    def write_group(self, records: Iterable[dict[str, Any]]) -> None:
        data = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        self._fh.write(data)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that a reader (or a kill) never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(output: Path) -> dict[str, Any] | None:
    path = manifest_path(output)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
