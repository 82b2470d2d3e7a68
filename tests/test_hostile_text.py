"""Hostile plain-text inputs: each gets a clear error or a correct result within the limits."""
import time

import pytest

from fabula import InputError, Limits, analyze
from fabula.cli import main
from fabula.read import read, read_string

from conftest import assert_spans_valid


def test_one_gigabyte_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(1024 ** 3)
    t = time.monotonic()
    with pytest.raises(InputError, match="over the input limit"):
        read(big)
    assert time.monotonic() - t < 5


def test_input_limit_is_configurable(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("A short story.\n" * 100)
    with pytest.raises(InputError, match="limit of 1,000 bytes"):
        read(f, limits=Limits(max_input_bytes=1000))


def test_time_limit_stops_a_run(tmp_path, capsys):
    f = tmp_path / "long.txt"
    f.write_text("\n\n".join(f"Paragraph {i}. She walked on and on." for i in range(3000)))
    code = main(["analyze", str(f), "-o", str(tmp_path / "o.json"), "-q", "--max-seconds", "0.001"])
    err = capsys.readouterr().err
    assert code == 2 and "time limit" in err
    assert not (tmp_path / "o.json").exists()


def test_ten_thousand_chapters():
    text = "".join(f"Chapter {i}\n\nThe {i}th thing happened.\n\n" for i in range(1, 10_001))
    t = time.monotonic()
    doc = analyze(text, until="segment")
    assert len(doc.layer("chapters")) == 10_000
    assert len(doc.layer("paragraphs")) == 10_000
    assert time.monotonic() - t < 30
    assert_spans_valid(doc)


def test_mixed_line_endings_rtl_overrides_emoji_and_combining_marks():
    text = ("Chapter 1\r\n\r\nShe said \u202eevil\u202c hi.\r"
            "\rCafe\u0301 🐉🏳️‍🌈 done.\n\nLast line.\r\n")
    doc = read_string(text)
    assert "\r" not in doc.text and "\u202e" not in doc.text
    assert "Cafe\u0301 🐉🏳️‍🌈 done." in doc.text
    seg = analyze(doc, until="segment")
    assert [seg.span_text(p) for p in seg.layer("paragraphs")] == [
        "She said evil hi.", "Cafe\u0301 🐉🏳️‍🌈 done.", "Last line."]


def test_fifty_megabyte_line(tmp_path):
    f = tmp_path / "line.txt"
    f.write_bytes(b"spam and eggs " * (50 * 1024 * 1024 // 14))
    doc = analyze(f, until="segment")
    assert len(doc.layer("paragraphs")) == 1
    assert doc.layer("paragraphs")[0].end == len(doc.text.rstrip())


def test_chapter_limit_is_configurable():
    text = "".join(f"Chapter {i}\n\nThing {i}.\n\n" for i in range(1, 60))
    with pytest.raises(InputError, match="over the limit of 50"):
        read_string(text, limits=Limits(max_chapters=50))
