"""Figures (numbers, amounts, percentages, dates, times) read from German and English text, and compared.

Translation and summarization models can drop figures or invent them. This module reads the figures of a
German source and of its English translation (or of an English summary) into `Figure` values that compare
across languages: `2,5 Mio.`, `2.5 million` and `2,500,000` all read as the number 2500000, `am 02.
September` and `on September 2` as the date `--09-02`, `13.00 Uhr` and `1 p.m.` as the time `13:00`.
Pure standard library; no model, no torch.

Choices made where the text is ambiguous (each reader is strict about its own language first):

- Separators. German: `15.000` and `1.000.000` are thousands (a dot followed by groups of exactly three
  digits), `7,25` is a decimal; a single dot followed by anything but three digits is a decimal too
  (`Web 2.0`, `GPT-3.5`), and `1,000,000` (several comma groups) is read the English way. English:
  `15,000` is fifteen thousand, `1.000` is one; a comma not followed by exactly three digits (`7,25`) and
  several dot groups (`1.000.000`) are read the German way, since an English translation often copies
  German figures. Anything else (`1.2.3`, `192.168.0.1`, more than 24 digits) is a `token` compared by
  its exact text.
- Scale words are folded into the value: German `Billion` is 10**12 (English `trillion`), `Milliarde`
  10**9 (English `billion`). `Bio.` and `Mill.` count only with their dot (`Bio-Läden` is organic).
  English `k`, `M` and `b` glued to a number count only after a currency sign (`$80k`, `€5M`); a
  lowercase glued `m` is always a million (`2.5m users`; `3M` is a company, `100m` rarely a distance in
  business news); `bn`, `mn`, `tn` always. Currency and unit words are not part of the value.
- Articles are not figures: German `ein`/`eine`/... and English `a`/`an`/`one` read as 1 only before a
  scale word (`eine Million`, `a dozen`, `one billion`) or as `one and a half`. Bare `hundert`/`tausend`
  and `hundred`/`thousand` are 100 and 1000. Plurals (`Tausende`, `Millionen` without a number,
  `dozens`) are vague and not read.
- Fractions: `Hälfte`, `Drittel`, `half`, `quarter` are not read (`erste Jahreshälfte`/`first half`,
  `Quartal`/`quarter` are periods, not figures); only `eine halbe Million`/`half a million`,
  `zweieinhalb`/`two and a half` and `anderthalb` are.
- Ordinals are compared as numbers: German `18.` before a word is an ordinal, but a cardinal at the end
  of a sentence looks the same, so `ordinal`, `year` and `number` all compare by value. Ordinal words
  second to twelfth are read (`dritten Quartal`, `3. Quartal`, `third quarter`, `zweitgrößte`,
  `second-largest`), but not `first`/`erste` (too often `first, ...`, `at first`, `zunächst`,
  `erstmals`), so `1. Halbjahr`/`first half` is flagged; nor `eighth`/`achte` (`achten` is a verb).
- German number words are read with their compounds (`fünfundzwanzig`, `zweihundert`, `zweieinhalb`,
  `dreijährige`); English `twenty-five`, `two hundred`, but `two hundred and fifty` reads as 200 and 50.
- Dates need a day and a month (`2. September`, `02.09.2025`, `September 2nd`, `2 Sept.`); a month with
  only a year reads as the year. A date without a year matches the same day and month with any year.
  `2.9.` without a year is a date in German only when the month has two digits or it follows `am`,
  `vom`, `bis`, ... . Times need `Uhr`, `a.m.`/`p.m.` or a colon; a time also matches the decimal that
  spells it (`13.00` without `Uhr` matches `13:00`).
- `4 %` and `4` differ (`percent` is its own kind); signs are ignored (`-5 Prozent` reads as 5).
- Letters glued before digits make a token (`H100`, `G7`, `MP3`); after digits they are a unit and
  ignored (`100km`, `5G`, `1990er`, `1990s`), except English ordinal suffixes (`18th`).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

FIGURE_KINDS = ("number", "percent", "year", "ordinal", "date", "time", "token")
# kinds that compare with each other by value alone
NUMERIC_KINDS = frozenset({"number", "year", "ordinal"})
# more digits than this make an identifier, not a number
MAX_DIGITS = 24
# a four-digit integer in this range, with no unit, reads as a year
YEAR_RANGE = (1800, 2100)

GERMAN_MONTHS: dict[str, int] = {
    "Januar": 1, "Jänner": 1, "Jan": 1, "Februar": 2, "Feber": 2, "Feb": 2, "März": 3, "Mär": 3,
    "Mrz": 3, "April": 4, "Apr": 4, "Mai": 5, "Juni": 6, "Jun": 6, "Juli": 7, "Jul": 7, "August": 8,
    "Aug": 8, "September": 9, "Sept": 9, "Sep": 9, "Oktober": 10, "Okt": 10, "November": 11, "Nov": 11,
    "Dezember": 12, "Dez": 12,
}  # fmt: skip
ENGLISH_MONTHS: dict[str, int] = {
    "January": 1, "Jan": 1, "February": 2, "Feb": 2, "March": 3, "Mar": 3, "April": 4, "Apr": 4,
    "May": 5, "June": 6, "Jun": 6, "July": 7, "Jul": 7, "August": 8, "Aug": 8, "September": 9,
    "Sept": 9, "Sep": 9, "October": 10, "Oct": 10, "November": 11, "Nov": 11, "December": 12, "Dec": 12,
}  # fmt: skip
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# scale words after a number (lowercase); German Billion = 10**12
GERMAN_SCALES: dict[str, Decimal] = {
    "hundert": Decimal(100), "tausend": Decimal("1E3"), "tsd": Decimal("1E3"), "dutzend": Decimal(12),
    "million": Decimal("1E6"), "millionen": Decimal("1E6"), "mio": Decimal("1E6"), "mill": Decimal("1E6"),
    "milliarde": Decimal("1E9"), "milliarden": Decimal("1E9"), "mrd": Decimal("1E9"),
    "billion": Decimal("1E12"), "billionen": Decimal("1E12"), "bio": Decimal("1E12"),
    "billiarde": Decimal("1E15"), "billiarden": Decimal("1E15"),
}  # fmt: skip
# German abbreviations that are scale words only with their dot
GERMAN_DOTTED_SCALES = frozenset({"bio", "mill"})
ENGLISH_SCALES: dict[str, Decimal] = {
    "hundred": Decimal(100), "thousand": Decimal("1E3"), "dozen": Decimal(12),
    "million": Decimal("1E6"), "mn": Decimal("1E6"), "mln": Decimal("1E6"),
    "billion": Decimal("1E9"), "bn": Decimal("1E9"), "trillion": Decimal("1E12"), "tn": Decimal("1E12"),
    "trn": Decimal("1E12"),
}  # fmt: skip
# single letters glued to an amount that are scales only after a currency sign: $80k, €5m, $2b
CURRENCY_SCALES: dict[str, Decimal] = {"k": Decimal("1E3"), "m": Decimal("1E6"), "b": Decimal("1E9")}
ENGLISH_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})

GERMAN_ARTICLES = frozenset({"ein", "eine", "einen", "einem", "einer", "eines"})
GERMAN_SMALL_NUMBERS: dict[str, int] = {
    "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
GERMAN_TENS: dict[str, int] = {
    "zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60,
    "siebzig": 70, "achtzig": 80, "neunzig": 90,
}  # fmt: skip
# first parts of German compounds: "einundzwanzig", "zweihundert", "dreijährig"
_GERMAN_UNITS: dict[str, int] = {"ein": 1, **{w: v for w, v in GERMAN_SMALL_NUMBERS.items() if v < 10}}
# word roots after a German number word that make a duration compound: "dreijährige", "zwölfmonatigen"
_GERMAN_COMPOUND_ROOTS = ("jähr", "jahr", "monat", "wöch", "woch", "täg", "tag", "stünd", "stund", "minüt")
ENGLISH_UNITS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
ENGLISH_TEENS: dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
ENGLISH_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_ENGLISH_SMALL_NUMBERS: dict[str, int] = {**ENGLISH_UNITS, **ENGLISH_TEENS}
# ordinal words read as ordinals; "first" and "eighth" are left out (see the module notes)
ENGLISH_ORDINALS: dict[str, int] = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "ninth": 9, "tenth": 10,
    "eleventh": 11, "twelfth": 12,
}  # fmt: skip
# stems of German ordinals and of their compounds: "dritten", "zweitgrößte"; not "Drittel", "zweitens"
GERMAN_ORDINAL_STEMS: dict[str, int] = {
    "zweit": 2, "dritt": 3, "viert": 4, "fünft": 5, "sechst": 6, "siebent": 7, "siebt": 7, "neunt": 9,
    "zehnt": 10, "elft": 11, "zwölft": 12,
}  # fmt: skip
# "twenty-first" is an ordinal, not twenty
_ENGLISH_ORDINAL_WORDS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _ascii_ignorecase(pattern: str) -> str:
    # ASCII-only case folding, so that what matches lowercases to a table key ("ſix" does not match "six")
    return f"(?ai:{pattern})"


_S = r"[\s\u00a0]"
# between a number and its scale or percent word: "80 Milliarden", "20-Milliarden-Euro", "12%"
_SEP = rf"{_S}*-?{_S}*"
_GROUP_SPACE = "[\u00a0\u202f]"
# after a day or year: no more digits, letters or digit groups
_END = r"(?![\w]|[.,:]\d)"
# digits with inner separators; no-break or narrow no-break spaces may group thousands: "1\u202f000\u202f000"
_NUMBER_RE = re.compile(
    rf"(?:(?P<cur>[$€£¥]){_S}?)?(?<![\w.,:])"
    rf"(?P<raw>\d{{1,3}}(?:{_GROUP_SPACE}\d{{3}}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,:]\d+)*)"
)
_GLUED_RE = re.compile(r"[^\W\d_]+")
_TOKEN_RE = re.compile(r"(?<![\w])[^\W\d_]+\d\w*")
_WORD_RE = re.compile(r"(?<![\w])[^\W\d_]+(?![\w])")
_ISO_DATE_RE = re.compile(rf"(?<![\w.,:])(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}}){_END}")
_NUMERIC_DATE_RE = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})")
_SHORT_DATE_RE = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})")
_CLOCK_RE = re.compile(r"(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?")
_COLON_TIME_RE = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")
_GERMAN_DATE_LEAD_RE = re.compile(rf"\b(?:am|vom|zum|bis|ab|seit|den|dem){_S}+\Z", re.IGNORECASE)
_GERMAN_ORDINAL_DOT_RE = re.compile(rf"\.(?={_S}+[^\W\d_])")

_GERMAN_MONTH = rf"(?P<month>{_alternation(list(GERMAN_MONTHS))})(?![\w])\.?"
_GERMAN_DATE_RES = (
    re.compile(rf"(?<![\w.,:])(?P<day>\d{{1,2}})\.{_S}*{_GERMAN_MONTH}(?:{_S}+(?P<year>\d{{4}}){_END})?"),
    _ISO_DATE_RE,
)
_ENGLISH_MONTH = rf"(?P<month>{_alternation(list(ENGLISH_MONTHS))})(?![\w])\.?"
_ENGLISH_DATE_RES = (
    re.compile(
        rf"(?<![\w]){_ENGLISH_MONTH}{_S}+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_END}"
        rf"(?:,?{_S}+(?P<year>\d{{4}}){_END})?"
    ),
    re.compile(
        rf"(?<![\w.,:])(?P<day>\d{{1,2}})(?:st|nd|rd|th|\.)?{_S}+(?:of{_S}+)?{_ENGLISH_MONTH}"
        rf"(?:,?{_S}+(?P<year>\d{{4}}){_END})?"
    ),
    _ISO_DATE_RE,
)
_GERMAN_SCALE_RE = re.compile(
    rf"{_SEP}(?P<word>{_ascii_ignorecase(_alternation(list(GERMAN_SCALES)))})(?![\w])(?P<dot>\.)?"
)
_ENGLISH_SCALE_RE = re.compile(
    rf"{_SEP}(?P<word>{_ascii_ignorecase(_alternation(list(ENGLISH_SCALES)))})(?![\w])"
)
_GERMAN_PERCENT_RE = re.compile(rf"{_SEP}(?:%|[Pp]rozent\w*|v\.{_S}?H\.)")
_ENGLISH_PERCENT_RE = re.compile(
    rf"{_SEP}(?:%|(?:percent(?:age)?(?:{_S}*-?points?)?|per{_S}*-?cent|pct)(?![\w])\.?)", re.IGNORECASE
)
_GERMAN_TIME_RE = re.compile(rf"{_S}*Uhr(?![\w])")
_ENGLISH_TIME_RE = re.compile(rf"{_S}*(?P<half>[ap])\.?m(?![\w])\.?", re.IGNORECASE)
_GERMAN_HALF_RE = re.compile(rf"{_S}+halbe[nmrs]?(?![\w])", re.IGNORECASE)
_ENGLISH_PHRASE_RE = re.compile(
    r"(?<![\w])"
    + _ascii_ignorecase(
        rf"(?P<half>half{_S}+an?)"
        rf"|(?P<tens>{_alternation(list(ENGLISH_TENS))})(?:-(?P<unit>{_alternation(list(ENGLISH_UNITS))}))?"
        rf"(?!-(?:{_ENGLISH_ORDINAL_WORDS}))"
        rf"|(?P<small>{_alternation(list(_ENGLISH_SMALL_NUMBERS))})"
        rf"|(?P<ordinal>{_alternation(list(ENGLISH_ORDINALS))})"
        rf"|(?P<bare>hundred|thousand)|(?P<article>an?)"
    )
    + rf"(?![\w])(?P<and_half>{_S}+(?i:and){_S}+(?i:a){_S}+(?i:half)(?![\w]))?"
)


@dataclass(frozen=True)
class Figure:
    """One figure read from a text: what it is, its canonical value and the span it was read from."""

    # one of FIGURE_KINDS: "number", "percent", "year", "ordinal", "date", "time" or "token"
    kind: str
    # canonical value: a plain decimal, scale folded in, for number/percent/year/ordinal ("2500000", "7.25");
    # "YYYY-MM-DD" for a date, "--MM-DD" when it has no year; "HH:MM" (24-hour) for a time;
    # the lowercased text for a token ("h100", "1.2.3")
    value: str
    # the exact span it was read from, scale, percent and time words included ("2,5 Mio.", "13.00 Uhr")
    text: str
    # offsets of that span in the input: input[start:end] == text
    start: int
    end: int

    @property
    def number(self) -> Decimal | None:
        """The value as a Decimal for number, percent, year and ordinal figures; None for the others."""
        return Decimal(self.value) if self.kind in NUMERIC_KINDS or self.kind == "percent" else None


@dataclass(frozen=True)
class FigureComparison:
    """Result of `compare_figures`: which figures of each side found no equal-valued partner."""

    # source figures with no equal-valued figure left in the target (lost or changed), in source order
    missing: tuple[Figure, ...]
    # target figures with no equal-valued figure left in the source (invented or changed), in target order
    extra: tuple[Figure, ...]
    # (source, target) pairs judged equal, in source order
    matched: tuple[tuple[Figure, Figure], ...]

    @property
    def ok(self) -> bool:
        """True when every figure found its partner on the other side."""
        return not self.missing and not self.extra


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _date(day: int, month: int, year: int | None) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month]):
        return None
    return f"--{month:02d}-{day:02d}" if year is None else f"{year:04d}-{month:02d}-{day:02d}"


def _clock(hour: int, minute: int) -> str | None:
    return f"{hour:02d}:{minute:02d}" if hour <= 24 and minute < 60 else None


def _parse_german_numeral(raw: str) -> Decimal | None:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?", raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+\.\d+", raw):  # one dot, not a thousands group: "Web 2.0"
        return Decimal(raw)
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+", raw):  # English style
        return Decimal(raw.replace(",", ""))
    return None


def _parse_english_numeral(raw: str) -> Decimal | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", raw):
        return Decimal(raw.replace(",", ""))
    if re.fullmatch(r"\d+,\d+", raw):  # one comma, not a thousands group: a copied German decimal
        return Decimal(raw.replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:\.\d{3})+,\d+", raw):  # German style
        return Decimal(raw.replace(".", "").replace(",", "."))
    return None


def _german_below_hundred(word: str) -> int | None:
    if word in GERMAN_SMALL_NUMBERS:
        return GERMAN_SMALL_NUMBERS[word]
    if word in GERMAN_TENS:
        return GERMAN_TENS[word]
    unit, sep, tens = word.partition("und")
    if sep and unit in _GERMAN_UNITS and tens in GERMAN_TENS:
        return _GERMAN_UNITS[unit] + GERMAN_TENS[tens]
    return None


def _german_below_thousand(word: str) -> int | None:
    head, sep, rest = word.partition("hundert")
    if not sep:
        return _german_below_hundred(word)
    hundreds = 1 if head in ("", "ein") else _GERMAN_UNITS.get(head)
    rest = rest.removeprefix("und")
    below = 0 if not rest else _german_below_hundred(rest)
    return None if hundreds is None or below is None else hundreds * 100 + below


def _german_cardinal(word: str) -> int | None:
    head, sep, rest = word.partition("tausend")
    if not sep:
        return _german_below_thousand(word)
    thousands = 1 if head in ("", "ein") else _german_below_thousand(head)
    rest = rest.removeprefix("und")
    below = 0 if not rest else _german_below_thousand(rest)
    return None if thousands is None or below is None else thousands * 1000 + below


def _german_ordinal_value(word: str) -> int | None:
    """Value of a lowercased German ordinal word from 2 to 12: "dritten", "zweitgrößte", "Drittanbieter"."""
    for stem, value in GERMAN_ORDINAL_STEMS.items():
        rest = word.removeprefix(stem)
        if rest != word and rest and not rest.startswith("el") and rest != "ens":
            return value
    return None


def _german_word_value(word: str) -> Decimal | None:
    """Value of a lowercased German number word: "zwölf", "fünfundzwanzig", "zweieinhalb", "dreijährige"."""
    if word == "anderthalb":
        return Decimal("1.5")
    if word.endswith("einhalb"):
        head = word.removesuffix("einhalb")
        base = 1 if head in ("", "ein") else _german_cardinal(head)
        return None if base is None else base + Decimal("0.5")
    value = _german_cardinal(word)
    if value is not None:
        return Decimal(value)
    for root in _GERMAN_COMPOUND_ROOTS:
        head, sep, _ = word.partition(root)
        if sep and head and head != "ein" and (value := _german_cardinal(head)) is not None:
            return Decimal(value)
    return None


@dataclass(frozen=True)
class _Language:
    german: bool
    date_res: tuple[re.Pattern[str], ...]
    months: dict[str, int]
    parse_numeral: Callable[[str], Decimal | None]
    scales: dict[str, Decimal]
    scale_re: re.Pattern[str]
    percent_re: re.Pattern[str]
    time_re: re.Pattern[str]


_GERMAN = _Language(
    True, _GERMAN_DATE_RES, GERMAN_MONTHS, _parse_german_numeral, GERMAN_SCALES, _GERMAN_SCALE_RE,
    _GERMAN_PERCENT_RE, _GERMAN_TIME_RE,
)  # fmt: skip
_ENGLISH = _Language(
    False, _ENGLISH_DATE_RES, ENGLISH_MONTHS, _parse_english_numeral, ENGLISH_SCALES, _ENGLISH_SCALE_RE,
    _ENGLISH_PERCENT_RE, _ENGLISH_TIME_RE,
)  # fmt: skip


class _Reader:
    """Reads one text; spans already read are claimed so that no character feeds two figures."""

    def __init__(self, text: str, lang: _Language) -> None:
        self.text = text
        self.lang = lang
        self.taken = bytearray(len(text))
        self.figures: list[Figure] = []

    def add(self, kind: str, value: str, start: int, end: int) -> bool:
        if any(self.taken[start:end]):
            return False
        self.taken[start:end] = b"\x01" * (end - start)
        self.figures.append(Figure(kind, value, self.text[start:end], start, end))
        return True

    def tail(self, pos: int, *, percent: bool = True) -> tuple[Decimal, int, bool, int]:
        """Scale words (at most two) or a percent word at `pos`: (multiplier, scales read, percent, end)."""
        multiplier, count = Decimal(1), 0
        while count < 2 and (m := self.lang.scale_re.match(self.text, pos)):
            word = m["word"].lower()
            if self.lang.german and word in GERMAN_DOTTED_SCALES and not m["dot"]:
                break
            multiplier, count, pos = multiplier * self.lang.scales[word], count + 1, m.end()
        if count == 0 and percent and (m := self.lang.percent_re.match(self.text, pos)):
            return multiplier, 0, True, m.end()
        return multiplier, count, False, pos

    def read_dates(self) -> None:
        for pattern in self.lang.date_res:
            for m in pattern.finditer(self.text):
                month = m["month"]
                month_number = int(month) if month.isdigit() else self.lang.months[month]
                value = _date(int(m["day"]), month_number, int(m["year"]) if m["year"] else None)
                if value:
                    self.add("date", value, m.start(), m.end())

    def read_numerals(self) -> None:
        for m in _NUMBER_RE.finditer(self.text):
            if not any(self.taken[m.start("raw") : m.end("raw")]):
                self._numeral(m["raw"], m.start("raw"), m.end("raw"), currency=m["cur"] is not None)

    def _numeral(self, raw: str, start: int, end: int, *, currency: bool) -> None:
        text, lang = self.text, self.lang
        if (suffix := lang.time_re.match(text, end)) and (clock := _CLOCK_RE.fullmatch(raw)):
            hour, minute = int(clock["hour"]), int(clock["minute"] or 0)
            if not lang.german:  # 12-hour clock
                pm = suffix["half"].lower() == "p"
                hour = (hour % 12 + 12) if pm else hour % 12 if hour <= 12 else 99
            if value := _clock(hour, minute):
                self.add("time", value, start, suffix.end())
                return
        if ":" in raw:
            clock = _COLON_TIME_RE.fullmatch(raw)
            value = _clock(int(clock["hour"]), int(clock["minute"])) if clock else None
            self.add("time" if value else "token", value or raw.lower(), start, end)
            return
        if self._numeric_date(raw, start, end):
            return
        digits = re.sub(_GROUP_SPACE, "", raw)
        value = lang.parse_numeral(digits) if sum(c.isdigit() for c in raw) <= MAX_DIGITS else None
        if value is None:
            self.add("token", raw.lower(), start, end)
            return
        if percent := lang.percent_re.match(text, end):
            self.add("percent", _canonical(value), start, percent.end())
            return
        kind, pos, multiplier = "number", end, Decimal(1)
        if glued := _GLUED_RE.match(text, end):
            suffix_text, pos = glued.group().lower(), glued.end()
            if suffix_text in lang.scales:  # 3Mrd., 80bn
                multiplier = lang.scales[suffix_text]
                if lang.german and text.startswith(".", pos):
                    pos += 1
            elif (currency or (not lang.german and glued.group() == "m")) and suffix_text in CURRENCY_SCALES:
                multiplier = CURRENCY_SCALES[suffix_text]
            elif not lang.german and suffix_text in ENGLISH_ORDINAL_SUFFIXES and raw.isdigit():
                kind = "ordinal"
            elif suffix_text in ("s", "er") and len(raw) == 4 and raw.isdigit():
                kind = "year"  # 1990s, 1990er
        scale, _, _, pos = self.tail(pos, percent=False)
        multiplier *= scale
        if kind == "number" and multiplier == 1 and not glued:
            if raw.isdigit() and len(raw) == 4 and YEAR_RANGE[0] <= int(raw) <= YEAR_RANGE[1]:
                kind = "year"
            elif lang.german and raw.isdigit() and len(raw) <= 3 and _GERMAN_ORDINAL_DOT_RE.match(text, pos):
                kind, pos = "ordinal", pos + 1
        self.add(kind, _canonical(value * multiplier), start, pos)

    def _numeric_date(self, raw: str, start: int, end: int) -> bool:
        """02.09.2025 in both languages; 02.09. without a year in German only (see the module notes)."""
        if m := _NUMERIC_DATE_RE.fullmatch(raw):
            year = int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
            value = _date(int(m["day"]), int(m["month"]), year)
            return bool(value) and self.add("date", value, start, end)
        m = _SHORT_DATE_RE.fullmatch(raw)
        if not (self.lang.german and m and self.text.startswith(".", end)):
            return False
        if self.text[end + 1 : end + 2].isdigit():
            return False
        lead = _GERMAN_DATE_LEAD_RE.search(self.text[max(0, start - 8) : start])
        value = _date(int(m["day"]), int(m["month"]), None)
        return bool(value and (len(m["month"]) == 2 or lead)) and self.add("date", value, start, end + 1)

    def read_tokens(self) -> None:
        for m in _TOKEN_RE.finditer(self.text):
            self.add("token", m.group().lower(), m.start(), m.end())

    def read_german_words(self) -> None:
        for m in _WORD_RE.finditer(self.text):
            word = m.group().lower()
            if word in GERMAN_ARTICLES:  # "eine Million", "eine halbe Million", "ein Prozent"
                half = _GERMAN_HALF_RE.match(self.text, m.end())
                base = Decimal("0.5") if half else Decimal(1)
                self._word_number(base, m.start(), half.end() if half else m.end(), need_unit=True)
            elif (value := _german_word_value(word)) is not None:
                self._word_number(value, m.start(), m.end())
            elif ordinal := _german_ordinal_value(word):
                self.add("ordinal", str(ordinal), m.start(), m.end())

    def read_english_words(self) -> None:
        for m in _ENGLISH_PHRASE_RE.finditer(self.text):
            if m["ordinal"]:
                self.add("ordinal", str(ENGLISH_ORDINALS[m["ordinal"].lower()]), m.start(), m.end("ordinal"))
                continue
            end, need_unit = m.end(), True  # "a", "one", "half a" only before a scale or percent word
            if m["tens"]:
                unit = ENGLISH_UNITS.get((m["unit"] or "").lower(), 0)
                base, need_unit = Decimal(ENGLISH_TENS[m["tens"].lower()] + unit), False
            elif m["small"]:
                base = Decimal(_ENGLISH_SMALL_NUMBERS[m["small"].lower()])
                need_unit = m["small"].lower() == "one" and not m["and_half"]
            elif m["bare"]:  # "hundred" reads as its own scale word
                base, end = Decimal(1), m.start()
            else:
                base = Decimal("0.5") if m["half"] else Decimal(1)
            if m["and_half"] and (m["tens"] or m["small"]):
                base += Decimal("0.5")
            self._word_number(base, m.start(), end, need_unit=need_unit)

    def _word_number(self, base: Decimal, start: int, end: int, *, need_unit: bool = False) -> None:
        multiplier, count, is_percent, end = self.tail(end)
        if not need_unit or count or is_percent:
            self.add("percent" if is_percent else "number", _canonical(base * multiplier), start, end)


def _read(text: str, lang: _Language) -> list[Figure]:
    reader = _Reader(text, lang)
    reader.read_dates()
    reader.read_numerals()
    reader.read_tokens()
    if lang.german:
        reader.read_german_words()
    else:
        reader.read_english_words()
    return sorted(reader.figures, key=lambda f: f.start)


def german_figures(text: str) -> list[Figure]:
    """Figures of a German text, in text order: `15.000` is fifteen thousand, `7,25` a decimal.

    Reads digits with German separators, scale words (`2,5 Mio.`, `80 Milliarden`, `1,5 Billionen` =
    1.5e12, `20-Milliarden-Euro`), percentages (`12 Prozent`, `12 %`), dates (`am 02. September`,
    `2. September 2025`, `02.09.2025`), times (`13.00 Uhr`), years, ordinals (`der 18. Preisträger`) and
    number words (`zwölf`, `fünfundzwanzig`, `eine Million`; a bare article is not a figure).
    """
    return _read(text, _GERMAN)


def english_figures(text: str) -> list[Figure]:
    """Figures of an English text, in text order: `15,000` is fifteen thousand, `1.000` is one.

    Reads digits with English separators, scale words (`2.5 million`, `$80bn`, `1.5 trillion`),
    percentages (`12 percent`, `12%`), dates (`September 2`, `2 September`, `Sept. 2`, `the 2nd of
    September`), times (`1 p.m.`, `13:00`), years, ordinals (`18th`) and number words (`twelve`,
    `twenty-five`, `a dozen`, `one million`; a bare `a` or `one` is not a figure).
    """
    return _read(text, _ENGLISH)


def _exact_key(figure: Figure) -> tuple[str, str]:
    return ("number" if figure.kind in NUMERIC_KINDS else figure.kind, figure.value)


def _bucket(figure: Figure) -> tuple[str, str]:
    """Figures that may match share a bucket: dates by month and day, times with the decimal they spell."""
    if figure.kind == "date":
        return ("date", figure.value[-5:])
    if figure.kind == "time":
        hour, minute = figure.value.split(":")
        return ("number", _canonical(Decimal(f"{hour}.{minute}")))
    return _exact_key(figure)


def _loosely_equal(a: Figure, b: Figure) -> bool:
    """Same bucket, not the same value, but still the same figure: a date without a year, a time as 13.00."""
    if a.kind == "date" and b.kind == "date":
        return a.value.startswith("--") or b.value.startswith("--")
    return (a.kind == "time") != (b.kind == "time") and _bucket(a) == _bucket(b)


def compare_figures(source: Sequence[Figure], target: Sequence[Figure]) -> FigureComparison:
    """Match source figures to equal-valued target figures, each used once (a multiset match).

    Numbers, years and ordinals compare by value, percentages only with percentages, dates by day and
    month and by year when both have one, times by hour and minute (or with the decimal `13.00`), tokens
    by their lowercased text. Exact matches are taken first, then the loose ones.
    """
    targets_by_key: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for j, figure in enumerate(target):
        targets_by_key[_exact_key(figure)].append(j)
    pairs: dict[int, int] = {}
    for i, figure in enumerate(source):
        candidates = targets_by_key.get(_exact_key(figure))
        if candidates:
            pairs[i] = candidates.popleft()
    used = set(pairs.values())
    left_targets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, figure in enumerate(target):
        if j not in used:
            left_targets[_bucket(figure)].append(j)
    for i, figure in enumerate(source):
        if i in pairs or not (candidates := left_targets.get(_bucket(figure))):
            continue
        for position, j in enumerate(candidates):
            if _loosely_equal(figure, target[j]):
                pairs[i] = candidates.pop(position)
                break
    used = set(pairs.values())
    return FigureComparison(
        missing=tuple(f for i, f in enumerate(source) if i not in pairs),
        extra=tuple(f for j, f in enumerate(target) if j not in used),
        matched=tuple((source[i], target[pairs[i]]) for i in sorted(pairs)),
    )


def translation_flags(source_de: str, translation_en: str) -> FigureComparison:
    """Compare the figures of a German segment with those of its English translation.

    `missing` holds the German figures lost or changed in the translation, `extra` the English figures
    invented (or changed) there; both are empty when the figures agree.
    """
    return compare_figures(german_figures(source_de), english_figures(translation_en))


def summary_flags(translation_en: str, summary_en: str) -> tuple[Figure, ...]:
    """Figures of an English summary that appear nowhere in the English translation it summarizes.

    A summary may drop figures and may repeat one, so only invented (or changed) figures are returned,
    whatever their format (`$80bn` in the summary matches `80 billion dollars` in the translation).
    """
    known: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    exact = set()
    for figure in english_figures(translation_en):
        known[_bucket(figure)].append(figure)
        exact.add(_exact_key(figure))
    return tuple(
        figure
        for figure in english_figures(summary_en)
        if _exact_key(figure) not in exact
        and not any(_loosely_equal(figure, other) for other in known.get(_bucket(figure), ()))
    )
