"""Coverage-guided fuzzing of every reader and of analyze() on raw text, with atheris.

    python fuzz/fuzz_fabula.py -max_total_time=60 [corpus_dir]

Any exception other than FabulaError is a crash; atheris saves the input as crash-*. Copy such an input
into tests/regressions/ (named <format>-<what>.bin) so the regression test replays it on every run.
"""
import sys

import atheris

with atheris.instrument_imports(include=["fabula"]):
    from fabula import FabulaError, analyze
    from fabula.read import FORMATS, read_bytes_as

def check(doc) -> None:
    n = len(doc.text)
    for name, spans in doc.layers.items():
        if name == "characters":
            continue
        prev = -1
        for s in spans:
            if not (0 <= s.start <= s.end <= n) or s.start < prev:
                raise AssertionError(f"bad span in {name}: {s}")
            prev = s.start
    ids = {c.id for c in doc.layers.get("characters", ())}
    for q in doc.layers.get("quotes", ()):
        if q.speaker is not None and q.speaker not in ids:
            raise AssertionError(f"quote speaker {q.speaker} is not a character")


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
