"""Sentence splitting in the languages other than German (pipeline.text.sentences with pipeline.text.rules; pure)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.text.rules import LANGUAGES, rules_for
from pipeline.text.segment import plan_segments
from pipeline.text.sentences import paragraph_spans, sentence_spans, split_sentences
from scripts.compare_splitters import build_text, file_language, load_gold, score

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
GOLD = sorted(DATA.glob("splitter_gold_*.txt"))

# language -> cases; each case lists the expected sentences, the input is them joined with single spaces
CASES: dict[str, list[list[str]]] = {
    "fr": [
        ["M. Dupont et Mme Martin sont arrivés.", "Le Dr Durand aussi."],
        ["MM. Dupont et Durand sont partis.", "Ils reviendront."],
        ["Il existe des aides, p. ex. pour les jeunes.", "Elles sont rares."],
        ["Voir p. 12 et suiv.", "La suite est en ligne."],
        ["Les ONG, dont Oxfam, Greenpeace, etc., protestent."],
        ["Les fruits, les légumes, etc.", "Tout augmente."],
        ["César est mort en 44 av. J.-C. à Rome.", "Auguste lui succède."],
        ["L'art. 2 de la loi est clair.", "Il s'applique dès le 1er janvier."],
        ["Le XXe siècle a changé la ville.", "La 2e guerre mondiale aussi."],
        ["Les prix ont augmenté de 3,5 % en 2024.", "Les salaires de 1 500 euros stagnent."],
        ["La réunion commence à 15 h 30.", "Elle finit à 17 h."],
        ["« Nous avons gagné. »", "C'est ce qu'il a dit."],
        ["« Pourquoi ? » demande-t-il.", "Personne ne répond."],
        ["Qui paiera ?", "L'État, selon le ministre !", "Vraiment ?"],
        ["Il a dit : « Non ! »", "Puis il est parti."],
        ["Rien ne bouge…", "Puis tout s'accélère."],
        ["Le philosophe J.-P. Sartre est né à Paris.", "Il y est mort."],
        ["L'O.N.U. et la société S.O.S. Patrimoine coopèrent."],
        ["Le groupe TotalEnergies S.E. a réagi."],
        ["Elle habite 12 av. Foch.", "Son voisin aussi."],
        ["C’est fini !", "L’histoire continue."],
    ],
    "it": [
        ["Il Sig. Rossi e il Dott. Bianchi sono arrivati.", "La Dott.ssa Conti no."],
        ["L'On. Urso e l'Avv. Salis hanno parlato.", "Il Prof. Ferri ha risposto."],
        ["La Ferrari S.p.A. ha chiuso in utile.", "Il titolo è salito."],
        ["Mele, pere, arance ecc.", "Tutto è più caro."],
        ["Mele, pere ecc. sono più care."],
        ["Vedi pag. 14 e cfr. art. 3 del decreto.", "È tutto lì."],
        ["La casa fu sepolta nel 79 d.C., come Pompei.", "Fu scoperta nel 1748."],
        ["È nato nel 63 a.C. a Roma.", "Morì nel 14 d.C."],
        ["Il 1° marzo è la 2ª volta.", "Poi basta."],
        ["Il titolo sale del 3,5% a 1.000 punti alle ore 15.30.", "Gli analisti sono sorpresi."],
        ["«Non bastano le promesse!»", "Così il segretario."],
        ["Che cosa succederà?", "Nessuno lo sa."],
        ["I sindacati chiedono garanzie... e tempi certi.", "Il governo tace."],
        ["L'azienda cresce.", "Dell'Italia si parla poco."],
    ],
    "es": [
        ["La Sra. Ortega y el Sr. García hablaron.", "El Dr. Ruiz también."],
        ["Lo dijo D. Luis Fernández.", "Dña. Ana asintió."],
        ["Creció en EE. UU. y Asia.", "Las acciones subieron."],
        ["Es así, p. ej. en Madrid.", "También en Sevilla."],
        ["Vive en la calle Mayor, núm. 24.", "Es un piso."],
        ["Según el art. 28 de la Constitución, es legal."],
        ["Iberia, Vueling, etc.", "Ryanair no."],
        ["Los vecinos, los jubilados, etc. entran gratis."],
        ["Fue fundada en el año 25 a. C. por Augusto.", "Creció en el siglo II d. C."],
        ["Es la 2.ª huelga y la 1.ª fue en marzo.", "Quedó 1.º en la liga."],
        ["Subió un 3,5 % hasta 1.000 puntos a las 15.30 horas.", "Los analistas celebran."],
        ["¿Qué explica estos resultados?", "¡La logística!", "Así lo dice el experto."],
        ["«Estamos satisfechos», afirmó.", "«¿Y ahora?»", "Nadie respondió."],
        ["Inditex S.A. cuenta con 5.500 tiendas.", "Zara es la principal."],
    ],
    "en": [
        ["Mr. Smith and Mrs. Jones met Dr. Park.", "They talked."],
        ["Gov. Josh Stein and Sen. Elizabeth Warren spoke.", "Lt. Gen. Mark Davis too."],
        ["The company is Arcadia Systems Inc.", "It makes chips."],
        ["Intel Corp. and Micron Technology Inc. got grants."],
        ["Power went out, according to Duke Energy Corp.", "Gov. Stein declared an emergency."],
        ["The U.S. government acted.", "It worked."],
        ["I live in the U.S.", "How about you?"],
        ["The meeting is at 10 a.m.", "The next one is at 5 p.m. on Friday."],
        ["Schools, e.g. in Raleigh, are closed.", "That is, i.e. all of them."],
        ["Apples, pears, etc.", "Prices rose."],
        ["See No. 5 and Fig. 3 on p. 12.", "They are clear."],
        ["It starts in Jan. 2026 and ends Nov. 18.", "Then it closes."],
        ["Letters by J. R. R. Tolkien were sold.", "Jerome H. Powell spoke."],
        ["Revenue rose 23.5% to $4.2 billion.", "It had 1,500 jobs."],
        ['"Demand is strong."', "That is what she said."],
        ['"We\'ve seen this before...", said Mr. Miller.', "He sold."],
        ["It grew in 2024.", "15 firms joined."],
        ["SAN JOSE, Calif. (Reuters) – Chips sold well."],
        ["Coach Robert Evans Jr. praised them.", "They won."],
    ],
    "nl": [
        ["Volgens dhr. De Vries en mevr. Bakker is het goed.", "Prof. dr. Jansen ook."],
        ["Het bedrijf betaalde o.a. een schikking.", "Er verdwijnen ca. 1.000 banen, d.w.z. 2 procent."],
        ["Bussen, trams enz.", "Alles stond stil."],
        ["Koninklijke Philips N.V. heeft de prognose verhoogd.", "Het aandeel steeg."],
        ["Het 1e kwartaal was goed.", "Het 2de ook."],
    ],
    "pt": [
        ["A Sra. Carioca e o Dr. Almeida falaram.", "O Sr. Moedas também."],
        ["A Galp, S.A. registou lucros.", "As ações subiram 3,5%."],
        ["Petróleo, gás etc.", "Tudo subiu."],
        ["Segundo o art. 5.º do plano, é possível.", "É o 2.º aumento."],
        ["A produção aumentou, p. ex. no Brasil.", "O que explica isto?"],
    ],
}

# Scripts without spaces between sentences, Indic and Arabic full stops (no rules of their own).
OTHER_CASES: list[tuple[str, str, list[str]]] = [
    ("zh", "今天天气很好。我们去公园吧！你来吗？好的", ["今天天气很好。", "我们去公园吧！", "你来吗？", "好的"]),
    ("ja", "「行きます。」と彼は言った。明日です。", ["「行きます。」", "と彼は言った。", "明日です。"]),
    ("hi", "यह एक वाक्य है। यह दूसरा है।", ["यह एक वाक्य है।", "यह दूसरा है।"]),
    ("ar", "هل أنت بخير؟ نعم.", ["هل أنت بخير؟", "نعم."]),
    ("ru", "Это первое предложение. Это второе.", ["Это первое предложение.", "Это второе."]),
]

ALL_CASES = [(language, case) for language, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(("language", "expected"), ALL_CASES, ids=[f"{la}-{c[0][:30]}" for la, c in ALL_CASES])
def test_split_sentences(language: str, expected: list[str]) -> None:
    assert split_sentences(" ".join(expected), language=language) == expected


@pytest.mark.parametrize(("language", "text", "expected"), OTHER_CASES, ids=[c[0] for c in OTHER_CASES])
def test_full_stops_of_other_scripts(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language=language) == expected


def test_language_changes_the_split() -> None:
    french = "« Nous gagnons. » Il part. Les fruits, les légumes, etc. Tout augmente."
    assert split_sentences(french, language="fr") == [
        "« Nous gagnons. »", "Il part.", "Les fruits, les légumes, etc.", "Tout augmente."
    ]
    # the German rules cut before the spaced "»" and know no "etc." in French
    assert split_sentences(french, language="de") == [
        "« Nous gagnons.", "» Il part.", "Les fruits, les légumes, etc.", "Tout augmente."
    ]


@pytest.mark.parametrize("language", ["de", "DE", "xx", "und", "zxx", "", "ru"])
def test_languages_without_rules_are_split_like_german(language: str) -> None:
    assert rules_for(language) is LANGUAGES["de"] or language.lower() == "de"
    text = "Dr. Müller kam am 3. Oktober. Er blieb bis zum 5. Mai. Dann ging er."
    assert split_sentences(text, language=language) == split_sentences(text)


@pytest.mark.parametrize(("code", "language"), [("fr-FR", "fr"), ("pt_BR", "pt"), ("EN", "en"), ("it", "it")])
def test_region_and_case_are_ignored(code: str, language: str) -> None:
    assert rules_for(code) is LANGUAGES[language]


def test_every_rule_set_is_complete() -> None:
    for language, rules in LANGUAGES.items():
        assert rules.language == language
        assert rules.starters and rules.abbreviations and rules.continuation_words
        assert set(rules.abbreviations.values()) <= {"never", "number", "list", "ambiguous"}
        assert all(key.endswith(".") and " " not in key for key in rules.abbreviations), language


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.name)
@pytest.mark.parametrize("headline_newline", [False, True])
def test_gold_boundary_f1(path: Path, headline_newline: bool) -> None:
    text, gold = build_text(load_gold(path), headline_newline=headline_newline)
    scores = score(text, gold, sentence_spans(text, language=file_language(path)))
    # measured 0 errors on every file and variant (python -m scripts.compare_splitters); the margin allows
    # about one boundary error per file before a regression fails
    assert scores.f1 >= 0.97, scores


def _documents() -> list[tuple[str, str]]:
    """(language, text): the gold texts in their language, and every seed in every language's rules."""
    docs = []
    for path in GOLD:
        paragraphs = load_gold(path)
        docs += [(file_language(path), build_text(paragraphs, headline_newline=f)[0]) for f in (False, True)]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        docs += [(language, path.read_text(encoding="utf-8")) for language in LANGUAGES]
    return docs


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """In order, non-overlapping, stripped, inside one paragraph, covering every non-space character."""
    assert "".join("".join(text[a:b] for a, b in spans).split()) == "".join(text.split())
    assert all(a < b and text[a:b] == text[a:b].strip() for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    paragraphs = paragraph_spans(text)
    assert all(any(pa <= a and b <= pb for pa, pb in paragraphs) for a, b in spans)


@pytest.mark.parametrize(("language", "text"), _documents(), ids=lambda x: x[:20])
def test_spans_cover_text_in_order(language: str, text: str) -> None:
    spans = sentence_spans(text, language=language)
    _check_spans(text, spans)
    assert split_sentences(text, language=language) == [text[a:b] for a, b in spans]


FUZZ_PIECES = (
    "Wort", "mot", "Le", "M.", "Mme", "p.", "ex.", "etc.", "ecc.", "S.p.A.", "EE.", "UU.", "a.", "C.", "J.-C.",
    "núm.", "1er", "2.º", "3,5", "1.000", "15", "h", "«", "»", "„", "“", '"', "¿", "¡", "(", ")", ".", "!", "?",
    "…", "...", ":", ";", "-", "•", "l'art.", "Kiel/Nr.", "16./17.", "。", "！", "।", "؟", "你好", " ", " ",
    " ", "\u202f", "\u00a0", "\n", "\n\n", "\t",
)


@pytest.mark.parametrize("language", sorted(LANGUAGES) + ["zh"])
def test_random_text_keeps_every_character(language: str) -> None:
    rng = random.Random(language)
    for _ in range(5):
        text = "".join(rng.choice(FUZZ_PIECES) for _ in range(1500))
        _check_spans(text, sentence_spans(text, language=language))


def words(texts):
    """A stand-in token counter: one token per word or punctuation mark, plus </s>."""
    import re

    return [len(re.findall(r"\w+|[^\w\s]", t)) + 1 for t in texts]


@pytest.mark.parametrize("path", GOLD[:4] + GOLD[-4:], ids=lambda p: p.name)
@pytest.mark.parametrize(("budget", "pack"), [(6, False), (40, True), (512, False)])
def test_segments_of_every_language_fit_and_cover(path: Path, budget: int, pack: bool) -> None:
    text, _ = build_text(load_gold(path), headline_newline=True)
    pieces = plan_segments(text, count=words, budget=budget, pack=pack, language=file_language(path))
    sources = [text[p.start : p.end] for p in pieces]
    assert all(n <= budget for n in words(sources))
    assert "".join("".join(sources).split()) == "".join(text.split())
    assert all(a.end <= b.start for a, b in zip(pieces, pieces[1:], strict=False))
    assert all(s == s.strip() and s for s in sources)


def test_plan_segments_follows_the_language() -> None:
    text = "« Nous gagnons. » Le Dr Martin est arrivé à 15 h 30."
    french = [text[p.start : p.end] for p in plan_segments(text, count=words, budget=512, language="fr")]
    german = [text[p.start : p.end] for p in plan_segments(text, count=words, budget=512)]
    assert french == ["« Nous gagnons. »", "Le Dr Martin est arrivé à 15 h 30."]
    assert german == ["« Nous gagnons.", "» Le Dr Martin est arrivé à 15 h 30."]


def test_modules_do_not_import_torch() -> None:
    code = (
        "import sys, pipeline.text.sentences, pipeline.text.rules, pipeline.text.segment; "
        "sys.exit('torch' in sys.modules or 'transformers' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
