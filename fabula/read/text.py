"""Plain text, including text copied from an AO3 work page."""
from __future__ import annotations

import re

from ..document import Document, Metadata
from ..errors import InputError
from ..limits import DEFAULT_LIMITS, Limits
from ..sourcemap import TextBuilder
from ..spans import Chapter
from . import headings

# Control characters other than tab and newline are dropped (NUL bytes, stray escapes);
# bidi overrides are dropped too, as they can disguise what a line says.
_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")

# AO3 page landmarks: never story text.
_BODY_START = {"chapter text", "work text:", "work text"}
_NOTES_START = {"notes:", "notes", "chapter notes", "chapter end notes", "end notes", "author's note:",
                "author's notes:"}
_SUMMARY_START = {"summary:", "summary", "chapter summary"}
_DROP_LINES = {"see the end of the chapter for notes", "see the end of the chapter for more notes",
               "see the end of the work for notes", "see the end of the work for more notes",
               "(see the end of the chapter for notes.)", "(see the end of the chapter for more notes.)",
               "(see the end of the work for notes.)", "(see the end of the work for more notes.)"}


def read_text(source: str, name: str = "input", encoding: str | None = None,
              limits: Limits = DEFAULT_LIMITS, source_format: str = "text") -> Document:
    """Build a Document from decoded text; offsets map back into `source`."""
    builder = TextBuilder()
    summary: list[str] = []
    notes: list[str] = []
    lines = [(m.group(1), m.start(1), m.group(2)) for m in _LINE.finditer(source) if m.group(0)]
    ao3 = any(line.strip().lower() in _BODY_START for line, _, _ in lines)
    state = "preface" if ao3 else "body"
    note_buffer: list[str] = []

    def flush_notes() -> None:
        if note_buffer:
            joined = "\n".join(note_buffer).strip()
            if joined:
                (summary if state == "summary" else notes).append(joined)
            note_buffer.clear()

    for line, start, ending in lines:
        key = line.strip().lower()
        if ao3:
            if key in _BODY_START:
                flush_notes()
                state = "body"
                _ensure_break(builder, start)
                continue
            if key in _DROP_LINES:
                continue
            if key in _SUMMARY_START or key in _NOTES_START:
                if state == "body" or state in ("preface", "notes", "summary"):
                    flush_notes()
                    state = "summary" if key in _SUMMARY_START else "notes"
                    continue
            if state != "body":
                if headings.is_strong_heading(line):
                    flush_notes()
                    state = "chapter-preface"
                    _ensure_break(builder, start)
                    _copy_line(builder, line, start, "")
                    builder.insert("\n\n", start + len(line))
                    continue
                note_buffer.append(_DROP.sub("", line))
                continue
        _copy_line(builder, line, start, ending)
    flush_notes()

    text = builder.text()
    chapters = find_chapters(text)
    if len(chapters) > limits.max_chapters:
        raise InputError(f"{name}: {len(chapters):,} chapters is over the limit of {limits.max_chapters:,}")
    chapters, title = _take_title_block(text, chapters)
    metadata = Metadata(title=title, summary="\n\n".join(summary) or None, notes=tuple(notes),
                        source_format=source_format, source_path=name, encoding=encoding)
    return Document(text=text, metadata=metadata, layers={"chapters": chapters, "emphasis": ()},
                    source_map=builder.source_map())


_BYLINE = re.compile(r"^\s*(?:by|written by|translated by)\s+\S", re.IGNORECASE)


def _take_title_block(text: str, chapters: tuple[Chapter, ...]) -> tuple[tuple[Chapter, ...], str | None]:
    """A few short title/byline lines before the story are the work's title, not prose.

    Before a first chapter heading they join that heading block; with no headings at all, a single
    title line followed by a blank line becomes the chapter's heading."""
    if not chapters or chapters[0].title is not None:
        return chapters, None
    front = chapters[0]
    lines = [(m.group(1), m.start(1)) for m in _LINE.finditer(text, front.start, front.end)
             if m.group(0) and m.group(1).strip()]
    if not lines:
        return chapters, None
    if len(chapters) >= 2:
        if len(lines) > 4 or not all(headings.is_title_like(ln) or _BYLINE.match(ln) for ln, _ in lines):
            return chapters, None
        title = headings.clean_title(lines[0][0])
        first = chapters[1]
        merged = Chapter(0, first.end, first.title, lines[0][1], first.heading_end)
        return (merged,) + chapters[2:], title
    line, start = lines[0]
    end = start + len(line)
    after = text[end:end + 3]
    if len(lines) >= 2 and headings.is_title_like(line) and after.startswith(("\n\n", "\n \n", "\n\t")):
        title = headings.clean_title(line)
        return (Chapter(front.start, front.end, title, start, end),), title
    return chapters, None


def _copy_line(builder: TextBuilder, line: str, start: int, ending: str) -> None:
    pos = 0
    for m in _DROP.finditer(line):
        builder.copy(line[pos:m.start()], start + pos)
        pos = m.end()
    builder.copy(line[pos:], start + pos)
    end = start + len(line)
    if ending == "\n":
        builder.copy("\n", end)
    elif ending:  # \r\n or \r become \n
        builder.insert("\n", end)


def _ensure_break(builder: TextBuilder, at: int) -> None:
    if len(builder) and not builder.endswith("\n\n"):
        builder.insert("\n" if builder.endswith("\n") else "\n\n", at)


def find_chapters(text: str) -> tuple[Chapter, ...]:
    """Chapter spans from heading lines; text before the first heading is an untitled chapter."""
    lines = [(m.group(1), m.start(1)) for m in _LINE.finditer(text) if m.group(0)]
    blank = [not line.strip() for line, _ in lines]
    n = len(lines)

    def blank_before(i: int, count: int = 1) -> bool:
        return all(j < 0 or blank[j] for j in range(i - count, i))

    def blank_after(i: int) -> bool:
        return i + 1 >= n or blank[i + 1]

    found: list[tuple[int, int]] = []  # (first line, last line) of each heading
    strong_any = False
    i = 0
    while i < n:
        line = lines[i][0]
        if not blank[i]:
            if headings.is_strong_heading(line) and (blank_before(i) or blank_after(i) or _short_block(lines, i)):
                found.append((i, i))
                strong_any = True
            elif headings.BARE_LABEL.match(line) and i + 1 < n and headings.is_number_heading(lines[i + 1][0]):
                found.append((i, i + 1))
                strong_any = True
                i += 1
            elif headings.is_number_heading(line) and blank_before(i) and blank_after(i):
                found.append((i, i))
                strong_any = True
        i += 1
    if not strong_any:
        # Bare title lines count only when set off by two blank lines, and only if several are.
        titles = [(i, i) for i in range(n) if not blank[i] and headings.is_title_like(lines[i][0])
                  and blank_before(i, 2) and i >= 2 and blank_after(i)]
        if len(titles) >= 2:
            found = titles
    # A subtitle line right under a bare "Chapter 3" joins its heading.
    extended = []
    for first, last in found:
        j = last + 1
        while j < n and blank[j] and j - last <= 2:
            j += 1
        subtitle_below = (j < n and (j + 1 >= n or blank[j + 1]) and headings.is_title_like(lines[j][0])
                          and not headings.is_strong_heading(lines[j][0]))
        if subtitle_below and headings.is_label_only(lines[last][0]):
            extended.append((first, j))
        else:
            extended.append((first, last))
    # Headings separated only by blank lines ("PART ONE" then "Chapter I") form one heading block.
    blocks: list[list[int]] = []
    for first, last in extended:
        if blocks and all(blank[k] for k in range(blocks[-1][1] + 1, first)):
            blocks[-1][1] = last
        else:
            blocks.append([first, last])
    if not blocks:
        return (Chapter(0, len(text), None),) if text.strip() else ()
    chapters = []
    first_start = lines[blocks[0][0]][1]
    if text[:first_start].strip():
        chapters.append(Chapter(0, first_start, None))
    for k, (first, last) in enumerate(blocks):
        start = lines[first][1] if chapters or k else 0
        heading_start = lines[first][1]
        heading_end = lines[last][1] + len(lines[last][0])
        end = lines[blocks[k + 1][0]][1] if k + 1 < len(blocks) else len(text)
        heading_lines = [headings.clean_title(lines[j][0]) for j in range(first, last + 1) if not blank[j]]
        chapters.append(Chapter(start, end, _title_of(heading_lines), heading_start, heading_end))
    return tuple(chapters)


def _short_block(lines, i: int) -> bool:
    # In text with no blank lines (one paragraph a line), a heading is still a short line.
    return len(lines[i][0].strip()) <= 80


def _title_of(heading_lines: list[str]) -> str:
    """The title a reader would give: the innermost heading, with a subtitle joined to its label."""
    last = heading_lines[-1] if heading_lines else ""
    if len(heading_lines) >= 2:
        prev = heading_lines[-2]
        if headings.is_number_heading(last) and headings.BARE_LABEL.match(prev):
            return f"{prev} {last}"
        if (headings.is_title_like(last) and not headings.is_strong_heading(last)
                and not headings.is_number_heading(last) and headings.is_strong_heading(prev)):
            return f"{prev}: {last}"
    return last
