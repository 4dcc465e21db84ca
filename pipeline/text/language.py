"""Language identification of whole documents: a length-weighted majority vote over their parts.

Pure text handling on top of py3langid (its model ships inside the package, so this works offline);
no torch import.

A document is cut into parts (paragraphs, long paragraphs into packed runs of sentences), each part
is classified on its own, and every part votes for its language with the number of letters it holds.
Quotations belong to the article that quotes them: a part's language is judged on its narration, the
text outside quotation marks, whenever that holds enough letters. So a German paragraph such as
``„We must own the know-how“, sagte er am Dienstag in Redmond.`` votes German with all its letters,
and a German article full of English quotes is neither English nor mixed.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipeline.text.sentences import paragraph_spans, split_sentences

logger = logging.getLogger(__name__)

# ISO 639-2 "undetermined": the language of a text without a single letter (empty, numbers only)
UNDETERMINED = "und"
# parts with fewer letters than this are glued to the next part (or the previous one at the end)
MIN_PART_LETTERS = 20
# sentences of one paragraph are packed into parts of at most this many characters
MAX_PART_CHARS = 400
# a document is mixed when its second language holds at least this share of the letters
MIXED_MIN_SHARE = 0.2

# quoted spans within one line: German „…“ (closed by “, ” or "), English “…”, straight "…", »…« and «…»
_QUOTED = re.compile(r"„[^“”\"\n]*[“”\"]|“[^”\n]*”|\"[^\"\n]*\"|»[^«\n]*«|«[^»\n]*»")


@dataclass(frozen=True)
class LanguageGuess:
    """The detected language of a document."""

    # ISO 639-1 code of the majority language ("de", "en", ...); "und" when the text has no letters or
    # nothing the model knows, "zxx" when py3langid judges the majority non-linguistic (codes, markup)
    language: str
    # letter-weighted mean over the parts of the probability py3langid gives `language` (0..1)
    confidence: float
    # True when a second language ("und" aside) holds at least MIXED_MIN_SHARE of the letters
    mixed: bool
    # (language, share of the document's letters) for every language that won a part, largest first;
    # parts the model knows nothing about count as "und"; empty when the text has no letters
    shares: tuple[tuple[str, float], ...]


@functools.lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """Load py3langid's bundled model once, with normalized probabilities."""
    logger.debug("loading py3langid model %s", MODEL_FILE)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


def _pack_paragraph(paragraph: str) -> list[str]:
    """Greedily pack a paragraph's sentences into runs of at most MAX_PART_CHARS characters."""
    runs: list[str] = []
    current = ""
    for sentence in split_sentences(paragraph):  # German rules: the language is what is being found out
        sentence = sentence.strip()
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > MAX_PART_CHARS:
            runs.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        runs.append(current)
    return runs


def _merge_short(parts: list[str]) -> list[str]:
    """Glue parts with fewer than MIN_PART_LETTERS letters to the next part (the last one to the previous)."""
    merged: list[str] = []
    pending = ""
    for part in parts:
        candidate = f"{pending} {part}" if pending else part
        if _letters(candidate) < MIN_PART_LETTERS:
            pending = candidate
        else:
            merged.append(candidate)
            pending = ""
    if pending:
        if merged:
            merged[-1] = f"{merged[-1]} {pending}"
        else:
            merged.append(pending)
    return merged


def _parts(text: str) -> list[str]:
    """Cut a document into the parts that vote: paragraphs, long ones split into packed sentence runs."""
    runs = [run for a, b in paragraph_spans(text) for run in _pack_paragraph(text[a:b])]
    return _merge_short(runs)


def _classify(part: str) -> tuple[str, dict[str, float]]:
    """Classify one part on its narration (quotes removed) if that is long enough, else on all of it.

    Returns the language and py3langid's normalized probabilities; a part without any feature the model
    knows (py3langid then answers a uniform distribution, e.g. for "ok") is ``UNDETERMINED``.
    """
    narration = _QUOTED.sub(" ", part)
    ranking = _identifier().rank(narration if _letters(narration) >= MIN_PART_LETTERS else part)
    if len(ranking) > 1 and ranking[0][1] == ranking[1][1]:
        return UNDETERMINED, {}
    return ranking[0][0], dict(ranking)


def detect_language(text: str) -> LanguageGuess:
    """Detect the majority language of a document.

    Every part of the document (a paragraph, or a run of sentences of at most ``MAX_PART_CHARS``
    characters) is classified with py3langid and votes with its number of letters; the language with
    the most letters wins. A part is judged on its text outside quotation marks when that has at least
    ``MIN_PART_LETTERS`` letters, so quotes in another language count for the quoting article. Parts
    with fewer than ``MIN_PART_LETTERS`` letters are merged into a neighbour, so headlines and stray
    fragments count little, while a very short text is classified as a whole and still gets a best
    guess (with a low confidence).

    Args:
        text: the document, paragraphs separated by blank lines.

    Returns:
        The majority language, its confidence, whether the text is mixed, and each language's share
        of the letters. A text without any letter (empty, whitespace, numbers only) gives
        ``LanguageGuess("und", 0.0, False, ())``; a text whose letters give py3langid no feature at all
        (e.g. "ok") gives language ``"und"`` with confidence 0.0.
    """
    parts = [part for part in _parts(text) if _letters(part)]
    if not parts:
        return LanguageGuess(language=UNDETERMINED, confidence=0.0, mixed=False, shares=())

    votes: defaultdict[str, int] = defaultdict(int)
    rankings: list[tuple[int, dict[str, float]]] = []
    for part in parts:
        weight = _letters(part)
        language, probabilities = _classify(part)
        votes[language] += weight
        rankings.append((weight, probabilities))

    total = sum(votes.values())
    shares = tuple(
        sorted(((lang, count / total) for lang, count in votes.items()), key=lambda item: (-item[1], item[0]))
    )
    language = shares[0][0]
    confidence = sum(weight * ranking.get(language, 0.0) for weight, ranking in rankings) / total
    mixed = any(lang != UNDETERMINED and share >= MIXED_MIN_SHARE for lang, share in shares[1:])
    logger.debug(
        "language %s (confidence %.3f, mixed=%s) from %d parts", language, confidence, mixed, len(parts)
    )
    return LanguageGuess(language=language, confidence=min(confidence, 1.0), mixed=mixed, shares=shares)
