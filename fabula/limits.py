"""Limits that keep a hostile or accidental input from exhausting the machine.

Each is a setting; the defaults suit a long novel or a very long fan fiction on a laptop.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_input_bytes: int = 64 * 1024 * 1024          # the file as given
    max_decompressed_bytes: int = 256 * 1024 * 1024  # all EPUB entries read, in total
    max_archive_entries: int = 10_000                # entries in an EPUB's zip
    max_compression_ratio: float = 200.0             # per zip entry (zip bombs)
    max_markup_depth: int = 2_000                    # nesting of HTML/XML elements
    max_chapters: int = 20_000
    # spaCy's own safety bound; longer paragraphs are cut into chunks for the language pass.
    max_chunk_chars: int = 100_000
    # Wall-clock budget for a whole analyze() run; None means no limit.
    max_seconds: float | None = None


DEFAULT_LIMITS = Limits()
