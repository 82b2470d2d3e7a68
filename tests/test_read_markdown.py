import time

import pytest

import fabula
from fabula.errors import InputError
from fabula.read import read, read_string
from fabula.read.markdown import read_markdown

from conftest import assert_spans_valid
from fixtures_builders import ITALIC_WORDS, STORY, markdown_story


def check_source_map(doc, src):
    """Every character copied from the file maps back to that same character."""
    sm = doc.source_map
    copied = 0
    for i, ch in enumerate(doc.text):
        j = sm.to_source(i)
        assert 0 <= j <= len(src)
        if ch not in "\n* ":
            assert src[j] == ch, (i, ch, src[j])
            copied += 1
    assert copied > 0


def test_story_with_front_matter_headings_and_italics():
    src = markdown_story()
    doc = read_markdown(src, "story.md")
    assert [c.title for c in doc.chapters] == [t for t, _ in STORY]
    for c in doc.chapters:
        assert doc.text[c.heading_start:c.heading_end] == c.title
    assert doc.metadata.title == "The Singing Tower"
    assert doc.metadata.authors == ("gullwing",)
    assert doc.metadata.tags == {"tags": ("Lighthouses", "Slow Burn")}
    for junk in ("The Singing Tower", "title:", "author:", "---", "#", "**", "*Somebody"):
        assert junk not in doc.text, junk
    assert [doc.span_text(e) for e in doc.emphasis if e.kind == "italic"] == ITALIC_WORDS
    assert [doc.span_text(e) for e in doc.emphasis if e.kind == "bold"] == ["sing"]
    assert doc.metadata.source_format == "markdown"
    assert_spans_valid(doc)
    check_source_map(doc, src)


def test_markdown_through_segment(tmp_path):
    path = tmp_path / "story.md"
    path.write_text(markdown_story(), encoding="utf-8")
    doc = fabula.analyze(str(path), until="segment")
    assert len(doc.chapters) == 3
    assert [s.chapter for s in doc.scenes] == [0, 0, 1, 2]
    paragraphs = [doc.span_text(p) for p in doc.paragraphs]
    assert len(paragraphs) == 9
    assert all("Chapter" not in p and "* * *" not in p for p in paragraphs)
    assert_spans_valid(doc)


def test_inline_markup_is_removed_and_mapped():
    src = ("Use snake_case_name and 2 * 3 = 6, or 4*5.\n\n"
           "***Both*** and *a **b** c* and \\*not\\* and `code *x*` end.\n\n"
           "See [the *map*](http://x.org/a_b*c) and ![pic](p.png) and <em>html em</em> and ~~gone~~ "
           "and an *unclosed one.\n\n"
           "_under_ and __dunder__ and mid_word_under.\nSecond line with *cross\nline* emphasis.\n")
    doc = read_string(src, format="markdown")
    assert doc.text == ("Use snake_case_name and 2 * 3 = 6, or 4*5.\n\n"
                        "Both and a b c and *not* and code *x* end.\n\n"
                        "See the map and  and html em and gone and an *unclosed one.\n\n"
                        "under and dunder and mid_word_under.\nSecond line with cross\nline emphasis.")
    spans = [(doc.span_text(e), e.kind) for e in doc.emphasis]
    for expected in [("Both", "bold"), ("Both", "italic"), ("a b c", "italic"), ("b", "bold"), ("map", "italic"),
                     ("html em", "italic"), ("gone", "strike"), ("under", "italic"), ("dunder", "bold"),
                     ("cross\nline", "italic")]:
        assert expected in spans
    assert len(spans) == 10
    check_source_map(doc, src)


def test_thematic_breaks_become_scene_breaks():
    src = "# Night\n\nOne.\n\n***\n\nTwo.\n\n---\n\nThree.\n\n* * *\n\nFour.\n\n___\n\nFive.\n"
    doc = read_string(src, format="markdown")
    assert doc.text.count("* * *") == 4
    seg = fabula.analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.paragraphs] == ["One.", "Two.", "Three.", "Four.", "Five."]
    assert len(seg.scenes) == 5


def test_setext_headings_are_chapters():
    src = "Arrival\n=======\n\nThey came by sea.\n\nDeparture\n=========\n\nThey left by air.\n"
    doc = read_string(src, format="markdown")
    assert [c.title for c in doc.chapters] == ["Arrival", "Departure"]
    assert "===" not in doc.text


def test_long_line_over_dashes_is_a_scene_break_not_a_heading():
    src = ("# One\n\nShe walked the whole length of the harbour wall before she let herself look back at the town.\n"
           "---\nHe was already gone.\n\n# Two\n\nMorning.\n")
    doc = read_string(src, format="markdown")
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert "* * *" in doc.text


def test_part_headings_join_chapter_headings():
    src = ("# Part One\n\n## Chapter 1\n\nA.\n\n## Chapter 2\n\nB.\n\n# Part Two\n\n## Chapter 3\n\nC.\n")
    doc = read_string(src, format="markdown")
    assert [c.title for c in doc.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    third = doc.chapters[2]
    assert doc.text[third.heading_start:third.heading_end] == "Part Two\n\nChapter 3"
    seg = fabula.analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.paragraphs] == ["A.", "B.", "C."]


def test_single_heading_titles_the_one_chapter():
    doc = read_string("# Short Piece\n\nOnly a paragraph.\n", format="markdown")
    assert [c.title for c in doc.chapters] == ["Short Piece"]
    assert doc.metadata.title == "Short Piece"


def test_no_markdown_headings_falls_back_to_heading_lines():
    doc = read_string("Chapter 1\n\nIt rained.\n\nChapter 2\n\nIt stopped.\n", format="markdown")
    assert [c.title for c in doc.chapters] == ["Chapter 1", "Chapter 2"]


def test_front_matter_forms():
    src = ("---\ntitle: \"Salt: A Story\"\nauthors: Ada Pell, Bo Ren\nfandom: Original Work\n"
           "relationships:\n  - Ada/Bo\n  - Bo/Cy\nsummary: >\n  Two people\n  and the sea.\n"
           "language: en\ndate: 2026-04-01\nmood: wistful\n---\n\nThe sea.\n")
    doc = read_string(src, format="markdown")
    m = doc.metadata
    assert m.title == "Salt: A Story" and m.authors == ("Ada Pell", "Bo Ren")
    assert m.tags["fandoms"] == ("Original Work",) and m.tags["relationships"] == ("Ada/Bo", "Bo/Cy")
    assert m.tags["mood"] == ("wistful",)
    assert m.summary == "Two people\nand the sea."
    assert m.language == "en" and m.stats == {"date": "2026-04-01"}
    assert doc.text == "The sea."
    check_source_map(doc, src)


def test_leading_rule_that_is_not_front_matter():
    src = "---\n\nA story that opens with a rule.\n\n---\n\nAnd has another.\n"
    doc = read_string(src, format="markdown")
    assert doc.metadata.title is None
    assert "A story that opens" in doc.text and doc.text.count("* * *") == 2


def test_code_fences_blockquotes_and_crlf():
    src = "Before.\r\n\r\n> Quoted *line*\r\n> continues.\r\n\r\n```\r\n*not emphasis*\r\n```\r\n\r\nAfter.\r\n"
    doc = read_string(src, format="markdown")
    assert doc.text == "Before.\n\nQuoted line\ncontinues.\n\n*not emphasis*\n\nAfter."
    assert [doc.span_text(e) for e in doc.emphasis] == ["line"]
    check_source_map(doc, src)


def test_pathological_delimiters_are_fast():
    src = "*a " * 30_000 + "\n\n" + "_" * 50_000 + "\n\n" + "`" * 20_000 + " x\n"
    t0 = time.monotonic()
    doc = read_string(src, format="markdown")
    assert time.monotonic() - t0 < 10
    assert_spans_valid(doc)


def test_dispatch_by_extension_and_empty(tmp_path):
    path = tmp_path / "s.markdown"
    path.write_text("## A\n\nx\n\n## B\n\ny\n", encoding="utf-8")
    assert [c.title for c in read(path).chapters] == ["A", "B"]
    with pytest.raises(InputError):
        read_string("---\ntitle: Only metadata\n---\n", format="markdown")


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_MD = st.sampled_from(["*", "**", "_", "__", "~~", "`", "\\", "[", "](x)", "![", "<em>", "</em>", "<br>",
                       "# ", "## ", "\n", "\n\n", "---", "***", "word", " ", "snake_case", "> ", "```", "\r\n",
                       "\u201cHi\u201d", "\x00"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MD, min_size=1, max_size=50))
def test_any_markdown_reads_with_valid_spans_and_map(parts):
    src = "".join(parts)
    try:
        doc = read_markdown(src, "fuzz.md")
    except InputError:
        return
    assert_spans_valid(doc)
    for i, ch in enumerate(doc.text):
        j = doc.source_map.to_source(i)
        assert 0 <= j <= len(src)
    check_source_map_if_any(doc, src)


def check_source_map_if_any(doc, src):
    sm = doc.source_map
    for i, ch in enumerate(doc.text):
        j = sm.to_source(i)
        if ch not in "\n* " and j < len(src):
            assert src[j] == ch, (src, doc.text, i)


def test_dashes_under_a_short_prose_line_are_a_scene_break():
    src = "# One\n\nHe left.\n---\nShe stayed.\n\n# Two\n\nLater.\n\nThe Morning After\n---\n\nTea.\n"
    doc = read_string(src, format="markdown")
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert "He left.\n\n* * *\n\nShe stayed." in doc.text
    assert "The Morning After" in doc.text and "---" not in doc.text
