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
    """Every span lies in the text, layers are sorted, the nesting holds, ids resolve."""
    from fabula.invariants import problems
    found = problems(doc)
    assert not found, found[:5]
