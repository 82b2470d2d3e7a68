import pytest

from fabula import analyze
from fabula.steps.segment import is_break_line

from conftest import assert_spans_valid


@pytest.mark.parametrize("line", ["***", "* * *", "~~~", "———", "#", "o0o", "oOo", "xXx", "-x-",
                                  "    §    ", "Line break", "~Scene Break~", "⁂", "= = ="])
def test_break_lines(line):
    assert is_break_line(line)


@pytest.mark.parametrize("line", ["Oh.", "No!", "He left.", "o", "...", "“…”", "I", "Ox"])
def test_prose_is_not_a_break(line):
    assert not is_break_line(line)


def para_texts(doc):
    return [doc.span_text(p) for p in doc.layer("paragraphs")]


def test_scene_breaks_are_not_paragraphs():
    doc = analyze("First scene, first line.\n\nStill first.\n\n* * *\n\nSecond scene.\n\nxXx\n\nThird.\n",
                  until="segment")
    assert len(doc.layer("scenes")) == 3
    assert para_texts(doc) == ["First scene, first line.", "Still first.", "Second scene.", "Third."]
    assert_spans_valid(doc)


def test_hard_wrapped_paragraphs_are_joined():
    text = ("The first paragraph is wrapped\nacross three lines of the\nfile as old books are.\n\n"
            "The second one is wrapped\ntoo, across two lines.\n")
    doc = analyze(text, until="segment")
    assert len(doc.layer("paragraphs")) == 2


def test_pasted_paragraphs_one_per_line():
    line = "This is a long pasted paragraph of a fan fiction chapter, with many words in it, " * 2
    text = "\n".join(f"{i} {line}" for i in range(6)) + "\n"
    doc = analyze(text, until="segment")
    assert len(doc.layer("paragraphs")) == 6


def test_two_blank_lines_mark_a_scene_where_the_source_uses_them():
    paras = [f"Paragraph number {i} of the story." for i in range(12)]
    text = "\n\n".join(paras[:6]) + "\n\n\n\n" + "\n\n".join(paras[6:]) + "\n"
    doc = analyze(text, until="segment")
    assert len(doc.layer("scenes")) == 2


def test_headings_are_not_paragraphs():
    doc = analyze("Chapter 1: Dawn\n\nLight came.\n\nChapter 2: Dusk\n\nIt went.\n", until="segment")
    assert para_texts(doc) == ["Light came.", "It went."]
    assert [s.chapter for s in doc.layer("scenes")] == [0, 1]
