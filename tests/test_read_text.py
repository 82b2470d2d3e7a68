from fabula import analyze
from fabula.read import read, read_string
from fabula.read.text import find_chapters

from conftest import assert_spans_valid


def titles(doc):
    return [c.title for c in doc.layer("chapters")]


def test_chapter_heading_forms():
    text = ("Chapter 1: The Beginning\n\nShe woke early.\n\n"
            "Chapter Two\n\nHe did not.\n\n"
            "CHAPTER III.\n\nNobody did.\n\n"
            "4.\n\nThe end came.\n")
    doc = read_string(text)
    assert titles(doc) == ["Chapter 1: The Beginning", "Chapter Two", "CHAPTER III.", "4."]
    for ch in doc.layer("chapters"):
        assert doc.text[ch.heading_start:ch.heading_end] == ch.title


def test_bare_title_lines_set_off_by_blank_lines():
    text = ("\n\nThe Harbour\n\nThe boats came in at dawn. Nobody spoke.\n\n"
            "Yes.\n\nThe nets were empty.\n\n\n"
            "Low Tide\n\nBy noon the water had gone out.\n")
    doc = read_string(text)
    assert titles(doc) == ["The Harbour", "Low Tide"]


def test_one_word_paragraph_is_not_a_heading():
    text = ("Chapter 1\n\nHe looked at her.\n\nSilence.\n\nShe looked away.\n\n"
            "Nothing\n\nwas said for a long time.\n")
    doc = read_string(text)
    assert titles(doc) == ["Chapter 1"]


def test_part_and_chapter_headings_merge_into_one_block():
    text = "PART ONE\n\n\nChapter I: Arrival\n\nThe train was late.\n\nChapter II: Departure\n\nIt left.\n"
    doc = read_string(text)
    assert titles(doc) == ["Chapter I: Arrival", "Chapter II: Departure"]
    assert doc.layer("chapters")[0].heading_start == 0


def test_bare_label_with_number_on_next_line():
    text = "CHAPTER\n1\n\nRobin counted the boats.\n\nCHAPTER\n2\n\nThere were seven.\n"
    assert titles(read_string(text)) == ["CHAPTER 1", "CHAPTER 2"]


def test_ao3_copy_paste_drops_landmarks_and_notes():
    text = ("Summary:\nA quiet story about a lighthouse.\n"
            "Notes:\nThanks to my beta reader!\n"
            "Chapter 1: Fog\nChapter Text\n"
            "The fog rolled in over the harbour and stayed there for three days.\n"
            "“We should light the lamp,” Juno said.\n"
            "Notes:\nMore soon, I promise.\n"
            "Chapter 2: Clear\nChapter Text\n"
            "On the fourth day the sky was as clear as glass.\n")
    doc = read_string(text)
    assert titles(doc) == ["Chapter 1: Fog", "Chapter 2: Clear"]
    assert "Chapter Text" not in doc.text
    assert "beta reader" not in doc.text and "More soon" not in doc.text
    assert "lighthouse" in doc.metadata.summary
    assert any("beta reader" in n for n in doc.metadata.notes)
    assert any("More soon" in n for n in doc.metadata.notes)


def test_source_map_points_back_into_the_original_file(tmp_path):
    original = "Chapter 1\r\n\r\nThe cat\x00 sat.\r\n\r\n“Hello,” said Ama.\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(original.encode("utf-8"))
    doc = read(path)
    assert "\r" not in doc.text and "\x00" not in doc.text
    i = doc.text.index("“Hello")
    j = doc.source_map.to_source(i)
    assert original[j:j + 6] == "“Hello"
    k = doc.text.index("sat.")
    assert original[doc.source_map.to_source(k):].startswith("sat.")


def test_no_headings_is_one_untitled_chapter():
    doc = read_string("Just a short story.\nWith two lines.\n")
    assert len(doc.layer("chapters")) == 1 and doc.layer("chapters")[0].title is None


def test_spans_valid_on_sample(sample_path):
    assert_spans_valid(read(sample_path))


def test_find_chapters_empty_text():
    assert find_chapters("") == ()


def test_title_and_byline_before_the_first_chapter_are_the_works_title():
    doc = read_string("The Salt Road\n\nby Wren Adaire\n\n\nChapter 1\n\nThe road ran to the sea.\n\n"
                      "Chapter 2\n\nIt ended there.\n")
    assert doc.metadata.title == "The Salt Road"
    chapters = doc.layer("chapters")
    assert [c.title for c in chapters] == ["Chapter 1", "Chapter 2"]
    assert chapters[0].heading_start == 0  # the title block is heading, not prose
    seg = analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.layer("paragraphs")] == ["The road ran to the sea.", "It ended there."]


def test_a_lone_title_line_over_an_unheaded_story():
    doc = read_string("A Short Walk\n\nShe walked. It was short.\n\nThen home.\n")
    assert doc.metadata.title == "A Short Walk"
    assert doc.layer("chapters")[0].title == "A Short Walk"


def test_prose_first_line_is_not_a_title():
    doc = read_string("Silence.\n\nShe walked. It was short.\n\nThen home.\n")
    assert doc.metadata.title is None and doc.layer("chapters")[0].title is None


def test_a_first_sentence_run_into_the_heading_line_is_prose():
    text = ("CHAPTER I Mr Tallow , going out in the morning , left the shop in charge of his nephew .\n"
            "It was a quiet street .\n")
    doc = read_string(text)
    assert doc.layer("chapters")[0].title is None
    assert [c.title for c in read_string("Chapter 3 The Storm\n\nRain.\n").layer("chapters")] == ["Chapter 3 The Storm"]
    assert read_string("Part one of the plan was simple.\n\nIt failed.\n").layer("chapters")[0].title is None
