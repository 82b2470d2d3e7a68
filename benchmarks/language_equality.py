"""Whole-analysis output with and without the fast attribute ruler and lemmatizer (same JSON expected).

    python benchmarks/language_equality.py [--words 100000] [--novel PrideAndPrejudice]
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _input import novel_from_args  # noqa: E402

import fabula  # noqa: E402
from fabula.pipeline import Settings  # noqa: E402
from fabula.read import read_string  # noqa: E402
from fabula.steps import language  # noqa: E402


def analyze(text: str, fast: bool) -> tuple[str, float]:
    real = language.load_model
    language.load_model = lambda name, exclude=(): real(name, exclude, fast)
    try:
        doc = read_string(text)
        settings = Settings()
        t = time.perf_counter()
        for step in fabula.build_pipeline().steps:
            doc = doc.with_layers(**step.run(doc, settings))
        return doc.dumps(), time.perf_counter() - t
    finally:
        language.load_model = real


def main() -> None:
    text, label = novel_from_args()
    spacy_json, t_spacy = analyze(text, fast=False)
    fast_json, t_fast = analyze(text, fast=True)
    print(f"input: {label}, {len(text.split()):,} words; spaCy's ruler + lemmatizer {t_spacy:.1f} s, "
          f"fast ones {t_fast:.1f} s (model load included)")
    print("identical JSON" if spacy_json == fast_json else "JSON DIFFERS")
    sys.exit(0 if spacy_json == fast_json else 1)


if __name__ == "__main__":
    main()
