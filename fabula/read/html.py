"""HTML: the AO3 download (and a saved AO3 work page), and any other HTML story.

What comes out
--------------
Only text is kept. Each block element (p, div, blockquote, li, dd, td, h1-h6, ...) becomes a
paragraph, separated from the next by a blank line; ``<br>`` becomes a line break (two in a row,
a paragraph break); ``<hr>`` becomes a scene-break line ``* * *``. Runs of white space collapse to
one space, as a browser shows them (``<pre>`` keeps its lines). ``<script>``, ``<style>``,
``<head>``, ``<nav>``, forms, media and comments give no text at all, so neither script bodies
nor event handler attributes can reach the story text.

Known limit: libxml2's HTML parser closes an inline element at the end of its block, so italics
left open across paragraphs (``<p><i>one</p><p>two</i></p>``) cover only the first paragraph;
well-formed nesting (``<i><div>one</div><div>two</div></i>``) keeps both.

Emphasis: ``<em>``/``<i>`` -> italic, ``<strong>``/``<b>`` -> bold, ``<u>``/``<ins>`` -> underline,
``<s>``/``<del>``/``<strike>`` -> strike, and the same for ``<span style="...">`` with the matching
CSS. A span never crosses a paragraph break: emphasis over several paragraphs gives one span per
paragraph.

Chapters: in an AO3 download each chapter's ``h2.heading`` starts a chapter; the chapter's
summary, notes and end notes, the work's preface (tags, stats, summary, notes) and afterword go to
``Metadata``, never into the text. In other HTML the heading level (h1-h4) that is used most often,
at least twice, starts chapters; a lone higher-level heading before the first chapter is the
work's title. With no repeated heading level, plain-text heading lines ("Chapter 3") are looked for
as the text reader does; failing those, the story is one chapter.

Source map
----------
``Document.source_map.unit == "line"``: ``to_source(offset)`` is the 1-based line, in the decoded
HTML file, where the element holding that character starts (for text that follows a child
element, that child's line). It is approximate by nature: a position, not a character offset.
(The EPUB reader counts lines through its spine documents one after another.)

Safety: lxml's HTML parser runs with no network access and ``huge_tree=False`` (libxml2's own
limits stay on); the DOCTYPE is removed before parsing so no entity declaration is ever read;
nesting deeper than the parser's limit or ``limits.max_markup_depth`` is an ``InputError``. The
tree is walked with an explicit stack, never by recursion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from ..document import Document, Metadata
from ..errors import InputError
from ..limits import DEFAULT_LIMITS, Limits
from ..sourcemap import SourceMap
from ..spans import Chapter, Emphasis

# Control characters other than tab and newline, bidi overrides and BOMs never reach the text.
_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff\u200b]")
_WS = re.compile(r"\s+")
_DOCTYPE = re.compile(r"\A(\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*)(<!DOCTYPE\b(?:[^\[>]|\[.*?\])*>)",
                      re.IGNORECASE | re.DOTALL)
_XML_DECL = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>", re.IGNORECASE)

BLOCK = frozenset("""p div blockquote li ul ol dl dt dd h1 h2 h3 h4 h5 h6 pre section article header
footer aside main table thead tbody tfoot tr td th caption figure figcaption address center
details summary fieldset legend hgroup body html form dialog menu""".split())
SKIP = frozenset("""script style head title meta link noscript template iframe object embed svg math
canvas audio video button select textarea input option optgroup frame frameset applet base map area
source track param rp nav""".split())
EMPHASIS_TAGS = {"em": "italic", "i": "italic", "strong": "bold", "b": "bold", "u": "underline",
                 "ins": "underline", "s": "strike", "del": "strike", "strike": "strike"}
HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_STYLE_KINDS = ((re.compile(r"font-style\s*:\s*(?:italic|oblique)", re.I), "italic"),
                (re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I), "bold"),
                (re.compile(r"text-decoration[\w-]*\s*:[^;]*underline", re.I), "underline"),
                (re.compile(r"text-decoration[\w-]*\s*:[^;]*line-through", re.I), "strike"))

# AO3 tag-group labels (singular and plural as the archive prints them) -> Metadata.tags keys.
AO3_TAG_LABELS = {
    "rating": "rating", "ratings": "rating",
    "archive warning": "archive_warnings", "archive warnings": "archive_warnings",
    "warning": "archive_warnings", "warnings": "archive_warnings",
    "category": "categories", "categories": "categories",
    "fandom": "fandoms", "fandoms": "fandoms",
    "relationship": "relationships", "relationships": "relationships",
    "character": "characters", "characters": "characters",
    "additional tag": "additional_tags", "additional tags": "additional_tags",
    "freeform": "additional_tags", "freeforms": "additional_tags",
    "language": "language",
    "series": "series",
    "collection": "collections", "collections": "collections",
}
# Labels AO3 prints above a summary or notes blockquote.
NOTE_LABELS = {"summary": "summary", "notes": "notes", "chapter summary": "chapter-summary",
               "chapter notes": "notes", "chapter end notes": "notes", "end notes": "notes",
               "author's note": "notes", "author's notes": "notes"}
_SEE_END = re.compile(r"^\(?\s*see the end of the (?:chapter|work) for (?:more )?notes\.?\s*\)?$", re.I)
_STAT = re.compile(r"([A-Za-z][A-Za-z ]*?)\s*:\s*([^\s:]+)")


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _norm(s: str) -> str:
    return _WS.sub(" ", _DROP.sub("", s or "")).strip()


def _label(el) -> str:
    """An element's text as a label: lower case, no trailing colon."""
    return _norm(el.text_content()).rstrip(":").strip().lower()


def _tag(el) -> str | None:
    tag = el.tag
    if not isinstance(tag, str):
        return None  # comment, processing instruction, entity
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    return tag.lower()


def parse_html(data: bytes | str, name: str, limits: Limits = DEFAULT_LIMITS):
    """Parse HTML or XHTML safely; returns the root element (html)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    # The DOCTYPE is replaced by as many newlines (line numbers stay right): an internal subset
    # could declare entities, and nothing in a DOCTYPE is text.
    m = _DOCTYPE.match(data)
    if m:
        data = data[:m.start(2)] + "\n" * m.group(2).count("\n") + data[m.end(2):]
    m = _XML_DECL.match(data)
    if m:
        data = "\n" * m.group(0).count("\n") + data[m.end():]
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    parser = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True,
                                  remove_pis=True, encoding="utf-8", default_doctype=False)
    try:
        root = lxml_html.document_fromstring(data.encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{name}: cannot parse the HTML ({_first_line(exc)})") from None
    for err in parser.error_log:
        if "Excessive depth" in err.message:
            raise InputError(f"{name}: the markup is nested more than 256 levels deep (at line {err.line}); "
                             f"refusing to read it")
        if err.type_name == "ERR_RESOURCE_LIMIT":
            raise InputError(f"{name}: the HTML is too large to read safely at line {err.line} "
                             f"({err.message.strip().split(',')[0]})")
    return root


_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def refuse_entity_declarations(data: bytes, name: str, what: str) -> None:
    """XML that declares entities is refused outright: no billion laughs, no external files."""
    if _ENTITY_DECL.search(data) or "<!ENTITY".encode("utf-16-le") in data or "<!ENTITY".encode("utf-16-be") in data:
        raise InputError(f"{name}: {what} declares XML entities, which fabula refuses to expand "
                         f"(a possible entity-expansion attack)")


def parse_markup(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS):
    """Parse an XHTML document (an EPUB's content) as XML, or as HTML when it is not well formed.

    The XML parser resolves no entities, loads no DTD and touches no network; entity
    declarations are refused before parsing.
    """
    refuse_entity_declarations(data, name, "a content document")
    parser = lxml_html.XHTMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                   remove_comments=True, remove_pis=True, dtd_validation=False)
    try:
        root = etree.fromstring(data, parser)
        if root is not None and _tag(root) == "html":
            return root
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            raise InputError(f"{name}: the markup is nested more than 256 levels deep; refusing to read it") from None
    except ValueError:
        pass
    return parse_html(_decode_markup(data), name, limits)


def _decode_markup(data: bytes) -> str:
    m = re.match(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", data)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def body_of(root):
    """The <body> element of a parsed document (any namespace), or the root itself."""
    for child in root:
        if _tag(child) == "body":
            return child
    return root


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or ["unknown error"])[0]


@dataclass
class Ao3Meta:
    """What an AO3 preface, chapter meta blocks and afterword say about the work."""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: list[str] = field(default_factory=list)
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stats: dict[str, str] = field(default_factory=dict)


def is_tags_dl(el) -> bool:
    """A <dl> of AO3 tag groups (found by its labels, so renamed classes do not matter)."""
    if _tag(el) != "dl":
        return False
    labels = [_label(c) for c in el if _tag(c) == "dt"]
    return sum(1 for lb in labels if lb in AO3_TAG_LABELS or lb == "stats") >= 2 or "tags" in _classes(el)


def find_tags_dl(root):
    for dl in root.iter("dl", "{*}dl"):
        if is_tags_dl(dl):
            return dl
    return None


def parse_tags_dl(dl, meta: Ao3Meta) -> None:
    """Fill meta.tags and meta.stats from the dt/dd pairs of an AO3 tags list."""
    label = None
    for child in dl:
        tag = _tag(child)
        if tag == "dt":
            label = _label(child)
            continue
        if tag != "dd" or label is None:
            continue
        if label == "stats":
            _parse_stats(child, meta.stats)
        elif label in AO3_TAG_LABELS:
            key = AO3_TAG_LABELS[label]
            values = _series_values(child) if key == "series" else _dd_values(child)
            if values:
                meta.tags[key] = tuple(dict.fromkeys(meta.tags.get(key, ()) + values))
        label = None


def _dd_values(dd) -> tuple[str, ...]:
    links = [_norm(a.text_content()) for a in dd.iter("a", "{*}a")]
    links = [t for t in links if t]
    if links:
        return tuple(links)
    items = [_norm(li.text_content()) for li in dd.iter("li", "{*}li")]
    if any(items):
        return tuple(t for t in items if t)
    text = _norm(dd.text_content())
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _series_values(dd) -> tuple[str, ...]:
    """'Part 2 of <a>Series</a>, Part 1 of <a>Other</a>' -> ('Part 2 of Series', 'Part 1 of Other')."""
    text = _norm(dd.text_content())
    titles = [_norm(a.text_content()) for a in dd.iter("a", "{*}a")]
    out = []
    pos = 0
    for t in titles:
        if not t:
            continue
        i = text.find(t, pos)
        if i < 0:
            out.append(t)
            continue
        prefix = text[pos:i].strip().lstrip(",").strip()
        out.append(f"{prefix} {t}".strip())
        pos = i + len(t)
    if not out and text:
        out = [text]
    return tuple(out)


def _parse_stats(dd, stats: dict[str, str]) -> None:
    inner = [c for c in dd.iter("dt", "{*}dt")]
    if inner:  # a saved work page nests <dl class="stats"><dt>Words:</dt><dd>1,234</dd>...
        for dt in inner:
            dd2 = dt.getnext()
            if dd2 is not None and _tag(dd2) == "dd":
                key = _label(dt).replace(" ", "_")
                if key:
                    stats[key] = _norm(dd2.text_content())
        return
    for key, value in _STAT.findall(_norm(dd.text_content())):
        stats[key.strip().lower().replace(" ", "_")] = value


def block_text(el, limits: Limits = DEFAULT_LIMITS) -> str:
    """An element's text, normalized the same way as story text (paragraphs split by blank lines)."""
    conv = HtmlConverter(limits, "note")
    conv.walk(el, include_root_tail=False)
    return conv.text().strip()


def parse_ao3_preface(region, meta: Ao3Meta, limits: Limits = DEFAULT_LIMITS) -> None:
    """Title, authors, tags, stats, summary and notes from an AO3 preface (download or EPUB)."""
    dl = find_tags_dl(region)
    if dl is not None:
        parse_tags_dl(dl, meta)
    if meta.title is None:
        for el in region.iter("h1", "{*}h1"):
            title = _norm(el.text_content())
            if title:
                meta.title = title
                break
    if meta.title is None:
        for el in region.iter("h2", "{*}h2"):
            if "title" in _classes(el):
                meta.title = _norm(el.text_content()) or None
                break
    if not meta.authors:
        for a in region.iter("a", "{*}a"):
            if (a.get("rel") or "").lower() == "author":
                name = _norm(a.text_content())
                if name and name not in meta.authors:
                    meta.authors.append(name)
    if not meta.authors:
        for el in region.iter():
            if _tag(el) in ("div", "h3", "p") and "byline" in _classes(el):
                text = re.sub(r"^by\s+", "", _norm(el.text_content()), flags=re.I)
                meta.authors.extend(n.strip() for n in re.split(r",\s*|\s+and\s+", text) if n.strip())
                break
    collect_labelled_notes(region, meta, work_level=True, limits=limits)


def collect_labelled_notes(region, meta: Ao3Meta, work_level: bool, limits: Limits = DEFAULT_LIMITS) -> None:
    """Blockquotes under a 'Summary' / 'Notes' / 'Chapter Notes' / 'End Notes' label, in order."""
    label = None
    for el in region.iter():
        tag = _tag(el)
        if tag == "p" or (tag == "div" and not len(el)) or tag in ("h3", "h4", "h5"):
            lb = _label(el)
            if lb in NOTE_LABELS:
                label = NOTE_LABELS[lb]
                continue
        if tag == "div":
            cls = _classes(el)
            if "summary" in cls and "module" in cls:
                label = "summary"
            elif "notes" in cls and "module" in cls:
                label = "notes"
        if tag == "blockquote" and label is not None:
            text = block_text(el, limits)
            if text:
                if label == "summary" and work_level and meta.summary is None:
                    meta.summary = text
                else:
                    meta.notes.append(text)


class HtmlConverter:
    """Walks HTML trees (one or several, e.g. an EPUB's spine) into normalized text and spans."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, name: str = "input", ao3: bool = False,
                 drop: frozenset = frozenset(), chapter_headings: frozenset = frozenset()) -> None:
        self.limits = limits
        self.name = name
        self.ao3 = ao3
        self.meta = Ao3Meta()
        self.drop = set(drop)  # elements to leave out entirely (a title heading, say)
        self.chapter_headings = set(chapter_headings)  # heading elements that start chapters
        self.line_offset = 0
        self._parts: list[str] = []
        self._len = 0
        self._tail = ""  # the last two characters written
        self._run_starts: list[int] = []
        self._run_lines: list[int] = []
        self._pending_break = False
        self._pending_space = False
        self._pending_newlines = 0
        self._open: list[list] = []  # [kind, start or None] for each open emphasis element
        self.emphasis: list[Emphasis] = []
        # (start, end, level, is_chapter) for every heading written
        self.headings: list[tuple[int, int, int, bool]] = []
        self._heading_open: list | None = None
        self._pre = 0
        self._marks: list[list] = []  # chapter marks waiting for their first character
        self.chapter_marks: list[tuple[int, str | None]] = []
        self.anchors: dict[str, str | None] = {}  # element id -> chapter title (EPUB toc fragments)
        self._note_elems: dict = {}

    # ----- output -----
    def __len__(self) -> int:
        return self._len

    def text(self) -> str:
        return "".join(self._parts)

    def source_map(self) -> SourceMap:
        return SourceMap(tuple(self._run_starts), tuple(self._run_lines),
                         tuple(False for _ in self._run_starts), "line")

    def _write(self, piece: str, line: int | None) -> None:
        if line is not None:
            line += self.line_offset
            if not self._run_lines or self._run_lines[-1] != line:
                if self._run_starts and self._run_starts[-1] == self._len:
                    self._run_lines[-1] = line
                else:
                    self._run_starts.append(self._len)
                    self._run_lines.append(line)
        self._parts.append(piece)
        self._len += len(piece)
        self._tail = (self._tail + piece)[-2:]

    def _close_emphasis_segments(self) -> None:
        for item in self._open:
            if item[1] is not None and self._len > item[1]:
                self.emphasis.append(Emphasis(item[1], self._len, item[0]))
            item[1] = None

    def _put(self, piece: str, line: int | None) -> None:
        """Write a piece of visible text, first settling pending breaks and spaces."""
        if self._len:
            at_line_start = self._tail.endswith("\n")
            if self._pending_break or self._pending_newlines >= 2 or (self._pending_newlines and at_line_start):
                # A paragraph break: emphasis never runs across one.
                self._close_emphasis_segments()
                if self._tail != "\n\n":
                    self._write("\n" if at_line_start else "\n\n", line)
            elif self._pending_newlines:
                self._write("\n", line)
            elif self._pending_space and not at_line_start:
                self._write(" ", line)
        self._pending_break = False
        self._pending_newlines = 0
        self._pending_space = False
        for mark in self._marks:
            self.chapter_marks.append((self._len, mark[0]))
        self._marks.clear()
        for item in self._open:
            if item[1] is None:
                item[1] = self._len
        if self._heading_open is not None and self._heading_open[0] is None:
            self._heading_open[0] = self._len
        self._write(piece, line)

    def text_run(self, s: str | None, line: int | None) -> None:
        if not s:
            return
        s = _DROP.sub("", s)
        if self._pre and self._heading_open is None:
            s = s.replace("\r\n", "\n").replace("\r", "\n")
            for i, chunk in enumerate(s.split("\n")):
                if i:
                    self._pending_newlines += 1
                chunk = chunk.replace("\t", "    ")
                if chunk.strip():
                    self._put(chunk, line)
            return
        collapsed = _WS.sub(" ", s)
        if collapsed.startswith(" "):
            self._pending_space = True
            collapsed = collapsed[1:]
        trailing = collapsed.endswith(" ")
        collapsed = collapsed.rstrip(" ")
        if collapsed:
            self._put(collapsed, line)
        if trailing:
            self._pending_space = True

    def block_break(self) -> None:
        if self._len:
            self._pending_break = True

    def line_break(self) -> None:
        if self._heading_open is not None:
            self._pending_space = True
        elif self._len and not self._pending_break:
            self._pending_newlines += 1

    def scene_break(self, line: int | None) -> None:
        self.block_break()
        self._put("* * *", line)
        self.block_break()

    def mark_chapter(self, title: str | None) -> None:
        """Start a chapter at the next character written (a later mark before it replaces it)."""
        prev = self._marks[-1][0] if self._marks else None
        self._marks = [[title or prev]]

    # ----- the walk -----
    def walk(self, root, include_root_tail: bool = False) -> None:
        """Write an element's content. Iterative: an explicit stack, any depth up to the limit."""
        limit = self.limits.max_markup_depth
        stack: list[tuple] = [(True, root, 0)]
        while stack:
            entering, el, depth = stack.pop()
            if not entering:
                self._leave(el)
                if el is not root or include_root_tail:
                    self.text_run(el.tail, el.sourceline)
                continue
            if depth > limit:
                raise InputError(f"{self.name}: the markup is nested more than {limit:,} levels deep "
                                 f"(limits.max_markup_depth)")
            tag = _tag(el)
            if tag is None or tag in SKIP or el in self.drop or not self._enter(el, tag):
                if el is not root or include_root_tail:
                    self.text_run(el.tail, el.sourceline)
                continue
            self.text_run(el.text, el.sourceline)
            stack.append((False, el, depth))
            children = list(el)
            for child in reversed(children):
                stack.append((True, child, depth + 1))

    def _enter(self, el, tag: str) -> bool:
        """Handle an opening tag; False means the element's content is not story text."""
        line = el.sourceline
        if tag == "br":
            self.line_break()
            return False
        if tag == "hr":
            self.scene_break(line)
            return False
        anchor = el.get("id")
        if anchor is not None and anchor in self.anchors:
            self.block_break()
            self.mark_chapter(self.anchors.pop(anchor))
        if self.ao3 and not self._enter_ao3(el, tag):
            return False
        if tag in BLOCK:
            self.block_break()
        if tag == "pre":
            self._pre += 1
        kind = EMPHASIS_TAGS.get(tag)
        if kind is None and tag in ("span", "font") and el.get("style"):
            style = el.get("style")
            kind = next((k for rx, k in _STYLE_KINDS if rx.search(style)), None)
        el_kind = kind
        if el_kind is not None:
            self._open.append([el_kind, None, el])
        level = HEADING_LEVEL.get(tag)
        if level is not None and self._heading_open is None:
            self._heading_open = [None, level, el in self.chapter_headings, el]
        return True

    def _leave(self, el) -> None:
        tag = _tag(el)
        if tag == "pre":
            self._pre -= 1
        if self._open and self._open[-1][2] is el:
            kind, start, _ = self._open.pop()
            if start is not None and self._len > start:
                self.emphasis.append(Emphasis(start, self._len, kind))
        if self._heading_open is not None and self._heading_open[3] is el:
            start, level, is_chapter, _ = self._heading_open
            self._heading_open = None
            if start is not None:
                self.headings.append((start, self._len, level, is_chapter))
        if tag in BLOCK:
            self.block_break()

    def _enter_ao3(self, el, tag: str) -> bool:
        """AO3 landmarks: preface, afterword, chapter meta blocks and notes are metadata."""
        el_id = el.get("id") or ""
        cls = _classes(el)
        if el_id == "preface" or (tag == "div" and "preface" in cls and "chapter" not in cls):
            parse_ao3_preface(el, self.meta, self.limits)
            return False
        if tag == "dl" and is_tags_dl(el):
            parse_tags_dl(el, self.meta)
            return False
        if el_id == "afterword" or el_id.startswith("endnotes") or el_id == "work_endnotes" or (
                tag == "div" and "end" in cls and "notes" in cls):
            collect_labelled_notes(el, self.meta, work_level=False, limits=self.limits)
            return False
        if tag == "div" and "meta" in cls and find_tags_dl(el) is not None:
            parse_ao3_preface(el, self.meta, self.limits)  # a preface whose id was lost (EPUB)
            return False
        if tag == "div" and "meta" in cls or (tag == "div" and "chapter" in cls and "preface" in cls):
            # A chapter's meta block: its heading starts the chapter, the rest is notes.
            heading = self._chapter_heading_in(el)
            collect_labelled_notes(el, self.meta, work_level=False, limits=self.limits)
            if heading is not None:
                self.block_break()
                self._heading_open = [None, HEADING_LEVEL.get(_tag(heading), 2), True, heading]
                self.text_run(_norm(heading.text_content()), heading.sourceline)
                self._leave(heading)
                self.block_break()
            return False
        if tag == "h2" and "toc-heading" in cls:
            if _label(el) in ("preface", "afterword"):
                return False
            self.block_break()
            self._heading_open = [None, 2, True, el]
            return True
        if "landmark" in cls or "endnote-link" in cls or ("message" in cls and tag == "p"):
            return False
        if tag == "ul" and "actions" in cls:
            return False
        if el in self._note_elems:
            label = self._note_elems.pop(el)
            text = block_text(el, self.limits)
            if text:
                if label == "summary" and self.meta.summary is None:
                    self.meta.summary = text
                else:
                    self.meta.notes.append(text)
            return False
        if tag in ("p", "div") and len(el) < 4 and not any(_tag(c) in BLOCK for c in el):
            raw = el.text_content()
            lb = _norm(raw).rstrip(":").strip().lower() if len(raw) <= 120 else ""
            if lb in NOTE_LABELS:
                nxt = el.getnext()
                found = False
                while nxt is not None and _tag(nxt) == "blockquote":
                    self._note_elems[nxt] = NOTE_LABELS[lb]
                    found = True
                    nxt = nxt.getnext()
                if found:
                    return False
            if lb and _SEE_END.match(lb):
                return False
        return True

    @staticmethod
    def _chapter_heading_in(el):
        """The chapter heading inside a chapter meta block: h2 (download) or h3.title (work page)."""
        for h in el.iter("h2", "h3", "{*}h2", "{*}h3"):
            if _tag(h) == "h3" and "title" not in _classes(h):
                continue
            if _norm(h.text_content()) and _label(h) not in NOTE_LABELS:
                return h
        return None

    def finish(self) -> None:
        """Close what is still open at the end of the input."""
        self._close_emphasis_segments()
        self._open.clear()
        self._marks.clear()


def chapters_from_headings(text: str, heads: list[tuple[int, int, str | None]],
                           joinable=()) -> tuple[Chapter, ...]:
    """Contiguous chapter spans, each from its heading to the next; text before the first
    heading is an untitled chapter. `joinable` (start, end) headings right before a chapter
    heading (a "Part One" over "Chapter 1") join that chapter's heading block."""
    if not text.strip():
        return ()
    if not heads:
        return (Chapter(0, len(text), None),)
    joinable = sorted(joinable, reverse=True)
    blocks = []
    for hs, he, title in sorted(heads):
        start = hs
        for js, je in joinable:
            if je > start:
                continue
            if text[je:start].strip():
                break
            start = js
        blocks.append((start, he, title))
    out: list[Chapter] = []
    if text[:blocks[0][0]].strip():
        out.append(Chapter(0, blocks[0][0], None))
    for k, (bs, he, title) in enumerate(blocks):
        start = bs if out else 0
        end = blocks[k + 1][0] if k + 1 < len(blocks) else len(text)
        out.append(Chapter(start, end, title or None, bs, he))
    return tuple(out)


def html_chapters(text: str, headings, ao3: bool) -> tuple[tuple[Chapter, ...], str | None]:
    """Chapters from the headings a converter wrote; also a lone top heading's text (a title)."""
    chapter_heads = [(s, e, _norm(text[s:e])) for s, e, lv, is_ch in headings if is_ch]
    if chapter_heads:
        level = min(lv for s, e, lv, is_ch in headings if is_ch)
        joinable = [] if ao3 else [(s, e) for s, e, lv, is_ch in headings if not is_ch and lv < level]
        return chapters_from_headings(text, chapter_heads, joinable), None
    if not text.strip():
        return (), None
    if not ao3 and len(headings) == 1 and not text[:headings[0][0]].strip():
        s, e = headings[0][0], headings[0][1]
        title = _norm(text[s:e]) or None
        return (Chapter(0, len(text), title, s, e),), title
    from .text import find_chapters
    return find_chapters(text), None


def choose_heading_level(root) -> tuple[int | None, list]:
    """The heading level that starts chapters in non-AO3 HTML, and the heading elements."""
    heads = []
    for el in root.iter():
        tag = _tag(el)
        level = HEADING_LEVEL.get(tag or "")
        if level is not None and level <= 4 and _norm(el.text_content()):
            heads.append((level, el))
    counts: dict[int, int] = {}
    for level, _ in heads:
        counts[level] = counts.get(level, 0) + 1
    repeated = [lv for lv, n in counts.items() if n >= 2]
    if not repeated:
        return None, heads
    best = max(repeated, key=lambda lv: (counts[lv], -lv))
    return best, heads


def is_ao3(root) -> bool:
    ids = {el.get("id") for el in root.iter() if el.get("id") in ("preface", "chapters", "afterword", "workskin")}
    if "workskin" in ids or ("chapters" in ids and ("preface" in ids or "afterword" in ids)):
        return True
    return "preface" in ids and find_tags_dl(root) is not None


def read_html(text: str, name: str = "input", encoding: str | None = None,
              limits: Limits = DEFAULT_LIMITS) -> Document:
    """Build a Document from decoded HTML."""
    root = parse_html(text, name, limits)
    ao3 = is_ao3(root)
    body = root.find("body")
    if body is None:
        body = root
    workskin = next((el for el in root.iter() if el.get("id") == "workskin"), None)
    conv = HtmlConverter(limits, name, ao3=ao3)
    title_el = None
    if ao3:
        if workskin is not None:
            # A saved work page: the tags sit outside the work skin, in dl.work.meta.
            dl = find_tags_dl(root)
            if dl is not None:
                parse_tags_dl(dl, conv.meta)
        conv.walk(workskin if workskin is not None else body)
    else:
        level, heads = choose_heading_level(body)
        if level is not None:
            chapter_els = [el for lv, el in heads if lv == level]
            conv.chapter_headings = set(chapter_els)
            first = chapter_els[0]
            before = []
            for lv, el in heads:
                if el is first:
                    break
                before.append((lv, el))
            higher = [el for lv, el in before if lv < level]
            if len(higher) == 1 and len([1 for lv, _ in heads if lv < level]) == 1:
                title_el = higher[0]
                conv.drop.add(title_el)
        conv.walk(body)
    conv.finish()
    out = conv.text()
    meta = conv.meta
    title = meta.title
    if title is None and title_el is not None:
        title = _norm(title_el.text_content()) or None
    chapters, lone_title = html_chapters(out, conv.headings, ao3)
    title = title or lone_title
    if len(chapters) > limits.max_chapters:
        raise InputError(f"{name}: {len(chapters):,} chapters is over the limit of {limits.max_chapters:,}")
    if title is None:
        t = root.find(".//title")
        if t is not None and _norm(t.text_content()):
            title = _norm(t.text_content())
    if not out.strip():
        raise InputError(f"{name}: no story text found in the HTML")
    language = (meta.tags.get("language") or (None,))[0] or root.get("lang") or None
    emphasis = tuple(sorted(set(conv.emphasis), key=lambda e: (e.start, e.end, e.kind)))
    metadata = Metadata(title=title, authors=tuple(meta.authors), summary=meta.summary,
                        notes=tuple(meta.notes), language=language, tags=dict(meta.tags),
                        stats=dict(meta.stats), source_format="html", source_path=name, encoding=encoding)
    return Document(text=out, metadata=metadata, layers={"chapters": chapters, "emphasis": emphasis},
                    source_map=conv.source_map())
