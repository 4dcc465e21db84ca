"""What the pipeline does with documents that are not German (language.english / language.other)."""

from __future__ import annotations

import pytest

from pipeline.core import Pipeline
from tests.conftest import tiny_config

GERMAN = ("Der Software-Konzern hat am Dienstag seine Prognose angehoben. Der Umsatz stieg im dritten Quartal um "
          "zwölf Prozent auf 7,25 Milliarden Euro, wie das Unternehmen in Walldorf mitteilte.")
ENGLISH = ("The software group raised its forecast on Tuesday. Revenue rose twelve percent in the third quarter "
           "to 7.25 billion euros, the company said in a statement from its headquarters.")
FRENCH = ("Le groupe de logiciels a relevé ses prévisions mardi. Le chiffre d'affaires a augmenté de douze pour "
          "cent au troisième trimestre, a indiqué l'entreprise dans un communiqué.")
GERMAN_WITH_ENGLISH_QUOTES = (
    "Der Konzernchef gab sich in Redmond kämpferisch. „We must have the in-house expertise to build the "
    "strongest models in the world“, sagte er am Dienstag vor Analysten. Die Aktie legte daraufhin deutlich "
    "zu, während die Konkurrenz Verluste verbuchte.")


@pytest.fixture(scope="module")
def pipes(tiny_models, tmp_path_factory):
    def make(**language):
        return Pipeline(tiny_config(tiny_models, tmp_path_factory.mktemp("lang"), short=True, language=language))
    return make


def test_default_routes(tiny_pipeline):
    german, english, french, quoted = tiny_pipeline([GERMAN, ENGLISH, FRENCH, GERMAN_WITH_ENGLISH_QUOTES])
    assert (german.status, german.language) == ("ok", "de")
    assert (english.status, english.language) == ("ok", "en")
    assert english.translation == ENGLISH and english.summary
    assert all(s.translation == s.source for s in english.segments)
    assert any("without translation" in w for w in english.warnings)
    assert (french.status, french.language) == ("skipped", "fr") and "fr" in french.error
    assert (quoted.status, quoted.language) == ("ok", "de")
    assert quoted.translation != GERMAN_WITH_ENGLISH_QUOTES  # translated, not passed through


def test_english_can_be_translated_or_refused(pipes):
    translated = pipes(english="translate")(ENGLISH)
    assert translated.status == "ok" and translated.translation != ENGLISH
    refused = pipes(english="error")(ENGLISH)
    assert refused.status == "error" and "English" in refused.error


def test_other_languages_can_be_translated_anyway_or_refused(pipes):
    anyway = pipes(other="translate")(FRENCH)
    assert anyway.status == "ok" and anyway.language == "fr"
    assert any("translated as German anyway" in w for w in anyway.warnings)
    assert pipes(other="error")(FRENCH).status == "error"


def test_mixed_document_is_decided_by_the_majority_and_recorded(tiny_pipeline):
    mixed = tiny_pipeline(GERMAN + "\n\n" + GERMAN + "\n\n" + ENGLISH)
    assert mixed.language == "de" and mixed.status == "ok"
    assert any("mixed languages" in w for w in mixed.warnings)


def test_too_short_to_tell_is_treated_as_german(tiny_pipeline):
    short = tiny_pipeline("Hallo Welt")
    assert short.status == "ok"
    assert any("uncertain" in w for w in short.warnings)


def test_detection_can_be_switched_off(pipes):
    result = pipes(detect=False)(FRENCH)
    assert result.status == "ok" and result.language is None
