"""Scoring helpers for evaluation: corpus BLEU and chrF (sacreBLEU) and ROUGE F-measures (rouge-score).

Pure functions over strings; no torch import. Scores are on a 0–100 scale.

Translation is scored at the document level: each hypothesis is one document's full translation and
is compared with that document's full reference translation. The texts are passed to sacreBLEU as
they are; its default 13a tokenizer turns newlines into spaces and chrF ignores whitespace, so
paragraph breaks do not matter.

Summaries are scored with ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum (Porter stemming), each
document's F-measure averaged over documents. ROUGE-Lsum needs one sentence per line; both
hypotheses and references are brought into that form the same way (see ``sentences_per_line``):
existing line breaks are kept as sentence boundaries, and each line is further split into sentences by the
product's own splitter (English rules). References already written one sentence per line pass through
unchanged; model summaries, which usually come as one paragraph, get one sentence per line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF

from pipeline.text.sentences import split_sentences

logger = logging.getLogger(__name__)

# the ROUGE variants reported, in rouge-score's names
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@dataclass(frozen=True)
class TranslationScores:
    """Corpus-level translation scores of a set of documents."""

    # corpus BLEU (sacreBLEU defaults: 13a tokenization, exponential smoothing), 0–100
    bleu: float
    # corpus chrF (sacreBLEU defaults: character 6-grams, beta 2), 0–100
    chrf: float
    # sacreBLEU's BLEU signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
    bleu_signature: str
    # sacreBLEU's chrF signature, e.g. "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0"
    chrf_signature: str
    # number of documents scored
    n: int


@dataclass(frozen=True)
class SummaryScores:
    """ROUGE F-measures (×100) averaged over documents."""

    # unigram overlap
    rouge1: float
    # bigram overlap
    rouge2: float
    # longest common subsequence over the whole summary
    rougeL: float
    # summary-level LCS over sentences, one sentence per line
    rougeLsum: float
    # number of documents scored
    n: int


def _check_pairs(hypotheses: Sequence[str], references: Sequence[str]) -> None:
    """Raise ValueError unless there is at least one hypothesis and exactly one reference for each."""
    if len(hypotheses) != len(references):
        raise ValueError(
            f"got {len(hypotheses)} hypotheses but {len(references)} references; expected one reference each"
        )
    if not hypotheses:
        raise ValueError("nothing to score: hypotheses and references are empty")


def translation_scores(hypotheses: Sequence[str], references: Sequence[str]) -> TranslationScores:
    """Score document translations with sacreBLEU's corpus-level BLEU and chrF (one reference each).

    Args:
        hypotheses: one full translation per document.
        references: the reference translation of each document, in the same order.

    Returns:
        BLEU and chrF on a 0–100 scale with their sacreBLEU signatures and the number of documents.

    Raises:
        ValueError: if the lists are empty or differ in length.
    """
    _check_pairs(hypotheses, references)
    hyps, refs = list(hypotheses), [list(references)]
    bleu, chrf = BLEU(), CHRF()
    bleu_score = bleu.corpus_score(hyps, refs)
    chrf_score = chrf.corpus_score(hyps, refs)
    logger.debug("BLEU %.2f, chrF %.2f over %d documents", bleu_score.score, chrf_score.score, len(hyps))
    return TranslationScores(
        bleu=float(bleu_score.score),
        chrf=float(chrf_score.score),
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
        n=len(hyps),
    )


def sentences_per_line(text: str) -> str:
    """Put each sentence of an English text on its own line, as ROUGE-Lsum expects.

    Existing line breaks are kept as boundaries (blank lines dropped); within a line, sentences are those of
    the product's splitter with the English rules (:func:`pipeline.text.sentences.split_sentences`), so
    "Dr. Smith" or "3.5%" do not end a sentence.
    """
    sentences = (
        sentence.strip() for line in text.splitlines() for sentence in split_sentences(line, language="en")
    )
    return "\n".join(sentence for sentence in sentences if sentence)


def summary_scores(hypotheses: Sequence[str], references: Sequence[str]) -> SummaryScores:
    """Score summaries with ROUGE-1/2/L/Lsum F-measures (Porter stemming), averaged over documents.

    Both sides are passed through ``sentences_per_line`` first, which only matters for ROUGE-Lsum.

    Args:
        hypotheses: one generated summary per document.
        references: the reference summary of each document, in the same order.

    Returns:
        The mean F-measure of each ROUGE variant, ×100, and the number of documents.

    Raises:
        ValueError: if the lists are empty or differ in length.
    """
    _check_pairs(hypotheses, references)
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for hypothesis, reference in zip(hypotheses, references, strict=True):
        scores = scorer.score(sentences_per_line(reference), sentences_per_line(hypothesis))
        for rouge_type in ROUGE_TYPES:
            totals[rouge_type] += scores[rouge_type].fmeasure
    n = len(hypotheses)
    means = {rouge_type: 100.0 * total / n for rouge_type, total in totals.items()}
    logger.debug("ROUGE over %d documents: %s", n, means)
    return SummaryScores(**means, n=n)
