"""Text-file bytes → text: UTF-8 with or without BOM, Windows-1252, and clear refusals."""

from __future__ import annotations

import codecs

import pytest

from pipeline.inputs.decoding import decode_bytes

GERMAN = "Die Größe der Übernahme: 7,25 € je Aktie – „ein Coup“, sagte Dr. Müller."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (GERMAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + GERMAN.encode("utf-8"), "utf-8-sig"),
        (GERMAN.encode("cp1252"), "cp1252"),
        (GERMAN.encode("utf-16"), "utf-16"),
    ],
)
def test_german_comes_out_right(data, encoding):
    decoded = decode_bytes(data)
    assert decoded.error is None
    assert decoded.text == GERMAN
    assert decoded.encoding == encoding


def test_windows_1252_is_noted():
    assert "Windows-1252" in decode_bytes(GERMAN.encode("cp1252")).warning


def test_nul_bytes_are_binary():
    decoded = decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert decoded.text is None and "binary" in decoded.error


def test_control_characters_are_binary():
    decoded = decode_bytes(bytes(range(1, 9)) * 50)
    assert decoded.text is None and "binary" in decoded.error


def test_bytes_neither_utf8_nor_cp1252_are_refused_with_the_position():
    decoded = decode_bytes("Größe ".encode("cp1252") + b"\x81\x8d\x90")
    assert decoded.text is None
    assert "undecodable" in decoded.error and "input.encoding" in decoded.error


def test_explicit_encoding():
    assert decode_bytes(GERMAN.encode("latin-1", errors="replace"), "latin-1").error is None
    assert "cannot decode" in decode_bytes(b"\xff\xfe\xfa", "utf-8").error


def test_double_encoded_text_gets_a_warning():
    mojibake = GERMAN.encode("utf-8").decode("cp1252", errors="replace") * 2
    decoded = decode_bytes(mojibake.encode("utf-8"))
    assert decoded.error is None and "double-encoded" in decoded.warning


def test_utf8_with_a_few_bad_bytes_is_refused_not_read_as_windows_1252():
    data = GERMAN.encode("utf-8") + b" \xff " + GERMAN.encode("utf-8")
    decoded = decode_bytes(data)
    assert decoded.text is None
    assert "invalid UTF-8" in decoded.error and "1 byte" in decoded.error and "input.decode_errors" in decoded.error


def test_bad_bytes_replaced_on_request_with_a_count():
    data = GERMAN.encode("utf-8") + b" \xff\xfe " + "Größe".encode()
    decoded = decode_bytes(data, errors="replace")
    assert decoded.text == GERMAN + " \ufffd\ufffd Größe"
    assert "2 replaced by U+FFFD" in decoded.warning
    assert "1 replaced" in decode_bytes(codecs.BOM_UTF8 + b"ab\xffc", errors="replace").warning
    assert "1 replaced" in decode_bytes(b"ab\xe4c", "utf-8", errors="replace").warning


def test_windows_1252_with_an_accidental_utf8_pair_is_still_windows_1252():
    # "ß“" in Windows-1252 is 0xDF 0x93, which is also a valid UTF-8 sequence (U+07D3)
    text = "„Grüße aus Fuß“, sagte Jürgen Müller über die Öffnung."
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.text == text and "Windows-1252" in decoded.warning
