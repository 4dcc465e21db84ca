"""The batch job: check everything, take the lock, resume or start, write records a group at a time, finish the
manifest. Killed at any moment, the same call continues the job (see ``resume``); the command line is
:mod:`pipeline.run`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.batching import groups_of
from pipeline.config import Config
from pipeline.fileio.atomic import stage_json, write_json_atomic
from pipeline.inputs.sources import Source, open_source
from pipeline.results import Document
from pipeline.runner.checkpoint import Checkpoints
from pipeline.runner.engines import Engine, LocalEngine
from pipeline.runner.errors import EXIT_DOCUMENT_ERRORS, EXIT_OK
from pipeline.runner.journal import InputDigest, document_digest, read_journal, write_journal
from pipeline.runner.layout import journal_path, manifest_path, partial_folder, staged
from pipeline.runner.lock import OutputLock
from pipeline.runner.manifest import build_manifest, output_summary, read_manifest
from pipeline.runner.output import RecordWriter, ResumeError, check_output_location, config_differences
from pipeline.runner.resume import ResumePlan, plan_resume, rebuild_entries

log = logging.getLogger(__name__)


def make_engine(config: Config) -> Engine:
    if config.runtime.engine == "ray":
        from pipeline.runner.ray_engine import RayEngine

        return RayEngine(config)
    return LocalEngine(config)


def run(config: Config, *, overwrite: bool = False, resume_changed: bool = False,
        rebuild_manifest: bool = False) -> int:
    """Run the job described by ``config``; returns the exit status.

    Everything is checked (config, input, output location, the lock) before the output is touched and before
    the models load. ``resume_changed`` redoes documents whose input changed since they were written;
    ``rebuild_manifest`` rebuilds a lost or corrupt manifest from the output's intact records.
    """
    source = open_source(config.input)
    output = Path(config.output.path)
    check_output_location(output, config.input.path)
    created = [p for p in (output.parent, *output.parent.parents) if not p.exists()]
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with OutputLock(output):
            return _run_locked(config, source, output, overwrite=overwrite, resume_changed=resume_changed,
                               rebuild_manifest=rebuild_manifest)
    finally:
        for folder in created:  # folders made for a run that left nothing in them
            with contextlib.suppress(OSError):
                folder.rmdir()


def _run_locked(config: Config, source: Source, output: Path, *, overwrite: bool, resume_changed: bool,
                rebuild_manifest: bool) -> int:
    started = time.time()
    journal = journal_path(output)
    for leftover in (staged(output), staged(journal)):  # of a run killed before its first group
        leftover.unlink(missing_ok=True)
    manifest = None
    if rebuild_manifest:
        manifest = _rebuild_manifest(config, source, output)
    elif not overwrite:
        manifest = read_manifest(output)
    if manifest is None:
        if not overwrite and output.exists() and output.stat().st_size > 0:
            raise ResumeError(f"{output} already exists but has no manifest ({manifest_path(output).name}), so "
                              f"the config that wrote it is unknown; pass --rebuild-manifest to rebuild it from "
                              f"the records (with the config that wrote them), or --overwrite to replace it")
        plan = ResumePlan((), 0, iter(source), complete=False)
    else:
        _check_same_config(config, manifest, output)
        plan = plan_resume(output, journal, iter(source), group_size=config.runtime.group_size,
                           redo_changed=resume_changed)
        if plan.complete:
            return _already_complete(config, output, manifest, plan)
    # a fresh run (or --overwrite) writes beside the old output and takes its place after its first group
    fresh = manifest is None
    documents = _peek(plan.documents)  # reading the first document checks the input's columns
    if plan.done:
        log.info("resuming %s after %d documents already written", output, plan.done)
    engine = make_engine(config)
    checkpoints = Checkpoints(partial_folder(output), salt=config.hash())
    if fresh:
        checkpoints.clear()
    engine.keep_checkpoints(checkpoints)
    base = {"input": {"path": config.input.path, "source": source.description, "total": source.total},
            "resumed_after": plan.done, "journal": journal.name}
    input_digest = InputDigest()
    input_digest.update(d for entry in plan.kept for d in entry.inputs)
    from tqdm import tqdm

    bar = tqdm(total=source.total, initial=plan.done, unit="doc", desc="documents", dynamic_ncols=True,
               disable=not config.runtime.progress, file=sys.stderr)
    try:
        models = engine.describe()
        if manifest is not None:
            _check_same_models(manifest, models, output)
        running = build_manifest(config, state="running", models=models, extra=base)
        if not fresh:
            write_json_atomic(manifest_path(output), running)
        targets = (staged(output), staged(journal)) if fresh else (output, journal)
        pending: deque[tuple[list[str], list[str]]] = deque()

        def groups() -> Iterator[list[Document]]:
            for group in groups_of(documents, config.runtime.group_size):
                pending.append(([d.id for d in group], [document_digest(d) for d in group]))
                yield group

        with RecordWriter(*targets, offset=plan.offset, journal_offset=plan.journal_end) as writer:
            for records in engine.map_groups(groups()):
                ids, inputs = pending.popleft()
                if [r.get("id") for r in records] != ids:
                    raise RuntimeError(f"the engine returned records {[r.get('id') for r in records]} for the "
                                       f"documents {ids}")
                writer.write_group(records, inputs)
                checkpoints.clear()
                input_digest.update(inputs)
                if fresh:
                    _take_place(output, running)
                    fresh = False
                bar.update(len(records))
        if fresh:  # an empty input: no group was written
            _take_place(output, running)
            fresh = False
    finally:
        bar.close()
        engine.close()
        if fresh:  # failed before its first group: leave no output and no manifest
            for path in (staged(output), staged(journal)):
                path.unlink(missing_ok=True)
    return _finish(config, output, models, base, input_digest, started)


def _peek(documents: Iterator[Document]) -> Iterator[Document]:
    first = next(documents, None)
    return itertools.chain([first], documents) if first is not None else iter(())


def _take_place(output: Path, running: dict[str, Any]) -> None:
    """The new run's first group is on disk: it replaces the old output, journal and manifest. The new manifest
    is written first (a full disk fails here, before anything is replaced); the old manifest is removed before
    the files it describes, so a kill in between leaves an output without a manifest (refused), never a mix."""
    journal, manifest = journal_path(output), manifest_path(output)
    tmp = stage_json(manifest, running)
    try:
        manifest.unlink(missing_ok=True)
        os.replace(staged(journal), journal)
        os.replace(staged(output), output)
        os.replace(tmp, manifest)
    finally:
        tmp.unlink(missing_ok=True)


def _check_same_config(config: Config, manifest: dict[str, Any], output: Path) -> None:
    if manifest.get("config_hash") != config.hash():
        old = manifest.get("config")
        diffs = config_differences(old if isinstance(old, dict) else {}, config.to_dict())
        raise ResumeError(
            f"{output} holds a partial or finished run made with a different config "
            f"({'; '.join(diffs[:8]) or 'unknown differences'}); rerun with the same config to resume it, "
            f"choose another output.path, or pass --overwrite to replace it"
        )


# what a model's describe() says ran that changes its records: with `backend: auto` (and `compute_type: auto`)
# the config alone does not say it, so resume compares these as loaded
RUN_FACTS = ("backend", "compute_type")


def _check_same_models(manifest: dict[str, Any], models: dict[str, Any], output: Path) -> None:
    """Refuse to resume when a model now runs on another backend or compute type than the one that wrote the
    output (ctranslate2 installed or removed since, another device): the records would be a mix."""
    before = manifest.get("models")
    if not isinstance(before, dict):  # a rebuilt manifest: not known
        return
    diffs = [f"{role}.{key}: {old.get(key)!r} then, {facts.get(key)!r} now"
             for role, facts in models.items() if isinstance(old := before.get(role), dict)
             for key in RUN_FACTS if old.get(key) != facts.get(key)]
    if diffs:
        raise ResumeError(
            f"{output} holds a partial run whose models ran differently ({'; '.join(diffs)}), and the records "
            f"would be a mix; resume where the same backend and compute type resolve (for `backend: auto`: "
            f"ctranslate2 installed as it was, the same device), choose another output.path, or pass --overwrite "
            f"to start over")


def _already_complete(config: Config, output: Path, manifest: dict[str, Any], plan: ResumePlan) -> int:
    """Every document has its record: nothing to compute. Bytes beyond the intact groups are cut and a
    manifest left ``running`` (a run killed after its last group, or a rebuilt one) is completed."""
    journal = journal_path(output)
    sizes = [path.stat().st_size if path.exists() else 0 for path in (output, journal)]
    trailing = sizes != [plan.offset, plan.journal_end]
    if trailing:
        log.warning("%s has bytes after its last intact record; cutting them", output)
        for path, size in ((output, plan.offset), (journal, plan.journal_end)):
            with path.open("ab") as fh:
                fh.truncate(size)
    if manifest.get("state") == "complete" and not trailing:
        log.info("%s is already complete; nothing to do (pass --overwrite to redo it)", output)
        return _close(output_summary(output), output)
    digest = InputDigest()
    digest.update(d for entry in plan.kept for d in entry.inputs)
    base = {key: manifest[key] for key in ("input", "resumed_after") if key in manifest}
    base["journal"] = journal.name
    return _finish(config, output, manifest.get("models"), base, digest, time.time())


def _finish(config: Config, output: Path, models: Any, base: dict[str, Any], input_digest: InputDigest,
            started: float) -> int:
    summary = output_summary(output)
    groups = sum(1 for _ in read_journal(journal_path(output)))
    base = {**base, "input": {**base.get("input", {}), "documents": input_digest.documents,
                              "digest": input_digest.hexdigest()}}
    write_json_atomic(manifest_path(output), build_manifest(
        config, state="complete", models=models,
        extra={**base, "output": {**summary, "groups": groups}, "wall_time_s": round(time.time() - started, 3)}))
    return _close(summary, output)


def _rebuild_manifest(config: Config, source: Source, output: Path) -> dict[str, Any]:
    """A new journal and a ``running`` manifest for this config, from the output's intact records."""
    entries = rebuild_entries(output, iter(source), group_size=config.runtime.group_size)
    write_journal(journal_path(output), entries)
    documents = sum(len(e.ids) for e in entries)
    manifest = build_manifest(config, state="running", models=None,
                              extra={"journal": journal_path(output).name, "rebuilt_from_records": documents})
    write_json_atomic(manifest_path(output), manifest)
    log.warning("rebuilt the manifest of %s from its first %d records (whole groups whose ids match the input); "
                "the rest is redone", output, documents)
    return manifest


def _close(summary: dict[str, Any], output: Path) -> int:
    counts = summary["by_status"]
    parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "skipped", "error"))
    print(f"{summary['documents']} documents: {parts} → {output} (manifest: {manifest_path(output)})")
    return EXIT_DOCUMENT_ERRORS if counts.get("error") else EXIT_OK
