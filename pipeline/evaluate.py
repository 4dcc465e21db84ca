"""Evaluate against references: ``python -m pipeline.evaluate CONFIG [--set k=v ...] [--score-only]``.

Runs the configured job (the same runner, so resume and the manifest work as usual) on an input that has
reference columns, then scores document-level translations with sacreBLEU (BLEU, chrF, with signatures)
and summaries with ROUGE-1/2/L/Lsum (rouge-score, stemming). ``--score-only`` scores an existing output file
without running the models. Prints a table and writes ``<output>.scores.json`` beside the records.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from pipeline.config import Config, load_config
from pipeline.fileio.atomic import write_json_atomic
from pipeline.fileio.jsonl import read_records
from pipeline.inputs.sources import InputError, open_dataset, row_id
from pipeline.quality.metrics import summary_scores, translation_scores
from pipeline.runner.errors import EXIT_USAGE, USAGE_ERRORS, usage_message
from pipeline.runner.job import run
from pipeline.runner.layout import scores_path


def read_references(config: Config) -> dict[str, dict[str, str | None]]:
    """id → {"translation": ref or None, "summary": ref or None} from the input's reference columns."""
    options, wanted = config.input, config.evaluation
    columns = {"translation": wanted.reference_translation, "summary": wanted.reference_summary}
    if not Path(options.path).is_file() and Path(options.path).is_dir():
        raise InputError(f"evaluation needs a table or dataset with reference columns; {options.path!r} is a "
                         f"folder of text files")
    references: dict[str, dict[str, str | None]] = {}
    for row_number, row in enumerate(open_dataset(options)):
        doc_id = row_id(row, row_number, options.id_column)
        references[doc_id] = {kind: row.get(col) if col else None for kind, col in columns.items()}
    for kind, column in columns.items():
        if column and references and all(r[kind] is None for r in references.values()):
            raise InputError(f"evaluation.reference_{kind} {column!r} is not a column of {options.path!r}")
    return references


def score(output: Path, references: dict[str, dict[str, str | None]]) -> dict[str, Any]:
    """Scores of the records in ``output`` against ``references``; failed documents score as empty."""
    records = {str(line.record["id"]): line.record for line in read_records(output)}
    result: dict[str, Any] = {"documents": len(records),
                              "not_ok": sorted(i for i, r in records.items() if r["status"] != "ok")}
    for kind, field in (("translation", "translation"), ("summary", "summary")):
        pairs = [((records[i].get(field) or "") if i in records else "", ref[kind])
                 for i, ref in references.items() if ref[kind]]
        if not pairs:
            continue
        hyps, refs = [p[0] for p in pairs], [p[1] for p in pairs]
        scores = translation_scores(hyps, refs) if kind == "translation" else summary_scores(hyps, refs)
        result[kind] = dataclasses.asdict(scores)
        result[kind]["missing"] = sum(1 for i, ref in references.items() if ref[kind] and i not in records)
    return result


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'metric':<12} {'score':>8}  details"]
    if "translation" in result:
        t = result["translation"]
        lines.append(f"{'BLEU':<12} {t['bleu']:>8.2f}  {t['bleu_signature']}")
        lines.append(f"{'chrF':<12} {t['chrf']:>8.2f}  {t['chrf_signature']}")
    if "summary" in result:
        s = result["summary"]
        for key in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
            lines.append(f"{key:<12} {s[key]:>8.2f}  rouge-score, stemming, F-measure x100, n={s['n']}")
    if result["not_ok"]:
        lines.append(f"not ok (scored as empty): {', '.join(result['not_ok'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--overwrite", action="store_true", help="redo the run instead of resuming it")
    parser.add_argument("--score-only", action="store_true",
                        help="score the existing output.path without running the models")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, overrides=args.overrides)
        output = Path(config.output.path)
        references = read_references(config)
        if args.score_only:
            if not output.exists():
                raise InputError(f"--score-only: {output} does not exist; run without --score-only first")
        else:
            run(config, overwrite=args.overwrite)
        result = score(output, references)
    except USAGE_ERRORS as exc:
        print(usage_message(exc), file=sys.stderr)
        return EXIT_USAGE
    write_json_atomic(scores_path(output), result)
    print(format_table(result))
    print(f"scores → {scores_path(output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
