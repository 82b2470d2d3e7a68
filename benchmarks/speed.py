"""Whole-pipeline speed and peak memory on a ~100,000-word novel, one core. Prints numbers only.

    python benchmarks/speed.py [--words 100000] [--novel PrideAndPrejudice]
"""
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _input import novel_from_args  # noqa: E402

import fabula  # noqa: E402
from fabula.pipeline import Settings, gc_paused  # noqa: E402
from fabula.read import read_string  # noqa: E402
from fabula.steps.language import load_model  # noqa: E402


def main() -> None:
    text, label = novel_from_args()
    words = len(text.split())
    print(f"cpus: {len(os.sched_getaffinity(0))}, BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS')}")
    t0 = time.perf_counter()
    load_model("en_core_web_sm", ())
    print(f"model load: {time.perf_counter() - t0:.2f} s (once per process, not counted below)")
    # CPU seconds beside wall seconds: on a shared machine the wall clock also counts other processes' turns.
    start, cpu0 = time.perf_counter(), time.process_time()
    doc = read_string(text)
    print(f"{'read':12s} {time.perf_counter() - start:7.2f} s  {time.process_time() - cpu0:7.2f} s CPU")
    settings = Settings()
    with gc_paused():  # as Pipeline.run
        for step in fabula.build_pipeline().steps:
            t, c = time.perf_counter(), time.process_time()
            doc = doc.with_layers(**step.run(doc, settings))
            print(f"{step.name:12s} {time.perf_counter() - t:7.2f} s  {time.process_time() - c:7.2f} s CPU")
    t, c = time.perf_counter(), time.process_time()
    doc.dumps()
    print(f"{'json':12s} {time.perf_counter() - t:7.2f} s  {time.process_time() - c:7.2f} s CPU")
    total, cpu = time.perf_counter() - start, time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"input: {label}, {words:,} words")
    print(f"total: {total:.2f} s ({cpu:.2f} s CPU), {words / total:,.0f} words/s, peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
