"""German sentence and paragraph splitting for news-style text (standard library only).

A blank line (a line holding only whitespace) always ends a paragraph and a sentence. Inside a paragraph
the text is cut into whitespace-separated tokens and every gap between two tokens is judged on its own:

* ``?`` and ``!`` (also ``?!``, ``!!``, inside or before closing quotes/brackets) end a sentence unless the
  next word starts in lowercase (``„Wachsen wir?“ fragte er``) or a comma follows (``„Ja!“, rief er``).
  A bracket after a sentence mark starts a new sentence even in lowercase (``… gestellt. (dpa)``);
  ``iPhone``/``eBay``-style words count as capitalized.
* An ellipsis (``...`` or ``…``) ends a sentence only when the next word is capitalized.
* A period ends a sentence unless the word before it is an abbreviation, an ordinal number, an initial
  or the next word starts in lowercase. Abbreviations come in four kinds (see ``_ABBREVIATIONS``):
  ones that never end a sentence (``Dr.``, ``z. B.``, ``bzw.``), ones that only precede a number
  (``Art. 5``, ``Nr. 3``; elsewhere ``Art.`` is the noun), list endings that usually do end one
  (``usw.``, ``etc.``) and ambiguous ones (``Mio.``, ``Co.``, ``Inc.``, ``u. a.``, ``Jan.``). After an
  ambiguous abbreviation, an initial (``Mustafa S.``) or a Roman numeral we split only when the next
  word is a typical sentence opener (``Der``, ``Sie``, ``Im``, ``Doch`` …; see ``_SENTENCE_STARTERS``):
  ``3 Mio. Euro`` stays whole, ``auf 3 Mio. Im Vorjahr`` is split.
* ``<number>.`` followed by a capitalized word is an ordinal (no split) when the next word is a month
  or a noun that usually follows ordinals (``Jahrhundert``, ``Platz``, ``Spieltag``, ``FC`` …), when an
  article or preposition precedes the number (``der 18. Preisträger``) or when the number opens the
  sentence (an enumeration, ``1. FC Köln``); otherwise it ends the sentence (``Platz 2. Das …``).
* A single line break is a boundary before a list item (``- …``, ``• …``, ``1. …`` after a colon,
  a finished sentence or another item) and after a headline: a line without final punctuation (a final
  colon counts as none: ``Pressekontakt:``, ``Lesen Sie auch:``) whose
  sentence began at the start of that line, whose last word is not an article, preposition or
  conjunction, which is followed by a line that does not start in lowercase and which is not a
  full-width line of a hard-wrapped paragraph. Any other line break counts as a space.
* Colons and semicolons inside a line never end a sentence. A sentence end glued to the next sentence by a typo
  (``wächst.Das``) is split when a lowercase word precedes the mark and a capitalized word (not a
  top-level domain) follows it, unless the token looks like a URL or e-mail address.
"""

from __future__ import annotations

import re

__all__ = ["paragraph_spans", "sentence_spans", "split_sentences"]


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
_TOKEN = re.compile(r"\S+")
_NEWLINE = re.compile(r"\n")
# "wächst.Das": a sentence mark between a lowercase word and a capitalized word, without a space
_GLUED = re.compile(r"(?<=[a-zäöüß]{2})[.!?](?=[A-ZÄÖÜ][a-zäöüß])")
_GLUED_WORD = re.compile(r"[^\W\d_]+")
_INT = re.compile(r"\d{1,4}|\d{1,2}\.\d{1,2}")  # "18", "1000", or a day and month such as "02.09"
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")  # "U.S", "Ph.D", "i.d.R"
_INITIAL = re.compile(r"(?:[^\W\d_]+\.?-)?[A-ZÄÖÜ]")  # "J", "Hans-J", "K.-H"
_PIECE = re.compile(r"[^\W\d_]{1,4}\.")  # one part of a spaced abbreviation: "z.", "d.", "Chr."
_CAMEL = re.compile(r"[a-z]+[A-Z]")  # "iPhone", "eBay": lowercase but may open a sentence
_NUMBERED_MARKER = re.compile(r"\d{1,2}[.)]|[a-zA-Z]\)|\(\d{1,2}\)")

_OPEN = "„‚“‘\"'«»‹›([{¿¡"
_CLOSE = "“”‘’\"'«»‹›)]}"
_TERMINAL = ".!?…"
_TAIL = _TERMINAL + _CLOSE
_BULLETS = _words("- – — • * · ▪ ► ■ → ◦ ✓ ✔")
_LINE_CONTINUES = ",;-–—/&+(„‚"  # a line ending in one of these goes on in the next line

# Abbreviation keys are written without spaces: "z. B." and "z.B." are both looked up as "z.B.".
_NEVER_FINAL = _words(
    """Dr. Prof. Dipl. Dipl.-Ing. Dipl.-Kfm. Mag. Hr. Hrn. Mr. Mrs. Ms. Messrs. Sgt. Lt. Capt. Col. Rev.
    Hon. Sen. Rep. Gov. Pres. St. Ste. Hl. Pfr. Gebr. Fa. Univ.-Prof. Priv.-Doz. med. jur. rer. nat. phil.
    pol. oec. dent. vet. h.c. mult. Dept. Univ. approx.
    z. z.B. z.T. z.Zt. z.Hd. zz. zzt. u. u.U. d. d.h. v. v.a. i. i.d.R. i.H.v. i.A. i.V. i.S.d. i.S.v. o. o.g.
    m.E. bzw. bspw. ca. vgl. ggf. ggfs. evtl. inkl. exkl. zzgl. ggü. gem. lt. bzgl. sog. insb. insbes.
    einschl. entspr. gegr. geb. gest. verh. ehem. stellv. jew. mind. max. rd. od. zit. vs. allg. bes.
    urspr. ugs. tägl. dt. engl. frz. franz. ital. span. lat. griech. russ. amerik.""",
)
_BEFORE_NUMBER = _words(
    """Nr. Nrn. No. Art. Abs. Bd. Bde. Kap. Ziff. Rn. Rz. Tel. Fax. Abb. Tab. Anl. Pos. Jg. Vol. Az. Fn. Sp.
    Hs. Lfg. Tz. Bl. Str. Pkt. Kat. Zi. Ausg. Abschn.""",
)
_LIST_END = _words("etc. usw. u.s.w. usf. u.v.m. u.ä. u.Ä. o.ä. o.Ä. al. ff. f. s.o. s.u.")
_AMBIGUOUS = _words(
    """Mio. Mrd. Mill. Bio. Tsd. Co. Inc. Corp. Ltd. Bros. Jr. Sr. Hbf. Jh. Jhd. Jhdt. Hrsg. Hg. Std. Min.
    min. Sek. Aufl. Red. d.Red. Anm. Nachf. Abt. Bsp. MwSt. Gen. v.Chr. n.Chr. a.D. e.V. u.a.
    Jan. Feb. Mär. Mrz. Apr. Jun. Jul. Aug. Sep. Sept. Okt. Nov. Dez. Mo. Di. Mi. Do. Fr. Sa.""",
)
_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(_NEVER_FINAL, "never"),
    **dict.fromkeys(_BEFORE_NUMBER, "number"),
    **dict.fromkeys(_LIST_END, "list"),
    **dict.fromkeys(_AMBIGUOUS, "ambiguous"),
}

# Capitalized words that mostly open a sentence (function words are capitalized only there).
_SENTENCE_STARTERS = _words(
    """Der Die Das Den Dem Des Ein Eine Einer Eines Einem Einen Er Sie Es Wir Ich Ihr Man Dies Diese Dieser
    Dieses Diesem Diesen Jener Jene Dabei Damit Danach Dadurch Daher Darum Dazu Davon Dafür Dagegen Darauf
    Darüber Deshalb Deswegen Dennoch Doch Aber Auch Und Oder Denn Sondern Allerdings Außerdem Zudem Zuvor
    Zuletzt Zunächst Zwar Somit So Wie Was Wer Wo Wann Warum Weshalb Wieso Wenn Weil Während Als Ob Obwohl
    Nachdem Sobald Solange Falls Nach Vor Seit Bei Mit Für Im In Am An Auf Aus Um Unter Über Von Vom Zum Zur
    Beim Laut Trotz Wegen Gegen Ohne Durch Bis Ab Neben Zwischen Jetzt Nun Heute Gestern Morgen Dann Hier
    Dort Da Noch Schon Bereits Erst Nur Alle Viele Einige Mehrere Jeder Jede Jedes Kein Keine Sein Seine
    Ihre Unser Unsere Mehr Insgesamt Gleichzeitig Inzwischen Mittlerweile Bisher Bislang Derzeit Aktuell
    Demnach Zusätzlich Ebenfalls Ebenso Stattdessen Vielmehr Immerhin Schließlich Letztlich Offenbar
    Vermutlich Wahrscheinlich Tatsächlich Natürlich Anschließend Erstmals Zugleich Trotzdem Hingegen
    Jedoch Weiterhin Ferner Bitte Ja Nein Nicht Gemeinsam Konkret Besonders Vor Zwei Drei Vier Fünf
    The This That These Those It He She We They You There Here Now Our His Her Their But And If When What
    Who How Why""",
)
# Nouns that typically follow an ordinal ("der 18. Preisträger", "im 19. Jahrhundert", "1. FC Köln").
_ORDINAL_NOUNS = _words(
    """jahrhundert jahrtausend jahrzehnt jahr jahrestag geburtstag todestag tag woche monat quartal halbjahr
    semester mal platz rang stelle runde spieltag etappe minute halbzeit spiel satz saison liga bundesliga
    division klasse stock stockwerk etage obergeschoss kapitel absatz artikel auflage ausgabe band folge
    staffel episode teil lesung sitzung amtszeit periode bundestag weltkrieg advent versuch anlauf
    generation kandidat mitglied kunde besucher preisträger sieger gewinner schritt stufe phase welle
    ordnung grad instanz senat kammer fc fsv sc sv bc hälfte buch sinfonie symphonie konzert meisterschaft
    durchgang gang rennen lauf tor treffer sieg niederlage titel medaille jubiläum gipfel konferenz
    kongress mannschaft reihe punkt""",
)
_INFLECTIONS = ("", "s", "es", "n", "en", "e", "er", "in", "innen", "ern")
_MONTHS = _words(
    """januar jänner februar feber märz april mai juni juli august september oktober november dezember
    jan feb mär mrz apr jun jul aug sep sept okt nov dez""",
)
# Words before a number that make it an ordinal: articles, contractions, possessives.
_ORDINAL_DETERMINERS = _words(
    """der die das dem den des am im zum zur vom beim ins ans ein eine einen einem einer eines sein seine
    seinem seinen seiner ihr ihre ihrem ihren ihrer unser unsere unserem unseren dessen deren jeder jede
    jedes jedem jeden dieser diese dieses diesem diesen""",
)
# A line ending in one of these words continues on the next line (hard wrap, not a headline). Words that
# are also verb particles ("an", "auf", "mit", "vor" …) are left out: "Zulieferer hebt Prognose an".
_CONTINUATION_WORDS = _words(
    """der die das den dem des ein eine einen einem einer eines und oder aber sowie sondern denn dass ob
    weil wenn als wie von vom zum zur für am im in beim ohne bis seit trotz während wegen zwischen ihre
    ihren seine seinen""",
)
_TOP_LEVEL_DOMAINS = _words(
    "de com org net at ch eu io ai info biz gov edu uk fr it es nl be pl us tv me app dev online shop",
)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the paragraphs of ``text``, in order.

    Paragraphs are separated by blank lines (lines holding only whitespace); each span is stripped of
    surrounding whitespace and whitespace-only paragraphs are dropped.
    """
    spans = []
    start = 0
    for m in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            a = start + (len(chunk) - len(chunk.lstrip()))
            spans.append((a, a + len(stripped)))
        if m:
            start = m.end()
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences of ``text``, in order.

    ``text[start:end]`` is the sentence without surrounding whitespace; the spans never overlap and every
    non-whitespace character of ``text`` lies in exactly one span. A blank line always ends a sentence.
    """
    spans: list[tuple[int, int]] = []
    for a, b in paragraph_spans(text):
        spans.extend(_Paragraph(text, a, b).sentences())
    return spans


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` (German news-style prose), in order and stripped.

    Empty or whitespace-only text gives ``[]``. See :func:`sentence_spans` for the offsets.
    """
    return [text[a:b] for a, b in sentence_spans(text)]


def _abbreviation_kind(key: str) -> str | None:
    kind = _ABBREVIATIONS.get(key)
    if kind is None and key[:1].isupper():  # sentence-initial "Vgl.", "Z. B."
        kind = _ABBREVIATIONS.get(key[0].lower() + key[1:])
    return kind


def _is_starter(word: str) -> bool:
    return word.rstrip(",;:.!?…“”\"'»«)") in _SENTENCE_STARTERS


def _is_ordinal_noun(word: str) -> bool:
    w = word.rstrip(",;:.!?…“”\"'»«)").lower().rsplit("-", 1)[-1]
    if w in _MONTHS:
        return True
    for suffix in _INFLECTIONS:
        if w.endswith(suffix):
            base = w[: len(w) - len(suffix)]
            if base in _ORDINAL_NOUNS:
                return True
            # compounds end in their head noun: "Geschäftsquartal", "Heimspiel"
            if any(base.endswith(noun) for noun in _ORDINAL_NOUNS if len(noun) >= 4):
                return True
    return False


def _starts_lowercase(word: str) -> bool:
    return bool(word) and word[0].islower() and not _CAMEL.match(word)


def _split_tail(token: str) -> tuple[str, str]:
    """Split ``token`` into its core (leading quotes/brackets removed) and trailing marks and closers."""
    j = len(token)
    while j > 0 and token[j - 1] in _TAIL:
        j -= 1
    return token[:j].lstrip(_OPEN), token[j:]


def _tokens(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], set[int]]:
    """Whitespace tokens of ``text[start:end]``, and the indices of tokens that must end a sentence."""
    tokens: list[tuple[int, int]] = []
    forced: set[int] = set()
    for m in _TOKEN.finditer(text, start, end):
        a, b = m.span()
        token = m.group()
        if len(token) > 4 and "@" not in token and "/" not in token and "www." not in token.lower():
            for g in _GLUED.finditer(token):
                k = g.start()
                while k > 0 and token[k - 1].isalpha():
                    k -= 1
                right = _GLUED_WORD.match(token, g.end())
                if _abbreviation_kind(token[k : g.end()]) or (
                    right and right.group().lower() in _TOP_LEVEL_DOMAINS
                ):
                    continue
                forced.add(len(tokens))
                tokens.append((a, m.start() + g.end()))
                a = m.start() + g.end()
        tokens.append((a, b))
    return tokens, forced


class _Paragraph:
    """Sentence boundary decisions for one paragraph (``text[start:end]``, no blank lines inside)."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.tokens, self.forced = _tokens(text, start, end)
        line_starts = [start] + [m.end() for m in _NEWLINE.finditer(text, start, end)]
        self.line_len = [
            len(text[a:b].strip()) for a, b in zip(line_starts, [*line_starts[1:], end], strict=True)
        ]
        self.line_of: list[int] = []
        line = 0
        for a, _ in self.tokens:
            while line + 1 < len(line_starts) and line_starts[line + 1] <= a:
                line += 1
            self.line_of.append(line)
        self.first_token_of_line: dict[int, int] = {}
        for i, line in enumerate(self.line_of):
            self.first_token_of_line.setdefault(line, i)
        width = max(self.line_len)
        full = [n for n in self.line_len[:-1] if n >= 0.8 * width]
        # a hard-wrapped paragraph has several lines of (nearly) the same, maximal length
        self.wrap_width = width if len(full) >= 2 and width >= 40 else 0
        self.sentence_start = 0

    def word(self, i: int) -> str:
        a, b = self.tokens[i]
        return self.text[a:b]

    def sentences(self) -> list[tuple[int, int]]:
        spans = []
        n = len(self.tokens)
        for i in range(n):
            if i == n - 1 or i in self.forced or self.ends_sentence(i):
                spans.append((self.tokens[self.sentence_start][0], self.tokens[i][1]))
                self.sentence_start = i + 1
        return spans

    def next_word(self, i: int) -> str:
        """The word after token ``i`` without opening quotes, brackets or a dash standing alone."""
        for j in (i + 1, i + 2):
            if j < len(self.tokens):
                word = self.word(j).lstrip(_OPEN + "-–—")
                if word:
                    return word
        return ""

    def ends_sentence(self, i: int) -> bool:
        newline = self.line_of[i] != self.line_of[i + 1]
        if newline and self.list_item_follows(i):
            return True
        token = self.word(i)
        core, tail = _split_tail(token)
        if any(c in _TERMINAL for c in tail):
            return self.ends_at_mark(i, token, core, tail)
        return newline and self.ends_at_line_break(i)

    def list_item_follows(self, i: int) -> bool:
        marker = self.word(i + 1)
        bullet = marker in _BULLETS or (marker[0] in "•▪►■→◦" and len(marker) > 1)
        if not bullet and not _NUMBERED_MARKER.fullmatch(marker):
            return False
        last = self.word(i)
        if last.endswith(":") or any(c in _TERMINAL for c in _split_tail(last)[1]):
            return True
        first = self.word(self.first_token_of_line[self.line_of[i]])
        if first in _BULLETS or _NUMBERED_MARKER.fullmatch(first):
            return True
        return bullet and not _starts_lowercase(self.next_word(i + 1 if marker in _BULLETS else i))

    def ends_at_line_break(self, i: int) -> bool:
        """Whether the line ending with token ``i`` (no final punctuation) is a headline."""
        if _starts_lowercase(self.next_word(i)):
            return False
        last = self.word(i)
        if last[-1] in _LINE_CONTINUES or last.lower() in _CONTINUATION_WORDS:
            return False
        line = self.line_of[i]
        if self.first_token_of_line[line] != self.sentence_start:
            return False  # the sentence began on an earlier line or mid-line: a wrapped sentence
        return not (self.wrap_width and self.line_len[line] >= 0.75 * self.wrap_width)

    def ends_at_mark(self, i: int, token: str, core: str, tail: str) -> bool:
        nxt = self.next_word(i)
        if not nxt:
            return True
        if not core and token[0] in "([":  # "(!)", "[...]": an aside or an omission
            return False
        # a lowercase word goes on with the sentence; "(dpa)" or "(red)" after a sentence does not
        if _starts_lowercase(nxt) and self.word(i + 1)[0] not in "([":
            return False
        if "?" in tail or "!" in tail:
            return True
        if "…" in tail or "..." in tail:
            return nxt[0].isupper() or bool(_CAMEL.match(nxt))
        if any(c in _CLOSE for c in tail.rstrip(_CLOSE)):  # „ja“. / (dpa). / (l.).
            return True
        return self.ends_at_period(i, core, nxt)

    def ends_at_period(self, i: int, core: str, nxt: str) -> bool:
        """Whether ``<core>.`` (token ``i``) ends a sentence; ``nxt`` does not start in lowercase."""
        kind = self.abbreviation(i, core)
        digit = nxt[0].isdigit() or nxt[0] == "§"
        if kind == "never" or ".-" in core:  # "Dipl.-Ing.", "Dr.-Ing."
            return False
        if digit and (kind == "number" or core.endswith("str")):  # "Art. 5", "Hauptstr. 5"
            return False
        if _starts_lowercase(nxt):  # only "(dpa)"-like asides get here
            return kind is None and not _INITIAL.fullmatch(core)
        if kind == "list":
            return True
        if kind == "ambiguous":
            return _is_starter(nxt)
        if _INT.fullmatch(core):
            return self.ends_at_ordinal(i, core, nxt)
        if len(core) == 1 and core.islower():  # "s. Abb. 3"; after a number a unit: "8,20 m."
            return i > 0 and self.word(i - 1)[-1].isdigit()
        if _INITIAL.fullmatch(core):  # an initial ("Angela D. Merkel", "Hans-J. Müller") or "S. 12"
            return not digit and _is_starter(nxt)
        if len(core) > 1 and _ROMAN.fullmatch(core) or _DOTTED.fullmatch(core):  # "Ludwig XIV.", "U.S."
            return not digit and _is_starter(nxt)
        return True

    def ends_at_ordinal(self, i: int, core: str, nxt: str) -> bool:
        """Whether ``<number>.`` ends a sentence or is an ordinal ("am 3. Oktober", "der 18. Preisträger")."""
        if nxt[0].isdigit():
            return len(core) > 2  # "3. 10. 2025" is a date; "2024. 15 Firmen …" is not
        if not nxt[0].isalpha():
            return True
        if _is_ordinal_noun(nxt) or i == self.sentence_start:  # "1. FC Köln", "1. Punkt" (enumeration)
            return False
        previous = self.word(i - 1).lower() if i > 0 else ""
        return previous not in _ORDINAL_DETERMINERS

    def abbreviation(self, i: int, core: str) -> str | None:
        """The abbreviation kind of token ``i`` (``core`` + "."), joining spaced parts like ``z. B.``."""
        pieces = [core + "."]
        j = i - 1
        while j >= 0 and len(pieces) < 4 and self.line_of[j] == self.line_of[i]:
            word = self.word(j).lstrip(_OPEN)
            if not _PIECE.fullmatch(word):
                break
            pieces.insert(0, word)
            j -= 1
        for k in range(len(pieces)):
            kind = _abbreviation_kind("".join(pieces[k:]))
            if kind:
                return kind
        return None
