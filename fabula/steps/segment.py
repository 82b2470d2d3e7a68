"""Scenes and paragraphs inside each chapter; scene-break lines are not prose."""
from __future__ import annotations

import re
from statistics import median

from ..document import Document
from ..spans import Paragraph, Scene

# A line with no letters or digits ("***", "* * *", "~~~", "———", "#", "§", a centred ornament)...
_SYMBOLS_ONLY = re.compile(r"^[^\w\"'\u201c\u201d\u2018\u2019\u00ab\u00bb]{1,60}$")
# ...or one of the worded breaks fan fiction uses ("o0o", "xXx", "-x-", "Line break", "~Scene Break~").
_WORDED_BREAK = re.compile(
    r"^[\W_]*(?:(?:[oO0]+[oO0]*|x+X+x+|[xX]|[oO]~[oO])|(?:line|scene|page|pov|time)[ _-]?(?:break|change|skip))[\W_]*$",
    re.IGNORECASE)
_LINE = re.compile(r"[^\n]*\n?")


def is_break_line(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _SYMBOLS_ONLY.match(s) and not re.fullmatch(r"[.\u2026]{1,3}|[!?]+|[-\u2013\u2014]", s) or s in ("#",):
        return True
    if len(s) <= 40 and _WORDED_BREAK.match(s):
        # "o" / "O" alone is too likely to be prose; need at least two marks, or a worded break.
        letters = re.sub(r"[\W_]", "", s)
        return len(letters) >= 2 or letters != s
    return False


class Segment:
    """Splits chapter bodies into scenes and paragraphs."""
    name = "segment"
    needs = frozenset({"chapters"})
    produces = frozenset({"scenes", "paragraphs"})

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        text = doc.text
        line_mode = _one_paragraph_per_line(text)
        gap_breaks = _blank_gaps_mark_scenes(text, line_mode)
        scenes: list[Scene] = []
        paragraphs: list[Paragraph] = []
        for ci, chapter in enumerate(doc.layer("chapters")):
            body_start = chapter.heading_end if chapter.heading_end is not None else chapter.start
            current: list[tuple[int, int]] = []

            def close_scene() -> None:
                if current:
                    scenes.append(Scene(current[0][0], current[-1][1], chapter=ci))
                    for s, e in current:
                        paragraphs.append(Paragraph(s, e, scene=len(scenes) - 1))
                    current.clear()

            for start, end, blank_before in _blocks(text, body_start, chapter.end, line_mode):
                if gap_breaks and blank_before >= 2 and current:
                    close_scene()
                if end - start <= 80 and "\n" not in text[start:end] and is_break_line(text[start:end]):
                    close_scene()
                    continue
                current.append((start, end))
            close_scene()
        return {"scenes": tuple(scenes), "paragraphs": tuple(paragraphs)}


def _blocks(text: str, start: int, end: int, line_mode: bool):
    """Yield (start, end, blank lines before) for each paragraph, trimmed of outer whitespace."""
    block_start = None
    block_end = None
    blanks = 0
    blanks_before = 0
    for m in _LINE.finditer(text, start, end):
        line = m.group(0)
        if not line:
            break
        s, e = m.start(), m.end()
        if not line.strip():
            if block_start is not None:
                yield _trim(text, block_start, block_end, blanks_before)
                block_start = None
                blanks = 0
            blanks += 1
            continue
        if line_mode and block_start is not None:
            yield _trim(text, block_start, block_end, blanks_before)
            block_start = None
            blanks = 0
        if block_start is None:
            block_start = s
            blanks_before = blanks
        block_end = e
    if block_start is not None:
        yield _trim(text, block_start, block_end, blanks_before)


def _trim(text: str, s: int, e: int, blanks: int) -> tuple[int, int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e, blanks


def _one_paragraph_per_line(text: str) -> bool:
    """True when paragraphs are single long lines (AO3 copy-paste), not hard-wrapped blocks."""
    lines = [ln for ln in text[:2_000_000].split("\n") if ln.strip()]
    if len(lines) < 3:
        return True
    lengths = [len(ln) for ln in lines]
    blocks = [b for b in re.split(r"\n[ \t]*\n", text[:2_000_000]) if b.strip()]
    lines_per_block = len(lines) / max(1, len(blocks))
    if lines_per_block <= 1.3:
        return True  # blank line between single-line paragraphs: both readings agree
    # Hard-wrapped prose has lines of similar, moderate length; pasted prose has long lines.
    return median(lengths) > 110


def _blank_gaps_mark_scenes(text: str, line_mode: bool) -> bool:
    """Two or more blank lines mark a scene only where the source otherwise uses at most one."""
    gaps = re.findall(r"\n((?:[ \t]*\n)+)", text[:2_000_000])
    if not gaps:
        return False
    big = sum(1 for g in gaps if g.count("\n") >= 2)
    return 0 < big <= 0.1 * len(gaps)
