"""Tests for pipeline.text.language: majority-vote language identification with py3langid."""

from __future__ import annotations

import dataclasses
import time

import pytest

from pipeline.text.language import MIXED_MIN_SHARE, UNDETERMINED, LanguageGuess, detect_language

PARAGRAPH_BREAK = "\n\n"

GERMAN = (
    "Der Automobilzulieferer hat im 3. Quartal deutlich weniger verdient. Der Umsatz sank um 4,5 Prozent "
    "auf 2,1 Mrd. Euro, wie das Unternehmen am Dienstag in Stuttgart mitteilte. Belastet wurde das "
    "Ergebnis u. a. durch hohe Kosten für Energie und Personal."
)
ENGLISH = (
    "The car parts supplier earned significantly less in the third quarter. Revenue fell by 4.5 percent "
    "to 2.1 billion euros, the company said in Stuttgart on Tuesday."
)
FRENCH = (
    "L'équipementier automobile a nettement moins gagné au troisième trimestre. Le chiffre d'affaires a "
    "reculé de 4,5 pour cent, a indiqué l'entreprise mardi à Stuttgart."
)
GERMAN_WITH_ENGLISH_QUOTES = PARAGRAPH_BREAK.join(
    [
        "Microsoft setzt auf eigene KI-Modelle",
        "„We must own the know-how to build the strongest models in the world“, sagte KI-Chef "
        "Mustafa Suleyman am Dienstag in Redmond.",
        "Der Konzern will in diesem Jahr ca. 80 Milliarden Dollar in Rechenzentren investieren. "
        '"This is a marathon, not a sprint", betonte die Finanzchefin. Analysten sehen darin einen '
        "Strategiewechsel, z. B. weg von der engen Bindung an OpenAI.",
        "„Our customers want choice“, hieß es in einer Mitteilung. Die Aktie gab um 1,2 Prozent nach.",
    ]
)
GERMAN_PARAGRAPHS = PARAGRAPH_BREAK.join(
    [
        "Die Bundesregierung hat am Mittwoch ein neues Förderprogramm für kleine und mittlere "
        "Unternehmen beschlossen. Betriebe mit bis zu 250 Mitarbeitern sollen Zuschüsse für die "
        "Digitalisierung erhalten.",
        "Insgesamt stehen dafür in den kommenden drei Jahren 1,2 Milliarden Euro bereit. Anträge können ab "
        "dem 1. Oktober gestellt werden, die Bearbeitung soll höchstens acht Wochen dauern.",
    ]
)
ENGLISH_PARAGRAPHS = PARAGRAPH_BREAK.join(
    [
        "The European Commission approved the scheme on Tuesday after a review of several months. "
        "Officials said the programme complies with state aid rules.",
        "Companies can receive grants of up to 50,000 euros each. Critics argue that the application "
        "process is too complicated for small firms.",
    ]
)


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "de"), (ENGLISH, "en"), (FRENCH, "fr")])
def test_single_language(text: str, language: str) -> None:
    guess = detect_language(text)
    assert guess.language == language
    assert guess.confidence > 0.9
    assert not guess.mixed
    assert guess.shares == ((language, 1.0),)


def test_german_with_english_quotes_stays_german() -> None:
    guess = detect_language(GERMAN_WITH_ENGLISH_QUOTES)
    assert guess.language == "de"
    assert not guess.mixed
    assert guess.shares[0] == ("de", pytest.approx(1.0))


def test_english_with_german_quote_stays_english() -> None:
    text = (
        "The carmaker said on Tuesday that it would cut 2,000 jobs in Germany. „Wir müssen schneller und "
        "günstiger werden, sonst verlieren wir den Anschluss“, the chief executive told reporters."
    )
    assert detect_language(text).language == "en"


@pytest.mark.parametrize(
    ("text", "majority", "minority"),
    [
        (f"{GERMAN_PARAGRAPHS}\n\n{ENGLISH_PARAGRAPHS}", "de", "en"),
        (f"{ENGLISH_PARAGRAPHS}\n\n{GERMAN_PARAGRAPHS}", "de", "en"),
        (f"{ENGLISH_PARAGRAPHS}\n\n{GERMAN_PARAGRAPHS.split(PARAGRAPH_BREAK)[0]}", "en", "de"),
    ],
)
def test_mixed_document_majority_by_length(text: str, majority: str, minority: str) -> None:
    guess = detect_language(text)
    assert guess.mixed
    assert guess.language == majority
    assert [lang for lang, _ in guess.shares] == [majority, minority]
    assert sum(share for _, share in guess.shares) == pytest.approx(1.0)
    assert guess.shares[1][1] >= MIXED_MIN_SHARE
    assert guess.confidence < 0.9  # the minority's letters lower the mean probability of the majority


def test_one_sentence_of_english_in_long_german_is_not_mixed() -> None:
    text = f"{GERMAN_PARAGRAPHS}\n\n{GERMAN}\n\nThe shares rose by 2 percent."
    guess = detect_language(text)
    assert guess.language == "de"
    assert not guess.mixed


def test_long_paragraph_without_blank_lines_is_split_into_parts() -> None:
    text = " ".join([GERMAN_PARAGRAPHS.replace("\n\n", " "), ENGLISH_PARAGRAPHS.replace("\n\n", " ")])
    guess = detect_language(text)
    assert guess.mixed
    assert {lang for lang, _ in guess.shares} == {"de", "en"}


def test_short_headline_counts_little() -> None:
    text = f"Breaking News\n\n{GERMAN}"
    guess = detect_language(text)
    assert guess.language == "de"
    assert not guess.mixed


@pytest.mark.parametrize("text", ["", "   \n\n\t ", "12.000 45,5 % 2024 – 13.00", "1, 2, 3 … 42!"])
def test_no_letters_is_undetermined(text: str) -> None:
    assert detect_language(text) == LanguageGuess(
        language=UNDETERMINED, confidence=0.0, mixed=False, shares=()
    )


def test_text_without_known_features_is_undetermined() -> None:
    # py3langid answers a uniform distribution for "ok": no guess to speak of
    guess = detect_language("ok")
    assert guess.language == UNDETERMINED
    assert guess.confidence == 0.0


def test_very_short_text_still_gets_a_guess() -> None:
    guess = detect_language("Der Umsatz stieg.")
    assert guess.language == "de"
    assert 0.0 < guess.confidence <= 1.0


def test_result_is_frozen() -> None:
    guess = detect_language(GERMAN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        guess.language = "en"  # type: ignore[misc]


def test_fast_on_long_documents() -> None:
    detect_language(GERMAN)  # load the model outside the timing
    text = PARAGRAPH_BREAK.join([GERMAN_WITH_ENGLISH_QUOTES, GERMAN_PARAGRAPHS, GERMAN] * 30)
    assert len(text) > 24_000
    start = time.perf_counter()
    guess = detect_language(text)
    assert time.perf_counter() - start < 0.5
    assert guess.language == "de"
