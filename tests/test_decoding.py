"""Text-file bytes → text: UTF-8 with or without BOM, Windows-1252, and clear refusals."""

from __future__ import annotations

import codecs

import pytest

from pipeline.decoding import decode_bytes

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
