import io
import time
import zipfile

import pytest

import fabula
from fabula.errors import InputError
from fabula.limits import Limits
from fabula.read import read
from fabula.read.epub import read_epub
from fabula.read.html import read_html

from conftest import assert_spans_valid
from fixtures_builders import SUMMARY, ao3_epub, ao3_html, build_epub, xhtml
from test_read_html import check_segmented, check_story_doc

LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY lol "lol">\n'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
          + ']>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>')


def quick(fn, *args, **kw):
    t0 = time.monotonic()
    try:
        return fn(*args, **kw)
    finally:
        assert time.monotonic() - t0 < 5, "took too long"


def rewrite_entries(data: bytes, which, change) -> bytes:
    """A copy of an EPUB with change(bytes) -> bytes applied to the entries which(name) selects."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            zout.writestr(info, change(body) if which(info.filename) else body)
    return out.getvalue()


def test_ao3_epub_matches_the_html_download():
    doc = read_epub(ao3_epub(), "work.epub")
    check_story_doc(doc)
    assert doc.metadata.language == "en"
    assert doc.metadata.tags["subjects"] == ("Fanworks", "Teen And Up Audiences", "Original Work")
    assert doc.metadata.stats["words"] == "1,234"
    assert doc.metadata.source_format == "epub"
    assert doc.text == read_html(ao3_html(), "work.html").text
    assert doc.source_map.unit == "line"


def test_ao3_epub_through_segment(tmp_path):
    path = tmp_path / "work.epub"
    path.write_bytes(ao3_epub())
    check_segmented(fabula.analyze(str(path), until="segment"))


def test_ao3_epub_with_calibre_renamed_classes_and_lost_ids():
    # Converters may rename classes and drop ids; labels and the tags list still identify the parts.
    def rename(body: bytes) -> bytes:
        text = body.decode()
        for old in ('class="meta group"', 'class="meta"', 'class="userstuff"', 'class="heading"',
                    'class="toc-heading"', 'class="endnote-link"', 'class="message"', 'class="tags"',
                    'id="preface"', 'id="afterword"', 'id="chapters"', 'id="endnotes"'):
            text = text.replace(old, 'class="calibre1"')
        return text.encode()

    data = rewrite_entries(ao3_epub(), lambda name: name.endswith(".xhtml") and "split" in name, rename)
    doc = read_epub(data, "calibre.epub")
    assert [c.title for c in doc.chapters] == ["Chapter 1: The Ferry", "Chapter 2: The Keeper", "Chapter 3: East Wind"]
    assert doc.metadata.tags["fandoms"] == ("Original Work",)
    for junk in ("Preface", "Afterword", "Posted originally", "real ferry", "Next time", "drop by the Archive"):
        assert junk not in doc.text, junk
    assert_spans_valid(doc)


def generic_docs():
    return [
        ("cover.xhtml", xhtml('<div><img src="cover.jpg" alt="cover"/></div>'), None),
        ("text/one.xhtml", xhtml("<h1>I. The Orchard</h1><p>The apples were <i>late</i> that year.</p>"), "The Orchard"),
        ("text/two.xhtml", xhtml('<h2 id="a">Frost</h2><p>Frost came early.</p>'
                                 '<h2 id="b">Thaw</h2><p>Then it went.</p>'), None),
        ("text/three.xhtml", xhtml("<h1>Harvest</h1><p>Nobody&#8217;s basket was full.</p>"), None),
    ]


def test_generic_epub_spine_toc_and_dublin_core():
    docs = generic_docs()
    data = build_epub(docs, title="Orchard Year", creators=("Ada Pell",), language="en-GB",
                      description="<p>A year in an <i>orchard</i>.</p>",
                      subjects=("Seasons", "Trees"), nav=True, ncx=False)
    # The toc: one file by name, another by fragments.
    nav = xhtml('<nav epub:type="toc" xmlns:epub="http://www.idpf.org/2007/ops"><ol>'
                '<li><a href="text/one.xhtml">The Orchard</a></li>'
                '<li><a href="text/two.xhtml#a">Frost</a></li>'
                '<li><a href="text/two.xhtml#b">Thaw</a></li></ol></nav>').encode()
    data = rewrite_entries(data, lambda name: name.endswith("nav.xhtml"), lambda body: nav)
    doc = read_epub(data, "orchard.epub")
    assert [c.title for c in doc.chapters] == ["The Orchard", "Frost", "Thaw", "Harvest"]
    for c in doc.chapters:
        assert c.heading_start is not None
    assert doc.text[doc.chapters[0].heading_start:doc.chapters[0].heading_end] == "I. The Orchard"
    assert doc.metadata.title == "Orchard Year" and doc.metadata.authors == ("Ada Pell",)
    assert doc.metadata.language == "en-GB"
    assert doc.metadata.summary == "A year in an orchard."
    assert doc.metadata.tags == {"subjects": ("Seasons", "Trees")}
    assert [doc.span_text(e) for e in doc.emphasis] == ["late"]
    assert "Nobody\u2019s basket" in doc.text and "cover" not in doc.text
    seg = fabula.analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.paragraphs] == [
        "The apples were late that year.", "Frost came early.", "Then it went.", "Nobody\u2019s basket was full."]
    assert_spans_valid(seg)


def test_ncx_titles_and_first_heading_fallback():
    docs = [("a.xhtml", xhtml("<h2>Spring</h2><p>Rain.</p>"), "Spring (toc)"),
            ("b.xhtml", xhtml("<p>Prologue-less start.</p><h3>Later heading</h3><p>More.</p>"), None)]
    doc = read_epub(build_epub(docs, nav=False, ncx=True, opf_dir=""), "ncx.epub")
    assert [c.title for c in doc.chapters] == ["Spring (toc)", "Later heading"]
    assert doc.chapters[1].heading_start is None  # the heading is not at the chapter's start


def test_not_well_formed_xhtml_falls_back_to_html_parsing():
    body = ('<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Tea&nbsp;time<br>'
            "and <b>cake</p></body></html>")
    doc = read_epub(build_epub([("a.xhtml", body, "Tea")]), "loose.epub")
    assert doc.text.startswith("Tea")
    assert "cake" in doc.text


@pytest.mark.parametrize("data, message", [
    (b"", "not an EPUB"),
    (b"This is just a text file pretending.\n", "not an EPUB"),
    (b"PK\x03\x04" + b"\x00" * 200, "corrupt or truncated"),
])
def test_not_a_zip(data, message):
    with pytest.raises(InputError, match=message):
        quick(read_epub, data, "bad.epub")


def test_truncated_and_corrupt_epub():
    data = ao3_epub()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 30):
        with pytest.raises(InputError):
            quick(read_epub, data[:cut], "cut.epub")
    # Damage the compressed bytes of a chapter: a CRC or inflate error, reported as corrupt.
    zin = zipfile.ZipFile(io.BytesIO(data))
    info = next(i for i in zin.infolist() if i.filename.endswith("split_002.xhtml"))
    at = info.header_offset + 30 + len(info.filename) + 10
    damaged = data[:at] + bytes(b ^ 0x55 for b in data[at:at + 40]) + data[at + 40:]
    with pytest.raises(InputError, match="corrupt"):
        quick(read_epub, damaged, "damaged.epub")


def test_epub_named_file_that_is_text(tmp_path):
    path = tmp_path / "story.epub"
    path.write_text("Chapter 1\n\nIt was a dark night.\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an EPUB"):
        read(path)
    with pytest.raises(InputError):
        read(path, format="epub")


def test_zip_without_container_is_not_an_epub():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="container.xml"):
        read_epub(buf.getvalue(), "plain.zip")


def test_zip_bomb_entry_is_refused_quickly():
    bomb = b"\0" * (20 * 1024 * 1024)
    data = build_epub([("a.xhtml", xhtml("<p>Small.</p>"), "A")], extra_entries=[("OEBPS/bomb.xhtml", bomb)])
    assert len(data) < 200_000
    with pytest.raises(InputError, match="ratio"):
        quick(read_epub, data, "bomb.epub")


def test_total_size_and_entry_count_limits():
    data = ao3_epub()
    with pytest.raises(InputError, match="expand"):
        read_epub(data, "big.epub", Limits(max_decompressed_bytes=2_000))
    with pytest.raises(InputError, match="entries"):
        read_epub(data, "many.epub", Limits(max_archive_entries=5))


@pytest.mark.parametrize("evil", ["../../etc/evil.xhtml", "/abs/evil.xhtml", "OEBPS/../../up.xhtml",
                                  "C:/windows/evil.xhtml", "..\\win\\evil.xhtml"])
def test_path_traversal_entry_names_are_refused(evil):
    data = build_epub([("a.xhtml", xhtml("<p>Fine.</p>"), "A")], extra_entries=[(evil, "<p>bad</p>")])
    with pytest.raises(InputError, match="outside"):
        quick(read_epub, data, "traversal.epub")


def test_billion_laughs_in_content_document_is_refused():
    data = build_epub([("a.xhtml", LAUGHS, "A")])
    with pytest.raises(InputError, match="entities"):
        quick(read_epub, data, "laughs.epub")


def test_billion_laughs_in_package_document_is_refused():
    opf = ('<?xml version="1.0"?>\n<!DOCTYPE package [<!ENTITY a "aaaaaaaaaa">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
           '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&c;</dc:title></metadata>'
           '<manifest><item id="d0" href="a.xhtml" media-type="application/xhtml+xml"/></manifest>'
           '<spine><itemref idref="d0"/></spine></package>')
    data = build_epub([("a.xhtml", xhtml("<p>Fine.</p>"), "A")], opf_override=opf)
    with pytest.raises(InputError, match="entities"):
        quick(read_epub, data, "laughs.epub")


def test_external_entity_is_refused():
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&xxe;</p></body></html>')
    with pytest.raises(InputError, match="entities"):
        read_epub(build_epub([("a.xhtml", doc, "A")]), "xxe.epub")


def test_deeply_nested_xhtml_is_refused():
    body = "<div>" * 100_000 + "deep" + "</div>" * 100_000
    data = build_epub([("a.xhtml", xhtml(body), "A")])
    with pytest.raises(InputError, match="ratio"):  # so repetitive it is a zip bomb as well
        quick(read_epub, data, "deep.epub")
    with pytest.raises(InputError, match="nested"):
        quick(read_epub, data, "deep.epub", Limits(max_compression_ratio=100_000))


def test_linear_no_and_missing_documents_are_skipped():
    docs = [("a.xhtml", xhtml("<p>Main text.</p>"), "A"), ("notes.xhtml", xhtml("<p>Footnote.</p>"), None)]
    data = rewrite_entries(build_epub(docs), lambda name: name.endswith(".opf"), lambda body: body.replace(
        b'<itemref idref="d1"/>', b'<itemref idref="d1" linear="no"/><itemref idref="missing"/>'))
    doc = read_epub(data, "linear.epub")
    assert doc.text == "Main text."
    assert doc.metadata.summary is None


def test_summary_from_description_when_no_preface():
    data = build_epub([("a.xhtml", xhtml("<p>Text.</p>"), "A")], description=SUMMARY)
    assert read_epub(data, "d.epub").metadata.summary == SUMMARY


def test_guide_and_landmark_pages_are_not_story():
    docs = [("title_page.xhtml", xhtml("<h3>Tide Tables by Ada Pell</h3><p><b>Status:</b> Complete</p>"), None),
            ("toc_page.xhtml", xhtml("<p>Table of Contents</p><p>1. Low</p>"), None),
            ("file0001.xhtml", xhtml("<h2>Low</h2><p>The tide went out.</p>"), "Low"),
            ("file0002.xhtml", xhtml("<h2>High</h2><p>It came back.</p>"), "High")]
    data = rewrite_entries(build_epub(docs, nav=False, ncx=True), lambda name: name.endswith(".opf"),
                           lambda body: body.replace(b"</package>", b'<guide><reference type="title-page" '
                                                     b'href="title_page.xhtml"/><reference type="toc" '
                                                     b'href="toc_page.xhtml"/></guide></package>'))
    doc = read_epub(data, "ffn.epub")
    assert [c.title for c in doc.chapters] == ["Low", "High"]
    assert "Status" not in doc.text and "Table of Contents" not in doc.text


def test_split_chapter_files_and_subtitles():
    docs = [("c1.xhtml", xhtml("<h1>Chapter One</h1><h2>In Which a Door Opens</h2><p>It creaked.</p>"), "Chapter One"),
            ("c1_split.xhtml", xhtml("<p>It kept creaking.</p>"), None),
            ("c2.xhtml", xhtml("<h1>Chapter Two</h1><p>Silence.</p>"), "Chapter Two")]
    doc = read_epub(build_epub(docs), "split.epub")
    assert [c.title for c in doc.chapters] == ["Chapter One", "Chapter Two"]
    first = doc.chapters[0]
    assert doc.text[first.heading_start:first.heading_end] == "Chapter One\n\nIn Which a Door Opens"
    seg = fabula.analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.paragraphs] == ["It creaked.", "It kept creaking.", "Silence."]
