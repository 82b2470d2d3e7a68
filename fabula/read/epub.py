"""EPUB (2 and 3), including AO3's EPUB download.

The archive is checked before anything in it is read, and nothing is ever extracted to disk:
a file that is not a zip, or is corrupt or truncated; more than ``limits.max_archive_entries``
entries; more than ``limits.max_decompressed_bytes`` in total (declared, and counted again while
reading); an entry over 64 KiB whose compression ratio is over ``limits.max_compression_ratio``
(a zip bomb); an entry name that is absolute or climbs out with ``..``; each is an ``InputError``.
XML (container, OPF, NCX, navigation and content documents) is parsed with no DTD loading, no
network and no entity resolution, and any document that declares entities is refused, so a
"billion laughs" never expands.

The story is the spine's documents in order (``linear="no"`` items, the navigation document,
and the documents the guide or landmarks call cover, title page, table of contents or copyright
page are left out), turned into text by the HTML reader's converter (``fabula.read.html``).
Chapters start at each spine document and at each table-of-contents entry that points inside
one (a document the table of contents does not list and that has no heading continues the
chapter before it: converters split long chapters into files); their titles come from the EPUB 3
navigation document or the EPUB 2 NCX, else from the document's first heading, and headings at a
chapter's start (a title and its subtitle) form its heading block. Dublin Core gives title,
creators, language, description (the summary) and subjects (``tags["subjects"]``). In an AO3
EPUB the preface (tags, stats, summary, notes), the chapters' notes and the afterword go to
``Metadata`` exactly as in the HTML download, and AO3's chapter headings start the chapters.

Source map: ``unit == "line"``; ``to_source(offset)`` is a line number counted through the spine
documents one after another (line 1 of the second document follows the last line of the first).
"""
from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from urllib.parse import unquote, urldefrag

from lxml import etree

from ..document import Document, Metadata
from ..errors import InputError
from ..limits import DEFAULT_LIMITS, Limits
from ..spans import Chapter
from .html import (HtmlConverter, Ao3Meta, _norm, _tag, block_text, body_of, collect_labelled_notes,
                   find_tags_dl, html_chapters, parse_ao3_preface, parse_html, parse_markup,
                   refuse_entity_declarations)

# Entries smaller than this are never zip bombs, whatever their ratio.
_RATIO_FLOOR = 64 * 1024
_CHUNK = 1 << 16
_DRIVE = re.compile(r"^[A-Za-z]:")
# Guide / landmark types whose documents are never story text.
_NOT_STORY_TYPES = {"cover", "title-page", "titlepage", "toc", "copyright-page", "copyright", "loi", "lot"}
_XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/xml"}


class SafeZip:
    """A zip archive checked against the limits up front; entries are read into memory only."""

    def __init__(self, data: bytes, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        if not data.startswith(b"PK\x03\x04"):
            if data.startswith(b"PK\x05\x06"):
                raise InputError(f"{name}: the EPUB is an empty zip archive")
            raise InputError(f"{name}: not an EPUB file (an EPUB is a zip archive; this is not one)")
        declared = _declared_entry_count(data)
        if declared is not None and declared > limits.max_archive_entries:
            raise InputError(f"{name}: the EPUB has {declared:,} entries, over the limit of "
                             f"{limits.max_archive_entries:,}")
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, struct.error,
                NotImplementedError, UnicodeDecodeError) as exc:
            raise InputError(f"{name}: the EPUB is corrupt or truncated ({_one_line(exc)})") from None
        if len(infos) > limits.max_archive_entries:
            raise InputError(f"{name}: the EPUB has {len(infos):,} entries, over the limit of "
                             f"{limits.max_archive_entries:,}")
        total = 0
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            entry = info.filename
            parts = re.split(r"[/\\]", entry)
            if ("\x00" in entry or entry.startswith(("/", "\\")) or _DRIVE.match(entry) or ".." in parts):
                raise InputError(f"{name}: the EPUB has an entry named {entry[:80]!r}, which points outside "
                                 f"the archive; refusing it")
            total += info.file_size
            if (info.file_size > _RATIO_FLOOR
                    and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)):
                raise InputError(f"{name}: the EPUB entry {entry[:80]!r} expands {info.file_size:,} bytes from "
                                 f"{info.compress_size:,} (over the ratio limit of {limits.max_compression_ratio:g}; "
                                 f"a zip bomb?)")
            self.entries[entry] = info
        if total > limits.max_decompressed_bytes:
            raise InputError(f"{name}: the EPUB would expand to {total:,} bytes, over the limit of "
                             f"{limits.max_decompressed_bytes:,}")
        self._lower = {k.lower(): k for k in self.entries}
        self._budget = limits.max_decompressed_bytes

    def has(self, path: str) -> bool:
        return self._resolve(path) is not None

    def _resolve(self, path: str) -> str | None:
        if path in self.entries:
            return path
        return self._lower.get(path.lower())

    def read(self, path: str) -> bytes:
        key = self._resolve(path)
        if key is None:
            raise InputError(f"{self.name}: the EPUB has no {path!r}")
        info = self.entries[key]
        if info.flag_bits & 0x1:
            raise InputError(f"{self.name}: the EPUB entry {key!r} is encrypted (DRM?); it cannot be read")
        chunks = []
        size = 0
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > info.file_size or size > self._budget:
                        raise InputError(f"{self.name}: the EPUB entry {key!r} expands beyond its declared size "
                                         f"or the decompression limit")
                    chunks.append(chunk)
        except InputError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError, struct.error) as exc:
            raise InputError(f"{self.name}: the EPUB is corrupt or truncated at {key!r} ({_one_line(exc)})") from None
        self._budget -= size
        return b"".join(chunks)


def _declared_entry_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, before zipfile reads the directory."""
    tail = data[-(65535 + 22):]
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or i + 22 > len(tail):
        return None
    count = struct.unpack("<H", tail[i + 10:i + 12])[0]
    return None if count == 0xFFFF else count


def _one_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _xml(archive: SafeZip, path: str, what: str):
    data = archive.read(path)
    refuse_entity_declarations(data, archive.name, what)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" not in str(exc):
            recovering = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                         recover=True, remove_comments=True, remove_pis=True)
            try:
                root = etree.fromstring(data, recovering)
                if root is not None:
                    return root
            except etree.XMLSyntaxError:
                pass
        raise InputError(f"{archive.name}: the EPUB's {what} is not readable XML ({_one_line(exc)})") from None


def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _attr(el, local_name: str) -> str | None:
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1] == local_name:
            return value
    return None


def _join(base_dir: str, href: str) -> str | None:
    """An href from a document in base_dir, as an archive path; None if it leaves the archive."""
    href = unquote(href.strip())
    if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
        return None  # an absolute URL: nothing of ours
    path = posixpath.normpath(posixpath.join(base_dir, href))
    if path.startswith("../") or path == ".." or path.startswith("/"):
        return None
    return path


def read_epub(data: bytes, name: str = "input", limits: Limits = DEFAULT_LIMITS) -> Document:
    """Build a Document from the bytes of an EPUB file."""
    archive = SafeZip(data, name, limits)
    if not archive.has("META-INF/container.xml"):
        raise InputError(f"{name}: not an EPUB (the zip has no META-INF/container.xml)")
    container = _xml(archive, "META-INF/container.xml", "container.xml")
    opf_path = next((_attr(el, "full-path") for el in container.iter() if _local(el) == "rootfile"
                     and _attr(el, "full-path")), None)
    if not opf_path or not archive.has(unquote(opf_path)):
        raise InputError(f"{name}: the EPUB's container.xml names no package document it contains")
    opf_path = unquote(opf_path)
    opf = _xml(archive, opf_path, "package document (OPF)")
    opf_dir = posixpath.dirname(opf_path)

    dc = _dublin_core(opf, limits)
    manifest: dict[str, tuple[str, str, str]] = {}
    for el in opf.iter():
        if _local(el) == "item" and el.get("id") and el.get("href"):
            path = _join(opf_dir, el.get("href"))
            if path is not None:
                manifest[el.get("id")] = (path, (el.get("media-type") or "").lower(), el.get("properties") or "")
    spine_el = next((el for el in opf.iter() if _local(el) == "spine"), None)
    if spine_el is None:
        raise InputError(f"{name}: the EPUB's package document has no spine (reading order)")
    nav_path = next((p for p, t, props in manifest.values() if "nav" in props.split()), None)
    ncx_id = spine_el.get("toc")
    ncx_path = manifest[ncx_id][0] if ncx_id in manifest else next(
        (p for p, t, _ in manifest.values() if t == "application/x-dtbncx+xml"), None)
    toc, not_story = _read_toc(archive, nav_path, ncx_path)
    # EPUB 2 guide: the cover, title page, table of contents and copyright page are not the story.
    for el in opf.iter():
        if _local(el) == "reference" and (el.get("type") or "").lower() in _NOT_STORY_TYPES and el.get("href"):
            path = _join(opf_dir, urldefrag(el.get("href"))[0])
            if path:
                not_story.add(path)

    spine: list[str] = []
    for ref in spine_el:
        if _local(ref) != "itemref" or (ref.get("linear") or "yes").lower() == "no":
            continue
        item = manifest.get(ref.get("idref") or "")
        if item is None:
            continue
        path, media_type, _ = item
        if path == nav_path or path in not_story or (media_type and media_type not in _XHTML_TYPES):
            continue
        if archive.has(path) and path not in spine:
            spine.append(path)
    if not spine:
        raise InputError(f"{name}: the EPUB's spine lists no readable documents")

    roots = []
    for path in spine:
        doc_name = f"{name}:{path}"
        raw = archive.read(path)
        roots.append((path, parse_markup(raw, doc_name, limits), raw.count(b"\n") + 1))
    publisher = " ".join(dc.get("publisher", ()))
    ao3 = "archive of our own" in publisher.lower() or any(find_tags_dl(r) is not None for _, r, _ in roots)

    conv = HtmlConverter(limits, name, ao3=ao3)
    line_offset = 0
    for path, root, nlines in roots:
        conv.line_offset = line_offset
        line_offset += nlines
        body = body_of(root)
        if ao3 and _is_ao3_preface(body):
            parse_ao3_preface(body, conv.meta, limits)
            continue
        if ao3 and _is_ao3_afterword(body):
            collect_labelled_notes(body, conv.meta, work_level=False, limits=limits)
            continue
        entries = toc.get(path, [])
        doc_title = next((t for frag, t in entries if frag is None), None)
        if doc_title is None and entries and entries[0][0] is not None and _id_at_top(body, entries[0][0]):
            doc_title = entries[0][1]
        conv.anchors = {frag: t for frag, t in entries if frag is not None}
        conv.block_break()
        # A document the table of contents does not list, with no heading at all, continues the
        # chapter before it (converters split long chapters into several files).
        continuation = bool(toc) and not entries and len(conv) > 0 and not _has_heading(body)
        if not continuation:
            conv.mark_chapter(doc_title)
        conv.walk(body)
        conv.block_break()
    conv.finish()
    text = conv.text()
    if not text.strip():
        raise InputError(f"{name}: the EPUB has no story text")

    chapters = None
    if ao3:
        flagged = [h for h in conv.headings if h[3]]
        if flagged:
            chapters, _ = html_chapters(text, conv.headings, ao3=True)
    if chapters is None:
        chapters = _chapters_from_marks(text, conv.chapter_marks, conv.headings)
    if len(chapters) > limits.max_chapters:
        raise InputError(f"{name}: {len(chapters):,} chapters is over the limit of {limits.max_chapters:,}")

    meta: Ao3Meta = conv.meta
    tags = dict(meta.tags)
    if dc.get("subject"):
        tags["subjects"] = tuple(dict.fromkeys(dc["subject"]))
    if dc.get("series") and "series" not in tags:
        tags["series"] = tuple(dc["series"])
    stats = dict(meta.stats)
    if dc.get("date") and "published" not in stats:
        stats["date"] = dc["date"][0]
    title = (dc.get("title") or (None,))[0] or meta.title
    authors = tuple(dc.get("creator") or meta.authors)
    summary = meta.summary or (dc.get("description") or (None,))[0]
    language = (dc.get("language") or (None,))[0] or (meta.tags.get("language") or (None,))[0]
    emphasis = tuple(sorted(set(conv.emphasis), key=lambda e: (e.start, e.end, e.kind)))
    metadata = Metadata(title=title, authors=authors, summary=summary, notes=tuple(meta.notes), language=language,
                        tags=tags, stats=stats, source_format="epub", source_path=name, encoding=None)
    return Document(text=text, metadata=metadata, layers={"chapters": chapters, "emphasis": emphasis},
                    source_map=conv.source_map())


def _dublin_core(opf, limits: Limits) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    metadata = next((el for el in opf.iter() if _local(el) == "metadata"), None)
    if metadata is None:
        return out
    for el in metadata.iter():
        local = _local(el)
        if local == "meta":
            if (el.get("name") or "") == "calibre:series" and el.get("content"):
                out.setdefault("series", []).append(_norm(el.get("content")))
            continue
        if local not in ("title", "creator", "language", "description", "subject", "publisher", "date"):
            continue
        if local == "creator":
            role = _attr(el, "role")
            if role and role.lower() not in ("aut", "author"):
                continue
        text = "".join(el.itertext())
        if local == "description" and "<" in text:
            text = _html_to_text(text, limits)
        elif local == "description":
            text = text.strip()
        else:
            text = _norm(text)
        if text:
            out.setdefault(local, []).append(text)
    return out


def _html_to_text(fragment: str, limits: Limits) -> str:
    try:
        root = parse_html(f"<html><body>{fragment}</body></html>", "description", limits)
    except InputError:
        return _norm(re.sub(r"<[^>]*>", " ", fragment))
    return block_text(body_of(root), limits)


def _read_toc(archive: SafeZip, nav_path: str | None, ncx_path: str | None) -> tuple[dict[str, list], set[str]]:
    """({document path: [(fragment or None, title), ...]} in table-of-contents order,
    {paths the EPUB 3 landmarks call cover, title page, toc or copyright page})."""
    entries: list[tuple[str, str | None, str]] = []
    not_story: set[str] = set()
    if nav_path and archive.has(nav_path):
        try:
            root = parse_markup(archive.read(nav_path), f"{archive.name}:{nav_path}", archive.limits)
        except InputError as exc:
            if "declares XML entities" in str(exc) or "nested" in str(exc):
                raise
            root = None
        if root is not None:
            base = posixpath.dirname(nav_path)
            navs = [el for el in root.iter() if _tag(el) == "nav"]
            toc_nav = next((n for n in navs if "toc" in (_attr(n, "type") or "").split()), navs[0] if navs else None)
            if toc_nav is not None:
                for a in toc_nav.iter():
                    if _tag(a) == "a" and a.get("href"):
                        _add_entry(entries, base, a.get("href"), _norm(a.text_content()))
            for nav in navs:
                if "landmarks" not in (_attr(nav, "type") or "").split():
                    continue
                for a in nav.iter():
                    kinds = set((_attr(a, "type") or "").lower().split())
                    if _tag(a) == "a" and a.get("href") and kinds & _NOT_STORY_TYPES:
                        path = _join(base, urldefrag(a.get("href"))[0])
                        if path:
                            not_story.add(path)
    if not entries and ncx_path and archive.has(ncx_path):
        root = _xml(archive, ncx_path, "table of contents (NCX)")
        base = posixpath.dirname(ncx_path)
        for point in root.iter():
            if _local(point) != "navpoint":
                continue
            label = next((el for el in point if _local(el) == "navlabel"), None)
            content = next((el for el in point if _local(el) == "content"), None)
            if content is not None and content.get("src"):
                title = _norm("".join(label.itertext())) if label is not None else ""
                _add_entry(entries, base, content.get("src"), title)
    out: dict[str, list] = {}
    for path, frag, title in entries:
        if title and (frag, title) not in out.setdefault(path, []):
            out[path].append((frag, title))
    return out, not_story


def _add_entry(entries, base: str, href: str, title: str) -> None:
    target, frag = urldefrag(href)
    path = _join(base, target)
    if path is not None:
        entries.append((path, frag or None, title))


def _id_at_top(body, frag: str) -> bool:
    for el in body.iter():
        if el.get("id") == frag:
            return True
        if isinstance(el.tag, str) and (el.text or "").strip():
            return False
    return False


def _has_heading(body) -> bool:
    return any(_tag(el) in ("h1", "h2", "h3") and _norm(el.text_content()) for el in body.iter())


def _is_ao3_preface(body) -> bool:
    if find_tags_dl(body) is None:
        return False
    # A preface has the tags and no chapter text of its own.
    return not any(el.get("id") == "chapters" for el in body.iter())


def _is_ao3_afterword(body) -> bool:
    if any(el.get("id") == "afterword" for el in body.iter()):
        return not any(el.get("id") == "chapters" for el in body.iter())
    for el in body.iter():
        if _tag(el) in ("h1", "h2", "h3"):
            return _norm(el.text_content()).lower() == "afterword"
    return False


def _chapters_from_marks(text: str, marks, headings) -> tuple[Chapter, ...]:
    """Chapters from the converter's marks (spine documents, toc anchors)."""
    dedup: list[tuple[int, str | None]] = []
    for pos, title in marks:
        if dedup and dedup[-1][0] == pos:
            dedup[-1] = (pos, title or dedup[-1][1])
        else:
            dedup.append((pos, title))
    if not dedup:
        return (Chapter(0, len(text), None),)
    heads = sorted((s, e, lv) for s, e, lv, _ in headings)
    out: list[Chapter] = []
    if text[:dedup[0][0]].strip():
        out.append(Chapter(0, dedup[0][0], None))
    hi = 0
    for k, (pos, title) in enumerate(dedup):
        start = pos if out else 0
        end = dedup[k + 1][0] if k + 1 < len(dedup) else len(text)
        while hi < len(heads) and heads[hi][0] < pos:
            hi += 1
        heading_start = heading_end = None
        first_heading = None
        j = hi
        while j < len(heads) and heads[j][0] < end:
            if heads[j][2] <= 3:
                first_heading = heads[j]
                break
            j += 1
        if first_heading is not None and first_heading[0] == pos:
            heading_start, heading_end = first_heading[0], first_heading[1]
            # A subtitle heading right under the chapter heading joins its heading block.
            for s2, e2, lv2 in heads[j + 1:]:
                if s2 >= end or text[heading_end:s2].strip():
                    break
                heading_end = e2
        if not title and first_heading is not None:
            title = _norm(text[first_heading[0]:first_heading[1]]) or None
        out.append(Chapter(start, end, title or None, heading_start, heading_end))
    return tuple(out)
