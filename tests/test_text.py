"""Tests for pipeline.text.sentences: German sentence and paragraph splitting (pure, no torch)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.text.sentences import paragraph_spans, sentence_spans, split_sentences
from scripts.compare_splitters import build_text, load_gold, score

DATA = Path(__file__).parent / "data"

# Each case lists the expected sentences; the input is the sentences joined with single spaces.
CASES: list[list[str]] = [
    # ordinals and dates
    ["Die Analyse vom 02. September liefert die Antwort."],
    ["Sie ist der 18. Preisträger.", "Das ist neu."],
    ["Der 1. FC Köln gewann.", "1. FC Köln verlor nie."],
    ["Am 3. Oktober 2025 in Berlin wurde gefeiert."],
    ["Das war im 19. Jahrhundert.", "Heute nicht."],
    ["Köln liegt auf Platz 2.", "Das ist gut."],
    ["Köln ist auf Platz 2. geklettert."],
    ["Zum 3. Mal gewann er.", "Das war sein 2. Sieg."],
    ["Er traf in der 88. Minute zum 2:1."],
    ["Sie stieg in die 2. Bundesliga ab."],
    ["Das gilt seit 2019.", "Experten rechnen damit."],
    ["Er kam am 3. 10. 2025 an."],
    ["Am 02.09.2025 war es so.", "Am 02.09. wurde gewählt."],
    ["Der Umsatz wuchs 2024.", "2025 soll er sinken."],
    ["Die Zahl stieg auf 12.", "Die Polizei ermittelt."],
    ["Bis zum 31. Dez. wird gebaut."],
    ["Ludwig XIV. war König.", "Elisabeth II.", "Die Queen starb."],
    # real news: a range of days, an abbreviation after a slash, English name and rank abbreviations
    ["Die Hafentage (16./17. August) locken viele an.", "Am 16.-17. Mai auch."],
    ["Das war in der Saison 2016/17.", "Dann kam mehr."],
    ["Anmeldung beim Hafenamt (Kiel/Nr. 2) bis Juli."],
    ["Es kam der Reeder Philip Wm. McKinley.", "Er blieb."],
    ["Begrüßt wird er von Lt. Cmdr. Patrick O'Neill.", "Dann spielt die Kapelle."],
    # abbreviations
    ["Das ist z. B. gut.", "Das ist z.B. besser."],
    ["Dr. Müller und Prof. Dr. Keller kamen."],
    ["Er wohnt in Nr. 5 und zahlt ca. 500 Euro."],
    ["Dort waren u. a. Vertreter von Siemens.", "Es kamen u.a. Gäste."],
    ["Dazu zählen Google, Apple u. a.", "Die Liste ist lang."],
    ["Äpfel, Birnen usw.", "Das ist Obst."],
    ["Äpfel, Birnen etc. sind teuer."],
    ["Obst, Gemüse etc.", "Alles wurde teurer."],
    ["Sgt. Pepper und St. Pauli spielten."],
    ["Das kostet 5 Mio. Euro.", "Der Verlust betrug 3 Mio.", "Im Vorjahr waren es 2 Mrd. Dollar."],
    ["Es sind 12 Tsd. Menschen.", "Am 5. Jan. 2025 war es."],
    ["Das regelt Art. 5 Abs. 1 GG.", "Eine neue Art.", "Die Forscher jubeln."],
    ["Vgl. S. 12 des Berichts.", "Ggf. inkl. Steuern, evtl. mehr."],
    ["Das ist neu, d. h. teuer.", "Es betrifft v. a. Kinder."],
    ["Man trinkt i. d. R. Wasser."],
    ["Das Buch (Hrsg. Meier) erschien."],
    ["Die Firma XY GmbH & Co. KG wächst."],
    ["Es profitieren Google, Amazon & Co.", "Die Kleinen gehen leer aus."],
    ["Er kauft Nvidia Corp. und Arm Ltd.", "Die Aktie stieg."],
    ["Mr. Smith und Mrs. Smith kamen.", "No. 5 war dabei."],
    ["Er wohnt in der Hauptstr. 5 in Berlin."],
    ["Dr. med. Hans Müller kam.", "Dipl.-Ing. Meier auch."],
    # numbers, versions, times
    ["Der Preis lag bei 7,25 Euro.", "Es kamen 15.000 Fans."],
    ["Es waren 1.000.000 Euro.", "Um 13.00 Uhr ging es los."],
    ["Der Wert stieg um 3.5 Prozent auf 3,5.", "Die Anleger jubeln."],
    ["Version v2.1 ist da.", "Web 2.0 ist tot."],
    ["Um 9:30 Uhr begann es.", "Tel. 030/1234 anrufen."],
    # initials
    ["Er zitierte J. R. R. Tolkien.", "Angela D. Merkel lachte."],
    ["Angeklagt ist Mustafa S.", "Er schweigt."],
    ["Mustafa S. und Thomas K. schwiegen."],
    ["Hans-J. Müller und K.-H. Rummenigge kamen."],
    # URLs, e-mails, domains
    ["Infos unter www.example.de.", "Oder per Mail an info@firma.de.", "Danke."],
    ["Amazon.com wächst.", "Siehe https://x.de/a.b?c=1.", "Fertig."],
    # quotes
    ["„Wir wachsen.“", "Das sagte er."],
    ["Er sagte „ja“.", "Dann ging er."],
    ["„Wir wachsen“, sagte er.", "„Wir wachsen!“, rief er."],
    ["„Wachsen wir?“ fragte er."],
    ["„Wir wachsen.", "Das Geschäft läuft“, sagte er."],
    ["»Wer die Software kontrolliert, gewinnt«, sagt er.", "»Punkt.«", "Dann ging er."],
    ['"We grow."', "Then he left.", 'Er sagte "nein".'],
    # ellipses, ?!, !!
    ["Er sagte ... und ging.", "Warten ...", "Dann kam er."],
    ["Es ging um Geld…", "Bund und Länder streiten."],
    ["Kaufen oder verkaufen?!", "Hier weiterlesen..."],
    ["Das dauerte vier Jahre!!", "Warum?", "Keiner weiß es."],
    ["Der Kunde hat (!) bezahlt.", "Er sagte: „[...] gut.“"],
    ["iPhone-Verkäufe steigen.", "Gut.", "eBay wächst."],
    # parentheses
    ["Berlin (dpa) – Die Firma wächst."],
    ["Er kam zu spät.", "(Die Bahn streikte.)", "Dann begann es."],
    ["Das Ergebnis (siehe oben.) ist gut."],
    ["Der Gewinn stieg (um 5 Prozent).", "Das freut alle."],
    ["Das wurde gestellt.", "(dpa)"],
    # colons, typos
    ["Der Clou: Der Assistent ist gratis."],
    ["Die Frage ist: Kann Microsoft beide Fronten bedienen?", "Die Partnerschaft wackelt."],
    ["Bzw.Das bleibt."],
]

# Cases whose input is not the sentences joined with spaces (typos, line breaks): (input, expected).
LINE_CASES: list[tuple[str, list[str]]] = [
    # a missing space after the period (typo): split unless abbreviation or domain
    (
        "Die Firma wächst.Das freut alle. Siehe web.De und Amazon.com.",
        ["Die Firma wächst.", "Das freut alle.", "Siehe web.De und Amazon.com."],
    ),
    # headlines, hard wraps, lists, paragraphs
    (
        "Machtpoker um Regierungsaufträge\nDas US-Beschaffungsamt GSA ebnet Microsoft den Weg.",
        ["Machtpoker um Regierungsaufträge", "Das US-Beschaffungsamt GSA ebnet Microsoft den Weg."],
    ),
    (
        "Zulieferer hebt Prognose an\nStuttgart (dpa) – Der Umsatz stieg.",
        ["Zulieferer hebt Prognose an", "Stuttgart (dpa) – Der Umsatz stieg."],
    ),
    (
        "Konkurrenz schläft nicht\nDas Rennen ist eröffnet.",
        ["Konkurrenz schläft nicht", "Das Rennen ist eröffnet."],
    ),
    (
        "Vorteile:\n- billiger\n- schneller\nDas ist gut.",
        ["Vorteile:", "- billiger", "- schneller", "Das ist gut."],
    ),
    (
        "- Punkt eins\n- Punkt zwei",
        ["- Punkt eins", "- Punkt zwei"],
    ),
    (
        "Die Punkte:\n1. Kosten senken\n2. Umsatz steigern",
        ["Die Punkte:", "1. Kosten senken", "2. Umsatz steigern"],
    ),
    ("Der Satz geht\nweiter bis hier.", ["Der Satz geht\nweiter bis hier."]),
    ("Der Weg in die\nBehörden ist frei.", ["Der Weg in die\nBehörden ist frei."]),
    (
        "Das war gut. Die GSA ebnet Microsoft den Weg und\nGoogle den Weg in die Cloud.",
        ["Das war gut.", "Die GSA ebnet Microsoft den Weg und\nGoogle den Weg in die Cloud."],
    ),
    ("Er kam am\n3. Oktober an.", ["Er kam am\n3. Oktober an."]),
    ("Das Ergebnis ist klar\n– und überraschend.", ["Das Ergebnis ist klar\n– und überraschend."]),
    ("Es sagte Mustafa S.\nDer Prozess beginnt.", ["Es sagte Mustafa S.", "Der Prozess beginnt."]),
    (
        "Erster Absatz ohne Punkt\n\nZweiter Absatz, z. B.\n   \nDritter.",
        ["Erster Absatz ohne Punkt", "Zweiter Absatz, z. B.", "Dritter."],
    ),
]

HARD_WRAPPED = """\
Das US-Beschaffungsamt GSA ebnet Microsoft den Weg in die Behörden. Der
neue "OneGov"-Deal gewährt Bundesbehörden bis zu 36 Monate lang Zugänge zu
Microsoft 365, Azure Cloud Services und Dynamics 365. Der Clou: Der KI-Assistent
Copilot wird Regierungskunden in den nächsten zwölf Monaten kostenlos zur
Verfügung gestellt. Die GSA schätzt das Einsparpotenzial auf über sechs
Milliarden Dollar."""


@pytest.mark.parametrize("expected", CASES, ids=[c[0][:40] for c in CASES])
def test_split_sentences(expected: list[str]) -> None:
    assert split_sentences(" ".join(expected)) == expected


@pytest.mark.parametrize(("text", "expected"), LINE_CASES, ids=[c[0][:40] for c in LINE_CASES])
def test_split_sentences_at_line_breaks(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_hard_wrapped_paragraph_is_not_split_at_line_ends() -> None:
    assert [s.replace("\n", " ") for s in split_sentences(HARD_WRAPPED)] == [
        "Das US-Beschaffungsamt GSA ebnet Microsoft den Weg in die Behörden.",
        'Der neue "OneGov"-Deal gewährt Bundesbehörden bis zu 36 Monate lang Zugänge zu Microsoft 365, '
        "Azure Cloud Services und Dynamics 365.",
        "Der Clou: Der KI-Assistent Copilot wird Regierungskunden in den nächsten zwölf Monaten kostenlos "
        "zur Verfügung gestellt.",
        "Die GSA schätzt das Einsparpotenzial auf über sechs Milliarden Dollar.",
    ]


@pytest.mark.parametrize("text", ["", " ", "\n\n \t\n", "\u00a0"])
def test_empty_text(text: str) -> None:
    assert split_sentences(text) == []
    assert sentence_spans(text) == []
    assert paragraph_spans(text) == []


def test_paragraph_spans() -> None:
    text = "  Eins. Zwei.\n \t\nDrei\nvier.\n\n\n\nFünf  \n"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["Eins. Zwei.", "Drei\nvier.", "Fünf"]


def _documents() -> list[str]:
    texts = [" ".join(case) for case in CASES] + [text for text, _ in LINE_CASES] + [HARD_WRAPPED]
    for name in ("splitter_gold.txt", "splitter_heldout.txt"):
        if (DATA / name).exists():
            paragraphs = load_gold(DATA / name)
            texts += [build_text(paragraphs, headline_newline=flag)[0] for flag in (False, True)]
    return texts


@pytest.mark.parametrize("text", _documents(), ids=lambda t: t[:30])
def test_spans_cover_text_in_order(text: str) -> None:
    spans = sentence_spans(text)
    sentences = split_sentences(text)
    assert sentences == [text[a:b] for a, b in spans]
    assert "".join("".join(sentences).split()) == "".join(text.split())
    previous_end = 0
    for (a, b), sentence in zip(spans, sentences, strict=True):
        assert previous_end <= a < b
        assert sentence == sentence.strip() and sentence in text
        assert "\n\n" not in sentence.replace(" ", "")
        previous_end = b
    # a sentence on its own stays whole (line breaks of a hard-wrapped one made spaces: out of context
    # a wrapped line can look like a headline)
    for sentence in sentences:
        single = " ".join(sentence.split())
        assert split_sentences(single) == [single]


FUZZ_PIECES = (
    "Wort", "wort", "Der", "z.", "B.", "3.", "2024.", "Mio.", "usw.", "Dr.", "S.", "„", "“", "»", "«", '"',
    "(", ")", "(dpa)", ".", "!", "?", "?!", "…", "...", ":", ",", "-", "–", "•", "1)", "wächst.Das",
    "www.x.de", "a@b.de", "iPhone", " ", " ", " ", "\n", "\n\n", "\r\n", "\u00a0", "\u2028", "\t",
)


@pytest.mark.parametrize("seed", range(20))
def test_random_text_keeps_every_character(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(FUZZ_PIECES) for _ in range(2000))
    spans = sentence_spans(text)
    assert "".join("".join(text[a:b] for a, b in spans).split()) == "".join(text.split())
    assert all(a < b and text[a:b] == text[a:b].strip() for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    paragraphs = paragraph_spans(text)
    assert all(any(pa <= a and b <= pb for pa, pb in paragraphs) for a, b in spans)


def test_long_single_sentence_stays_whole_and_fast() -> None:
    text = ", ".join(f"dass die Firma {i} Prozent wächst" for i in range(400)) + "."
    start = time.perf_counter()
    assert split_sentences(text) == [text]
    assert time.perf_counter() - start < 0.5


def test_long_document_is_fast() -> None:
    unit = (
        "Der Umsatz stieg am 3. Oktober um 7,25 Prozent auf 1,8 Mrd. Euro, wie z. B. Dr. Müller sagte. "
        "„Wir wachsen.“ Das sagte er … und ging.\nNeue Zahlen\n- Punkt eins\n- Punkt zwei\n\n"
    )
    text = (unit * (24_000 // len(unit) + 1))[:24_000] + ("x" * 2000) + "." * 3000 + " " + "\n" * 3000
    start = time.perf_counter()
    sentences = split_sentences(text)
    assert time.perf_counter() - start < 0.5
    assert len(sentences) > 100


@pytest.mark.parametrize("name", ["splitter_gold.txt", "splitter_heldout.txt"])
@pytest.mark.parametrize("headline_newline", [False, True])
def test_gold_boundary_f1(name: str, headline_newline: bool) -> None:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is missing")
    text, gold = build_text(load_gold(path), headline_newline=headline_newline)
    scores = score(text, gold, sentence_spans(text))
    # measured F1 1.000 on both files and both variants (scripts/compare_splitters.py; SoMaJo 0.914-0.983);
    # the margin allows about three boundary errors per file before a regression fails
    assert scores.f1 >= 0.98, scores


def test_module_does_not_import_torch() -> None:
    code = "import sys, pipeline.text.sentences; sys.exit('torch' in sys.modules or 'transformers' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent).returncode == 0
