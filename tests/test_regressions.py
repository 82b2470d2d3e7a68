"""Replays every input that once crashed a reader (found by the fuzzer or by hand)."""
from pathlib import Path

import pytest

from fabula import FabulaError
from fabula.read import FORMATS, read_bytes_as

from conftest import assert_spans_valid

CASES = sorted((Path(__file__).parent / "regressions").glob("*.bin"))


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_regression_input(path):
    data = path.read_bytes()
    fmt = path.name.split("-", 1)[0]
    assert fmt in FORMATS, f"name regression files <format>-<what>.bin, not {path.name}"
    try:
        doc = read_bytes_as(data, fmt)
    except FabulaError:
        return
    assert_spans_valid(doc)
