"""Typed, immutable standoff spans. Every span is a [start, end) offset into Document.text."""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, fields
from itertools import repeat
from json.encoder import encode_basestring
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


def from_columns(cls, *columns: list) -> list:
    """list(map(cls, *columns)) for one of the span classes, made field by field: the instances are
    created empty and each field is filled for all of them by one pass of its slot's setter. The same
    objects, without the dataclass __init__ per instance (a frozen one sets every field through
    object.__setattr__), about twice as fast on a novel's 130,000 tokens. Every field needs a column;
    the classes here have no __post_init__."""
    setters = [getattr(cls, f.name).__set__ for f in fields(cls)]
    if len(columns) != len(setters):
        raise TypeError(f"{cls.__name__} has {len(setters)} fields, given {len(columns)} columns")
    instances = list(map(object.__new__, repeat(cls, len(columns[0]))))
    for set_field, values in zip(setters, columns):
        deque(map(set_field, instances, values), maxlen=0)  # runs the setter over the column
    return instances


def layer_dicts(spans: tuple, extra: tuple = ()) -> list:
    """Each span's to_dict, with the `extra` (name, values) columns added to the rows in order."""
    rows = [s.to_dict() for s in spans]
    for name, values in extra:
        for row, value in zip(rows, values):
            row[name] = value
    return rows


def _json_value(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# How json.dumps(..., ensure_ascii=False) writes these types (encode_basestring is its own C string writer).
_WRITERS = {int: int.__repr__, str: encode_basestring, type(None): lambda _: "null"}


def _json_column(values) -> list[str]:
    """Each value as json.dumps writes it: ints in one pass, strings and None once per distinct value,
    anything else (floats, tuples, bools) one by one."""
    kinds = set(map(type, values))
    if kinds == {int}:
        return list(map(int.__repr__, values))
    if kinds <= _WRITERS.keys():
        written = {v: _WRITERS[type(v)](v) for v in set(values)}
        return list(map(written.__getitem__, values))
    return list(map(_json_value, values))


def layer_json(spans: tuple, extra: tuple = ()) -> str:
    """json.dumps(layer_dicts(spans, extra), ensure_ascii=False), byte for byte, written column by column:
    no dict per span (a novel has 130,000 tokens), so it is faster and leaves the garbage collector no
    new objects to walk."""
    kinds = set(map(type, spans))
    kind = kinds.pop() if len(kinds) == 1 else None
    if kind not in _LAYER_CLASSES:  # mixed, empty, or not one of the span classes below
        return _json_value(layer_dicts(spans, extra))
    own = _shape(kind)[0]
    names = own + tuple(name for name, _ in extra)
    columns = [list(map(attrgetter(name), spans)) for name in own] + [values for _, values in extra]
    # Each row is: '{' or '}, {' before the first key, ', ' before the others, and each key with its value;
    # the slots of one field across all rows are filled in one slice assignment.
    k, n = len(names), len(spans)
    parts = [""] * (2 * k * n)
    for i, (name, values) in enumerate(zip(names, columns)):
        key = encode_basestring(name) + ": "
        parts[2 * i::2 * k] = [("}, {" if i == 0 else ", ") + key] * n
        parts[2 * i + 1::2 * k] = _json_column(values)
    parts[0] = "[{" + parts[0][len("}, {"):]
    return "".join(parts) + "}]"


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
    kind: str = "speech"  # speech | thought | reported (speech the narrator reports in quotation marks)
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
