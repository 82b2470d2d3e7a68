"""Whole-analysis output with and without the exact speed-ups (same JSON expected): the fast attribute
ruler and lemmatizer (fabula/steps/fast_attributes.py) and the networks' inference paths
(fabula/steps/fast_network.py).

    python benchmarks/language_equality.py [--words 100000] [--novel PrideAndPrejudice]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _input import analyze as analyze_all, novel_from_args  # noqa: E402


def analyze(text: str, fast: bool) -> tuple[str, float]:
    doc, seconds = analyze_all(text, fast_attributes=fast, fast_network=fast)
    return doc.dumps(), seconds


def main() -> None:
    text, label = novel_from_args()
    spacy_json, t_spacy = analyze(text, fast=False)
    fast_json, t_fast = analyze(text, fast=True)
    print(f"input: {label}, {len(text.split()):,} words; spaCy's ruler + lemmatizer and thinc's layers "
          f"{t_spacy:.1f} s, fast ones {t_fast:.1f} s (model load included)")
    print("identical JSON" if spacy_json == fast_json else "JSON DIFFERS")
    sys.exit(0 if spacy_json == fast_json else 1)


if __name__ == "__main__":
    main()
