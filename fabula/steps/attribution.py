"""The attribution step: speaker, addressees, type and confidence for every quote (see fabula.attribution).

It also fills each character's `quotes` count, which the characters step cannot know, and adds the
speakers the story only describes ("said a little girl"), which it has no name for."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..attribution import Attributor
from ..document import Document


class Attribution:
    name = "attribution"
    needs = frozenset({"quotes", "characters", "mentions", "tokens", "sentences"})
    produces = frozenset({"quotes", "characters"})

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        quotes = doc.layer("quotes")
        characters = tuple(doc.layer("characters"))
        if quotes:
            at = Attributor(doc, describe=not settings.cast)  # a cast fixes the list of characters
            quotes = tuple(at.run())
            characters = at.all_characters()
        spoken = Counter(q.speaker for q in quotes if q.speaker is not None)
        characters = tuple(replace(c, quotes=spoken.get(c.id, 0)) for c in characters)
        return {"quotes": quotes, "characters": characters}
