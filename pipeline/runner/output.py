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
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.config import output_deciding
from pipeline.fileio.safe import open_side_file
from pipeline.runner.journal import GroupEntry, append_entry, bytes_digest
from pipeline.runner.layout import side_files


class ResumeError(RuntimeError):
    """The existing output cannot be continued by this run (different config or input)."""


class OutputError(RuntimeError):
    """The output cannot be written here (a folder, the input itself, read-only)."""


def config_differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two resolved configs, among the keys the config hash covers."""
    if not prefix:
        old, new = output_deciding(old), output_deciding(new)
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

    def __init__(self, path: Path, journal: Path, *, offset: int = 0, journal_offset: int = 0,
                 config_hash: str | None = None):
        self.config_hash = config_hash  # stamped on every journal entry (what --rebuild-manifest verifies)
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
        entry = GroupEntry(tuple(str(r.get("id")) for r in records), tuple(inputs), self.end, bytes_digest(data),
                           self.config_hash)
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
    fh = open_side_file(path, "r+b")  # never through a symlink, only a regular file
    fh.truncate(offset)
    fh.seek(offset)
    return fh




def check_output_location(output: Path, input_path: str) -> None:
    """Refuse an output path that would destroy the input, is a folder, or cannot be written."""
    if output.is_dir():
        raise OutputError(f"output.path {str(output)!r} is a folder; give a file in it, e.g. "
                          f"{str(output / 'summaries.jsonl')!r}")
    source = Path(input_path)
    if output in side_files(output) or any(output == side for side in side_files(output.with_suffix(""))):
        raise OutputError(f"output.path {str(output)!r} has the name of one of the files the runner keeps beside "
                          f"an output; choose another output.path (e.g. ending in .jsonl)")
    companions = (output, *side_files(output))
    for path in companions:
        if _same_file(path, source):
            raise OutputError(f"output.path {str(output)!r} would overwrite the input {input_path!r}; "
                              f"choose another output.path")
    if source.is_dir() and output.suffix.lower() == ".txt" and _same_file(output.parent, source):
        raise OutputError(f"output.path {str(output)!r} is a .txt file in the input folder {input_path!r} "
                          f"(it would be read as a document); choose another output.path")
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise OutputError(f"output.path {str(output)!r} exists and is not a regular file (a symlink, a pipe, a "
                          f"device); give the real file, or choose another output.path")
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
