"""Does analyze() grow linearly? Doubles the input four times and prints time per word at each size.

    python benchmarks/linear.py [--start 6000] [--until attribution]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _input import novel_text, pin_one_core  # noqa: E402

import fabula  # noqa: E402
from fabula.steps.language import load_model  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--start", type=int, default=6000, help="words at the smallest size")
    ap.add_argument("--until", default=None, help="last step to run (default: all)")
    args = ap.parse_args()
    pin_one_core()
    load_model("en_core_web_sm", ())
    fabula.analyze("Warm up.\n", until=args.until)
    rows = []
    for k in range(5):
        text, label = novel_text(args.start * 2 ** k)
        words = len(text.split())
        t = time.perf_counter()
        fabula.analyze(text, until=args.until)
        elapsed = time.perf_counter() - t
        rows.append((words, elapsed))
        print(f"{words:>9,} words  {elapsed:8.2f} s  {elapsed / words * 1e6:8.1f} us/word", flush=True)
    per_word = [e / w for w, e in rows]
    print(f"input: {label}; largest/smallest time per word: {per_word[-1] / per_word[0]:.2f}x")


if __name__ == "__main__":
    main()
