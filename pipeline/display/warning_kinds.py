"""Warnings grouped by kind: a long document's 488 "segment N: translation stopped at the length limit" lines are
one kind with a count and the segments it names. Records keep every warning as written; this is how they are
shown (card, table, report) and counted (the manifest, the runner's closing line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SEGMENT = re.compile(r"^segment (\d+): ")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class WarningGroup:
    # the kind: the warning without its "segment N: " prefix, figures replaced by N
    kind: str
    # how it reads: the warning as written (without the segment prefix) when all of the kind read alike, else kind
    text: str
    # warnings of this kind
    count: int
    # the segments they name, in order (empty for document-level warnings)
    segments: tuple[int, ...]

    def label(self, max_segments: int = 8) -> str:
        """One line: the text, and for more than one warning the count and the segments named."""
        if self.count == 1:
            return self.text if not self.segments else f"segment {self.segments[0]}: {self.text}"
        shown = ", ".join(str(s) for s in self.segments[:max_segments])
        more = ", …" if len(self.segments) > max_segments else ""
        where = f" (segment{'s' * (len(self.segments) != 1)} {shown}{more})" if self.segments else ""
        return f"{self.text} — {self.count}×{where}"


def warning_kind(warning: str) -> str:
    """The kind of a warning: without the "segment N: " prefix, every figure replaced by N."""
    return _NUMBER.sub("N", _SEGMENT.sub("", warning))


def group_warnings(warnings: Iterable[str]) -> list[WarningGroup]:
    """The warnings grouped by kind, in order of first appearance."""
    texts: dict[str, set[str]] = {}
    firsts: dict[str, str] = {}
    counts: dict[str, int] = {}
    segments: dict[str, list[int]] = {}
    for warning in warnings:
        match = _SEGMENT.match(warning)
        text = warning[match.end():] if match else warning
        kind = warning_kind(warning)
        firsts.setdefault(kind, text)
        texts.setdefault(kind, set()).add(text)
        counts[kind] = counts.get(kind, 0) + 1
        if match:
            segments.setdefault(kind, []).append(int(match.group(1)))
    return [WarningGroup(kind, firsts[kind] if len(texts[kind]) == 1 else kind, counts[kind],
                         tuple(segments.get(kind, ()))) for kind in counts]


def count_kinds(warning_lists: Iterable[Iterable[str]]) -> dict[str, int]:
    """Warnings by kind over many documents, the most frequent first."""
    counts: dict[str, int] = {}
    for warnings in warning_lists:
        for warning in warnings:
            kind = warning_kind(warning)
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
