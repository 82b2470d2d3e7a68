"""Benchmark inputs: a PDNC novel when the corpora are present, else the bundled sample repeated."""
import argparse
import os
from pathlib import Path

# One core means one BLAS thread too: pinning alone would leave OpenBLAS running a thread per CPU it
# counts, all on the pinned core. Must be set before numpy is first imported (benchmarks import this first).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

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


def analyze(text: str, adjust_step=None, **load_options):
    """The whole analysis of `text` (model load included in the time): (document, seconds).
    `load_options` go to language.load_model (e.g. fast_attributes=False); `adjust_step(step)` may change
    each step before it runs."""
    import time

    import fabula
    from fabula.pipeline import Settings
    from fabula.read import read_string
    from fabula.steps import language

    real_load = language.load_model
    language.load_model = lambda name, exclude=(): real_load(name, exclude, **load_options)
    try:
        doc = read_string(text)
        settings = Settings()
        t = time.perf_counter()
        for step in fabula.build_pipeline().steps:
            if adjust_step:
                adjust_step(step)
            doc = doc.with_layers(**step.run(doc, settings))
        return doc, time.perf_counter() - t
    finally:
        language.load_model = real_load
