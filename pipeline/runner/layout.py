"""Every file an output has beside it, named in one place.

For ``outputs/summaries.jsonl``:

| file | what |
| --- | --- |
| ``summaries.manifest.json`` | the run's config, models, versions and state |
| ``summaries.groups.jsonl`` | the group journal: ids, input digests, byte offsets |
| ``summaries.lock`` | the writer's OS lock (one per stem: outputs sharing a stem share their side files) |
| ``summaries.jsonl.new``, ``summaries.groups.jsonl.new``, ``summaries.manifest.json.new`` | a fresh run's files
  until its first group has taken the old ones' place |
| ``summaries.partial/`` | finished translation batches of a giant group |
| ``summaries.scores.json`` | ``python -m pipeline.evaluate``'s scores |
| ``summaries.report.html`` | ``python -m pipeline.report``'s report |
"""

from __future__ import annotations

from pathlib import Path


def manifest_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.manifest.json``."""
    return output.with_name(output.stem + ".manifest.json")


def journal_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.groups.jsonl``."""
    return output.with_name(output.stem + ".groups.jsonl")


def lock_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.lock``: per stem, like the manifest and journal, so that
    ``run.jsonl`` and ``run.json`` (which share those) cannot run at once."""
    return output.with_name(output.stem + ".lock")


def side_files(output: Path) -> tuple[Path, ...]:
    """Every file the runner writes beside ``output`` (an output may be none of them)."""
    manifest, journal = manifest_path(output), journal_path(output)
    return (manifest, journal, lock_path(output), staged(output), staged(journal), staged(manifest),
            partial_folder(output))


def staged(path: Path) -> Path:
    """Where a run starting from nothing writes ``path`` until its first group is done (``x.jsonl.new``)."""
    return path.with_name(path.name + ".new")


def partial_folder(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.partial``."""
    return output.with_name(output.stem + ".partial")


def scores_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.scores.json``."""
    return output.with_name(output.stem + ".scores.json")


def report_path(output: Path) -> Path:
    """``outputs/summaries.jsonl`` → ``outputs/summaries.report.html``."""
    return output.with_name(output.stem + ".report.html")
