"""The one reader of JSON Lines files the product wrote (records, the group journal): line by line, with the
byte offset after each line, and an explicit policy for a line that cannot be used.

A line is unusable when it is torn (no line break: a killed write), not UTF-8 JSON, or not a JSON object.
``on_bad="stop"`` ends the reading there (the runner keeps only an intact prefix); ``on_bad="skip"`` reports
the line (:attr:`Line.problem`) and reads on (a report or a table over a damaged file shows the rest).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.fileio.safe import open_side_file

OnBad = Literal["stop", "skip"]
ON_BAD: tuple[OnBad, ...] = ("stop", "skip")


@dataclass(frozen=True)
class Line:
    # line number, from 1
    number: int
    # byte offset just after the line
    end: int
    # the line's object; None when the line is unusable (see problem)
    record: dict[str, Any] | None
    # why the line is unusable; None when it is a record
    problem: str | None = None


def read_records(path: Path, *, on_bad: OnBad = "stop", guarded: bool = False,
                 max_line: int | None = None) -> Iterator[Line]:
    """Each non-blank line of ``path`` as a :class:`Line`; see the module docstring for ``on_bad``. ``guarded``:
    a file of the runner's own (never read through a symlink, only when regular; see ``fileio.safe``).
    ``max_line``: a longer line is unusable and never held whole (a file without line breaks)."""
    if on_bad not in ON_BAD:
        raise ValueError(f"unknown on_bad {on_bad!r}; expected one of {', '.join(ON_BAD)}")
    end = 0
    with (open_side_file(Path(path), "rb") if guarded else Path(path).open("rb")) as fh:
        number = 0
        while line := (fh.readline() if max_line is None else fh.readline(max_line + 1)):
            number += 1
            end += len(line)
            if max_line is not None and len(line) > max_line and not line.endswith(b"\n"):
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    end += len(rest)
                end += len(rest)
                record, problem = None, f"longer than {max_line:,} bytes"
            elif not line.strip():
                continue
            else:
                record, problem = _parse(line)
            if problem is None:
                yield Line(number, end, record)
                continue
            if on_bad == "stop":
                return
            yield Line(number, end, None, f"line {number}: {problem}, skipped")


def _parse(line: bytes) -> tuple[dict[str, Any] | None, str | None]:
    if not line.endswith(b"\n"):
        return None, "incomplete last line (a torn write)"
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and the int-digit limit included
        return None, f"not valid JSON ({type(exc).__name__})"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    return record, None
