"""The public entry point: analyze() reads a work and runs the pipeline over it."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable

from .document import Document
from .errors import FabulaError
from .limits import DEFAULT_LIMITS, Limits
from .pipeline import Pipeline, Settings
from .read import read, read_string
from .steps import registry


def build_pipeline(until: str | None = None, skip: Iterable[str] = ()) -> Pipeline:
    """The steps in data-flow order, up to and including `until`, less those in `skip`."""
    names = registry.available()
    if until is not None and until not in names:
        raise FabulaError(f"unknown step '{until}'; steps are: {', '.join(names)}")
    chosen = []
    for name in names:
        if name not in skip:
            chosen.append(registry.make(name))
        if name == until:
            break
    _run_only_needed_components(chosen)
    return Pipeline(chosen)


def _run_only_needed_components(steps: list) -> None:
    """spaCy's entity recognizer is a third of the language pass: skip it when no later step reads entities,
    and run it only around words that may be names when only person names are read (a pipeline
    that ends with the language step gets every entity, since its user asked for that layer)."""
    names = [s.name for s in steps]
    if "language" not in names:
        return
    language = steps[names.index("language")]
    if names[-1] == "language":
        language.selective_entities = False
        return
    later = steps[names.index("language") + 1:]
    language.with_entities = any("entities" in s.needs for s in later)


def load(source: str | Path, format: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a file (a Path, or a str naming one) or a story given as text (a str with a line break)."""
    if isinstance(source, Path):
        return read(source, format, limits)
    if not isinstance(source, str):
        raise FabulaError("analyze() takes a path or the story's text")
    if "\n" in source or len(source) > 1024:
        return read_string(source, format or "text", limits=limits)
    return read(source, format, limits)


def analyze(source: str | Path | Document, *, format: str | None = None, until: str | None = None,
            skip: Iterable[str] = (), model: str = "en_core_web_sm", cast=(), limits: Limits | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> Document:
    """Read a work and run the pipeline (up to and including step `until`, less the steps in `skip`)."""
    limits = limits or DEFAULT_LIMITS
    deadline = time.monotonic() + limits.max_seconds if limits.max_seconds else None
    doc = source if isinstance(source, Document) else load(source, format, limits)
    settings = Settings(model=model, cast=tuple(cast), progress=progress, limits=limits, deadline=deadline)
    pipeline = build_pipeline(until, skip)
    # A Document given back to analyze() resumes after the last step whose layers it already has.
    have = set(doc.layers)
    first = next((i for i, s in enumerate(pipeline.steps) if not s.produces <= have), len(pipeline.steps))
    pipeline.steps = pipeline.steps[first:]
    return pipeline.run(doc, settings)
