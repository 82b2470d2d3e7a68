"""The steps after the language pass, in data-flow order.

Each is imported only if its module exists, so a step under construction never breaks the others.
Order: quotes (find quotations) -> characters (mentions, characters, pronoun links) -> attribution.
"""
from __future__ import annotations

import importlib

_LATER = (
    ("fabula.steps.quotes", "Quotes"),
    ("fabula.steps.characters", "Characters"),
    ("fabula.steps.attribution", "Attribution"),
)


def later_steps() -> list:
    steps = []
    for module_name, cls in _LATER:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        steps.append(getattr(module, cls)())
    return steps
