"""The attribution step: speaker, addressees, type and confidence for every quote (see fabula.attribution)."""
from __future__ import annotations

from ..attribution import Attributor
from ..document import Document


class Attribution:
    name = "attribution"
    needs = frozenset({"quotes", "characters", "mentions", "tokens", "sentences"})
    produces = frozenset({"quotes"})

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        quotes = doc.layer("quotes")
        if not quotes:
            return {"quotes": ()}
        return {"quotes": tuple(Attributor(doc).run())}
