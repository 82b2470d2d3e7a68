"""Benchmark inputs: a PDNC novel when the corpora are present, else the bundled sample repeated."""
import argparse
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def novel_text(words: int, novel: str = "PrideAndPrejudice") -> tuple[str, str]:
    corpora = Path(os.environ.get("FABULA_CORPORA", REPO.parent / "shared" / "corpora"))
    path = corpora / "pdnc-dev" / novel / "novel_text.txt"
    if path.exists():
        base, label = path.read_text(encoding="utf-8", errors="replace"), f"PDNC {novel}"
    else:
        base, label = (REPO / "samples" / "the-lighthouse-keepers-daughter.txt").read_text(), "bundled sample"
    text = base
    while len(text.split()) < words:
        text += "\n\n" + base
    # Cut at a paragraph boundary near the requested word count.
    out, count = [], 0
    for para in text.split("\n\n"):
        out.append(para)
        count += len(para.split())
        if count >= words:
            break
    return "\n\n".join(out) + "\n", label


def pin_one_core() -> None:
    """Measure on one core, as the targets are stated."""
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass


def novel_from_args() -> tuple[str, str]:
    """--words / --novel from the command line; pins one core; returns (text, label)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--novel", default="PrideAndPrejudice")
    args = ap.parse_args()
    pin_one_core()
    return novel_text(args.words, args.novel)
