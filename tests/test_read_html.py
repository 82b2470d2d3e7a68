import time

import pytest

import fabula
from fabula.errors import InputError
from fabula.limits import Limits
from fabula.read import read, read_string
from fabula.read.html import read_html

from conftest import assert_spans_valid
from fixtures_builders import (CHAPTER_END_NOTES, CHAPTER_NOTES, CHAPTER_SUMMARY, END_NOTES, EXPECTED_TAGS,
                               ITALIC_WORDS, NOT_STORY, STORY, SUMMARY, WORK_NOTES, ao3_html)


def check_story_doc(doc):
    """What every reader must give for the AO3-style test story."""
    chapters = doc.layer("chapters")
    assert [c.title for c in chapters] == [t for t, _ in STORY]
    for c in chapters:
        assert doc.text[c.heading_start:c.heading_end] == c.title
    # Chapters are contiguous and cover the text.
    assert chapters[0].start == 0 and chapters[-1].end == len(doc.text)
    for a, b in zip(chapters, chapters[1:]):
        assert a.end == b.start
    assert dict(doc.metadata.tags).items() >= {k: v for k, v in EXPECTED_TAGS.items()}.items()
    assert doc.metadata.title == "The Singing Tower"
    assert doc.metadata.authors == ("gullwing", "ternpike")
    assert doc.metadata.summary == SUMMARY
    for note in (WORK_NOTES, CHAPTER_SUMMARY, CHAPTER_NOTES, CHAPTER_END_NOTES, END_NOTES):
        assert note in doc.metadata.notes
    for words in NOT_STORY + [SUMMARY, WORK_NOTES, END_NOTES, CHAPTER_NOTES, CHAPTER_END_NOTES]:
        assert words not in doc.text, words
    italics = [doc.span_text(e) for e in doc.layer("emphasis") if e.kind == "italic"]
    assert italics == ITALIC_WORDS
    assert [doc.span_text(e) for e in doc.layer("emphasis") if e.kind == "bold"] == ["sing"]
    for t, paragraphs in STORY:
        for p in paragraphs:
            plain = p.replace("{i}", "").replace("{/i}", "").replace("{b}", "").replace("{/b}", "")
            assert plain in doc.text
    assert_spans_valid(doc)


def check_segmented(doc):
    assert len(doc.layer("chapters")) == 3
    scenes = doc.layer("scenes")
    assert len(scenes) == 4  # chapter 1 has a scene break
    assert [s.chapter for s in scenes] == [0, 0, 1, 2]
    titles = [c.title for c in doc.layer("chapters")]
    paragraphs = [doc.span_text(p) for p in doc.layer("paragraphs")]
    assert len(paragraphs) == 9
    for p in paragraphs:
        assert p not in titles and "Chapter" not in p and "* * *" not in p
    assert_spans_valid(doc)


def test_ao3_download_chapters_metadata_and_emphasis():
    doc = read_html(ao3_html(), "work.html")
    check_story_doc(doc)
    assert doc.metadata.stats == {"published": "2026-01-02", "updated": "2026-02-03", "words": "1,234",
                                  "chapters": "3/3"}
    assert doc.metadata.language == "English"
    assert doc.metadata.source_format == "html"


def test_ao3_download_through_segment(tmp_path):
    path = tmp_path / "work.html"
    path.write_text(ao3_html(), encoding="utf-8")
    doc = fabula.analyze(str(path), until="segment")
    check_segmented(doc)


def test_source_map_gives_source_lines():
    src = ao3_html()
    doc = read_html(src, "work.html")
    assert doc.source_map.unit == "line"
    lines = src.split("\n")
    for needle in ("Old Tamsin kept the light", "The wind turned east", "Chapter 2: The Keeper"):
        line = doc.source_map.to_source(doc.text.index(needle))
        assert needle in lines[line - 1]


def test_script_style_and_event_handlers_never_reach_the_text():
    src = """<html><head><script>alert(0)</script><style>p { color: red }</style></head><body>
<script type="text/javascript">alert(1)</script>
<p onclick="alert(2)" onmouseover="steal()">She opened the <a href="javascript:alert(3)">door</a>.</p>
<noscript>Please enable JavaScript</noscript>
<img src="x.png" onerror="alert(4)"/>
<iframe src="https://example.org/">frame text</iframe>
<nav><a href="/next">Next chapter</a></nav>
<p>Then she <b onclick="x()">closed</b> it.</p>
</body></html>"""
    doc = read_string(src, format="html")
    assert "alert" not in doc.text and "steal" not in doc.text and "color" not in doc.text
    assert "JavaScript" not in doc.text and "frame text" not in doc.text and "Next" not in doc.text
    assert doc.text == "She opened the door.\n\nThen she closed it."
    assert [doc.span_text(e) for e in doc.emphasis] == ["closed"]


@pytest.mark.parametrize("tag", ["div", "i", "blockquote"])
def test_very_deep_nesting_is_refused_without_crashing(tag):
    depth = 100_000
    src = "<html><body>" + f"<{tag}>" * depth + "deep text" + f"</{tag}>" * depth + "</body></html>"
    t0 = time.monotonic()
    try:
        doc = read_string(src, format="html")
    except InputError as exc:
        assert "nested" in str(exc)
    else:  # a reader may also read it correctly
        assert "deep text" in doc.text
    assert time.monotonic() - t0 < 10


def test_markup_depth_limit_is_checked_by_the_walk():
    src = "<html><body>" + "<div>" * 100 + "text" + "</div>" * 100 + "</body></html>"
    with pytest.raises(InputError, match="max_markup_depth"):
        read_html(src, "deep.html", None, Limits(max_markup_depth=50))
    assert read_html(src, "deep.html", None, Limits(max_markup_depth=200)).text == "text"


def test_generic_html_heading_levels_title_and_chapters():
    src = """<!DOCTYPE html><html lang="en"><head><title>Page</title></head><body>
<h1>Salt and Iron</h1>
<h2>One</h2><p>The forge was cold.</p><p>Nobody <i>wanted</i> to light it.</p>
<h2>Two</h2><p>By noon it roared.</p>
<h3>An aside</h3><p>Small heading, not a chapter.</p>
<h2>Three</h2><p>Evening.</p>
</body></html>"""
    doc = read_string(src, format="html")
    assert doc.metadata.title == "Salt and Iron"
    assert "Salt and Iron" not in doc.text
    assert [c.title for c in doc.chapters] == ["One", "Two", "Three"]
    assert "An aside" in doc.text
    assert doc.metadata.language == "en"
    assert_spans_valid(doc)


def test_part_headings_join_the_chapter_heading_block():
    src = """<html><body>
<h1>Part One</h1><h2>Chapter 1</h2><p>a.</p><h2>Chapter 2</h2><p>b.</p>
<h1>Part Two</h1><h2>Chapter 3</h2><p>c.</p></body></html>"""
    doc = read_string(src, format="html")
    chapters = doc.chapters
    assert [c.title for c in chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert doc.text[chapters[2].heading_start:chapters[2].heading_end] == "Part Two\n\nChapter 3"
    seg = fabula.analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.paragraphs] == ["a.", "b.", "c."]


def test_html_without_headings_falls_back_to_heading_lines():
    src = ("<html><body><p><b>Chapter 1</b></p><p>It rained.</p><p><b>Chapter 2</b></p>"
           "<p>It stopped.</p></body></html>")
    doc = read_string(src, format="html")
    assert [c.title for c in doc.chapters] == ["Chapter 1", "Chapter 2"]


def test_breaks_rules_and_whitespace():
    src = """<html><body><p>Line one<br/>line   two
    continues</p><p>&nbsp;</p><p>Para<br><br>split</p><hr/><p>After   the <em>rule</em>.</p>
<p style="text-align:center">~~~</p><p>Last.</p><pre>keep
  this</pre></body></html>"""
    doc = read_string(src, format="html")
    assert doc.text == ("Line one\nline two continues\n\nPara\n\nsplit\n\n* * *\n\nAfter the rule.\n\n~~~"
                        "\n\nLast.\n\nkeep\n  this")
    seg = fabula.analyze(doc, until="segment")
    assert len(seg.scenes) == 3


def test_emphasis_never_crosses_a_paragraph_and_styles_count():
    src = ("<html><body><em><div>First thought.</div><div>Second thought.</div></em>"
           "<p><span style=\"font-style: italic\">styled</span> and <u>under</u> and <s>struck</s> "
           "and <strong><em>both</em></strong></p></body></html>")
    doc = read_string(src, format="html")
    spans = [(doc.span_text(e), e.kind) for e in doc.emphasis]
    assert ("First thought.", "italic") in spans and ("Second thought.", "italic") in spans
    assert ("styled", "italic") in spans and ("under", "underline") in spans and ("struck", "strike") in spans
    assert ("both", "bold") in spans and ("both", "italic") in spans
    assert all("\n" not in doc.span_text(e) for e in doc.emphasis)
    assert_spans_valid(doc)


def test_doctype_entities_are_never_expanded():
    src = ('<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<html><body><p>x &c; y</p></body></html>')
    doc = read_string(src, format="html")
    assert "aaaa" not in doc.text and "]>" not in doc.text


def test_single_chapter_ao3_work_and_dispatch_by_extension(tmp_path):
    src = ao3_html()
    start = src.index('<div id="chapters" class="userstuff">')
    end = src.index('<div id="afterword">')
    single = (src[:start] + '<div id="chapters" class="userstuff">\n<div class="userstuff">\n'
              '<p>Just <em>one</em> chapter.</p>\n</div>\n</div>\n' + src[end:])
    path = tmp_path / "single.htm"
    path.write_text(single, encoding="utf-8")
    doc = read(path)
    assert doc.text == "Just one chapter."
    assert len(doc.chapters) == 1 and doc.chapters[0].title is None
    assert doc.metadata.tags["fandoms"] == ("Original Work",)
    assert END_NOTES in doc.metadata.notes


def test_saved_ao3_work_page():
    src = """<html><body><div id="header">Site navigation</div>
<dl class="work meta group">
<dt class="rating tags">Rating:</dt><dd class="rating tags"><ul class="commas"><li><a class="tag">General Audiences</a></li></ul></dd>
<dt class="fandom tags">Fandom:</dt><dd class="fandom tags"><ul class="commas"><li><a class="tag">Original Work</a></li></ul></dd>
<dt class="freeform tags">Additional Tags:</dt><dd class="freeform tags"><ul class="commas"><li><a class="tag">Fluff</a></li><li><a class="tag">Tea</a></li></ul></dd>
<dt class="stats">Stats:</dt><dd class="stats"><dl class="stats"><dt class="published">Published:</dt><dd class="published">2026-03-01</dd><dt class="words">Words:</dt><dd class="words">900</dd><dt class="kudos">Kudos:</dt><dd class="kudos">12</dd></dl></dd>
</dl>
<div id="workskin">
<div class="preface group"><h2 class="title heading">Tea for Two</h2>
<h3 class="byline heading"><a rel="author" href="/users/kettle">kettle</a></h3>
<div class="summary module"><h3 class="heading">Summary:</h3><blockquote class="userstuff"><p>Someone makes tea.</p></blockquote></div>
<div class="notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff"><p>My first work!</p></blockquote></div>
</div>
<div id="chapters">
<div class="chapter" id="chapter-1">
<div class="chapter preface group"><h3 class="title"><a href="/c/1">Chapter 1</a>: Water</h3></div>
<div class="userstuff module" role="article"><h3 class="landmark heading" id="work">Chapter Text</h3>
<p>The kettle sang.</p></div>
<div class="chapter preface group"><div id="chapter_1_endnotes" class="end notes module"><h3 class="heading">Notes:</h3>
<blockquote class="userstuff"><p>More soon.</p></blockquote></div></div>
</div>
<div class="chapter" id="chapter-2">
<div class="chapter preface group"><h3 class="title"><a href="/c/2">Chapter 2</a>: Leaves</h3></div>
<div class="userstuff module" role="article"><h3 class="landmark heading">Chapter Text</h3><p>The leaves unfurled.</p></div>
</div></div></div>
<div id="feedback">Kudos and comments</div></body></html>"""
    doc = read_string(src, format="html")
    assert [c.title for c in doc.chapters] == ["Chapter 1: Water", "Chapter 2: Leaves"]
    assert doc.metadata.title == "Tea for Two" and doc.metadata.authors == ("kettle",)
    assert doc.metadata.summary == "Someone makes tea."
    assert doc.metadata.notes == ("My first work!", "More soon.")
    assert doc.metadata.tags["additional_tags"] == ("Fluff", "Tea")
    assert doc.metadata.stats == {"published": "2026-03-01", "words": "900", "kudos": "12"}
    for junk in ("Chapter Text", "navigation", "Kudos", "Summary", "More soon", "Tea for Two"):
        assert junk not in doc.text
    assert "The kettle sang." in doc.text and "The leaves unfurled." in doc.text


def test_empty_html_is_an_input_error():
    with pytest.raises(InputError):
        read_string("<html><body><script>x()</script></body></html>", format="html")


# ----- robustness: any markup gives a Document or an InputError, with valid spans

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_FRAGMENTS = st.sampled_from(["<p>", "</p>", "<i>", "</i>", "<b>", "</b>", "<em>", "</em>", "<br>", "<hr>",
                              "<h2>", "</h2>", "<div>", "</div>", "<blockquote>", "</blockquote>", "<pre>",
                              "</pre>", "<script>", "</script>", "&nbsp;", "&amp;", " ", "\n", "* * *",
                              "Chapter 1", "word", "\u201cHi,\u201d", "<!--", "-->", "<", ">", "&", "\u202e"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, min_size=1, max_size=60))
def test_any_tag_soup_reads_or_fails_cleanly(parts):
    src = "<html><body>" + "".join(parts) + "</body></html>"
    try:
        doc = read_string(src, format="html")
    except InputError:
        return
    assert_spans_valid(doc)
    assert "\u202e" not in doc.text and "<script>" not in doc.text
    for e in doc.emphasis:
        assert doc.span_text(e).strip() and "\n\n" not in doc.span_text(e)


def test_legacy_encoded_html_with_meta_charset():
    from fabula.read import read_bytes_as
    src = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
           '<body><p>Caf\u00e9 \u201cquoted\u201d \u2014 na\u00efve</p></body></html>')
    doc = read_bytes_as(src.encode("cp1252"), "html", "legacy.html")
    assert doc.text == "Caf\u00e9 \u201cquoted\u201d \u2014 na\u00efve"
    assert doc.metadata.encoding == "cp1252"
