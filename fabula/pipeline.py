"""Steps declare what they need and produce; a Pipeline checks the chain before it runs."""
from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, runtime_checkable

from .document import Document
from .errors import FabulaError, PipelineError

# Layers every reader gives a Document.
READER_LAYERS = frozenset({"chapters", "emphasis"})


@dataclass(frozen=True)
class Settings:
    """Choices a user can make for a run; steps read what concerns them."""
    model: str = "en_core_web_sm"
    cast: tuple = ()  # Character-like entries given by the user (see fabula.cast)
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total)
    limits: "object | None" = None
    deadline: float | None = None  # time.monotonic() value after which a run gives up

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)
        self.check_time()

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            seconds = getattr(self.limits, "max_seconds", None)
            raise FabulaError(f"stopped: the time limit of {seconds} s was reached (raise it with --max-seconds)")


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector off meanwhile. A run allocates hundreds of thousands of small
    objects (tokens, spans) and almost no reference cycles, so the collector's repeated passes over the
    growing layers are wasted: on a 100,000-word novel 0.46-0.50 s of collections during the steps
    become one pass of ~0.18 s at the first collection after (where what cycles there are go)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@runtime_checkable
class Step(Protocol):
    name: str
    needs: frozenset[str]
    produces: frozenset[str]

    def run(self, doc: Document, settings: Settings) -> dict[str, tuple]:
        """Return the new layers; never mutate doc."""


@dataclass
class Pipeline:
    steps: list = field(default_factory=list)

    def check(self, available: Iterable[str] = READER_LAYERS) -> None:
        have = set(available)
        for step in self.steps:
            missing = step.needs - have
            if missing:
                raise PipelineError(
                    f"step '{step.name}' needs {', '.join(sorted(missing))}, which no earlier step produces")
            have |= step.produces

    def run(self, doc: Document, settings: Settings | None = None) -> Document:
        settings = settings or Settings()
        self.check(doc.layers.keys())
        with gc_paused():
            for step in self.steps:
                settings.check_time()
                layers = step.run(doc, settings)
                unexpected = set(layers) - step.produces
                if unexpected:
                    raise PipelineError(f"step '{step.name}' produced undeclared layers {sorted(unexpected)}")
                doc = doc.with_layers(**layers)
        return doc
