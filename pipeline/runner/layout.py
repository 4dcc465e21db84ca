"""Every file an output has beside it, named in one place.

For ``outputs/summaries.jsonl``:

| file | what |
| --- | --- |
| ``summaries.manifest.json`` | the run's config, models, versions and state |
| ``summaries.groups.jsonl`` | the group journal: ids, input digests, byte offsets |
| ``summaries.jsonl.lock`` | the writer's OS lock |
| ``summaries.jsonl.new``, ``summaries.groups.jsonl.new`` | a fresh run's output until its first group |
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
    """``outputs/summaries.jsonl`` → ``outputs/summaries.jsonl.lock``."""
    return output.with_name(output.name + ".lock")


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
