"""Bytes of a text file → German text, or a clear reason why not (pure, no torch).

'auto' reads UTF-8 (with or without BOM). A file that is not UTF-8-like at all (its non-ASCII bytes are mostly
not valid UTF-8 sequences) is read as Windows-1252, the legacy encoding of German Windows text (``Größe``
stays ``Größe``). A file that is UTF-8 apart from some bad bytes is refused (``errors="error"``) or decoded
with U+FFFD in their place and a warning that counts them (``errors="replace"``): never read as
Windows-1252, which would turn every ``ä`` into ``Ã¤``. Binary content (NUL bytes) and bytes that are neither
are refused with the reason instead of being turned into mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipeline.config import DecodeErrors

# Characters that never occur in prose; a text containing them is binary data.
_BINARY_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f", "\v"}
# UTF-8 read wrongly as Windows-1252 and saved again leaves these pairs in German text.
_MOJIBAKE = ("Ã¤", "Ã¶", "Ã¼", "ÃŸ", "Ã„", "Ã–", "Ãœ", "â€ž", "â€œ", "â€™")
# bytes that are not UTF-8, after decoding with errors="surrogateescape"
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FIX = "set input.encoding to the file's encoding, or input.decode_errors: replace to read it anyway"


@dataclass(frozen=True)
class Decoded:
    # the decoded text, or None when the bytes could not be read as text
    text: str | None
    # the encoding that was used, e.g. 'utf-8', 'utf-8-sig', 'cp1252'
    encoding: str | None = None
    # why the bytes were refused; None when decoding succeeded
    error: str | None = None
    # a non-fatal note (e.g. the file was read as Windows-1252)
    warning: str | None = None


def binary_reason(text: str) -> str | None:
    """Why ``text`` looks like binary data rather than prose, or None."""
    if "\x00" in text:
        return "binary content: the text contains NUL bytes"
    controls = sum(1 for ch in text[:20000] if ch in _BINARY_CONTROL)
    if controls > max(8, len(text[:20000]) // 100):
        return f"binary content: {controls} control characters in the first 20,000 characters"
    return None


def surrogate_reason(text: str) -> str | None:
    """Why ``text`` cannot be written as UTF-8 (a lone surrogate, e.g. from a JSON ``"\\ud800"`` escape), or None."""
    match = _SURROGATE.search(text)
    if match is None:
        return None
    count = len(_SURROGATE.findall(text))
    return (f"not valid Unicode: {count} lone surrogate(s) (the first, U+{ord(match.group()):04X}, at character "
            f"{match.start()}), which no encoding can write; fix the text (or its \\u escapes) at the source")


def replace_surrogates(text: str) -> tuple[str, int]:
    """``text`` with each lone surrogate replaced by U+FFFD, and how many were replaced."""
    return _SURROGATE.subn("\ufffd", text)


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as a ``\\udXXX`` escape (for ids, which must stay writable)."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def decode_bytes(data: bytes, encoding: str = "auto", errors: DecodeErrors = "error") -> Decoded:
    """Decode file bytes to text following the module's rules; never raises for bad bytes.

    ``errors="replace"`` decodes bytes that are invalid in the chosen encoding as U+FFFD, with a warning that
    counts them, where ``"error"`` (the default) refuses the file.
    """
    if encoding == "auto" and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict_or_replaced(data, "utf-16", "has a UTF-16 byte order mark but invalid UTF-16", errors)
    if b"\x00" in data and not encoding.lower().replace("-", "").startswith(("utf16", "utf32")):
        return Decoded(None, error="binary content: the file contains NUL bytes")
    if encoding != "auto":
        return _strict_or_replaced(data, encoding, f"cannot decode as {encoding}", errors)
    if data.startswith(codecs.BOM_UTF8):
        return _strict_or_replaced(data, "utf-8-sig", "has a UTF-8 byte order mark but invalid UTF-8", errors)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        valid, invalid = _utf8_profile(data)
        if valid >= invalid:  # UTF-8-like: Windows-1252 would garble every valid character
            if errors == "replace":
                return _replaced(data, "utf-8")
            return Decoded(None, error=(
                f"invalid UTF-8: {invalid} byte(s) that are not UTF-8 (the first at byte {utf8_error.start}) in "
                f"a file with {valid} valid UTF-8 character(s), so it is not read as Windows-1252 either; {_FIX}"))
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            return Decoded(
                None,
                error=(
                    f"undecodable: not UTF-8 (invalid byte at {utf8_error.start}) and not Windows-1252 "
                    f"(byte 0x{data[exc.start]:02x} at {exc.start}); set input.encoding to the file's encoding"
                ),
            )
        decoded = _checked(text, "cp1252")
        if decoded.error is None:
            return Decoded(decoded.text, "cp1252", warning="not UTF-8; read as Windows-1252")
        return decoded


def _utf8_profile(data: bytes) -> tuple[int, int]:
    """(non-ASCII characters that are valid UTF-8, bytes that are not UTF-8) in ``data``."""
    text = data.decode("utf-8", "surrogateescape")
    invalid = len(_ESCAPED_BYTE.findall(text))
    return len(_NON_ASCII.findall(text)) - invalid, invalid


def _strict_or_replaced(data: bytes, encoding: str, what: str, errors: DecodeErrors) -> Decoded:
    try:
        return _checked(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        if errors == "replace":
            return _replaced(data, encoding)
        return Decoded(None, error=f"{what} at byte {exc.start}: {exc.reason}; {_FIX}")


def _replaced(data: bytes, encoding: str) -> Decoded:
    """Decode with U+FFFD for each invalid sequence, warning how many were inserted."""
    text = data.decode(encoding, "replace")
    inserted = text.count("\ufffd") - data.decode(encoding, "ignore").count("\ufffd")
    decoded = _checked(text, encoding)
    warning = f"invalid {encoding} bytes: {inserted} replaced by U+FFFD (input.decode_errors: replace)"
    return Decoded(decoded.text, encoding, decoded.error, "; ".join(filter(None, (warning, decoded.warning))))


def _checked(text: str, encoding: str) -> Decoded:
    reason = binary_reason(text)
    if reason:
        return Decoded(None, encoding, error=reason)
    hits = sum(text.count(m) for m in _MOJIBAKE)
    if hits >= 3:
        return Decoded(text, encoding, warning=f"text looks double-encoded (mojibake such as 'Ã¶' {hits} times)")
    return Decoded(text, encoding)
