"""Writes the fuzzer's seed inputs (first byte picks the format) from the test builders."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from fixtures_builders import ao3_epub, ao3_html, markdown_story  # noqa: E402

SAMPLE = (HERE.parent / "samples" / "the-lighthouse-keepers-daughter.txt").read_bytes()[:3000]
seeds = {
    "text.bin": b"\x00" + SAMPLE,
    "markdown.bin": b"\x01" + markdown_story().encode()[:3000],
    "html.bin": b"\x02" + ao3_html().encode()[:6000],
    "epub.bin": b"\x03" + ao3_epub(),
}
for name, data in seeds.items():
    (HERE / "seeds" / name).write_bytes(data)
    print(name, len(data))
