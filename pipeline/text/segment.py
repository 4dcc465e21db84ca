"""Cut a document into model-sized segments without losing a character (pure text logic, no torch).

Paragraphs → sentences (``pipeline.text.sentences``, with the document language's rules) → segments. A segment never
exceeds the model's input budget: a sentence over it is cut at clause boundaries (``,`` ``;`` ``:`` dashes), a
clause over it at word boundaries, and a "word" over it (a URL, a run without spaces) at character positions.
Token counts come from a callable so that the real tokenizer decides, and the budget is read from the model,
never fixed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pipeline.text.sentences import paragraph_spans, sentence_spans

# Counts tokens of each text, special tokens (e.g. the closing </s>) included.
TokenCounter = Callable[[Sequence[str]], list[int]]

T = TypeVar("T")

_CLAUSE_END = re.compile(r"[,;:]\s+|\s+[–—-]\s+")
_WORD_END = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    # character offsets into the document; text[start:end] is the segment's source
    start: int
    end: int
    # index of the paragraph the piece belongs to
    paragraph: int


def pack_greedy(costs: Sequence[int], budget: int) -> list[range]:
    """Greedy packer: consecutive units are put together while their summed cost stays within ``budget``.

    A unit whose own cost exceeds the budget becomes a group of its own (the caller must cut it first).
    """
    groups: list[range] = []
    start, total = 0, 0
    for i, cost in enumerate(costs):
        if i > start and total + cost > budget:
            groups.append(range(start, i))
            start, total = i, 0
        total += cost
    if costs:
        groups.append(range(start, len(costs)))
    return groups


def split_until_fits(members: Sequence[T], fits: Callable[[Sequence[T]], bool]) -> list[list[T]]:
    """Halve a packed group until every part fits (tokenizing joined text can cost more than its parts).

    A single member is returned as is, fitting or not; the caller cuts it further.
    """
    if len(members) <= 1 or fits(members):
        return [list(members)]
    half = len(members) // 2
    return split_until_fits(members[:half], fits) + split_until_fits(members[half:], fits)


def _cut_points(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` cut after each match of ``pattern`` (the separator stays with the left part)."""
    spans, start = [], 0
    for m in pattern.finditer(text):
        if m.end() < len(text):
            spans.append((start, m.end()))
            start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    return start + lead, end - trail


def fit_spans(
    text: str, start: int, end: int, *, count: TokenCounter, budget: int, overhead: int, level: int = 0
) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into consecutive spans each within ``budget`` tokens.

    Levels: clause boundaries, then word boundaries, then characters (so it always terminates).
    """
    chunk = text[start:end]
    if level >= 2:
        return _fit_chars(text, start, end, count=count, budget=budget)
    pattern = _CLAUSE_END if level == 0 else _WORD_END
    units = [(start + a, start + b) for a, b in _cut_points(chunk, pattern)]
    if len(units) <= 1:
        return fit_spans(text, start, end, count=count, budget=budget, overhead=overhead, level=level + 1)
    counts = count([text[a:b].strip() for a, b in units])

    def span(members: Sequence[tuple[int, int]]) -> tuple[int, int]:
        return _strip(text, members[0][0], members[-1][1])

    out: list[tuple[int, int]] = []
    for group in pack_greedy([max(c - overhead, 1) for c in counts], budget - overhead):
        for members in split_until_fits(units[group.start:group.stop],
                                        lambda m: count([text[slice(*span(m))]])[0] <= budget):
            a, b = span(members)
            if len(members) == 1 and count([text[a:b]])[0] > budget:
                out.extend(fit_spans(text, a, b, count=count, budget=budget, overhead=overhead, level=level + 1))
            else:
                out.append((a, b))
    return out


def _fit_chars(text: str, start: int, end: int, *, count: TokenCounter, budget: int) -> list[tuple[int, int]]:
    """Last resort for a run without spaces: the longest prefixes that fit, found by bisection."""
    out = []
    while start < end:
        lo, hi = start + 1, end
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count([text[start:mid]])[0] <= budget:
                lo = mid
            else:
                hi = mid - 1
        out.append((start, lo))
        start = lo
    return out


def document_sentences(text: str, *, language: str = "de") -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of every sentence of ``text``, in order.

    ``language`` is the document's ISO 639-1 code (``pipeline.text.language``); it picks the splitter's rules
    (``pipeline.text.rules``; a language without rules of its own is split like German).
    """
    sentences = []
    for p, (pa, pb) in enumerate(paragraph_spans(text)):
        for sa, sb in sentence_spans(text[pa:pb], language=language):
            sentences.append((pa + sa, pa + sb, p))
    return sentences


def plan_segments(
    text: str, *, count: TokenCounter, budget: int, pack: bool = False, language: str = "de"
) -> list[Piece]:
    """Plan the segments of ``text``: one sentence each (or packed sentences when ``pack``), all within budget.

    The pieces cover every non-whitespace character of ``text``, in order. ``language`` (ISO 639-1) picks
    the sentence splitter's rules, see :func:`document_sentences`.
    """
    overhead = count([""])[0]
    if budget <= overhead:
        raise ValueError(f"token budget {budget} leaves no room for text (the model adds {overhead} tokens)")
    sentences = document_sentences(text, language=language)
    if not sentences:
        return []
    counts = count([text[a:b] for a, b, _ in sentences])
    fitted: list[tuple[int, int, int, int]] = []  # start, end, paragraph, tokens
    for (a, b, p), n in zip(sentences, counts, strict=True):
        if n <= budget:
            fitted.append((a, b, p, n))
        else:
            spans = fit_spans(text, a, b, count=count, budget=budget, overhead=overhead)
            for (x, y), m in zip(spans, count([text[x:y] for x, y in spans]), strict=True):
                fitted.append((x, y, p, m))
    if not pack:
        return [Piece(a, b, p) for a, b, p, _ in fitted]
    pieces: list[Piece] = []
    by_paragraph: dict[int, list[tuple[int, int, int, int]]] = {}
    for item in fitted:
        by_paragraph.setdefault(item[2], []).append(item)
    for p, items in by_paragraph.items():
        for group in pack_greedy([n - overhead for *_, n in items], budget - overhead):
            fitting = split_until_fits(items[group.start:group.stop],
                                       lambda m: count([text[m[0][0]:m[-1][1]]])[0] <= budget)
            pieces.extend(Piece(m[0][0], m[-1][1], p) for m in fitting)
    return pieces


def chunk_texts(texts: Sequence[str], *, count: TokenCounter, budget: int) -> list[list[str]]:
    """Group consecutive texts (e.g. translated sentences) into chunks within ``budget`` tokens.

    A text that alone exceeds the budget is cut at clause/word boundaries first. Joined with spaces,
    each chunk fits the budget.
    """
    overhead = count([""])[0]
    units: list[str] = []
    for text, n in zip(texts, count(list(texts)), strict=True):
        if n <= budget:
            units.append(text)
        else:
            units.extend(text[a:b] for a, b in fit_spans(text, 0, len(text), count=count, budget=budget,
                                                         overhead=overhead))
    unit_counts = count(units) if units else []
    chunks: list[list[str]] = []
    for group in pack_greedy([max(n - overhead, 1) for n in unit_counts], budget - overhead):
        chunks.extend(split_until_fits(units[group.start:group.stop],
                                       lambda m: count([" ".join(m)])[0] <= budget))
    return chunks
