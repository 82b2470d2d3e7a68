"""Coverage-guided fuzzing of every reader and of analyze() on raw text, with atheris.

    python fuzz/fuzz_fabula.py -max_total_time=60 [corpus_dir]

Any exception other than FabulaError is a crash; atheris saves the input as crash-*. Copy such an input
into tests/regressions/ (named <format>-<what>.bin) so the regression test replays it on every run.
"""
import sys

import atheris

with atheris.instrument_imports(include=["fabula"]):
    from fabula import FabulaError, analyze
    from fabula.invariants import problems
    from fabula.read import FORMATS, read_bytes_as

def check(doc) -> None:
    found = problems(doc)
    if found:
        raise AssertionError(found[0])


def one_input(data: bytes) -> None:
    if not data:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    payload = data[1:]
    try:
        doc = read_bytes_as(payload, fmt)
        check(doc)
        # Everything after reading that needs no spaCy model: segmentation, quotations.
        doc = analyze(doc, until="quotes", skip=("language",))
        check(doc)
    except FabulaError:
        pass


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
