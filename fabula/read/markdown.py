"""Markdown: a careful line-based reader for stories written in Markdown.

- YAML front matter (``---`` ... ``---`` at the very top, simple ``key: value`` lines, inline
  ``[a, b]`` lists and ``- item`` lists) goes to ``Metadata``: title, author(s), summary, notes,
  language, tags (``tags``/``keywords`` -> ``tags["tags"]``; AO3 group names such as rating,
  fandom, relationships, characters -> their AO3 keys; anything else under its own key), and
  dates or counts -> ``stats``. It is never story text.
- ATX (``#`` .. ``######``) and setext headings (a short line underlined with ``===`` or
  ``---``) are headings; the level used most often, at least twice, starts chapters. A lone
  higher-level heading before the first chapter (``# Title`` over ``## Chapter`` headings) is
  the work's title, kept out of the text; other higher-level headings ("# Part Two") join the
  heading block of the chapter under them. With no repeated level, a single heading at the top
  titles the one chapter; otherwise plain-text heading lines are looked for as in the text reader.
- ``*italic*``, ``_italic_``, ``**bold**``, ``__bold__``, ``~~strike~~`` and the inline HTML
  tags ``<em> <i> <strong> <b> <u> <s> <del>`` become Emphasis spans with the markup removed
  from the text (CommonMark's flanking rules, so ``snake_case`` and ``2 * 3`` stay as they are).
  Backslash escapes, code spans and links (``[text](url)`` keeps ``text``) are unwrapped;
  images are dropped.
- Thematic breaks (``***``, ``---``, ``___``, ``* * *``) become the scene-break line ``* * *``.
- Lines keep their breaks inside a paragraph; paragraphs are separated by one blank line.

Source map: ``unit == "char"``. Every character that was copied from the file maps to its own
offset in the decoded source (markup characters are skipped, never copied); inserted characters
(paragraph breaks, ``* * *``) map to the source offset where they stand.
"""
from __future__ import annotations

import bisect
import re

from ..document import Document, Metadata
from ..errors import InputError
from ..limits import DEFAULT_LIMITS, Limits
from ..sourcemap import TextBuilder
from ..spans import Emphasis
from . import headings
from .html import chapters_from_headings

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff]")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:=[ \t]*){3,})$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}(?:> ?)+")
_INLINE_TAG = re.compile(r"<(/?)(em|i|strong|b|u|s|del|strike|ins)\s*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r"(!?)\[([^\[\]\n]*)\]\((?:[^()\s]*|<[^>\n]*>)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)")
_TAG_KIND = {"em": "italic", "i": "italic", "strong": "bold", "b": "bold", "u": "underline", "ins": "underline",
             "s": "strike", "del": "strike", "strike": "strike"}
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MAX_LOOKBACK = 64

# Front matter keys -> where they go.
_FM_TITLE = {"title"}
_FM_AUTHORS = {"author", "authors", "creator", "creators", "by"}
_FM_SUMMARY = {"summary", "description", "abstract"}
_FM_NOTES = {"notes", "note", "author_notes", "authors_notes"}
_FM_LANGUAGE = {"language", "lang"}
_FM_STATS = {"date", "published", "updated", "completed", "words", "word_count", "chapters", "status",
             "kudos", "hits", "bookmarks", "comments"}
_FM_TAGS = {"tags": "tags", "tag": "tags", "keywords": "tags",
            "rating": "rating", "ratings": "rating",
            "warning": "archive_warnings", "warnings": "archive_warnings", "archive_warning": "archive_warnings",
            "archive_warnings": "archive_warnings",
            "category": "categories", "categories": "categories",
            "fandom": "fandoms", "fandoms": "fandoms",
            "relationship": "relationships", "relationships": "relationships", "pairing": "relationships",
            "pairings": "relationships", "ship": "relationships", "ships": "relationships",
            "character": "characters", "characters": "characters",
            "additional_tags": "additional_tags", "freeform": "additional_tags", "freeforms": "additional_tags",
            "series": "series", "collection": "collections", "collections": "collections"}


def read_markdown(source: str, name: str = "input", encoding: str | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Document:
    """Build a Document from decoded Markdown; offsets map back into `source`."""
    lines = [(m.group(1), m.start(1), m.group(2)) for m in _LINE.finditer(source) if m.group(0)]
    front, body_from = _front_matter(lines)
    blocks = _blocks(lines, body_from)
    meta = _metadata(front)

    # Decide which headings start chapters before writing anything.
    heading_levels = [b[1] for b in blocks if b[0] == "heading"]
    counts: dict[int, int] = {}
    for lv in heading_levels:
        counts[lv] = counts.get(lv, 0) + 1
    repeated = [lv for lv, n in counts.items() if n >= 2]
    level = max(repeated, key=lambda lv: (counts[lv], -lv)) if repeated else None
    drop_index = None
    if level is not None:
        first = next(i for i, b in enumerate(blocks) if b[0] == "heading" and b[1] == level)
        higher = [i for i, b in enumerate(blocks) if b[0] == "heading" and b[1] < level]
        if len(higher) == 1 and higher[0] < first:
            drop_index = higher[0]

    builder = TextBuilder()
    emphasis: list[Emphasis] = []
    heads: list[tuple[int, int, int]] = []  # (start, end, level) of every heading written
    for i, block in enumerate(blocks):
        kind = block[0]
        if i == drop_index:
            if meta.get("title") is None:
                meta["title"] = _plain_inline(block[2])
            continue
        at = block[2][0][1] if kind != "break" else block[1]
        if len(builder) and not builder.endswith("\n\n"):
            builder.insert("\n\n", at)
        if kind == "break":
            builder.insert("* * *", block[1])
        elif kind == "code":
            _copy_lines(builder, block[2])
        elif kind == "heading":
            start = len(builder)
            _inline(builder, block[2], emphasis)
            if len(builder) > start:
                heads.append((start, len(builder), block[1]))
        else:
            _inline(builder, block[2], emphasis)
    text = builder.text()
    if not text.strip():
        raise InputError(f"{name}: no story text found in the Markdown")

    title = meta.get("title")
    if level is not None:
        chapter_heads = [(s, e, _clean(text[s:e])) for s, e, lv in heads if lv == level]
        joinable = [(s, e) for s, e, lv in heads if lv < level]
        chapters = chapters_from_headings(text, chapter_heads, joinable)
    elif len(heads) == 1 and not text[:heads[0][0]].strip():
        s, e, _ = heads[0]
        from ..spans import Chapter
        chapters = (Chapter(0, len(text), _clean(text[s:e]) or None, s, e),)
        title = title or _clean(text[s:e]) or None
    else:
        from .text import find_chapters
        chapters = find_chapters(text)
    if len(chapters) > limits.max_chapters:
        raise InputError(f"{name}: {len(chapters):,} chapters is over the limit of {limits.max_chapters:,}")
    tags = {k: tuple(v) for k, v in meta.get("tags", {}).items()}
    metadata = Metadata(title=title, authors=tuple(meta.get("authors", ())), summary=meta.get("summary"),
                        notes=tuple(meta.get("notes", ())), language=meta.get("language"), tags=tags,
                        stats=dict(meta.get("stats", {})), source_format="markdown", source_path=name,
                        encoding=encoding)
    spans = tuple(sorted(set(emphasis), key=lambda e: (e.start, e.end, e.kind)))
    return Document(text=text, metadata=metadata, layers={"chapters": chapters, "emphasis": spans},
                    source_map=builder.source_map())


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# ---------------------------------------------------------------- front matter

_FM_KEY = re.compile(r"^([A-Za-z_][\w \-]*?)\s*:(?:\s+(.*?))?\s*$")
_FM_ITEM = re.compile(r"^\s+-\s+(.*?)\s*$|^-\s+(.*?)\s*$")


def _front_matter(lines) -> tuple[list[tuple[str, list[str]]], int]:
    """([(key, values)], index of the first body line). No front matter: ([], 0)."""
    if not lines or lines[0][0].rstrip() != "---":
        return [], 0
    entries: list[tuple[str, list[str]]] = []
    block_scalar = False
    for i in range(1, min(len(lines), 1000)):
        line = lines[i][0]
        if line.rstrip() in ("---", "...") and not line.startswith(" "):
            return (entries, i + 1) if entries else ([], 0)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _FM_KEY.match(line)
        if m and not line[0].isspace():
            value = (m.group(2) or "").strip()
            block_scalar = value in ("|", ">", "|-", ">-", "|+", ">+")
            entries.append((m.group(1).strip(), [] if block_scalar or not value else _yaml_values(value)))
            continue
        item = _FM_ITEM.match(line)
        if item and entries and not block_scalar:
            entries[-1][1].append(_unquote(item.group(1) if item.group(1) is not None else item.group(2)))
            continue
        if line[0].isspace() and entries:
            values = entries[-1][1]
            if values and not block_scalar:
                values[-1] = f"{values[-1]} {line.strip()}"
            else:
                if block_scalar and values:
                    values[0] = f"{values[0]}\n{line.strip()}"
                else:
                    values.append(line.strip())
            continue
        return [], 0  # not YAML: the '---' was a thematic break
    return [], 0


def _unquote(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def _yaml_values(value: str) -> list[str]:
    if value.startswith("[") and value.endswith("]"):
        items = re.findall(r"\s*(\"[^\"]*\"|'[^']*'|[^,]+)\s*(?:,|$)", value[1:-1])
        return [_unquote(v) for v in items if _unquote(v)]
    return [_unquote(value)]


def _metadata(front) -> dict:
    meta: dict = {}
    for key, values in front:
        k = re.sub(r"[\s-]+", "_", key.strip().lower())
        values = [v for v in (_DROP.sub("", v).strip() for v in values) if v]
        if not values:
            continue
        if k in _FM_TITLE:
            meta["title"] = values[0]
        elif k in _FM_AUTHORS:
            names = values
            if len(values) == 1 and k.endswith("s"):
                names = [n.strip() for n in re.split(r",|\s+&\s+|\s+and\s+", values[0]) if n.strip()]
            meta.setdefault("authors", []).extend(names)
        elif k in _FM_SUMMARY:
            meta["summary"] = "\n".join(values)
        elif k in _FM_NOTES:
            meta.setdefault("notes", []).extend(values)
        elif k in _FM_LANGUAGE:
            meta["language"] = values[0]
        elif k in _FM_STATS:
            meta.setdefault("stats", {})[k] = ", ".join(values)
        else:
            group = _FM_TAGS.get(k, k)
            if group in _FM_TAGS.values() and len(values) == 1 and "," in values[0] and k in _FM_TAGS:
                values = [v.strip() for v in values[0].split(",") if v.strip()]
            tags = meta.setdefault("tags", {})
            tags[group] = list(dict.fromkeys(tags.get(group, []) + values))
    return meta


# ---------------------------------------------------------------- blocks

def _blocks(lines, start: int) -> list[tuple]:
    """("para", None, segs) / ("heading", level, segs) / ("break", source_at) / ("code", None, segs).

    segs: [(content, source offset, ending)] for each line, outer white space trimmed.
    """
    blocks: list[tuple] = []
    para: list[tuple[str, int, str]] = []
    para_blank_before = True
    fence: str | None = None
    code: list[tuple[str, int, str]] = []
    blank_before = True

    def flush() -> None:
        nonlocal para
        if para:
            blocks.append(("para", None, para))
            para = []

    for i in range(start, len(lines)):
        line, offset, ending = lines[i]
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                if code:
                    blocks.append(("code", None, code))
                code = []
                fence = None
            else:
                code.append((line, offset, ending))
            continue
        stripped = line.strip()
        if not stripped:
            flush()
            blank_before = True
            continue
        m = _FENCE.match(line)
        if m:
            flush()
            fence = m.group(1)
            code = []
            blank_before = False
            continue
        m = _ATX.match(line)
        if m:
            flush()
            content = m.group(2) or ""
            if content:
                cstart = offset + line.index(content, len(m.group(1)))
                blocks.append(("heading", len(m.group(1)), [(content, cstart, "")]))
            blank_before = False
            continue
        if (_SETEXT.match(line) and len(para) == 1 and para_blank_before and len(para[0][0]) <= 80
                and (stripped[0] == "=" or headings.is_title_like(para[0][0])
                     or headings.is_strong_heading(para[0][0]))):
            # "---" under a line of prose is a scene break, not a setext heading.
            level = 1 if stripped[0] == "=" else 2
            blocks.append(("heading", level, para))
            para = []
            blank_before = False
            continue
        if _THEMATIC.match(line):
            flush()
            blocks.append(("break", offset + len(line) - len(line.lstrip())))
            blank_before = False
            continue
        q = _QUOTE.match(line)
        lead = q.end() if q else 0
        content = line[lead:]
        trimmed = content.strip()
        if not trimmed:
            flush()
            blank_before = True
            continue
        cstart = offset + lead + (len(content) - len(content.lstrip()))
        if not para:
            para_blank_before = blank_before
        para.append((trimmed, cstart, ending))
        blank_before = False
    flush()
    if fence is not None and code:
        blocks.append(("code", None, code))
    return blocks


def _copy_lines(builder: TextBuilder, segs) -> None:
    for k, (content, offset, ending) in enumerate(segs):
        _copy_clean(builder, content, offset)
        if k + 1 < len(segs):
            _newline(builder, offset + len(content), ending)


def _copy_clean(builder: TextBuilder, piece: str, offset: int) -> None:
    pos = 0
    for m in _DROP.finditer(piece):
        builder.copy(piece[pos:m.start()], offset + pos)
        pos = m.end()
    builder.copy(piece[pos:], offset + pos)


def _newline(builder: TextBuilder, at: int, ending: str) -> None:
    if ending == "\n":
        builder.copy("\n", at)
    else:
        builder.insert("\n", at)


# ---------------------------------------------------------------- inline

def _plain_inline(segs) -> str:
    b = TextBuilder()
    _inline(b, segs, [])
    return _clean(b.text())


_SPECIAL = re.compile(r"[\\`<*_~]")


def _inline(builder: TextBuilder, segs, emphasis: list[Emphasis]) -> None:
    """Write one paragraph's lines, removing Markdown markup and recording emphasis spans.

    The paragraph's lines are joined with "\n"; `pieces` says where each line came from, so
    every run of kept characters is copied with its own source offset.
    """
    parts: list[str] = []
    pieces: list[tuple[int, int, bool]] = []  # (start in joined, source offset, copied verbatim)
    pos = 0
    for k, (content, offset, ending) in enumerate(segs):
        if k:
            prev_content, prev_off, _ = segs[k - 1]
            pieces.append((pos, prev_off + len(prev_content), False))  # the line break: inserted
            parts.append("\n")
            pos += 1
        pieces.append((pos, offset, True))
        parts.append(content)
        pos += len(content)
    joined = "".join(parts)
    n = len(joined)
    piece_starts = [p[0] for p in pieces]

    def emit(a: int, b: int) -> None:
        idx = bisect.bisect_right(piece_starts, a) - 1
        while a < b:
            start, source, verbatim = pieces[idx]
            end = min(b, piece_starts[idx + 1] if idx + 1 < len(pieces) else n)
            if verbatim:
                _copy_clean(builder, joined[a:end], source + (a - start))
            else:
                builder.insert(joined[a:end], source)
            a = end
            idx += 1

    if not _SPECIAL.search(joined) and "[" not in joined:
        emit(0, n)  # nothing to unwrap: the common case
        return

    skips: list[tuple[int, int]] = []  # markup ranges of links and images, sorted
    for m in _LINK.finditer(joined):
        if m.group(1):
            skips.append((m.start(), m.end()))
        else:
            skips.append((m.start(), m.start() + 1))
            skips.append((m.end(2), m.end()))
    sk = 0

    items: list[tuple] = []  # ("r", a, b) kept text | ("d", run) | ("t", closing, kind) | ("br", at)

    def literal(a: int, b: int) -> None:
        nonlocal sk
        while a < b:
            while sk < len(skips) and skips[sk][1] <= a:
                sk += 1
            if sk < len(skips) and skips[sk][0] < b:
                s0, s1 = skips[sk]
                if s0 > a:
                    items.append(("r", a, s0))
                a = max(a, s1)
            else:
                items.append(("r", a, b))
                return

    def skipped(j: int) -> int | None:
        nonlocal sk
        while sk < len(skips) and skips[sk][1] <= j:
            sk += 1
        if sk < len(skips) and skips[sk][0] <= j:
            return skips[sk][1]
        return None

    tick_runs = None
    runs: list[dict] = []
    i = 0
    while i < n:
        m = _SPECIAL.search(joined, i)
        if m is None:
            literal(i, n)
            break
        j = m.start()
        literal(i, j)
        end_skip = skipped(j)
        if end_skip is not None:
            i = end_skip
            continue
        ch = joined[j]
        if ch == "\\":
            nxt = joined[j + 1] if j + 1 < n else ""
            if nxt == "\n":
                i = j + 1
            elif nxt and nxt in _PUNCT:
                items.append(("r", j + 1, j + 2))
                i = j + 2
            else:
                items.append(("r", j, j + 1))
                i = j + 1
            continue
        if ch == "`":
            k = j
            while k < n and joined[k] == "`":
                k += 1
            ticks = k - j
            if tick_runs is None:
                tick_runs = _tick_runs(joined)
            close = _find_ticks(tick_runs, k, ticks)
            if close is not None:
                a, b = k, close
                if b - a >= 2 and joined[a] == " " and joined[b - 1] == " " and joined[a:b].strip():
                    a, b = a + 1, b - 1
                items.append(("r", a, b))
                i = close + ticks
            else:
                items.append(("r", j, k))
                i = k
            continue
        if ch == "<":
            m = _INLINE_TAG.match(joined, j)
            if m:
                items.append(("t", bool(m.group(1)), _TAG_KIND[m.group(2).lower()]))
                i = m.end()
                continue
            m = _BR.match(joined, j)
            if m:
                items.append(("br", j))
                i = m.end()
                continue
            items.append(("r", j, j + 1))
            i = j + 1
            continue
        k = j
        while k < n and joined[k] == ch:
            k += 1
        count = k - j
        if ch == "~" and count != 2:
            items.append(("r", j, k))
            i = k
            continue
        before = joined[j - 1] if j > 0 else " "
        after = joined[k] if k < n else " "
        left = not after.isspace() and (after not in _PUNCT or before.isspace() or before in _PUNCT)
        right = not before.isspace() and (before not in _PUNCT or after.isspace() or after in _PUNCT)
        if ch == "_":
            can_open = left and (not right or before in _PUNCT)
            can_close = right and (not left or after in _PUNCT)
        else:
            can_open, can_close = left, right
        runs.append({"ch": ch, "i": j, "orig": count, "count": count, "open": can_open, "close": can_close,
                     "lused": 0, "rused": 0, "opens": [], "closes": []})
        items.append(("d", len(runs) - 1))
        i = k

    matches = _match_runs(runs)

    # Write.
    starts: dict[int, int] = {}
    tag_stack: list[tuple[str, int]] = []
    for item in items:
        kind = item[0]
        if kind == "r":
            emit(item[1], item[2])
        elif kind == "d":
            run = runs[item[1]]
            for m_id in run["closes"]:
                if m_id in starts and len(builder) > starts[m_id]:
                    emphasis.append(Emphasis(starts[m_id], len(builder), matches[m_id]))
            emit(run["i"] + run["lused"], run["i"] + run["orig"] - run["rused"])
            for m_id in run["opens"]:
                starts[m_id] = len(builder)
        elif kind == "t":
            _, closing, tag_kind = item
            if not closing:
                tag_stack.append((tag_kind, len(builder)))
                continue
            for j in range(len(tag_stack) - 1, -1, -1):
                if tag_stack[j][0] == tag_kind:
                    start = tag_stack.pop(j)[1]
                    if len(builder) > start:
                        emphasis.append(Emphasis(start, len(builder), tag_kind))
                    break
        else:  # <br>
            idx = bisect.bisect_right(piece_starts, item[1]) - 1
            builder.insert("\n", pieces[idx][1] + (item[1] - pieces[idx][0] if pieces[idx][2] else 0))


def _match_runs(runs: list[dict]) -> list[str]:
    """Pair delimiter runs (CommonMark's algorithm, with a bounded look-back); the kind of each match."""
    matches: list[str] = []
    stack: list[int] = []
    for r_id, run in enumerate(runs):
        if run["close"]:
            while run["count"] > 0:
                found = None
                for depth, j in enumerate(reversed(stack)):
                    if depth >= _MAX_LOOKBACK:
                        break
                    o = runs[j]
                    if o["ch"] != run["ch"] or o["count"] <= 0:
                        continue
                    if run["ch"] == "~" and (o["count"] != 2 or run["count"] != 2):
                        continue
                    if ((o["close"] or run["open"]) and (o["orig"] + run["orig"]) % 3 == 0
                            and not (o["orig"] % 3 == 0 and run["orig"] % 3 == 0)):
                        continue
                    found = len(stack) - 1 - depth
                    break
                if found is None:
                    break
                o = runs[stack[found]]
                use = 2 if o["count"] >= 2 and run["count"] >= 2 else 1
                m_id = len(matches)
                matches.append("strike" if run["ch"] == "~" else ("bold" if use == 2 else "italic"))
                o["opens"].append(m_id)
                run["closes"].append(m_id)
                o["count"] -= use
                o["rused"] += use
                run["count"] -= use
                run["lused"] += use
                del stack[found + 1:]
                if o["count"] == 0:
                    stack.pop()
        if run["open"] and run["count"] > 0:
            stack.append(r_id)
    return matches


def _tick_runs(s: str) -> dict[int, list[int]]:
    runs: dict[int, list[int]] = {}
    for m in re.finditer(r"`+", s):
        runs.setdefault(len(m.group(0)), []).append(m.start())
    return runs


def _find_ticks(runs: dict[int, list[int]], pos: int, ticks: int) -> int | None:
    """Start of the next run of exactly `ticks` backticks at or after pos."""
    starts = runs.get(ticks)
    if not starts:
        return None
    k = bisect.bisect_left(starts, pos)
    return starts[k] if k < len(starts) else None
