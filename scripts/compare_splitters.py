"""Score pipeline.text's sentence splitter (and SoMaJo, if installed) against gold sentence files.

Gold format (tests/data/splitter_gold.txt): one sentence per line, a blank line between paragraphs, lines
starting with "# " are comments, and a line starting with "|" begins on a new line of its paragraph (list
items). Each file is scored as two texts: "blank" joins the sentences of a paragraph with single spaces
and paragraphs with a blank line; "newline" is the same except that a headline (a one-line paragraph
without final punctuation) is followed by a single newline, as in scraped news. Boundaries at blank lines
are found by every splitter and are left out of the counts.

Run from the repository root: ``python -m scripts.compare_splitters [--errors] [FILE ...]``. SoMaJo is
GPL-licensed and never a dependency of this project; to compare, install it into a throwaway environment
(it also needs pyyaml, which the ``pipeline`` package imports):

    python3 -m venv /tmp/somajo-venv && /tmp/somajo-venv/bin/pip install somajo pyyaml
    /tmp/somajo-venv/bin/python -m scripts.compare_splitters [--errors] [FILE ...]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.text import paragraph_spans, sentence_spans

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DEFAULT_FILES = (DATA / "splitter_gold.txt", DATA / "splitter_heldout.txt")
_FINAL = re.compile(r"[.!?…:][“”\"'»«)\]]*$")

Spans = list[tuple[int, int]]
Splitter = Callable[[str], Spans]


@dataclass(frozen=True)
class Scores:
    """Boundary counts of one splitter on one text (blank-line boundaries excluded)."""

    true_pos: int
    false_pos: int  # boundaries the splitter put where the gold has none
    missed: int  # gold boundaries the splitter did not find

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.missed)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def errors(self) -> int:
        return self.false_pos + self.missed

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.true_pos + other.true_pos, self.false_pos + other.false_pos, self.missed + other.missed
        )


def load_gold(path: Path) -> list[list[tuple[str, bool]]]:
    """Paragraphs of ``(sentence, starts_on_new_line)`` read from a gold file."""
    paragraphs: list[list[tuple[str, bool]]] = [[]]
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# "):
            continue
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        newline = line.startswith("|")
        paragraphs[-1].append((line[1:].strip() if newline else line, newline))
    return [p for p in paragraphs if p]


def is_headline(paragraph: list[tuple[str, bool]]) -> bool:
    """A one-sentence paragraph without final punctuation."""
    return len(paragraph) == 1 and not _FINAL.search(paragraph[0][0])


def build_text(paragraphs: list[list[tuple[str, bool]]], *, headline_newline: bool) -> tuple[str, Spans]:
    """The running text of gold ``paragraphs`` and the gold sentence spans in it."""
    text, spans = "", []
    for k, paragraph in enumerate(paragraphs):
        if k:
            text += "\n" if headline_newline and is_headline(paragraphs[k - 1]) else "\n\n"
        for n, (sentence, newline) in enumerate(paragraph):
            if n:
                text += "\n" if newline else " "
            spans.append((len(text), len(text) + len(sentence)))
            text += sentence
    return text, spans


def _boundaries(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """Sentence starts as positions in the text's non-whitespace characters, blank-line breaks left out."""
    nonspace = [0]
    for ch in text:
        nonspace.append(nonspace[-1] + (not ch.isspace()))
    blank = {nonspace[a] for a, _ in paragraph_spans(text)}
    return {nonspace[a] for a, _ in spans} - blank


def score(text: str, gold: Spans, predicted: Spans) -> Scores:
    """Compare predicted sentence spans with gold spans of the same ``text``."""
    g, p = _boundaries(text, gold), _boundaries(text, predicted)
    return Scores(len(g & p), len(p - g), len(g - p))


def error_report(text: str, gold: Spans, predicted: Spans, width: int = 45) -> list[str]:
    """One line of context per false or missed boundary ("|" marks the position)."""
    position = [i for i, ch in enumerate(text) if not ch.isspace()]  # n-th non-space char -> offset
    g, p = _boundaries(text, gold), _boundaries(text, predicted)
    lines = []
    for n in sorted(g ^ p):
        a = position[n]
        context = (text[max(0, a - width) : a] + " | " + text[a : a + width]).replace("\n", "⏎")
        lines.append(f"  {'missed' if n in g else 'false '}  …{context}…")
    return lines


def somajo_splitters() -> dict[str, Splitter]:
    """SoMaJo with blank-line paragraphs, and with every line as a paragraph; empty if not installed."""
    try:
        from somajo import SoMaJo
    except ImportError:
        return {}
    tokenizer = SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)

    def run(text: str, paragraphs: Spans) -> Spans:
        out = []
        for a, b in paragraphs:
            for sentence in tokenizer.tokenize_text([text[a:b]]):
                out.append((a + sentence[0].character_offset[0], a + sentence[-1].character_offset[1]))
        return out

    def by_blank_lines(text: str) -> Spans:
        return run(text, paragraph_spans(text))

    def by_lines(text: str) -> Spans:
        lines = []
        for a, b in paragraph_spans(text):
            start = a
            for line in text[a:b].split("\n"):
                if line.strip():
                    lines.append((start, start + len(line)))
                start += len(line) + 1
        return run(text, lines)

    return {"SoMaJo (blank-line paragraphs)": by_blank_lines, "SoMaJo (one paragraph per line)": by_lines}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="gold files (default: gold and held-out)")
    parser.add_argument("--errors", action="store_true", help="print the context of every error")
    args = parser.parse_args(argv)
    splitters: dict[str, Splitter] = {"pipeline.text": sentence_spans, **somajo_splitters()}
    if len(splitters) == 1:
        print("note: SoMaJo is not installed, scoring pipeline.text only. To compare, run:")
        print("  python3 -m venv /tmp/somajo-venv && /tmp/somajo-venv/bin/pip install somajo pyyaml")
        print("  /tmp/somajo-venv/bin/python -m scripts.compare_splitters\n")
    files = [f for f in (args.files or DEFAULT_FILES) if f.exists()]
    print(f"{'file':<24} {'variant':<8} {'splitter':<32} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6} "
          f"{'false':>5} {'miss':>5} {'errors':>6}")
    for path in files:
        paragraphs = load_gold(path)
        for variant, newline in (("blank", False), ("newline", True)):
            text, gold = build_text(paragraphs, headline_newline=newline)
            for name, split in splitters.items():
                predicted = split(text)
                s = score(text, gold, predicted)
                print(f"{path.name:<24} {variant:<8} {name:<32} {s.true_pos + s.missed:>5} "
                      f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.false_pos:>5} {s.missed:>5} "
                      f"{s.errors:>6}")
                if args.errors:
                    print("\n".join(error_report(text, gold, predicted)))


if __name__ == "__main__":
    main()
