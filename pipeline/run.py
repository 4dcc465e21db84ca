"""The batch runner: ``python -m pipeline.run CONFIG [--set key=value ...] [--overwrite]``.

Exit status: 0 when no document errored, 1 when some did, 2 for usage, config, input or model errors.
Killed at any moment, the same command continues the job (see ``output``).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Config, ConfigError, load_config
from pipeline.inputs import Document, InputError, Source, open_source
from pipeline.manifest import build_manifest, output_summary
from pipeline.models import ModelLoadError
from pipeline.output import (
    RecordWriter,
    ResumeError,
    ResumePoint,
    config_differences,
    find_resume_point,
    manifest_path,
    read_manifest,
    write_json_atomic,
)

log = logging.getLogger("pipeline.run")

EXIT_OK, EXIT_DOCUMENT_ERRORS, EXIT_USAGE = 0, 1, 2


# Errors that stop a run before any document is processed: exit status 2 with the message.
USAGE_ERRORS = (ConfigError, InputError, ResumeError, ModelLoadError)


def usage_message(exc: BaseException) -> str:
    kinds = ((ConfigError, "config error"), (InputError, "input error"), (ResumeError, "cannot resume"),
             (ModelLoadError, "model error"))
    kind = next((name for cls, name in kinds if isinstance(exc, cls)), "error")
    return f"error ({kind}): {exc}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.run",
        description="Translate German documents into English and summarize them (one JSONL record each).",
    )
    parser.add_argument("config", help="YAML config file, e.g. configs/default.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key, e.g. --set runtime.device=cpu (repeatable)")
    parser.add_argument("--overwrite", action="store_true",
                        help="discard an existing output (and its manifest) instead of resuming it")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    return parser


def groups_of(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while group := list(itertools.islice(iterator, size)):
        yield group


def prepare_output(config: Config, source: Source, *, overwrite: bool) -> ResumePoint | None:
    """Decide where to start: None when a previous run already completed this job."""
    output = Path(config.output.path)
    manifest = read_manifest(output)
    if overwrite:
        for path in (output, manifest_path(output)):
            path.unlink(missing_ok=True)
        return ResumePoint(0, 0, ())
    has_records = output.exists() and output.stat().st_size > 0
    if manifest is None:
        if has_records:
            raise ResumeError(f"{output} already exists but has no manifest ({manifest_path(output).name}), so "
                              f"the config that wrote it is unknown; pass --overwrite to replace it")
        return ResumePoint(0, 0, ())
    if manifest.get("config_hash") != config.hash():
        diffs = config_differences(manifest.get("config", {}), config.to_dict())
        raise ResumeError(
            f"{output} holds a partial or finished run made with a different config "
            f"({'; '.join(diffs[:8]) or 'unknown differences'}); rerun with the same config to resume it, "
            f"choose another output.path, or pass --overwrite to replace it"
        )
    point = find_resume_point(output, group_size=config.runtime.group_size)
    written = manifest.get("output", {}).get("documents")
    if manifest.get("state") == "complete" and source.total is not None and written == source.total:
        return None
    return point


def skip_done(documents: Iterator[Document], point: ResumePoint) -> None:
    """Consume the documents already written, checking that the input still has them in the same order."""
    for index, expected in enumerate(point.ids):
        doc = next(documents, None)
        if doc is None or doc.id != expected:
            found = "the end of the input" if doc is None else f"id {doc.id!r}"
            raise ResumeError(
                f"the input changed since the partial output was written: record {index} has id {expected!r} "
                f"but the input has {found}; pass --overwrite to start over"
            )


def make_engine(config: Config) -> Any:
    if config.runtime.engine == "ray":
        from pipeline.ray_engine import RayEngine

        return RayEngine(config)
    from pipeline.core import LocalEngine

    return LocalEngine(config)


def run(config: Config, *, overwrite: bool = False) -> int:
    """Run the job described by ``config``; returns the exit status."""
    started = time.time()
    source = open_source(config.input)
    output = Path(config.output.path)
    point = prepare_output(config, source, overwrite=overwrite)
    if point is None:
        summary = output_summary(output)
        log.info("%s is already complete; nothing to do (pass --overwrite to redo it)", output)
        return _close(summary, output)
    documents = iter(source)
    skip_done(documents, point)
    if point.done:
        log.info("resuming %s after %d documents already written", output, point.done)
    engine = make_engine(config)
    base = {"input": {"path": config.input.path, "source": source.description, "total": source.total},
            "resumed_after": point.done}
    models = engine.describe()
    write_json_atomic(manifest_path(output), build_manifest(config, state="running", models=models, extra=base))
    from tqdm import tqdm

    bar = tqdm(total=source.total, initial=point.done, unit="doc", desc="documents", dynamic_ncols=True,
               disable=not config.runtime.progress, file=sys.stderr)
    try:
        with RecordWriter(output, offset=point.offset) as writer:
            for records in engine.map_groups(groups_of(documents, config.runtime.group_size)):
                writer.write_group(records)
                bar.update(len(records))
    finally:
        bar.close()
        engine.close()
    summary = output_summary(output)
    write_json_atomic(manifest_path(output), build_manifest(
        config, state="complete", models=models,
        extra={**base, "output": summary, "wall_time_s": round(time.time() - started, 3)}))
    return _close(summary, output)


def _close(summary: dict[str, Any], output: Path) -> int:
    counts = summary["by_status"]
    parts = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "skipped", "error"))
    print(f"{summary['documents']} documents: {parts} → {output} (manifest: {manifest_path(output)})")
    return EXIT_DOCUMENT_ERRORS if counts.get("error") else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("transformers", "datasets", "httpx", "urllib3", "huggingface_hub", "filelock", "fsspec"):
        logging.getLogger(noisy).setLevel(logging.WARNING if args.verbose else logging.ERROR)
    try:
        config = load_config(args.config, overrides=args.overrides)
        return run(config, overwrite=args.overwrite)
    except USAGE_ERRORS as exc:
        print(usage_message(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; run the same command again to continue where it stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
