"""The JSON output: schema fabula/1 (see the README)."""
from __future__ import annotations

from pathlib import Path

from ..document import Document
from .atomic import write_atomic


def write_json(doc: Document, path: str | Path, indent: int | None = None) -> None:
    write_atomic(path, doc.dumps(indent=indent) + "\n")
