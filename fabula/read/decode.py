"""Bytes to text: detect the encoding, refuse binaries, never crash on a stray byte."""
from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import InputError
from ..limits import DEFAULT_LIMITS, Limits

# Magic numbers of formats people mistake for text (images, archives, documents, executables).
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip archive",
    b"BM": None,  # too short a magic to trust alone
    b"MZ": None,
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7z archive",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"RIFF": "a RIFF media file",
    b"ID3": "an MP3 file",
    b"OggS": "an Ogg media file",
}


def read_bytes(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a file")
    try:
        size = p.stat().st_size
        if size > limits.max_input_bytes:
            raise InputError(f"{p}: {size:,} bytes is over the input limit of {limits.max_input_bytes:,} bytes")
        with p.open("rb") as fh:
            data = fh.read(limits.max_input_bytes + 1)
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limits.max_input_bytes:
        raise InputError(f"{p}: over the input limit of {limits.max_input_bytes:,} bytes")
    return data


def binary_kind(data: bytes) -> str | None:
    """Name what a binary file looks like, or None when it may be text."""
    for magic, kind in _BINARY_MAGIC.items():
        if kind and data.startswith(magic):
            return kind
    return None


def decode(data: bytes, name: str = "input") -> tuple[str, str]:
    """Return (text, encoding). Raises InputError for empty or binary data."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{name}: the file is empty")
    kind = binary_kind(data)
    if kind:
        raise InputError(f"{name}: this is {kind}, not text")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                     (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom) and (len(data) - len(bom)) % (4 if "32" in enc else 2) == 0:
            return data[len(bom):].decode(enc, errors="replace"), enc.replace("-le", "").replace("-be", "")
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding = _guess_legacy(data)
    if _looks_binary(text):
        raise InputError(f"{name}: this looks like a binary file, not text")
    return text, encoding


def _bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


_WESTERN_LOOKALIKES = {"ascii", "latin_1", "iso8859_1", "iso8859_2", "iso8859_15", "cp1250", "cp1252",
                       "mac_roman", "mac_latin2", "cp850", "cp437", "iso8859_9", "cp1254"}


def _guess_legacy(data: bytes) -> tuple[str, str]:
    # charset-normalizer is slow on huge inputs; a sample decides, the whole file is decoded.
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            enc = best.encoding
            # Detectors confuse the Western single-byte code pages with their Central European
            # and Mac cousins on short English samples; cp1252 is what English files use.
            if enc in _WESTERN_LOOKALIKES:
                enc = "cp1252"
            try:
                return data.decode(enc, errors="replace"), enc
            except LookupError:
                pass
    except Exception:  # the detector is a helper; falling back is always safe
        pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    return control > 0.10 * len(sample)
