"""Readers: one module per input format, each turning a file into a Document."""
from __future__ import annotations

from pathlib import Path

from ..document import Document
from ..errors import InputError
from ..limits import DEFAULT_LIMITS, Limits
from .decode import decode, read_bytes

FORMATS = ("text", "markdown", "html", "epub")
_EXTENSIONS = {
    ".txt": "text", ".text": "text", "": "text",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".epub": "epub",
}


def detect_format(path: Path, data: bytes) -> str:
    """The format a file is in, from its content first and its name second."""
    if data.startswith(b"PK\x03\x04"):
        return "epub"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head[:512]:
        return "html"
    ext = _EXTENSIONS.get(path.suffix.lower())
    if ext == "epub":
        raise InputError(f"{path}: named .epub but is not an EPUB (zip) file")
    return ext or "text"


def read(path: str | Path, format: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a file into a Document; the format is detected unless given."""
    p = Path(path)
    data = read_bytes(p, limits)
    fmt = format or detect_format(p, data)
    return read_bytes_as(data, fmt, str(p), limits)


def read_bytes_as(data: bytes, fmt: str, name: str = "input", limits: Limits = DEFAULT_LIMITS) -> Document:
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if fmt == "epub":
        from .epub import read_epub
        return read_epub(data, name, limits)
    text, encoding = decode(data, name)
    if fmt == "html":
        from .html import read_html
        return read_html(text, name, encoding, limits)
    if fmt == "markdown":
        from .markdown import read_markdown
        return read_markdown(text, name, encoding, limits)
    from .text import read_text
    return read_text(text, name, encoding, limits)


def read_string(text: str, format: str = "text", name: str = "<string>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a story given as a Python string."""
    if not text.strip():
        raise InputError(f"{name}: the text is empty")
    if format == "text":
        from .text import read_text
        return read_text(text, name, None, limits)
    return read_bytes_as(text.encode("utf-8"), format, name, limits)
