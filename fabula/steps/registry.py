"""Every step, by name, in data-flow order: read -> segment -> language -> quotes -> characters -> attribution.

Steps are imported only when a pipeline uses them, so `--until segment` never loads spaCy, and a step
under construction (module not there yet) is simply left out.
"""
from __future__ import annotations

import importlib
import importlib.util

STEPS = (
    ("segment", "fabula.steps.segment", "Segment"),
    ("language", "fabula.steps.language", "Language"),
    ("quotes", "fabula.steps.quotes", "Quotes"),
    ("characters", "fabula.steps.characters", "Characters"),
    ("attribution", "fabula.steps.attribution", "Attribution"),
)


def available() -> list[str]:
    """Names of the steps whose modules are installed."""
    names = []
    for name, module_name, _ in STEPS:
        if importlib.util.find_spec(module_name) is not None:
            names.append(name)
    return names


def make(name: str):
    for step_name, module_name, cls in STEPS:
        if step_name == name:
            return getattr(importlib.import_module(module_name), cls)()
    raise KeyError(name)
