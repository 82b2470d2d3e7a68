"""Typed, immutable standoff spans. Every span is a [start, end) offset into Document.text."""
from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def text_of(self, text: str) -> str:
        return text[self.start:self.end]

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    def to_dict(self) -> dict:
        return _to_dict(self)


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


_SHAPES: dict = {}  # class -> (field names, getter of their values as a tuple)


def _shape(cls) -> tuple:
    shape = _SHAPES.get(cls)
    if shape is None:
        names = tuple(f.name for f in fields(cls))
        get = attrgetter(*names)
        shape = _SHAPES[cls] = (names, get if len(names) > 1 else (lambda o, g=get: (g(o),)))
    return shape


def _to_dict(obj) -> dict:
    """{field name: value} in field order, tuples (at any depth) as lists."""
    names, get = _shape(type(obj))
    values = get(obj)
    for v in values:
        if isinstance(v, tuple):
            return {n: _plain(v) for n, v in zip(names, values)}
    return dict(zip(names, values))


def json_rows(spans: tuple) -> list:
    """Each span's to_dict, except that tuples stay tuples: for json.dumps, which writes them as lists
    alike (skipping the conversion and the per-span calls halves the time on a novel's 130,000 tokens)."""
    kinds = set(map(type, spans))
    kind = kinds.pop() if len(kinds) == 1 else None
    if kind not in _LAYER_CLASSES:  # mixed, empty, or not one of the span classes below
        return [s.to_dict() for s in spans]
    names, get = _shape(kind)
    return [dict(zip(names, values)) for values in map(get, spans)]


@dataclass(frozen=True, slots=True)
class Chapter(Span):
    title: str | None = None
    # Where the heading line sits in the text, when the chapter has one.
    heading_start: int | None = None
    heading_end: int | None = None


@dataclass(frozen=True, slots=True)
class Scene(Span):
    chapter: int = 0


@dataclass(frozen=True, slots=True)
class Paragraph(Span):
    scene: int = 0


@dataclass(frozen=True, slots=True)
class Sentence(Span):
    paragraph: int = 0


@dataclass(frozen=True, slots=True)
class Token(Span):
    lemma: str = ""
    pos: str = ""
    tag: str = ""
    dep: str = ""
    head: int = -1  # index into the document's token layer
    entity: str = ""  # spaCy entity label when the token starts or continues one


@dataclass(frozen=True, slots=True)
class Entity(Span):
    label: str = ""  # spaCy's label: PERSON, GPE, LOC, ORG, ...


@dataclass(frozen=True, slots=True)
class Emphasis(Span):
    kind: str = "italic"  # italic | bold | underline | strike


@dataclass(frozen=True, slots=True)
class Mention(Span):
    kind: str = "name"  # name | noun | pronoun
    character: int | None = None


@dataclass(frozen=True, slots=True)
class Quote(Span):
    kind: str = "speech"  # speech | thought
    speaker: int | None = None
    addressees: tuple[int, ...] = ()
    type: str | None = None  # explicit | anaphoric | implicit
    confidence: float = 0.0
    # Quotes broken by a speech tag ("Sit down," she said. "You look tired.") share a group.
    group: int | None = None


@dataclass(frozen=True, slots=True)
class Character:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"  # he | she | they | unknown
    mentions: int = 0
    quotes: int = 0
    category: str = "minor"  # major | intermediate | minor

    def to_dict(self) -> dict:
        return _to_dict(self)


LAYER_TYPES: dict[str, type] = {
    "chapters": Chapter,
    "scenes": Scene,
    "paragraphs": Paragraph,
    "sentences": Sentence,
    "tokens": Token,
    "entities": Entity,
    "emphasis": Emphasis,
    "mentions": Mention,
    "quotes": Quote,
    "characters": Character,
}
_LAYER_CLASSES = frozenset(LAYER_TYPES.values())
