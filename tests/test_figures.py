"""Figures read from German and English text, and compared (pipeline/quality/figures.py)."""

from __future__ import annotations

import ast
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.quality import figures
from pipeline.quality.figures import (
    Figure,
    compare_figures,
    english_figures,
    german_figures,
    summary_flags,
    translation_flags,
)

# German segment, English translation: the figures must be judged the same
SAME = [
    ("Der Mindestlohn liegt bei 7,25 US-Dollar.", "The minimum wage is 7.25 US dollars."),
    ("Das Unternehmen hat 15.000 Mitarbeiter.", "The company has 15,000 employees."),
    ("Die Förderung beträgt 2,5 Mio. Euro.", "The funding is 2.5 million euros."),
    ("Die Förderung beträgt 2,5 Mio. Euro.", "The funding is EUR 2,500,000."),
    ("Die Förderung beträgt 2,5 Millionen Euro.", "The funding is €2.5m."),
    ("Die Messe beginnt am 02. September.", "The fair begins on September 2."),
    ("Die Messe beginnt am 02. September.", "The fair begins on 2 September."),
    ("Die Messe beginnt am 2. Sept.", "The fair begins on Sept. 2."),
    ("Die Messe beginnt am 02. September.", "The fair begins on the 2nd of September."),
    ("Die Messe beginnt am 2. September 2025.", "The fair begins on September 2, 2025."),
    ("Die Messe beginnt am 02.09.2025.", "The fair begins on 2 September 2025."),
    ("Die Messe beginnt am 2. September 2025.", "The fair begins on September 2."),
    ("Die Messe beginnt am 2.9.", "The fair begins on September 2."),
    ("Eine 20-Milliarden-Euro-Investition.", "A 20 billion euro investment."),
    ("Der Vertrag läuft 36 Monate.", "The contract runs for 36 months."),
    ("Nach zwölf Monaten.", "After twelve months."),
    ("Nach zwölf Monaten.", "After 12 months."),
    ("Die Schulden betragen 1,5 Billionen Dollar.", "The debt is 1.5 trillion dollars."),
    ("Die Sitzung beginnt um 13.00 Uhr.", "The meeting starts at 1 p.m."),
    ("Die Sitzung beginnt um 13 Uhr.", "The meeting starts at 13:00."),
    ("Die Sitzung beginnt um 13:30 Uhr.", "The meeting starts at 1:30 pm."),
    ("Die Sitzung beginnt um 13.00 Uhr.", "The meeting starts at 13.00."),
    ("Der Laden öffnet um 8 Uhr.", "The shop opens at 8 a.m."),
    ("Microsoft investiert 80 Milliarden Dollar.", "Microsoft is investing $80 billion."),
    ("Microsoft investiert 80 Milliarden Dollar.", "Microsoft is investing $80bn."),
    ("Der Umsatz stieg um 4,5 Milliarden.", "Sales rose by 4.5bn."),
    ("Der Umsatz sank um 3 Mrd. Euro.", "Sales fell by 3 billion euros."),
    ("Der Anteil beträgt 12 Prozent.", "The share is 12 percent."),
    ("Der Anteil beträgt 12 %.", "The share is 12%."),
    ("Der Anteil beträgt zwölf Prozent.", "The share is 12%."),
    ("Die Inflation lag bei 3,1 Prozent.", "Inflation was 3.1 per cent."),
    ("Der Zins stieg um 0,5 Prozentpunkte.", "The rate rose by 0.5 percentage points."),
    ("Die App hat 1.000.000 Nutzer.", "The app has 1,000,000 users."),
    ("Die App hat eine Million Nutzer.", "The app has one million users."),
    ("Die App hat eine Million Nutzer.", "The app has a million users."),
    ("Die App hat eine halbe Million Nutzer.", "The app has half a million users."),
    ("Das kostet 1.500 Euro.", "That costs 1,500 euros."),
    ("Das kostet 2.000 Euro.", "That costs 2000 euros."),
    ("Das kostet 7,25 Dollar.", "That costs $7.25."),
    ("Im Jahr 2025 wuchs der Markt.", "In 2025 the market grew."),
    ("Mitte 2024 begann der Bau.", "Construction began in mid-2024."),
    ("Seit den 1990er-Jahren.", "Since the 1990s."),
    ("Er ist der 18. Preisträger.", "He is the 18th laureate."),
    ("Zwei Produkte wurden vorgestellt.", "Two products were presented."),
    ("Das dauert drei Jahre.", "That takes three years."),
    ("In zwanzig Ländern.", "In twenty countries."),
    ("Hundert Mitarbeiter wurden entlassen.", "A hundred employees were laid off."),
    ("Tausend Mitarbeiter wurden entlassen.", "One thousand employees were laid off."),
    ("Ein Dutzend Firmen.", "A dozen companies."),
    ("Zwei Dutzend Firmen.", "Two dozen companies."),
    ("Vor fünfundzwanzig Jahren.", "Twenty-five years ago."),
    ("Nach zweieinhalb Jahren.", "After two and a half years."),
    ("Eine dreijährige Laufzeit.", "A three-year term."),
    ("Ein Unternehmen kaufte eine Firma.", "A company bought one firm."),
    ("Das Modell MAI-1 ist neu.", "The MAI-1 model is new."),
    ("Das Web 2.0 ist alt.", "Web 2.0 is old."),
    ("Microsoft 365 wird teurer.", "Microsoft 365 is getting more expensive."),
    ("Nvidia verkauft H100-Chips.", "Nvidia sells H100 chips."),
    ("Die G7-Staaten tagen.", "The G7 states are meeting."),
    ("Es gibt 15.000 Stellen an 15 Standorten.", "There are 15 sites with 15,000 jobs."),
    ("Die Firma wurde 1848 gegründet.", "The company was founded in 1848."),
    ("Keine Zahl hier.", "No figure here."),
    ("Der Anteil sank um ein Prozent.", "The share fell by one percent."),
    ("Im dritten Quartal.", "In the third quarter."),
    ("Im 3. Quartal.", "In the third quarter."),
    ("Der zweitgrößte Autobauer.", "The second-largest carmaker."),
    ("Die Covid-19-Pandemie.", "The COVID-19 pandemic."),
    ("Windows 11 und iOS 18.2.", "Windows 11 and iOS 18.2."),
    (
        "Der Umsatz stieg im dritten Quartal um 16 Prozent auf 65,6 Milliarden Dollar.",
        "Revenue rose 16 percent to $65.6 billion in the third quarter.",
    ),
    (
        "Die Hauptversammlung findet am 15.05.2025 um 10:00 Uhr statt.",
        "The Annual General Meeting will take place on 15 May 2025 at 10:00 a.m.",
    ),
    (
        "Die Aktie fiel am 3. März um 2,3 % auf 412,50 Euro.",
        "The share fell 2.3% to EUR 412.50 on March 3.",
    ),
]

# German segment, English translation: a figure was lost, changed or invented and must be flagged
FLAGGED = [
    ("Der Preis ist 7,25 Dollar.", "The price is 7.52 dollars."),
    ("Das Unternehmen hat 15.000 Mitarbeiter.", "The company has 15 employees."),
    ("Das Unternehmen hat 15.000 Mitarbeiter.", "The company has 1,500 employees."),
    ("Das kostet 1.000 Euro.", "That costs 1.000 euros."),  # English 1.000 is one
    ("Die Förderung beträgt 2,5 Mio. Euro.", "The funding is 2.5 billion euros."),
    ("Die Schulden betragen 1,5 Billionen Dollar.", "The debt is 1.5 billion dollars."),  # false friend
    ("Der Umsatz lag bei 6 Milliarden.", "Sales were 6 million."),
    ("Microsoft investiert 80 Milliarden Dollar.", "Microsoft is investing $8 billion."),
    ("Microsoft investiert 80 Milliarden Dollar.", "Microsoft is investing $80 million."),
    ("Der Umsatz sank um 3 Mrd. Euro.", "Sales fell by 3 trillion euros."),
    ("Die App hat eine Million Nutzer.", "The app has a billion users."),
    ("Die App hat 1,5 Millionen Nutzer.", "The app has 15 million users."),
    ("Der Preis ist 7,25 US-Dollar.", "The price is 725 US dollars."),
    ("Die Messe beginnt am 02. September.", "The fair begins on September 20."),
    ("Die Messe beginnt am 2. September 2025.", "The fair begins on September 2, 2024."),
    ("Die Messe beginnt am 02.09.2025.", "The fair begins on 9 February 2025."),  # day and month swapped
    ("Der Vertrag läuft 36 Monate.", "The contract runs for 3 years."),  # same time, other figure
    ("Nach zwölf Monaten.", "After two months."),
    ("Zwei Produkte wurden vorgestellt.", "Three products were presented."),
    ("Tausend Mitarbeiter.", "Ten thousand employees."),
    ("Hundert Mitarbeiter.", "A thousand employees."),
    ("Der Anteil beträgt 12 Prozent.", "The share is 21 percent."),
    ("Der Anteil beträgt 12 Prozent.", "The share is 12."),  # a percentage is not a count
    ("Der Zins stieg um 0,5 Prozentpunkte.", "The rate rose by 5 percentage points."),
    ("Die Sitzung beginnt um 13.00 Uhr.", "The meeting starts at 3 p.m."),
    ("Die Sitzung beginnt um 13 Uhr.", "The meeting starts at 1 a.m."),
    ("Er ist der 18. Preisträger.", "He is the 19th laureate."),
    ("Im Jahr 2025 wuchs der Markt.", "In 2024 the market grew."),
    ("Nvidia verkauft H100-Chips.", "Nvidia sells H200 chips."),
    ("Es gibt 15 Standorte und 300 Mitarbeiter.", "There are 15 sites and staff."),  # dropped
    ("Der Umsatz stieg.", "Sales rose 5 percent."),  # invented
    ("15 Filialen und 15 Lager.", "15 branches and warehouses."),  # two 15s need two
    ("Die Messe beginnt am 2. September.", "The fair begins on 2 October."),
    ("Im dritten Quartal.", "In the fourth quarter."),
    ("Der Anteil sank um ein Prozent.", "The share fell by two percent."),
]


@pytest.mark.parametrize(("german", "english"), SAME)
def test_same_figures_are_not_flagged(german: str, english: str) -> None:
    result = translation_flags(german, english)
    assert result.ok, (result.missing, result.extra)


@pytest.mark.parametrize(("german", "english"), FLAGGED)
def test_lost_changed_or_invented_figures_are_flagged(german: str, english: str) -> None:
    result = translation_flags(german, english)
    assert not result.ok


@pytest.mark.parametrize(
    ("text", "kind", "value", "span"),
    [
        ("7,25 US-Dollar", "number", "7.25", "7,25"),
        ("15.000 Mitarbeiter", "number", "15000", "15.000"),
        ("2,5 Mio. Euro", "number", "2500000", "2,5 Mio."),
        ("80 Milliarden Dollar", "number", "80000000000", "80 Milliarden"),
        ("1,5 Billionen", "number", "1500000000000", "1,5 Billionen"),
        ("eine 20-Milliarden-Euro-Investition", "number", "20000000000", "20-Milliarden"),
        ("am 02. September", "date", "--09-02", "02. September"),
        ("am 2. September 2025", "date", "2025-09-02", "2. September 2025"),
        ("am 02.09.2025", "date", "2025-09-02", "02.09.2025"),
        ("um 13.00 Uhr", "time", "13:00", "13.00 Uhr"),
        ("12 Prozent", "percent", "12", "12 Prozent"),
        ("im Jahr 2025", "year", "2025", "2025"),
        ("der 18. Preisträger", "ordinal", "18", "18."),
        ("nach zwölf Monaten", "number", "12", "zwölf"),
        ("einundzwanzig", "number", "21", "einundzwanzig"),
        ("zweihundertfünfzig", "number", "250", "zweihundertfünfzig"),
        ("dreitausend", "number", "3000", "dreitausend"),
        ("anderthalb Millionen", "number", "1500000", "anderthalb Millionen"),
        ("Web 2.0", "number", "2", "2.0"),
        ("1,5 Bio. Euro", "number", "1500000000000", "1,5 Bio."),
        ("Version 1.2.3", "token", "1.2.3", "1.2.3"),
        ("H100", "token", "h100", "H100"),
    ],
)
def test_german_reader(text: str, kind: str, value: str, span: str) -> None:
    assert [(f.kind, f.value, f.text) for f in german_figures(text)] == [(kind, value, span)]


@pytest.mark.parametrize(
    ("text", "kind", "value", "span"),
    [
        ("7.25 US dollars", "number", "7.25", "7.25"),
        ("15,000 employees", "number", "15000", "15,000"),
        ("1.000 euros", "number", "1", "1.000"),
        ("2.5 million", "number", "2500000", "2.5 million"),
        ("$80bn", "number", "80000000000", "80bn"),
        ("1.5 trillion", "number", "1500000000000", "1.5 trillion"),
        ("on September 2", "date", "--09-02", "September 2"),
        ("on the 2nd of September", "date", "--09-02", "2nd of September"),
        ("Sept. 2, 2025", "date", "2025-09-02", "Sept. 2, 2025"),
        ("at 1 p.m.", "time", "13:00", "1 p.m."),
        ("at 12 a.m.", "time", "00:00", "12 a.m."),
        ("at 1pm", "time", "13:00", "1pm"),
        ("12 percent", "percent", "12", "12 percent"),
        ("the 18th", "ordinal", "18", "18th"),
        ("twelve months", "number", "12", "twelve"),
        ("twenty-five", "number", "25", "twenty-five"),
        ("a dozen", "number", "12", "a dozen"),
        ("two hundred thousand", "number", "200000", "two hundred thousand"),
        ("in May 2025", "year", "2025", "2025"),
    ],
)
def test_english_reader(text: str, kind: str, value: str, span: str) -> None:
    assert [(f.kind, f.value, f.text) for f in english_figures(text)] == [(kind, value, span)]


@pytest.mark.parametrize(
    "text",
    [
        "Ein Unternehmen",
        "eine Firma",
        "einen Vertrag",
        "einem Kunden",
        "einer Bank",
        "eines Tages",
        "Tausende",
        "Millionen Menschen",
        "die Hälfte",
        "ein Drittel",
        "im ersten Halbjahr",
        "erstmals",
        "zweitens",
        "darauf achten",
        "Zweifel",
        "Bio-Läden",
    ],
)
def test_german_articles_plurals_and_fractions_are_not_figures(text: str) -> None:
    assert german_figures(text) == []


@pytest.mark.parametrize(
    "text",
    ["a company", "one of them", "an offer", "thousands", "millions of people", "twenty-first century",
     "half of them", "in the first half", "a quarter", "dozens"],
)  # fmt: skip
def test_english_articles_plurals_and_fractions_are_not_figures(text: str) -> None:
    assert english_figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "MAI-1", "Web 2.0", "Microsoft 365", "iOS 18.2", "H100", "COVID-19", "B2B", "A380", "5G", "G7", "Q3",
        "FY2025", "2024/25", "737-800", "+49 30 1234567", "192.168.0.1", "v2.1.0", "24/7", "3:1", "GPT-4o",
        "ISBN 978-3-16-148410-0", "7,25", "12 %", "2025-09-02", "02.09.2025", "13:00", "€5m", "1990s",
        "1\u00a0000\u00a0000", "1" * 40,
    ],
)  # fmt: skip
def test_identical_tokens_match_themselves_across_languages(text: str) -> None:
    assert translation_flags(text, text).ok


def test_spans_and_numbers() -> None:
    text = "Am 2. September 2025 um 13.00 Uhr: 2,5 Mio. Euro, 12 % mehr, H100, 1.2.3."
    found = german_figures(text)
    assert [f.kind for f in found] == ["date", "time", "number", "percent", "token", "token"]
    for figure in found:
        assert text[figure.start : figure.end] == figure.text
    assert found[2].number == Decimal(2_500_000)
    assert found[3].number == Decimal(12)
    assert found[0].number is None
    assert {f.kind for f in found} <= set(figures.FIGURE_KINDS)


def test_compare_reports_missing_extra_and_matched() -> None:
    result = translation_flags(
        "15 Filialen, 7,25 Euro und 300 Mitarbeiter.", "15 branches, 7.52 euros, staff."
    )
    assert [f.text for f in result.missing] == ["7,25", "300"]
    assert [f.text for f in result.extra] == ["7.52"]
    assert [(s.text, t.text) for s, t in result.matched] == [("15", "15")]


def test_compare_is_a_multiset_match() -> None:
    source = german_figures("15 und 15 und 15")
    target = english_figures("15 and 15")
    result = compare_figures(source, target)
    assert len(result.matched) == 2 and len(result.missing) == 1 and not result.extra
    result = compare_figures(target, source)
    assert len(result.extra) == 1 and not result.missing


def test_dates_without_year_match_any_year_but_years_must_agree() -> None:
    assert translation_flags("am 2. September", "on September 2, 2025").ok
    assert not translation_flags("am 2. September 2024", "on September 2, 2025").ok


def test_summary_flags_only_invented_figures() -> None:
    translation = "Microsoft is investing $80 billion over 36 months and will hire 15,000 people."
    assert summary_flags(translation, "Microsoft invests $80 billion.") == ()  # dropping figures is fine
    flagged = summary_flags(translation, "Microsoft invests $90 billion and hires 15,000 people in 2026.")
    assert [f.text for f in flagged] == ["90 billion", "2026"]


def test_summary_repeating_figures_in_another_format_is_not_flagged() -> None:
    translation = (
        "On September 2, the company said it will invest 80 billion dollars, hire twelve engineers, "
        "start at 1 p.m. and raise prices by 12 percent; 2.5 million users are affected."
    )
    summary = (
        "On Sept. 2 the firm pledged $80bn, 12 engineers and a 12% price rise from 13:00; "
        "2,500,000 users are affected. The $80bn plan affects 2.5m users."
    )
    assert summary_flags(translation, summary) == ()


def test_summary_repeating_a_figure_twice_is_not_flagged() -> None:
    assert summary_flags("Sales rose 5 percent.", "Sales rose 5 percent, a 5 percent rise.") == ()


def _junk(seed: int, size: int) -> str:
    rng = random.Random(seed)
    alphabet = "0123456789.,:;-%$€ /abcdeMioMrdUhrpmSeptember Prozent percent eine a million Milliarden\n"
    return "".join(rng.choice(alphabet) for _ in range(size))


@pytest.mark.parametrize(
    "text",
    [
        "9" * 24_000,
        "1." * 12_000,
        "1," * 12_000,
        "1.000," * 4_000,
        "12:" * 8_000,
        "a " * 12_000,
        "eine " * 4_800,
        "2. September " * 1_800,
        "-" * 24_000,
        "",
        "...,,,:::",
        _junk(0, 24_000),
        _junk(1, 24_000),
    ],
)
def test_junk_input_does_not_crash_and_is_fast(text: str) -> None:
    started = time.perf_counter()
    german = german_figures(text)
    english = english_figures(text)
    compare_figures(german, english)
    summary_flags(text, text)
    assert time.perf_counter() - started < 5.0
    for figure in [*german, *english]:
        assert isinstance(figure, Figure)
        assert text[figure.start : figure.end] == figure.text


def test_realistic_text_of_24000_characters_is_fast() -> None:
    paragraph = (
        "Microsoft investiert bis 2028 rund 80 Milliarden Dollar, am 02. September um 13.00 Uhr stellte "
        "das Unternehmen 15.000 neue Stellen und ein Wachstum von 12 Prozent vor; zwölf Monate später "
        "sollen 2,5 Mio. Kunden das Modell MAI-1 nutzen. "
    )
    text = (paragraph * (24_000 // len(paragraph) + 1))[:24_000]
    started = time.perf_counter()
    found = german_figures(text)
    translation_flags(text, text)
    assert time.perf_counter() - started < 2.0
    assert len(found) > 100


def test_module_uses_the_standard_library_only() -> None:
    tree = ast.parse(Path(figures.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
