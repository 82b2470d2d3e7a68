"""Character lookup by name words."""
from __future__ import annotations

from collections import defaultdict

from .lexicon import TITLE_WORDS, norm


class NameIndex:
    """Character lookup by name words: full names and aliases, and words unique to one character."""

    def __init__(self, characters) -> None:
        full_owners: dict[str, set[int]] = defaultdict(set)
        word_owners: dict[str, set[int]] = defaultdict(set)
        for c in characters:
            for n in (c.name,) + tuple(c.aliases):
                key = norm(n)
                if key:
                    full_owners[key].add(c.id)
                for w in key.split():
                    if w not in TITLE_WORDS and len(w) > 1:
                        word_owners[w].add(c.id)
        self.word = {w: next(iter(ids)) for w, ids in word_owners.items() if len(ids) == 1}
        # names two characters share ("Mr. Crawford") name nobody by themselves
        self.full: dict[str, int] = {k: next(iter(ids)) for k, ids in full_owners.items() if len(ids) == 1}

    def lookup(self, phrase: str) -> int | None:
        key = norm(phrase)
        if not key:
            return None
        if key in self.full:
            return self.full[key]
        words = [w for w in key.split() if w not in TITLE_WORDS]
        # "Mr. Elton" / "Elton": the last word of a name, if it belongs to one character.
        for w in reversed(words):
            if w in self.word:
                return self.word[w]
        return None
