"""An HTML report of a run for reviewers: ``python -m pipeline.report OUTPUT.jsonl [-o report.html]``.

The report shows the run's facts from its manifest (models, versions, config hash, state, counts), counts by
status and by kind of flagged figure, a filter (status, flagged, with warnings; CSS only, no JavaScript),
and every document as the notebook shows it (`pipeline.display.render.card`): summary, error, warnings, and the
German | English segments with the flagged figures highlighted.

Up to ``--page-size`` documents it is one page. Beyond that the page holds an index (one short row per
document, filterable) and the cards go to numbered pages beside it (``report.page-1.html``, ``report.page-2.html``,
...), so that every page opens fast however long the run. Lines of the JSONL that cannot be read (a torn
last line, invalid JSON) are skipped and listed at the top; a missing or unreadable manifest is said so.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.display.render import plural
from pipeline.display.report import PAGE_SIZE, ReportFiles, ReportTargetError, render_report
from pipeline.runner.layout import manifest_path, report_path, side_files
from pipeline.runner.manifest import ManifestError, load_manifest

EXIT_OK, EXIT_USAGE = 0, 2


def write_report(output: Path, report: Path | None = None, *, page_size: int = PAGE_SIZE) -> ReportFiles:
    """Write the report of the run whose JSONL is ``output`` to ``report`` (default ``OUTPUT.report.html``), with
    the run's facts from the manifest beside it, and numbered pages when there are more than ``page_size``
    documents."""
    manifest, note = read_facts(output)
    return render_report(output, report or report_path(output), manifest=manifest, manifest_note=note,
                         page_size=page_size)


def read_facts(output: Path) -> tuple[dict | None, str | None]:
    """The manifest beside the output, or None and a note saying why there is none."""
    name = manifest_path(output).name
    try:
        manifest = load_manifest(manifest_path(output))
    except ManifestError:
        return None, f"manifest unreadable: {name} is not a JSON object, so the run facts are unknown"
    except OSError as exc:
        return None, f"manifest unreadable: {name} ({type(exc).__name__}), so the run facts are unknown"
    if manifest is None:
        return None, f"manifest missing: {name} was not found beside the output, so the run facts are unknown"
    return manifest, None


def _same(a: Path, b: Path) -> bool:
    """The same path after resolving (also through a symlink), or the same file."""
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline.report",
                                     description="Write an HTML report of a run's JSONL output for reviewers.")
    parser.add_argument("output", type=Path, help="the run's JSONL output (its manifest is read from beside it)")
    parser.add_argument("-o", "--html", type=Path, default=None,
                        help="the report to write (default: OUTPUT with .report.html in place of .jsonl)")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE,
                        help=f"documents per page; more go to numbered pages beside the report (default {PAGE_SIZE})")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.page_size < 1:
        parser.error(f"--page-size must be at least 1, got {args.page_size}")
    output: Path = args.output
    if not output.is_file():
        why = "is a directory" if output.is_dir() else "no such file"
        print(f"error: {output}: {why}", file=sys.stderr)
        return EXIT_USAGE
    report = args.html or report_path(output)
    own = (output, *side_files(output))
    if any(_same(report, path) for path in own):
        print(f"error: the report {report} would overwrite the run's output or one of its files; choose another -o "
              f"(default: {report_path(output).name})", file=sys.stderr)
        return EXIT_USAGE
    try:
        files = write_report(output, report, page_size=args.page_size)
    except ReportTargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: cannot write the report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print(f"error: {output} is too large to report on in this much memory; report on a smaller part of it",
              file=sys.stderr)
        return EXIT_USAGE
    extra = f" and {len(files.paths) - 1} pages beside it" if len(files.paths) > 1 else ""
    skipped = f"; {len(files.skipped)} unreadable lines skipped" if files.skipped else ""
    print(f"wrote {report}{extra}: {plural(files.documents, 'document')}{skipped}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
