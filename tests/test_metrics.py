"""Known-answer tests for pipeline.quality.metrics (sacreBLEU and rouge-score wrappers)."""

from __future__ import annotations

import dataclasses

import pytest
import sacrebleu
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF

from pipeline.quality.metrics import (
    ROUGE_TYPES,
    SummaryScores,
    TranslationScores,
    sentences_per_line,
    summary_scores,
    translation_scores,
)

TRANSLATION_HYPS = [
    "The company cut 400 jobs worldwide on Thursday.\n\nRevenue rose by 2 percent to 780 million euros.",
    "Farmers harvested less wheat this year because of the rain.",
]
TRANSLATION_REFS = [
    "The company is cutting 400 jobs worldwide, it said on Thursday.\n\n"
    "Revenue rose by only 2 percent to 780 million euros.",
    "Farmers brought in significantly less wheat this year due to the wet weather.",
]

# hypotheses as a model writes them (one paragraph), references one sentence per line
SUMMARY_HYPS = [
    "Datavista is cutting 400 jobs. Revenue grew only 2 percent. It will hire developers for AI.",
    "The wheat harvest fell 8 percent to 2.3 million tonnes. Prices have also fallen.",
]
SUMMARY_REFS = [
    "Darmstadt software company Datavista is cutting 400 jobs worldwide.\n"
    "Revenue grew only 2 percent to 780 million euros.\n"
    "The company plans to hire up to 100 developers.",
    "The wheat harvest in the north fell 8 percent to about 2.3 million tonnes.\n"
    "Producer prices have also fallen.",
]


def test_perfect_translation_scores_100() -> None:
    scores = translation_scores(TRANSLATION_REFS, TRANSLATION_REFS)
    assert scores.bleu == pytest.approx(100.0)
    assert scores.chrf == pytest.approx(100.0)
    assert scores.n == 2


def test_translation_scores_match_sacrebleu() -> None:
    scores = translation_scores(TRANSLATION_HYPS, TRANSLATION_REFS)
    assert scores.bleu == pytest.approx(BLEU().corpus_score(TRANSLATION_HYPS, [TRANSLATION_REFS]).score)
    assert scores.chrf == pytest.approx(CHRF().corpus_score(TRANSLATION_HYPS, [TRANSLATION_REFS]).score)
    # observed with sacrebleu 2.6.0
    assert scores.bleu == pytest.approx(40.46, abs=0.01)
    assert scores.chrf == pytest.approx(61.26, abs=0.01)
    assert scores.n == 2


def test_translation_signatures() -> None:
    scores = translation_scores(TRANSLATION_HYPS, TRANSLATION_REFS)
    for signature in (scores.bleu_signature, scores.chrf_signature):
        assert "nrefs:1" in signature
        assert f"version:{sacrebleu.__version__}" in signature
    assert "tok:13a" in scores.bleu_signature
    assert "nc:6" in scores.chrf_signature


def test_paragraph_breaks_do_not_change_translation_scores() -> None:
    flat_hyps = [" ".join(text.split()) for text in TRANSLATION_HYPS]
    flat_refs = [" ".join(text.split()) for text in TRANSLATION_REFS]
    assert translation_scores(flat_hyps, flat_refs) == translation_scores(TRANSLATION_HYPS, TRANSLATION_REFS)


def test_perfect_summary_scores_100() -> None:
    scores = summary_scores(SUMMARY_REFS, SUMMARY_REFS)
    for rouge_type in ROUGE_TYPES:
        assert getattr(scores, rouge_type) == pytest.approx(100.0)
    assert scores.n == 2


def test_summary_scores_match_rouge_score() -> None:
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    split_hyps = [hyp.replace(". ", ".\n") for hyp in SUMMARY_HYPS]
    direct = [scorer.score(ref, hyp) for hyp, ref in zip(split_hyps, SUMMARY_REFS, strict=True)]
    scores = summary_scores(SUMMARY_HYPS, SUMMARY_REFS)
    for rouge_type in ROUGE_TYPES:
        expected = 100 * sum(result[rouge_type].fmeasure for result in direct) / len(direct)
        assert getattr(scores, rouge_type) == pytest.approx(expected)
    # observed with rouge-score 0.1.2
    assert scores.rouge1 == pytest.approx(70.76, abs=0.01)
    assert scores.rouge2 == pytest.approx(52.85, abs=0.01)
    assert scores.rougeL == pytest.approx(70.76, abs=0.01)
    assert scores.rougeLsum == pytest.approx(70.76, abs=0.01)
    assert scores.n == 2


def test_rouge_lsum_splits_model_sentences() -> None:
    # the same sentences in the other order: LCS over the whole text suffers, summary-level LCS does not
    scores = summary_scores(
        ["Revenue rose 5 percent. The company hired 200 people."],
        ["The company hired 200 people.\nRevenue rose 5 percent."],
    )
    assert scores.rouge1 == pytest.approx(100.0)
    assert scores.rougeLsum == pytest.approx(100.0)
    assert scores.rougeL == pytest.approx(55.56, abs=0.01)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", "One.\nTwo!\nThree?\nFour"),
        ('He said "yes." Then he left.', 'He said "yes."\nThen he left.'),
        ("First line.\n\nSecond line.\n", "First line.\nSecond line."),
        ("Revenue was 1.5 billion euros.", "Revenue was 1.5 billion euros."),
        ("", ""),
    ],
)
def test_sentences_per_line(text: str, expected: str) -> None:
    assert sentences_per_line(text) == expected


@pytest.mark.parametrize("score", [translation_scores, summary_scores])
def test_length_mismatch_names_both_lengths(score) -> None:
    with pytest.raises(ValueError, match=r"3 hypotheses but 2 references"):
        score(["a b c d"] * 3, ["a b c d"] * 2)


@pytest.mark.parametrize("score", [translation_scores, summary_scores])
def test_empty_inputs_rejected(score) -> None:
    with pytest.raises(ValueError, match="empty"):
        score([], [])


def test_results_are_frozen() -> None:
    scores = translation_scores(TRANSLATION_REFS, TRANSLATION_REFS)
    assert isinstance(scores, TranslationScores)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scores.bleu = 0.0  # type: ignore[misc]
    summary = summary_scores(SUMMARY_REFS, SUMMARY_REFS)
    assert isinstance(summary, SummaryScores)
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.rouge1 = 0.0  # type: ignore[misc]
