"""The JSONL output: where it may be written, append-and-fsync writing, and the manifest file.

Records are written a group at a time, in input order, flushed and fsynced, then the group is journaled
(``journal``). A killed run leaves journaled groups plus possibly a partial group and a torn last line;
resuming keeps the intact journaled groups only and redoes the rest (``resume``), so the batches (and thus
the records) are exactly those of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.journal import GroupEntry, append_entry, bytes_digest, journal_path, read_intact_lines
from pipeline.lock import lock_path


class ResumeError(RuntimeError):
    """The existing output cannot be continued by this run (different config or input)."""


class OutputError(RuntimeError):
    """The output cannot be written here (a folder, the input itself, read-only)."""


class ManifestError(RuntimeError):
    """The manifest exists but cannot be used (not JSON, not an object, missing keys)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"the manifest {str(path)!r} is corrupt: {reason}; run the same command with "
                         f"--rebuild-manifest to rebuild it from the output's intact records (with the config "
                         f"that wrote them), or --overwrite to start over")


def manifest_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.manifest.json``."""
    return output.with_name(output.stem + ".manifest.json")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Complete records of a JSONL file with the byte offset just after each; stops at a torn line."""
    return read_intact_lines(path, lambda record: record)


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
    """Appends groups of records to the output and an entry for each to the journal (``journal``), each
    flushed and fsynced before :meth:`write_group` returns: a journaled group is on disk."""

    def __init__(self, path: Path, journal: Path, *, offset: int = 0, journal_offset: int = 0):
        self._fh = _open_at(path, offset)
        self._journal = _open_at(journal, journal_offset)
        self.end = offset

    def write_group(self, records: Iterable[dict[str, Any]], inputs: Iterable[str]) -> GroupEntry:
        """Write one group; ``inputs`` are its documents' digests."""
        records = list(records)
        data = b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        self._fh.write(data)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.end += len(data)
        entry = GroupEntry(tuple(str(r.get("id")) for r in records), tuple(inputs), self.end, bytes_digest(data))
        append_entry(self._journal, entry)
        return entry

    def close(self) -> None:
        self._fh.close()
        self._journal.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_at(path: Path, offset: int) -> BinaryIO:
    """``path`` opened for writing, cut to ``offset`` bytes (created when missing)."""
    fh = path.open("r+b" if path.exists() else "wb")
    fh.truncate(offset)
    fh.seek(offset)
    return fh


def staged(path: Path) -> Path:
    """Where a run starting from nothing writes ``path`` until its first group is done (``x.jsonl.new``)."""
    return path.with_name(path.name + ".new")


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


# Manifest states: a run in progress (or killed), or a run that wrote a record for every document.
MANIFEST_STATES = ("running", "complete")


def read_manifest(output: Path) -> dict[str, Any] | None:
    """The manifest of ``output``; None when there is none; :class:`ManifestError` when it is unreadable."""
    path = manifest_path(output)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ManifestError(path, f"JSON {type(data).__name__}, not an object")
    if data.get("state") not in MANIFEST_STATES or not isinstance(data.get("config_hash"), str):
        raise ManifestError(path, "no valid 'state' and 'config_hash'")
    if data.get("journal") != journal_path(output).name:
        raise ManifestError(path, f"it names no group journal ({journal_path(output).name}); it was written "
                                  f"by an older version")
    if not journal_path(output).exists() and output.exists() and output.stat().st_size:
        raise ManifestError(path, f"its group journal {journal_path(output).name} is missing")
    return data


def check_output_location(output: Path, input_path: str) -> None:
    """Refuse an output path that would destroy the input, is a folder, or cannot be written."""
    if output.is_dir():
        raise OutputError(f"output.path {str(output)!r} is a folder; give a file in it, e.g. "
                          f"{str(output / 'summaries.jsonl')!r}")
    source = Path(input_path)
    companions = (output, manifest_path(output), journal_path(output), lock_path(output), staged(output))
    for path in companions:
        if _same_file(path, source):
            raise OutputError(f"output.path {str(output)!r} would overwrite the input {input_path!r}; "
                              f"choose another output.path")
    if source.is_dir() and output.suffix.lower() == ".txt" and _same_file(output.parent, source):
        raise OutputError(f"output.path {str(output)!r} is a .txt file in the input folder {input_path!r} "
                          f"(it would be read as a document); choose another output.path")
    if output.exists() and not output.is_file():
        raise OutputError(f"output.path {str(output)!r} exists and is not a regular file; choose another "
                          f"output.path")
    folder = output.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"output.path {str(output)!r}: {str(folder)!r} is not a folder; choose another "
                          f"output.path")
    if not _writable(folder) or (output.exists() and not os.access(output, os.W_OK)):
        raise OutputError(f"output.path {str(output)!r}: {str(folder)!r} is not writable (read-only or no "
                          f"permission); fix its permissions or choose another output.path")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _writable(folder: Path) -> bool:
    """Can a file be created in ``folder``? (Tried, since permissions alone do not tell for root.)"""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".write-test-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(name)
    return True
