"""Bytes of a text file → German text, or a clear reason why not (pure, no torch).

'auto' reads UTF-8 (with or without BOM); bytes that are not UTF-8 are read as Windows-1252, the legacy
encoding of German Windows text (``Größe`` stays ``Größe``). Binary content (NUL bytes) and bytes that are
neither are refused with the reason instead of being turned into mojibake.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# Characters that never occur in prose; a text containing them is binary data.
_BINARY_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f", "\v"}
# UTF-8 read wrongly as Windows-1252 and saved again leaves these pairs in German text.
_MOJIBAKE = ("Ã¤", "Ã¶", "Ã¼", "ÃŸ", "Ã„", "Ã–", "Ãœ", "â€ž", "â€œ", "â€™")


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


def decode_bytes(data: bytes, encoding: str = "auto") -> Decoded:
    """Decode file bytes to text following the module's rules; never raises for bad bytes."""
    if encoding == "auto" and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            return Decoded(None, error=f"has a UTF-16 byte order mark but invalid UTF-16 at byte {exc.start}")
    if b"\x00" in data and not encoding.lower().replace("-", "").startswith(("utf16", "utf32")):
        return Decoded(None, error="binary content: the file contains NUL bytes")
    if encoding != "auto":
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            return Decoded(None, error=f"cannot decode as {encoding} at byte {exc.start}: {exc.reason}")
        return _checked(text, encoding)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            return Decoded(None, error=f"has a UTF-8 byte order mark but invalid UTF-8 at byte {exc.start + 3}")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
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


def _checked(text: str, encoding: str) -> Decoded:
    reason = binary_reason(text)
    if reason:
        return Decoded(None, encoding, error=reason)
    hits = sum(text.count(m) for m in _MOJIBAKE)
    if hits >= 3:
        return Decoded(text, encoding, warning=f"text looks double-encoded (mojibake such as 'Ã¶' {hits} times)")
    return Decoded(text, encoding)
