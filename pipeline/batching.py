"""Length-sorted batches under a row and token budget, with the original order restored, and groups of
documents read one at a time (pure, no torch)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def plan_batches(
    lengths: Sequence[int], *, batch_size: int, max_batch_tokens: int | None = None
) -> list[list[int]]:
    """Group item indices into batches, longest first.

    Sorting by length keeps padding small; longest-first makes an out-of-memory error show up in the first
    batch rather than after an hour. A batch holds at most ``batch_size`` items and, when
    ``max_batch_tokens`` is set, at most that many padded tokens (rows x longest row). An item longer than
    the token budget gets a batch of its own. Ties keep input order, so the plan is deterministic.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current:
            longest = lengths[current[0]]
            over_tokens = max_batch_tokens is not None and longest * (len(current) + 1) > max_batch_tokens
            if len(current) >= batch_size or over_tokens:
                batches.append(current)
                current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def groups_of(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` items (the last one shorter), reading ``items`` one group at a time: the runner's
    groups of documents (the unit of resume) and the notebook's (``Pipeline.stream``)."""
    iterator = iter(items)
    while group := list(itertools.islice(iterator, size)):
        yield group


def growing_groups(items: Iterable[T], size: int, *, first: int = 1) -> Iterator[list[T]]:
    """Like :func:`groups_of`, but the first group holds ``first`` items and each next one twice as many, up to
    ``size``: a stream's first results come after one document, not after a whole group."""
    iterator = iter(items)
    current = max(1, min(first, size))
    while group := list(itertools.islice(iterator, current)):
        yield group
        current = min(size, current * 2)
