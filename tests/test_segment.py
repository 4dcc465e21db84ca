"""Segments never exceed the budget and cover the whole document, in order (pure, with a word counter)."""

from __future__ import annotations

import re

import pytest

from pipeline.text.segment import chunk_texts, pack_greedy, plan_segments


def words(texts):
    """A stand-in token counter: one token per word or punctuation mark, plus </s>."""
    return [len(re.findall(r"\w+|[^\w\s]", t)) + 1 for t in texts]


def squash(text: str) -> str:
    return "".join(text.split())


DOC = (
    "Machtpoker um Regierungsaufträge\n\n"
    "Das US-Beschaffungsamt GSA ebnet Microsoft den Weg in die Behörden. Der neue Deal gewährt Bundesbehörden "
    "bis zu 36 Monate lang vergünstigte Zugänge. Die GSA schätzt das Einsparpotenzial auf über sechs Milliarden "
    "Dollar.\n\nNoch bedeutender ist die zweite Ankündigung: Microsoft entwickelt erstmals eigene Modelle."
)
LONG_SENTENCE = ", ".join(f"dass die Firma im Jahr {2000 + i} um {i} Prozent wuchs" for i in range(400)) + "."


@pytest.mark.parametrize("pack", [False, True])
@pytest.mark.parametrize("budget", [8, 12, 30, 512])
@pytest.mark.parametrize("text", [DOC, LONG_SENTENCE, DOC + "\n\n" + LONG_SENTENCE, "x" * 300, "Ein Satz."])
def test_segments_fit_and_cover(text, budget, pack):
    pieces = plan_segments(text, count=words, budget=budget, pack=pack)
    sources = [text[p.start:p.end] for p in pieces]
    assert all(n <= budget for n in words(sources))
    assert squash("".join(sources)) == squash(text)
    assert [p.start for p in pieces] == sorted(p.start for p in pieces)
    assert all(s == s.strip() and s for s in sources)


def test_one_sentence_per_segment_by_default():
    pieces = plan_segments(DOC, count=words, budget=512)
    assert len(pieces) == 5
    assert [p.paragraph for p in pieces] == [0, 1, 1, 1, 2]


def test_packing_joins_sentences_within_a_paragraph_only():
    pieces = plan_segments(DOC, count=words, budget=512, pack=True)
    assert [p.paragraph for p in pieces] == [0, 1, 2]


def test_long_sentence_is_cut_at_clause_boundaries_first():
    pieces = plan_segments(LONG_SENTENCE, count=words, budget=40)
    sources = [LONG_SENTENCE[p.start:p.end] for p in pieces]
    assert len(sources) > 1
    # every cut falls after a comma: each piece but the last ends with one
    assert all(s.endswith(",") for s in sources[:-1])


def test_clause_over_budget_is_cut_at_words():
    clause = " ".join(f"Wort{i}" for i in range(100)) + "."
    pieces = plan_segments(clause, count=words, budget=10)
    sources = [clause[p.start:p.end] for p in pieces]
    assert all(re.fullmatch(r"[\w .]+", s) for s in sources)
    assert all(not s.startswith(" ") for s in sources)
    assert squash(" ".join(sources)) == squash(clause)


def test_budget_must_leave_room_for_text():
    with pytest.raises(ValueError, match="budget"):
        plan_segments(DOC, count=words, budget=1)


def test_empty_document_has_no_segments():
    assert plan_segments(" \n\n ", count=words, budget=10) == []


def test_pack_greedy():
    assert pack_greedy([3, 3, 3, 3], 6) == [range(0, 2), range(2, 4)]
    assert pack_greedy([7, 1, 1], 6) == [range(0, 1), range(1, 3)]
    assert pack_greedy([], 6) == []


def test_chunks_fit_the_budget_and_keep_order():
    sentences = [f"Sentence number {i} is here." for i in range(50)] + ["word " * 80]
    chunks = chunk_texts(sentences, count=words, budget=32)
    assert all(n <= 32 for n in words([" ".join(c) for c in chunks]))
    assert squash("".join(x for c in chunks for x in c)) == squash("".join(sentences))
    assert len(chunks) > 1
