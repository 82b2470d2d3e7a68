import hashlib
import json
import os
import subprocess
import sys
import zlib

import pytest

from fabula.cli import main


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(err):
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_analyze_sample_writes_valid_json(sample_path, tmp_path, capsys):
    out = tmp_path / "out.json"
    code, _, err = run(["analyze", str(sample_path), "-o", str(out), "--quiet"], capsys)
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["schema"] == "fabula/1"
    assert [c["title"] for c in data["chapters"] if c["title"]] == ["Chapter 1: The Storm", "Chapter 2: The Stranger"]
    for p in data["paragraphs"]:
        assert 0 <= p["start"] < p["end"] <= len(data["text"])


def _png():
    raw = b"\x00\xff\x00\x00" * 16
    chunk = lambda t, d: len(d).to_bytes(4, "big") + t + d + zlib.crc32(t + d).to_bytes(4, "big")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (4).to_bytes(4, "big") * 2 + b"\x08\x06\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("name,content,needle", [
    ("empty.txt", b"", "empty"),
    ("image.txt", _png(), "PNG"),
    ("picture.png", _png(), "PNG"),
    ("fake.epub", b"This is just text pretending to be an EPUB.\n", "not an EPUB"),
    ("nuls.txt", b"\x00" * 5000, "empty"),
])
def test_bad_inputs_one_line_error_exit_2(tmp_path, capsys, name, content, needle):
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out.json"
    code, _, err = run(["analyze", str(src), "-o", str(out), "-q"], capsys)
    assert code == 2
    assert needle in one_line_error(err)
    assert not out.exists()


def test_missing_path_and_directory(tmp_path, capsys):
    out = tmp_path / "out.json"
    code, _, err = run(["analyze", str(tmp_path / "nope.txt"), "-o", str(out)], capsys)
    assert code == 2 and "no such file" in one_line_error(err)
    code, _, err = run(["analyze", str(tmp_path), "-o", str(out)], capsys)
    assert code == 2 and "directory" in one_line_error(err)
    assert not out.exists()


def test_nul_bytes_inside_text_are_dropped(tmp_path, capsys):
    src = tmp_path / "nul.txt"
    src.write_bytes(b"He said hello.\x00 She\x00 waved.\n")
    out = tmp_path / "out.json"
    code, _, err = run(["analyze", str(src), "-o", str(out), "-q", "--until", "segment"], capsys)
    assert code == 0, err
    assert json.loads(out.read_text())["text"].startswith("He said hello. She waved.")


def test_twenty_megabyte_single_line(tmp_path, capsys):
    src = tmp_path / "line.txt"
    src.write_bytes(b"word " * (4 * 1024 * 1024))
    out = tmp_path / "out.json"
    code, _, err = run(["analyze", str(src), "-o", str(out), "-q", "--until", "segment"], capsys)
    assert code == 0, err
    data = json.loads(out.read_text())
    assert len(data["paragraphs"]) == 1


def test_input_file_unchanged_and_usage_errors(sample_path, tmp_path, capsys):
    before = hashlib.sha256(sample_path.read_bytes()).hexdigest()
    run(["analyze", str(sample_path), "-o", str(tmp_path / "o.json"), "-q", "--until", "segment"], capsys)
    assert hashlib.sha256(sample_path.read_bytes()).hexdigest() == before
    code, _, err = run(["analyze", str(sample_path)], capsys)
    assert code == 2 and "required" in one_line_error(err)
    code, _, err = run(["analyze", str(sample_path), "-o", str(tmp_path / "x.json"), "--until", "bogus"], capsys)
    assert code == 2 and "unknown step" in one_line_error(err)


def test_output_into_missing_folder(sample_path, tmp_path, capsys):
    code, _, err = run(["analyze", str(sample_path), "-o", str(tmp_path / "no" / "o.json"), "-q",
                        "--until", "segment"], capsys)
    assert code == 2 and "does not exist" in one_line_error(err)


def test_entry_point_version_and_help():
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "fabula", "--version"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.startswith("fabula ")
    r = subprocess.run([sys.executable, "-m", "fabula", "analyze", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--output" in r.stdout
    r = subprocess.run([sys.executable, "-m", "fabula"], capture_output=True, text=True)
    assert r.returncode == 2
