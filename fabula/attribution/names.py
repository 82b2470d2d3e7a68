"""Character lookup by name words."""
from __future__ import annotations

from collections import defaultdict

from ..characters.names import titles
from .lexicon import TITLE_WORDS, norm


# titles many people bear at once; "the lady" is not the one "Lady Russell"
_CIVIL = frozenset("mr mrs miss ms master mister missus madam madame monsieur m mme mlle sir lady lord dame "
                   "signor signora signorina senor senora herr frau fraulein don dona aunt uncle".split())


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
        # "the Professor" is Professor De Worms when no one else bears that title
        known = titles()
        title_owners: dict[str, set[int]] = defaultdict(set)
        for c in characters:
            for n in (c.name,) + tuple(c.aliases):
                words = norm(n).split()
                if len(words) >= 2 and words[0].rstrip(".") in known and words[0].rstrip(".") not in _CIVIL:
                    title_owners[words[0].rstrip(".")].add(c.id)
        self.title = {t: next(iter(ids)) for t, ids in title_owners.items() if len(ids) == 1}
        # names two characters share ("Mr. Crawford") name nobody by themselves
        self.full: dict[str, int] = {k: next(iter(ids)) for k, ids in full_owners.items() if len(ids) == 1}

    def add_full(self, cid: int, names) -> None:
        """Full names for a character added during attribution; a name already taken stays its owner's."""
        for n in names:
            self.full.setdefault(norm(n), cid)

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
