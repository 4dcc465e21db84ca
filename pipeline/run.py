"""The batch runner: ``python -m pipeline.run CONFIG [--set key=value ...] [--overwrite]``.

Exit status: 0 when no document errored, 1 when some did, 2 when the run itself failed (usage, config, input,
model, output location, lock, manifest, disk): one line naming the path and the fix.
Killed at any moment, the same command continues the job (see ``resume``).
"""

from __future__ import annotations

import argparse
import logging
import sys

from pipeline.config import load_config
from pipeline.runner.errors import EXIT_USAGE, USAGE_ERRORS, os_error_message, usage_message
from pipeline.runner.job import run

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.run",
        description="Translate German documents into English and summarize them (one JSONL record each).",
    )
    parser.add_argument("config", help="YAML config file, e.g. configs/default.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key, e.g. --set runtime.device=cpu (repeatable)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing output (and its manifest) instead of resuming it; the old one "
                             "is kept until the new run has written its first group")
    parser.add_argument("--resume-changed", action="store_true",
                        help="resume even though input documents changed since they were written: redo them "
                             "(and everything after the first)")
    parser.add_argument("--rebuild-manifest", action="store_true",
                        help="rebuild a lost or corrupt manifest from the output's intact records, with this "
                             "config, and resume")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.overwrite and (args.rebuild_manifest or args.resume_changed):
        parser.error("--overwrite starts over; it cannot be combined with --rebuild-manifest or --resume-changed")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("transformers", "datasets", "httpx", "urllib3", "huggingface_hub", "filelock", "fsspec"):
        logging.getLogger(noisy).setLevel(logging.WARNING if args.verbose else logging.ERROR)
    output = None
    try:
        config = load_config(args.config, overrides=args.overrides)
        output = config.output.path
        return run(config, overwrite=args.overwrite, resume_changed=args.resume_changed,
                   rebuild_manifest=args.rebuild_manifest)
    except USAGE_ERRORS as exc:
        failure, message = exc, usage_message(exc)
    except KeyboardInterrupt:
        print("interrupted; run the same command again to continue where it stopped", file=sys.stderr)
        return 130
    except OSError as exc:
        failure, message = exc, os_error_message(exc, output)
    except Exception as exc:  # a bug: one line, the traceback with -v
        failure = exc
        message = (f"error (internal): {type(exc).__name__}: {exc}"
                   f"{'' if args.verbose else ' (run with -v for the traceback)'}")
    if args.verbose:
        log.error("the run stopped", exc_info=failure)
    print(message, file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
