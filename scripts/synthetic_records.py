"""Write a synthetic run output (JSONL records and a manifest) of realistic size, to time the HTML report.

    python scripts/synthetic_records.py outputs/synthetic.jsonl --documents 10000 --segments 30
    python -m pipeline.report outputs/synthetic.jsonl

Documents are German news-like sentences with figures and English stand-in translations; a few segments
get a changed figure (flagged the way the pipeline flags them), a few summaries an invented one, a few
documents are skipped or failed. Deterministic for a given seed. No models needed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from pipeline.quality.figures import summary_flags, translation_flags
from pipeline.runner.layout import manifest_path

# (German, English) sentence templates; {a} {b} {c} are figures
TEMPLATES = (
    ("Der Umsatz stieg im dritten Quartal um {a} Prozent auf {b} Millionen Euro, wie das Unternehmen am "
     "Dienstag in Frankfurt mitteilte.",
     "Revenue rose by {a} percent to {b} million euros in the third quarter, the company said in Frankfurt "
     "on Tuesday."),
    ("Nach Angaben des Vorstands sollen bis Ende des Jahres rund {c} neue Stellen entstehen, vor allem in den "
     "Bereichen Software und Vertrieb.",
     "According to the board, around {c} new jobs are to be created by the end of the year, mainly in "
     "software and sales."),
    ("Analysten hatten im Vorfeld mit einem Gewinn von {b} Millionen Euro gerechnet und zeigten sich von der "
     "Entwicklung überrascht.",
     "Analysts had expected a profit of {b} million euros beforehand and were surprised by the development."),
    ("Die Aktie legte im frühen Handel um {a} Prozent zu und notierte zuletzt bei {b} Euro.",
     "The share rose by {a} percent in early trading and was last quoted at {b} euros."),
    ("Die Verhandlungen mit den Gewerkschaften sollen in den kommenden Wochen fortgesetzt werden, hieß es aus "
     "Unternehmenskreisen.",
     "Negotiations with the trade unions are to continue in the coming weeks, company sources said."),
    ("Der Konzern beschäftigt weltweit mehr als {c} Mitarbeiterinnen und Mitarbeiter an {a} Standorten.",
     "The group employs more than {c} people worldwide at {a} locations."),
)


def _figures(rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    a = rng.randint(2, 40)
    b_whole, b_frac = rng.randint(10, 900), rng.randint(1, 9)
    c = rng.randint(2, 90) * 100
    german = {"a": str(a), "b": f"{b_whole},{b_frac}", "c": f"{c // 1000}.{c % 1000:03d}" if c >= 1000 else str(c)}
    english = {"a": str(a), "b": f"{b_whole}.{b_frac}", "c": f"{c:,}"}
    return german, english


def document(index: int, rng: random.Random, segments: int) -> dict[str, Any]:
    doc_id = f"doc-{index:05d}"
    roll = rng.random()
    if roll < 0.02:
        return {"id": doc_id, "status": "skipped", "error": "empty document", "language": None,
                "translation": None, "summary": None, "summarization": None, "warnings": [], "flags": {},
                "segments": []}
    if roll < 0.03:
        return {"id": doc_id, "status": "error", "error": "undecodable bytes: not UTF-8 or Windows-1252",
                "language": None, "translation": None, "summary": None, "summarization": None,
                "warnings": [], "flags": {}, "segments": []}
    segs, flagged = [], []
    for i in range(segments):
        german_t, english_t = rng.choice(TEMPLATES)
        german_f, english_f = _figures(rng)
        changed = "{" in english_t and rng.random() < 0.04  # a figure changed in translation
        if changed:
            english_f = {**english_f, "a": str(int(english_f["a"]) + 1), "c": "1,000,000"}
        source, translation = german_t.format(**german_f), english_t.format(**english_f)
        segs.append({"source": source, "translation": translation, "paragraph": i // 5})
        comparison = translation_flags(source, translation) if changed else None
        if comparison and not comparison.ok:
            flagged.append({"segment": i, "lost": [f.text for f in comparison.missing],
                            "invented": [f.text for f in comparison.extra]})
    paragraphs: dict[int, list[str]] = {}
    for seg in segs:
        paragraphs.setdefault(seg["paragraph"], []).append(seg["translation"])
    translation = "\n\n".join(" ".join(p) for p in paragraphs.values())
    summary = " ".join(seg["translation"] for seg in segs[:2])
    if rng.random() < 0.1:
        summary += " The company expects 12,345 new customers."
    invented = [f.text for f in summary_flags(translation, summary)] if "12,345" in summary else []
    warnings = ["segment 3: the translation hit the length limit (512 tokens)"] if rng.random() < 0.05 else []
    return {"id": doc_id, "status": "ok", "error": None, "language": "de", "translation": translation,
            "summary": summary, "summarization": {"chunks": 1, "rounds": 1}, "warnings": warnings,
            "flags": {"translation": flagged, "summary_invented": invented}, "segments": segs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    statuses: dict[str, int] = {}
    with args.output.open("w", encoding="utf-8") as fh:
        for i in range(args.documents):
            record = document(i, rng, args.segments)
            statuses[record["status"]] = statuses.get(record["status"], 0) + 1
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    manifest = {"state": "complete", "config_hash": "synthetic", "models": {
        "translation": {"model": "Helsinki-NLP/opus-mt-de-en", "revision": "synthetic", "backend": "transformers"},
        "summarization": {"model": "sshleifer/distilbart-cnn-12-6", "revision": "synthetic",
                          "backend": "transformers"}},
        "versions": {"python": "3.11"}, "input": {"source": "synthetic", "total": args.documents},
        "output": {"documents": args.documents, "by_status": dict(sorted(statuses.items()))}}
    manifest_path(args.output).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.documents} records to {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
