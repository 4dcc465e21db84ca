"""Fingerprints of the input and the group journal: what lets the runner check an output instead of trusting it.

After each group of records is written to the output (and fsynced), one line is appended to the journal
``<output>.groups.jsonl``: the group's document ids, a digest of each input document, the byte offset where the
group ends in the output and a digest of the group's bytes. Resume and "already complete" read the output back
against the journal (a group whose bytes or ids do not match is damaged: the output is cut back to the last
intact group) and the input against the recorded digests (a changed document is refused, or redone).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pipeline.fileio.jsonl import read_records
from pipeline.fileio.safe import check_regular, open_side_file
from pipeline.results import Document

T = TypeVar("T")

# Bytes of each digest (blake2b): 128 bits, far beyond any chance collision between two versions of a document.
DIGEST_SIZE = 16




def bytes_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def document_digest(doc: Document) -> str:
    """Digest of everything of a document that its record depends on (id, text, read error, read warnings)."""
    # ensure_ascii keeps lone surrogates (which UTF-8 cannot encode) digestible
    data = json.dumps([doc.id, doc.text, doc.error, list(doc.warnings)], ensure_ascii=True)
    return bytes_digest(data.encode("ascii"))


class InputDigest:
    """Digest of the whole input: of its documents' digests, in order."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self.documents = 0

    def update(self, digests: Iterable[str]) -> None:
        for digest in digests:
            self._hash.update(digest.encode("ascii"))
            self.documents += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@dataclass(frozen=True)
class GroupEntry:
    # ids of the group's records, in order
    ids: tuple[str, ...]
    # digest of each of the group's input documents (document_digest), in order
    inputs: tuple[str, ...]
    # byte offset in the output just after the group's last record
    end: int
    # digest of the group's bytes in the output
    digest: str
    # hash of the config that wrote the group (Config.hash); None in journals of older versions
    config: str | None = None

    def to_line(self) -> bytes:
        data = {"ids": list(self.ids), "inputs": list(self.inputs), "end": self.end, "digest": self.digest}
        if self.config is not None:
            data["config"] = self.config
        return json.dumps(data, ensure_ascii=True).encode("ascii") + b"\n"

    @classmethod
    def from_json(cls, data: Any) -> GroupEntry:
        """Raises ValueError for anything but a well-formed entry."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        ids, inputs, end, digest = data.get("ids"), data.get("inputs"), data.get("end"), data.get("digest")
        if not (isinstance(ids, list) and isinstance(inputs, list) and len(ids) == len(inputs) and ids
                and all(isinstance(x, str) for x in ids + inputs) and isinstance(end, int)
                and not isinstance(end, bool) and isinstance(digest, str)):
            raise ValueError("malformed group entry")
        config = data.get("config")
        return cls(tuple(ids), tuple(inputs), end, digest, config if isinstance(config, str) else None)


def read_intact_lines(path: Path, parse: Callable[[Any], T]) -> Iterator[tuple[int, T]]:
    """``parse`` of each complete JSON object line of a file, with the byte offset just after it; stops at a
    torn line, one that is not a JSON object, or one that ``parse`` refuses (ValueError)."""
    for line in read_records(path, on_bad="stop", guarded=True):
        try:
            item = parse(line.record)
        except ValueError:
            return
        yield line.end, item


def read_journal(path: Path) -> Iterator[tuple[int, GroupEntry]]:
    """Entries of a journal with the byte offset just after each; stops at a torn or malformed line."""
    if check_regular(path):
        yield from read_intact_lines(path, GroupEntry.from_json)


def group_ids(data: bytes) -> tuple[str, ...] | None:
    """Ids of the records in a group's bytes; None when a line is not a complete JSON object."""
    ids = []
    for line in data.splitlines(keepends=True):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if not line.endswith(b"\n") or not isinstance(record, dict):
            return None
        ids.append(str(record.get("id")))
    return tuple(ids)


@dataclass(frozen=True)
class IntactOutput:
    # the journal's entries whose groups are intact in the output, in order
    entries: tuple[GroupEntry, ...]
    # byte offset in the journal just after each of those entries
    journal_ends: tuple[int, ...]
    # what was found damaged (the first bad group), or None when every journaled group is intact
    damage: str | None


def intact_groups(output: Path, journal: Path) -> IntactOutput:
    """The journaled groups that the output still holds byte for byte: count, ids and digest checked."""
    entries: list[GroupEntry] = []
    ends: list[int] = []
    start, damage = 0, None
    with (open_side_file(output, "rb") if check_regular(output) else open(os.devnull, "rb")) as fh:
        for offset, entry in read_journal(journal):
            data = fh.read(entry.end - start) if entry.end > start else b""
            first = sum(len(e.ids) for e in entries)
            where = f"records {first + 1}–{first + len(entry.ids)}"
            if len(data) != entry.end - start or not data:
                damage = f"{where} are missing or truncated"
            elif bytes_digest(data) != entry.digest or group_ids(data) != entry.ids:
                damage = f"{where} do not match the digest recorded when they were written"
            if damage:
                break
            entries.append(entry)
            ends.append(offset)
            start = entry.end
    return IntactOutput(tuple(entries), tuple(ends), damage)


def write_journal(path: Path, entries: Iterable[GroupEntry]) -> None:
    """Write a whole journal (rebuilding one), durably."""
    with open_side_file(path, "wb") as fh:
        for entry in entries:
            fh.write(entry.to_line())
        fh.flush()
        os.fsync(fh.fileno())


def append_entry(fh: BinaryIO, entry: GroupEntry) -> None:
    fh.write(entry.to_line())
    fh.flush()
    os.fsync(fh.fileno())
