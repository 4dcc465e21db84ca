"""The batch job: check everything, take the lock, resume or start, write records a group at a time, finish the
manifest. Killed at any moment, the same call continues the job (see ``resume``); the command line is
:mod:`pipeline.run`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.batching import groups_of
from pipeline.config import Config, output_deciding
from pipeline.display.render import plural, preview
from pipeline.fileio.atomic import stage_json, stale_temp_files, write_json_atomic
from pipeline.fileio.safe import open_side_file
from pipeline.inputs.sources import Source, open_source
from pipeline.progress import DocumentBar
from pipeline.results import Document
from pipeline.runner.checkpoint import Checkpoints
from pipeline.runner.engines import Engine, LocalEngine
from pipeline.runner.errors import EXIT_DOCUMENT_ERRORS, EXIT_OK
from pipeline.runner.fingerprint import fingerprint, fingerprint_differences, fingerprint_digest, static_fingerprint
from pipeline.runner.journal import InputDigest, document_digest, read_journal, write_journal
from pipeline.runner.layout import journal_path, manifest_path, partial_folder, staged
from pipeline.runner.lock import OutputLock
from pipeline.runner.manifest import (
    ManifestError,
    build_manifest,
    library_versions,
    load_manifest,
    output_summary,
    read_manifest,
    spans,
)
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
    recover_swap(output)  # a fresh run or --overwrite killed while taking the old run's place: finish that
    for leftover in (staged(output), staged(journal)):  # of a run killed before its first group
        leftover.unlink(missing_ok=True)
    manifest = None
    if rebuild_manifest:
        manifest = _rebuild_manifest(config, source, output)
    elif not overwrite:
        manifest = read_manifest(output)
    _check_owner(output, manifest if manifest is not None else _owner_manifest(output))
    if manifest is None:
        if not overwrite and output.exists() and output.stat().st_size > 0:
            rebuild = "pass --rebuild-manifest to rebuild it from the records it can verify (its journal " \
                      f"{journal.name} is there), or " if journal.exists() else ""
            raise ResumeError(f"{output} already exists but has no manifest ({manifest_path(output).name}), so "
                              f"the config that wrote it is unknown; {rebuild}pass --overwrite to replace it, or "
                              f"choose another output.path")
        plan = ResumePlan((), 0, iter(source), complete=False)
    else:
        _check_same_config(config, manifest, output)
        plan = plan_resume(output, journal, iter(source), group_size=config.runtime.group_size,
                           redo_changed=resume_changed, finished=manifest.get("state") == "complete")
        if plan.complete:
            _check_fingerprint(manifest, static_fingerprint(config, library_versions()), output)
            return _already_complete(config, output, manifest, plan)
    # a fresh run (or --overwrite) writes beside the old output and takes its place after its first group
    fresh = manifest is None
    documents = _peek(plan.documents)  # reading the first document checks the input's columns
    if plan.done:
        log.info("resuming %s after %d documents already written", output, plan.done)
    engine = make_engine(config)
    base = {"input": {"path": config.input.path, "source": source.description, "total": source.total},
            "resumed_after": plan.done, "journal": journal.name, "output_name": output.name}
    input_digest = InputDigest()
    input_digest.update(d for entry in plan.kept for d in entry.inputs)
    bar = DocumentBar(source.total, enabled=config.runtime.progress, initial=plan.done)
    try:
        models = engine.describe()
        fp = fingerprint(models, library_versions())
        if manifest is not None:
            # the resolved device and precision, weights and libraries must be those that wrote the records
            _check_fingerprint(manifest, fp, output)
        base["spans"] = spans(manifest, config, done=plan.done, devices=_devices(models))
        # keyed by config and fingerprint: a checkpoint never serves other weights, and survives a fresh run's
        # kill before its first group (a run of one giant document)
        checkpoints = Checkpoints(partial_folder(output), salt=config.hash() + fingerprint_digest(fp))
        engine.keep_checkpoints(checkpoints)
        running = build_manifest(config, state="running", models=models, extra=base, fingerprint=fp)
        if not fresh:
            write_json_atomic(manifest_path(output), running)
        targets = (staged(output), staged(journal)) if fresh else (output, journal)
        pending: deque[tuple[list[str], list[str]]] = deque()

        def groups() -> Iterator[list[Document]]:
            for group in groups_of(documents, config.runtime.group_size):
                pending.append(([d.id for d in group], [document_digest(d) for d in group]))
                yield group

        with RecordWriter(*targets, offset=plan.offset, journal_offset=plan.journal_end,
                          config_hash=config.hash()) as writer:
            for records in engine.map_groups(groups(), bar.group):
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
                bar.finish_group(len(records))
        if fresh:  # an empty input: no group was written
            _take_place(output, running)
            fresh = False
    finally:
        bar.close()
        engine.close()
        if fresh:  # failed before its first group: leave no output and no manifest
            for path in (staged(output), staged(journal)):
                path.unlink(missing_ok=True)
    return _finish(config, output, models, base, input_digest, started, fp)


def _peek(documents: Iterator[Document]) -> Iterator[Document]:
    first = next(documents, None)
    return itertools.chain([first], documents) if first is not None else iter(())


def _take_place(output: Path, running: dict[str, Any]) -> None:
    """The new run's first group is on disk: it replaces the old output, journal and manifest. The new manifest
    is staged first, complete and fsynced (a full disk fails here, before anything is replaced); from then on
    the swap only goes forward: killed anywhere in it, the next run finishes it (:func:`recover_swap`)."""
    journal, manifest = journal_path(output), manifest_path(output)
    stage_json(manifest, running, staged(manifest))
    manifest.unlink(missing_ok=True)
    os.replace(staged(journal), journal)
    os.replace(staged(output), output)
    os.replace(staged(manifest), manifest)


def recover_swap(output: Path) -> None:
    """Finish a swap (:func:`_take_place`) that a kill interrupted, or drop one that had not begun; remove the
    temp files of killed manifest writes. Called holding the output's lock."""
    manifest = manifest_path(output)
    for tmp in stale_temp_files(manifest):
        tmp.unlink(missing_ok=True)
    new_manifest = staged(manifest)
    try:
        data = load_manifest(new_manifest)
    except ManifestError:  # torn by a kill while it was staged: the swap had not begun
        data = None
    if data is None:
        new_manifest.unlink(missing_ok=True)
        return
    name = data.get("output_name")
    owner = output.with_name(name) if isinstance(name, str) and name and Path(name).name == name else output
    log.warning("finishing the replacement of %s that a killed run had begun", owner)
    for path in (journal_path(owner), owner):
        if staged(path).exists():
            os.replace(staged(path), path)
    os.replace(new_manifest, manifest)


def _owner_manifest(output: Path) -> dict[str, Any] | None:
    """The manifest beside ``output`` when it can be read at all (an --overwrite checks whose it is)."""
    try:
        return load_manifest(manifest_path(output))
    except ManifestError:
        return None


def _check_owner(output: Path, manifest: dict[str, Any] | None) -> None:
    """Outputs that share a stem (``run.jsonl``, ``run.json``) share the manifest and journal: one may not
    resume, complete or replace the other's."""
    name = manifest.get("output_name") if manifest is not None else None
    if isinstance(name, str) and name != output.name:
        raise ResumeError(f"{manifest_path(output).name} beside {output} belongs to the output {name!r}, which has "
                          f"the same stem and so shares its manifest and journal; choose another output.path (a "
                          f"name with another stem)")


def _check_same_config(config: Config, manifest: dict[str, Any], output: Path) -> None:
    """The output-deciding keys must be the ones that wrote ``output``; output-neutral ones (batch size, threads,
    progress, ...: ``pipeline.config.OUTPUT_NEUTRAL``) may differ. A manifest whose hash was taken over more
    keys (an older version) is compared key by key."""
    if manifest.get("config_hash") == config.hash():
        return
    old = manifest.get("config")
    old = old if isinstance(old, dict) else {}
    diffs = config_differences(output_deciding(old), output_deciding(config.to_dict()))
    if old and not diffs:
        return
    raise ResumeError(
        f"{output} holds a partial or finished run made with a different config "
        f"({'; '.join(diffs[:8]) or 'unknown differences'}); rerun with the same config to resume it, "
        f"choose another output.path, or pass --overwrite to replace it"
    )


def _devices(models: Any) -> dict[str, str]:
    """The device each model was loaded on, from the engine's description."""
    if not isinstance(models, dict):
        return {}
    return {role: str(models[role]["device"]) for role in ("translation", "summarization")
            if isinstance(models.get(role), dict) and models[role].get("device") is not None}


def _check_fingerprint(manifest: dict[str, Any], current: dict[str, Any], output: Path) -> None:
    """Refuse to continue (or call complete) records made under other weights, libraries or devices."""
    recorded = manifest.get("fingerprint")
    if recorded is None and manifest.get("rebuilt_from_records") is not None:
        return  # a rebuilt manifest: the user vouched for the records; this run's fingerprint is recorded
    diffs = fingerprint_differences(recorded, current)
    if diffs:
        raise ResumeError(
            f"{output} holds records made with the same config but other weights, libraries or devices "
            f"({'; '.join(diffs[:8])}), so new records would not match them; pass --overwrite to redo it, or "
            f"choose another output.path")


def _already_complete(config: Config, output: Path, manifest: dict[str, Any], plan: ResumePlan) -> int:
    """Every document has its record: nothing to compute. Bytes beyond the intact groups are cut and a
    manifest left ``running`` (a run killed after its last group, or a rebuilt one) is completed."""
    journal = journal_path(output)
    sizes = [path.stat().st_size if path.exists() else 0 for path in (output, journal)]
    trailing = sizes != [plan.offset, plan.journal_end]
    if trailing:
        log.warning("%s has bytes after its last intact record; cutting them", output)
        for path, size in ((output, plan.offset), (journal, plan.journal_end)):
            with open_side_file(path, "r+b") as fh:
                fh.truncate(size)
    if manifest.get("state") == "complete" and not trailing:
        log.info("%s is already complete; nothing to do (pass --overwrite to redo it)", output)
        return _close(output_summary(output), output)
    digest = InputDigest()
    digest.update(d for entry in plan.kept for d in entry.inputs)
    base = {key: manifest[key] for key in ("input", "resumed_after", "spans") if key in manifest}
    base["journal"] = journal.name
    base["output_name"] = output.name
    fp = manifest.get("fingerprint") or static_fingerprint(config, library_versions())
    return _finish(config, output, manifest.get("models"), base, digest, time.time(), fp)


def _finish(config: Config, output: Path, models: Any, base: dict[str, Any], input_digest: InputDigest,
            started: float, fp: dict[str, Any]) -> int:
    summary = output_summary(output)
    groups = sum(1 for _ in read_journal(journal_path(output)))
    base = {**base, "input": {**base.get("input", {}), "documents": input_digest.documents,
                              "digest": input_digest.hexdigest()}}
    write_json_atomic(manifest_path(output), build_manifest(
        config, state="complete", models=models, fingerprint=fp,
        extra={**base, "output": {**summary, "groups": groups}, "wall_time_s": round(time.time() - started, 3)}))
    return _close(summary, output)


def _rebuild_manifest(config: Config, source: Source, output: Path) -> dict[str, Any]:
    """A new journal and a ``running`` manifest for this config, from the output's records that can be verified:
    a valid manifest is never replaced, and a group is adopted only when something on disk says it was written
    with this config (the journal's stamp, or the corrupt manifest's config hash) from this input (the
    journal's input digests, or the records' own source text)."""
    try:
        valid = read_manifest(output)
    except ManifestError:
        valid = None
    if valid is not None:
        raise ResumeError(f"{manifest_path(output)} is a valid manifest (state {valid.get('state')!r}); "
                          f"--rebuild-manifest only replaces a missing or corrupt one: run the same command without "
                          f"it to resume, or pass --overwrite to start over")
    evidence = _owner_manifest(output) if manifest_path(output).exists() else None
    recorded = evidence.get("config_hash") if evidence is not None else None
    if isinstance(recorded, str) and recorded != config.hash():
        old = evidence.get("config")
        diffs = config_differences(old if isinstance(old, dict) else {}, config.to_dict())
        raise ResumeError(f"{output} was written with a different config ({'; '.join(diffs[:8]) or 'unknown'}), "
                          f"as its damaged manifest still says; rebuild it with that config, choose another "
                          f"output.path, or pass --overwrite to replace it")
    journal = journal_path(output)
    rebuilt = rebuild_entries(output, iter(source), group_size=config.runtime.group_size,
                              journal=[entry for _, entry in read_journal(journal)], config_hash=config.hash(),
                              config_known=recorded == config.hash())
    if rebuilt.unverified:
        raise ResumeError(f"{output} holds records from document {rebuilt.documents + 1} on that cannot be verified "
                          f"({rebuilt.unverified}), so --rebuild-manifest would label them with this config; pass "
                          f"--overwrite to redo the run, or choose another output.path")
    write_journal(journal, rebuilt.entries)
    documents = rebuilt.documents
    manifest = build_manifest(config, state="running", models=None, fingerprint=None,
                              extra={"journal": journal.name, "rebuilt_from_records": documents,
                                     "output_name": output.name})
    write_json_atomic(manifest_path(output), manifest)
    log.warning("rebuilt the manifest of %s from its first %d records (whole groups verified against the journal "
                "or the input); the rest is redone", output, documents)
    return manifest


# warning kinds named in the closing line; the rest are counted
CLOSING_KINDS = 3


def _close(summary: dict[str, Any], output: Path) -> int:
    counts = summary["by_status"]
    parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "skipped", "error"))
    kinds = summary.get("warnings") or {}
    named = [f"{count}× {preview(kind, 60)}" for kind, count in list(kinds.items())[:CLOSING_KINDS]]
    if len(kinds) > CLOSING_KINDS:
        named.append(f"{plural(len(kinds) - CLOSING_KINDS, 'other kind')}")
    warned = f"; warnings: {', '.join(named)}" if named else ""
    print(f"{plural(summary['documents'], 'document')}: {parts}{warned} → {output} "
          f"(manifest: {manifest_path(output)})")
    return EXIT_DOCUMENT_ERRORS if counts.get("error") else EXIT_OK
