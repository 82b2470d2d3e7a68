import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "the-lighthouse-keepers-daughter.txt"


def corpora_dir() -> Path:
    return Path(os.environ.get("FABULA_CORPORA", REPO.parent / "shared" / "corpora"))


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


def assert_spans_valid(doc):
    """Every span lies in the text, layers are sorted, and the nesting holds."""
    n = len(doc.text)
    for name, spans in doc.layers.items():
        if name == "characters":
            continue
        prev = -1
        for s in spans:
            assert 0 <= s.start <= s.end <= n, (name, s)
            assert s.start >= prev, (name, "not sorted", s)
            prev = s.start
    chapters = doc.layers.get("chapters", ())
    scenes = doc.layers.get("scenes", ())
    for sc in scenes:
        assert chapters[sc.chapter].contains(sc)
    for p in doc.layers.get("paragraphs", ()):
        assert scenes[p.scene].contains(p)
    for s in doc.layers.get("sentences", ()):
        assert doc.layers["paragraphs"][s.paragraph].contains(s)
