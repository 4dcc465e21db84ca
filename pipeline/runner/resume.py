"""Where a run continues: the intact groups of the output, checked against the input as it is now.

A group is kept only when the output still holds it byte for byte (``journal.intact_groups``) and the input
still has the same documents, with the same digests, at the same positions. Everything after the first group
that fails either check is redone, so the output stays in input order and identical to an uninterrupted run.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.fileio.safe import check_regular, open_side_file
from pipeline.results import Document
from pipeline.runner.journal import GroupEntry, bytes_digest, document_digest, group_ids, intact_groups
from pipeline.runner.output import ResumeError

log = logging.getLogger(__name__)

# Changed ids named in a refusal; the rest are counted.
MAX_LISTED = 20


@dataclass(frozen=True)
class ResumePlan:
    # journal entries of the groups kept from the existing output, in order
    kept: tuple[GroupEntry, ...]
    # byte length of the journal lines of the kept groups
    journal_end: int
    # the input from its first document still to process
    documents: Iterator[Document]
    # True when the input holds nothing beyond the kept groups
    complete: bool

    @property
    def done(self) -> int:
        """Documents kept."""
        return sum(len(e.ids) for e in self.kept)

    @property
    def offset(self) -> int:
        """Bytes of the output kept."""
        return self.kept[-1].end if self.kept else 0


def plan_resume(output: Path, journal: Path, documents: Iterator[Document], *, group_size: int,
                redo_changed: bool, finished: bool = False) -> ResumePlan:
    """Keep the intact groups whose input is unchanged. A changed input raises :class:`ResumeError` naming
    the changed ids, unless ``redo_changed``: then the output is kept up to the first changed group.
    ``finished``: the run had written every document (its manifest says complete), so documents beyond its
    groups were added since, and count as changed whatever the last group's fill."""
    intact = intact_groups(output, journal)
    if intact.damage:
        log.warning("%s is damaged: %s; cut back to its last intact group (%d documents) and resuming",
                    output, intact.damage, sum(len(e.ids) for e in intact.entries))
    kept: list[GroupEntry] = []
    changed: list[str] = []
    pending: list[Document] = []
    for entry in intact.entries:
        group = list(itertools.islice(documents, group_size))
        differences = _differences(entry, group)
        if not differences and not changed:
            kept.append(entry)
            continue
        if not changed:
            pending = group
        changed.extend(differences)
        if redo_changed:
            break
    if finished and not changed and not intact.damage and len(kept) == len(intact.entries):
        added = list(itertools.islice(documents, MAX_LISTED + 1))
        changed.extend(d.id for d in added)
        pending = added
    if changed and not redo_changed:
        listed = ", ".join(repr(i) for i in changed[:MAX_LISTED])
        more = f" and {len(changed) - MAX_LISTED} more" if len(changed) > MAX_LISTED else ""
        raise ResumeError(
            f"the input changed since {output} was written: {len(changed)} document(s) differ ({listed}{more}); "
            f"pass --resume-changed to redo them (and everything after the first), or --overwrite to start over")
    if changed:
        log.warning("the input changed: %d document(s) differ from %s; redoing from document %d on",
                    len(changed), output, sum(len(e.ids) for e in kept) + 1)
    rest = itertools.chain(pending, documents)
    first = next(rest, None)
    remaining = itertools.chain([first], rest) if first is not None else iter(())
    journal_end = intact.journal_ends[len(kept) - 1] if kept else 0
    return ResumePlan(tuple(kept), journal_end, remaining, complete=first is None)


def _differences(entry: GroupEntry, group: list[Document]) -> list[str]:
    """Ids at the positions where the input's group no longer matches the journaled group."""
    out = []
    for position in range(max(len(entry.ids), len(group))):
        doc = group[position] if position < len(group) else None
        if position >= len(entry.ids):
            out.append(doc.id)  # a document added to the group
        elif doc is None or doc.id != entry.ids[position] or document_digest(doc) != entry.inputs[position]:
            out.append(entry.ids[position])
    return out


@dataclass(frozen=True)
class Rebuilt:
    # journal entries of the records adopted, in order (stamped with the config hash)
    entries: tuple[GroupEntry, ...]
    # why the records after them cannot be adopted when that is the config (None: the input changed, or none)
    unverified: str | None

    @property
    def documents(self) -> int:
        return sum(len(e.ids) for e in self.entries)


def rebuild_entries(output: Path, documents: Iterator[Document], *, group_size: int,
                    journal: list[GroupEntry] = (), config_hash: str = "", config_known: bool = False) -> Rebuilt:
    """Journal entries for the output's records that can be verified (``--rebuild-manifest``): whole groups of
    complete records whose ids match the input's, in order, each written with this config (the old journal's
    stamp, or ``config_known``) from this input (the old journal's digests, or the records' source text)."""
    entries: list[GroupEntry] = []
    end = 0
    unverified = None
    with (open_side_file(output, "rb") if check_regular(output) else open(os.devnull, "rb")) as fh:
        for index, group in enumerate(iter(lambda: list(itertools.islice(documents, group_size)), [])):
            data = b"".join(itertools.islice(fh, len(group)))
            if group_ids(data) != tuple(d.id for d in group):
                break
            digests = tuple(document_digest(d) for d in group)
            old = journal[index] if index < len(journal) else None
            if old is not None and (old.inputs != digests or old.end != end + len(data)
                                    or old.digest != bytes_digest(data)):
                log.warning("records %d on of %s were written from another input (or are not those journaled); "
                            "they are redone", sum(len(e.ids) for e in entries) + 1, output)
                break
            if not (config_known or (old is not None and old.config == config_hash)):
                unverified = "no journal stamp or manifest names the config that wrote them"
                break
            if old is None and not _sources_match(data, group):
                log.warning("records %d on of %s do not hold the input's text; they are redone",
                            sum(len(e.ids) for e in entries) + 1, output)
                break
            end += len(data)
            entries.append(GroupEntry(tuple(d.id for d in group), digests, end, bytes_digest(data), config_hash))
    return Rebuilt(tuple(entries), unverified)


def _sources_match(data: bytes, group: list[Document]) -> bool:
    """Do the records' German segments hold each document's text (whitespace aside)? A record without
    segments (an error, a skipped or English document) has nothing to compare."""
    for line, doc in zip(data.splitlines(), group, strict=True):
        segments = json.loads(line).get("segments") or []
        if segments:
            sources = "".join(str(s.get("source", "")) for s in segments if isinstance(s, dict))
            if "".join(sources.split()) != "".join((doc.text or "").split()):
                return False
    return True
