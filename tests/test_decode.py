import codecs

import pytest

from fabula.errors import InputError
from fabula.read.decode import decode

STORY = "“Don’t go,” said Zoë. The café was closed.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings_round_trip(encoding):
    text, _ = decode(STORY.encode(encoding))
    assert text.lstrip("\ufeff") == STORY


def test_cp1252_smart_quotes_and_accents():
    data = STORY.encode("cp1252")
    text, enc = decode(data * 20)
    assert text.startswith(STORY)
    assert enc.replace("-", "").replace("_", "").lower() in ("cp1252", "windows1252")


def test_latin1_stray_byte_never_crashes():
    data = "Plain words and one stray byte: \xa0 and \xe9t\xe9.\n".encode("latin-1")
    text, _ = decode(data)
    assert "Plain words" in text


def test_stray_invalid_utf8_byte_in_utf8_text():
    data = ("Good text " * 50).encode() + b"\xff" + " more good text".encode()
    text, _ = decode(data)
    assert "more good text" in text


@pytest.mark.parametrize("data,needle", [
    (b"", "empty"),
    (b"   \n\n\t ", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
    (b"%PDF-1.7\n" + bytes(range(256)), "PDF"),
    (bytes(range(0, 32)) * 200, "binary"),
])
def test_refuses_empty_and_binary(data, needle):
    with pytest.raises(InputError, match=needle):
        decode(data)


def test_bom_alone_is_empty():
    with pytest.raises(InputError):
        decode(codecs.BOM_UTF8)
