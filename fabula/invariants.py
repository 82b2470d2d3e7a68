"""What must hold for every Document, whatever the input: used by the tests and the fuzzer."""
from __future__ import annotations

from .document import Document


def problems(doc: Document) -> list[str]:
    """Every broken invariant, described; an empty list means the document is sound."""
    found: list[str] = []
    n = len(doc.text)
    for name, spans in doc.layers.items():
        if name == "characters":
            continue
        prev = -1
        for s in spans:
            if not 0 <= s.start <= s.end <= n:
                found.append(f"{name}: {s} lies outside the text (length {n})")
            if s.start < prev:
                found.append(f"{name}: not sorted at {s}")
            prev = s.start
    layers = doc.layers
    nesting = (("scenes", "chapter", "chapters"), ("paragraphs", "scene", "scenes"),
               ("sentences", "paragraph", "paragraphs"))
    for child, link, parent in nesting:
        outer = layers.get(parent, ())
        for s in layers.get(child, ()):
            index = getattr(s, link)
            if not 0 <= index < len(outer) or not outer[index].contains(s):
                found.append(f"{child}: {s} is not inside its {parent[:-1]} {index}")
    ids = {c.id for c in layers.get("characters", ())}
    for q in layers.get("quotes", ()):
        for who in ((q.speaker,) if q.speaker is not None else ()) + tuple(q.addressees):
            if who not in ids:
                found.append(f"quotes: {q} names character {who}, which does not exist")
    for m in layers.get("mentions", ()):
        if m.character is not None and m.character not in ids:
            found.append(f"mentions: {m} names character {m.character}, which does not exist")
    return found
