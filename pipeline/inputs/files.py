"""Reading input files like a careful tool: the .txt files of a folder, and a JSON Lines file line by line.

A folder entry is read only when it is a regular file inside the folder (after resolving symlinks) and no
larger than the size limit; anything else (a symlink out of the folder, a FIFO, a device, a folder named
``x.txt``) is refused with the reason *without being opened for reading*: a FIFO would block forever and
``/dev/zero`` never ends. At most ``max_bytes + 1`` bytes are ever read. JSONL is read one line at a time,
each line capped at the same limit, so that one bad line costs one record and not the file.
"""

from __future__ import annotations

import fnmatch
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.fileio.safe import kind_of

TEXT_PATTERN = "*.txt"
_CHUNK = 1 << 20
# os.open flags: never block on a FIFO or a device, never make a terminal ours, binary on Windows
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class FileRead:
    # the file's bytes; None when it was refused (see error)
    data: bytes | None
    # why the file was not read (not a regular file, outside the folder, too large, unreadable)
    error: str | None = None


def text_entries(folder: Path) -> list[Path]:
    """The folder's entries named ``*.txt`` (``*.TXT`` too: the extension in any case), sorted by name: files, and
    also whatever else has such a name (each gets a record, so that nothing is dropped silently). Raises OSError
    when the folder cannot be listed."""
    return sorted(folder / name for name in os.listdir(folder) if fnmatch.fnmatchcase(name.lower(), TEXT_PATTERN))




def too_large(size: int, max_bytes: int) -> str:
    return (f"{size:,} bytes, more than input.max_bytes ({max_bytes:,}); not read (raise input.max_bytes to "
            f"include it)")


def read_entry(entry: Path, root: Path, max_bytes: int) -> FileRead:
    """The bytes of one folder entry, or why it is not read. ``root`` is the folder, resolved."""
    try:
        target = entry.resolve(strict=True)
    except FileNotFoundError:
        return FileRead(None, "is a broken symlink (its target does not exist)" if entry.is_symlink()
                        else "disappeared before it could be read")
    except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError before Python 3.13, OSError since
        return FileRead(None, f"cannot be resolved: {exc}")
    if not target.is_relative_to(root):
        return FileRead(None, f"is a symlink to {target}, outside the input folder; not read (copy the file into "
                              f"the folder to include it)")
    try:
        info = os.stat(target)
    except OSError as exc:
        return FileRead(None, f"cannot be read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return FileRead(None, f"is {kind_of(info.st_mode)}, not a regular file; not read")
    if info.st_size > max_bytes:
        return FileRead(None, f"is {too_large(info.st_size, max_bytes)}")
    try:
        fd = os.open(target, _OPEN_FLAGS)
    except OSError as exc:
        return FileRead(None, f"cannot be read: {exc.strerror or exc}")
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped between the check and the open
            return FileRead(None, f"is {kind_of(mode)}, not a regular file; not read")
        parts, size = [], 0
        while size <= max_bytes:
            part = os.read(fd, min(_CHUNK, max_bytes + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
    except OSError as exc:
        return FileRead(None, f"cannot be read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if size > max_bytes:
        return FileRead(None, f"grew while being read to more than input.max_bytes ({max_bytes:,}); not read")
    return FileRead(b"".join(parts))


def jsonl_lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number from 1, line)`` for each non-blank line of a JSON Lines file, without its line break or a
    leading UTF-8 BOM; the line is None when it is longer than ``max_bytes`` (it is skipped, never held whole)."""
    with path.open("rb") as fh:
        number = 0
        while line := fh.readline(max_bytes + 2):  # up to max_bytes of content plus "\r\n"
            number += 1
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.endswith(b"\n") and len(line) > max_bytes:
                while (rest := fh.readline(_CHUNK)) and not rest.endswith(b"\n"):
                    pass
                yield number, None
                continue
            line = line.rstrip(b"\r\n")
            if len(line) > max_bytes:
                yield number, None
            elif line.strip():
                yield number, line


@dataclass(frozen=True)
class JsonLine:
    # the line's object; None when the line is not a JSON object (see error)
    row: dict[str, Any] | None
    # why the line cannot be used, naming its line number
    error: str | None = None
    # a note such as invalid bytes replaced (input.decode_errors: replace)
    warning: str | None = None


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true/false"}


def parse_json_line(number: int, line: bytes | None, *, max_bytes: int, replace: bool) -> JsonLine:
    """One JSONL line as an object, or an error naming the line: too long, not UTF-8, not JSON, not an object."""
    if line is None:
        return JsonLine(None, f"line {number} is longer than input.max_bytes ({max_bytes:,} bytes); not read")
    warning = None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not replace:
            return JsonLine(None, f"line {number} is not valid UTF-8 (byte {exc.start} of the line: {exc.reason}); "
                                  f"fix the line, or set input.decode_errors: replace")
        text = line.decode("utf-8", "replace")
        inserted = text.count("\ufffd") - line.decode("utf-8", "ignore").count("\ufffd")
        warning = f"line {number}: {inserted} invalid UTF-8 bytes replaced by U+FFFD (input.decode_errors: replace)"
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        return JsonLine(None, f"line {number} is not valid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return JsonLine(None, f"line {number} is not usable JSON: nested too deeply")
    except ValueError as exc:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        return JsonLine(None, f"line {number} is not usable JSON: {str(exc)[:200]}")
    if not isinstance(row, dict):
        kind = "null" if row is None else _JSON_KINDS.get(type(row), type(row).__name__)
        return JsonLine(None, f"line {number} holds {kind}, not a JSON object with the text and id fields")
    return JsonLine(row, warning=warning)
