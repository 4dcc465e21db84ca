"""Sentence and paragraph splitting for news-style text, written for German (standard library only).

The word lists (abbreviations, sentence openers, ordinal nouns) come from ``pipeline.text.rules`` for the
document's language (``language=``, ISO 639-1); the decisions below are the same in every language, except
that ``<number>.`` can be an ordinal only where the rules say so (German), and that in French-style typography
``?``, ``!``, ``»`` standing alone after a space belong to the word before them (``vient ! »``). ``。！？``,
``।`` and ``؟`` end a sentence wherever they stand (Chinese and Japanese put no space after them).

A blank line (a line holding only whitespace) always ends a paragraph and a sentence. Inside a paragraph
the text is cut into whitespace-separated tokens and every gap between two tokens is judged on its own:

* ``?`` and ``!`` (also ``?!``, ``!!``, inside or before closing quotes/brackets) end a sentence unless the
  next word starts in lowercase (``„Wachsen wir?“ fragte er``) or a comma follows (``„Ja!“, rief er``).
  A bracket after a sentence mark starts a new sentence even in lowercase (``… gestellt. (dpa)``);
  ``iPhone``/``eBay``-style words count as capitalized.
* An ellipsis (``...`` or ``…``) ends a sentence only when the next word is capitalized.
* A period ends a sentence unless the word before it is an abbreviation, an ordinal number, an initial
  or the next word starts in lowercase. Abbreviations come in four kinds (see ``pipeline.text.rules``):
  ones that never end a sentence (``Dr.``, ``z. B.``, ``bzw.``), ones that only precede a number
  (``Art. 5``, ``Nr. 3``; elsewhere ``Art.`` is the noun), list endings that usually do end one
  (``usw.``, ``etc.``) and ambiguous ones (``Mio.``, ``Co.``, ``Inc.``, ``u. a.``, ``Jan.``). After an
  ambiguous abbreviation, an initial (``Mustafa S.``) or a Roman numeral we split only when the next
  word is a typical sentence opener (``Der``, ``Sie``, ``Im``, ``Doch`` …; the rules' ``starters``):
  ``3 Mio. Euro`` stays whole, ``auf 3 Mio. Im Vorjahr`` is split (where the rules say so, a title such as
  ``Gov.`` counts as an opener too). A word glued to an abbreviation by a slash or an elision is looked up
  without it (``Kiel/Nr. 2``, ``l'art. 2``), and the first part of a spaced abbreviation never ends a
  sentence (``a. C.``, ``EE. UU.``).
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

from pipeline.text.rules import SentenceRules, rules_for

__all__ = ["paragraph_spans", "sentence_spans", "split_sentences"]


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
_TOKEN = re.compile(r"\S+")
_NEWLINE = re.compile(r"\n")
# "wächst.Das": a sentence mark between a lowercase word and a capitalized word, without a space
_LOWER = "a-zß-öø-ÿ"  # ASCII and Latin-1 lowercase letters
_UPPER = "A-ZÀ-ÖØ-Þ"
_GLUED = re.compile(rf"(?<=[{_LOWER}]{{2}})[.!?](?=[{_UPPER}][{_LOWER}])")
_GLUED_WORD = re.compile(r"[^\W\d_]+")
# "18", "1000", a day and month such as "02.09", or the last of a range of days: "16./17", "1.-3"
_INT = re.compile(r"\d{1,4}|\d{1,2}\.\d{1,2}|\d{1,2}\.[/–-]\d{1,2}")
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")  # "U.S", "Ph.D", "i.d.R"
_INITIAL = re.compile(rf"(?:[^\W\d_]+\.?-)?[{_UPPER}]")  # "J", "Hans-J", "K.-H"
_PIECE = re.compile(r"[^\W\d_]{1,4}\.")  # one part of a spaced abbreviation: "z.", "d.", "Chr."
_CAMEL = re.compile(r"[a-z]+[A-Z]")  # "iPhone", "eBay": lowercase but may open a sentence
# sentence marks of scripts without spaces between sentences (CJK) and of Indic and Arabic scripts, with
# the closing brackets and quotes after them
_FULL_STOP = re.compile(r"[。！？｡।॥؟]+[」』）》〉】”’\"'»)]*")
_NUMBERED_MARKER = re.compile(r"\d{1,2}[.)]|[a-zA-Z]\)|\(\d{1,2}\)")

_OPEN = "„‚“‘\"'«»‹›([{¿¡"
_CLOSE = "“”‘’\"'«»‹›)]}"
_TERMINAL = ".!?…"
_TAIL = _TERMINAL + _CLOSE
_SPACED = _TERMINAL + "»”:;"  # marks that French typography puts after a space: "vient ! »"
_BULLETS = _words("- – — • * · ▪ ► ■ → ◦ ✓ ✔")
_LINE_CONTINUES = ",;-–—/&+(„‚"  # a line ending in one of these goes on in the next line

_TOP_LEVEL_DOMAINS = _words(
    "de com org net at ch eu io ai info biz gov edu uk fr it es nl be pl us tv me app dev online shop",
)
_INFLECTIONS = ("", "s", "es", "n", "en", "e", "er", "in", "innen", "ern")
_WORD_END = ",;:.!?…“”\"'»«)"


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


def sentence_spans(text: str, *, language: str = "de") -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences of ``text``, in order.

    ``language`` (ISO 639-1, as ``pipeline.text.language`` detects it) picks the abbreviations and sentence
    openers (``pipeline.text.rules``); a language without rules of its own is split like German.
    ``text[start:end]`` is the sentence without surrounding whitespace; the spans never overlap and every
    non-whitespace character of ``text`` lies in exactly one span. A blank line always ends a sentence.
    """
    rules = rules_for(language)
    spans: list[tuple[int, int]] = []
    for a, b in paragraph_spans(text):
        spans.extend(_Paragraph(text, a, b, rules).sentences())
    return spans


def split_sentences(text: str, *, language: str = "de") -> list[str]:
    """Return the sentences of ``text`` (news-style prose in ``language``), in order and stripped.

    Empty or whitespace-only text gives ``[]``. See :func:`sentence_spans` for the offsets.
    """
    return [text[a:b] for a, b in sentence_spans(text, language=language)]


def _abbreviation_kind(key: str, rules: SentenceRules) -> str | None:
    kind = rules.abbreviations.get(key)
    if kind is None and key[:1].isupper():  # sentence-initial "Vgl.", "Z. B."
        kind = rules.abbreviations.get(key[0].lower() + key[1:])
    return kind


def _is_starter(word: str, rules: SentenceRules) -> bool:
    word = word.rstrip(_WORD_END)
    if word in rules.starters:
        return True
    elided = word.replace("’", "'").split("'", 1)  # "L'entreprise", "C'est", "Dell'Italia"
    return len(elided) == 2 and elided[0] + "'" in rules.starters


def _is_ordinal_noun(word: str, rules: SentenceRules) -> bool:
    w = word.rstrip(_WORD_END).lower().rsplit("-", 1)[-1]
    if w in rules.months:
        return True
    for suffix in _INFLECTIONS:
        if w.endswith(suffix):
            base = w[: len(w) - len(suffix)]
            if base in rules.ordinal_nouns:
                return True
            # compounds end in their head noun: "Geschäftsquartal", "Heimspiel"
            if any(base.endswith(noun) for noun in rules.ordinal_nouns if len(noun) >= 4):
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


def _tokens(text: str, start: int, end: int, rules: SentenceRules) -> tuple[list[tuple[int, int, str]], set[int]]:
    """Whitespace tokens ``(start, end, word)`` of ``text[start:end]``, and the indices of tokens that must end
    a sentence. With ``rules.spaced_punctuation`` a token of marks only ("?", "! »") is joined to the word
    before it on the same line, and its ``word`` is written without the space ("vient!»")."""
    tokens: list[tuple[int, int, str]] = []
    forced: set[int] = set()
    for m in _TOKEN.finditer(text, start, end):
        a, b = m.span()
        token = m.group()
        if (
            rules.spaced_punctuation
            and tokens
            and all(c in _SPACED for c in token)
            and "\n" not in text[tokens[-1][1] : a]
            and not all(c in _SPACED + "«" for c in tokens[-1][2])  # not to a lone "«" or ":"
        ):
            tokens[-1] = (tokens[-1][0], b, tokens[-1][2] + token)
            continue
        if _FULL_STOP.search(token):  # "。" "！" "？" "।" "؟" end a sentence wherever they stand
            for g in _FULL_STOP.finditer(token):
                forced.add(len(tokens))
                if g.end() < len(token):
                    tokens.append((a, m.start() + g.end(), text[a : m.start() + g.end()]))
                    a = m.start() + g.end()
        elif len(token) > 4 and "@" not in token and "/" not in token and "www." not in token.lower():
            for g in _GLUED.finditer(token):
                k = g.start()
                while k > 0 and token[k - 1].isalpha():
                    k -= 1
                right = _GLUED_WORD.match(token, g.end())
                if _abbreviation_kind(token[k : g.end()], rules) or (
                    right and right.group().lower() in _TOP_LEVEL_DOMAINS
                ):
                    continue
                forced.add(len(tokens))
                tokens.append((a, m.start() + g.end(), text[a : m.start() + g.end()]))
                a = m.start() + g.end()
        tokens.append((a, b, text[a:b]))
    return tokens, forced


class _Paragraph:
    """Sentence boundary decisions for one paragraph (``text[start:end]``, no blank lines inside)."""

    def __init__(self, text: str, start: int, end: int, rules: SentenceRules) -> None:
        self.text = text
        self.rules = rules
        self.tokens, self.forced = _tokens(text, start, end, rules)
        line_starts = [start] + [m.end() for m in _NEWLINE.finditer(text, start, end)]
        self.line_len = [
            len(text[a:b].strip()) for a, b in zip(line_starts, [*line_starts[1:], end], strict=True)
        ]
        self.line_of: list[int] = []
        line = 0
        for a, _, _ in self.tokens:
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
        return self.tokens[i][2]

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
        if last[-1] in _LINE_CONTINUES or last.lower() in self.rules.continuation_words:
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
        if kind == "never" or self.abbreviation_goes_on(i):
            return False
        if digit and (kind == "number" or core.endswith("str")):  # "Art. 5", "Hauptstr. 5"
            return False
        if _starts_lowercase(nxt):  # only "(dpa)"-like asides get here
            return kind is None and not _INITIAL.fullmatch(core) and ".-" not in core
        if kind == "list":
            return True
        if kind == "ambiguous":
            return self.opens_sentence(nxt)
        if ".-" in core:  # "Dipl.-Ing.", "Dr.-Ing.", "J.-P."
            return False
        if _INT.fullmatch(core):
            return self.ends_at_ordinal(i, core, nxt) if self.rules.ordinal_period else True
        if len(core) == 1 and core.islower():  # "s. Abb. 3"; after a number a unit: "8,20 m."
            return i > 0 and self.word(i - 1)[-1].isdigit()
        if _INITIAL.fullmatch(core):  # an initial ("Angela D. Merkel", "Hans-J. Müller") or "S. 12"
            return not digit and self.opens_sentence(nxt)
        if len(core) > 1 and _ROMAN.fullmatch(core) or _DOTTED.fullmatch(core):  # "Ludwig XIV.", "U.S."
            return not digit and self.opens_sentence(nxt)
        return True

    def abbreviation_goes_on(self, i: int) -> bool:
        """Whether token ``i`` is the first part of a spaced abbreviation ("a. C.", "EE. UU.", "p. ex.")."""
        if i + 1 >= len(self.tokens) or self.line_of[i + 1] != self.line_of[i]:
            return False
        first, second = self.word(i).lstrip(_OPEN), self.word(i + 1)
        if not (_PIECE.fullmatch(first) and _PIECE.fullmatch(second.rstrip(_WORD_END) + ".")):
            return False
        return _abbreviation_kind(first + second.rstrip(_WORD_END) + ".", self.rules) is not None

    def opens_sentence(self, word: str) -> bool:
        """Whether ``word`` after an ambiguous period is a typical sentence opener (or, where the rules say
        so, a title such as "Gov." or "Dr.")."""
        if _is_starter(word, self.rules):
            return True
        return (
            self.rules.title_opens_sentence
            and word.endswith(".")
            and word[0].isupper()
            and _abbreviation_kind(word, self.rules) == "never"
        )

    def ends_at_ordinal(self, i: int, core: str, nxt: str) -> bool:
        """Whether ``<number>.`` ends a sentence or is an ordinal ("am 3. Oktober", "der 18. Preisträger")."""
        if nxt[0].isdigit():
            return len(core) > 2  # "3. 10. 2025" is a date; "2024. 15 Firmen …" is not
        if not nxt[0].isalpha():
            return True
        if _is_ordinal_noun(nxt, self.rules) or i == self.sentence_start:  # "1. FC Köln", "1. Punkt"
            return False
        previous = self.word(i - 1).lower() if i > 0 else ""
        return previous not in self.rules.ordinal_determiners

    def abbreviation(self, i: int, core: str) -> str | None:
        """The abbreviation kind of token ``i`` (``core`` + "."), joining spaced parts like ``z. B.``.

        A word glued to the abbreviation by a slash or an elision counts as a separate word: ``Kiel/Nr.``,
        ``l'art.``.
        """
        pieces = [core + "."]
        j = i - 1
        while j >= 0 and len(pieces) < 4 and self.line_of[j] == self.line_of[i]:
            word = self.word(j).lstrip(_OPEN)
            if not _PIECE.fullmatch(word):
                break
            pieces.insert(0, word)
            j -= 1
        for k in range(len(pieces)):
            kind = _abbreviation_kind("".join(pieces[k:]), self.rules)
            if kind:
                return kind
        last = re.split(r"[/’']", core)[-1]
        if last != core and len(last) > 1:
            return _abbreviation_kind(last + ".", self.rules)
        return None
