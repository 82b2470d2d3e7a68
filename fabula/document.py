"""The one document model: normalized story text plus typed, immutable standoff layers."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from json.encoder import encode_basestring
from types import MappingProxyType
from typing import Any, Mapping

from .errors import FabulaError
from .sourcemap import SourceMap
from .spans import LAYER_TYPES, layer_dicts, layer_json

SCHEMA = "fabula/1"
_WITH_TEXT = ("quotes", "mentions")


@dataclass(frozen=True)
class Metadata:
    """What the work says about itself (AO3 preface, EPUB OPF, Markdown front matter)."""
    title: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    notes: tuple[str, ...] = ()  # author's notes, kept out of the story text
    language: str | None = None
    # AO3 tag groups: rating, archive_warnings, categories, fandoms, relationships,
    # characters, additional_tags, language, series, ... each a tuple of strings.
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stats: Mapping[str, str] = field(default_factory=dict)  # published, updated, words, chapters...
    source_format: str | None = None
    source_path: str | None = None
    encoding: str | None = None

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "summary": self.summary,
            "notes": list(self.notes),
            "language": self.language,
            "tags": {k: list(v) for k, v in self.tags.items()},
            "stats": dict(self.stats),
            "source_format": self.source_format,
            "source_path": self.source_path,
            "encoding": self.encoding,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Metadata":
        return cls(
            title=data.get("title"),
            authors=tuple(data.get("authors", ())),
            summary=data.get("summary"),
            notes=tuple(data.get("notes", ())),
            language=data.get("language"),
            tags={k: tuple(v) for k, v in data.get("tags", {}).items()},
            stats=dict(data.get("stats", {})),
            source_format=data.get("source_format"),
            source_path=data.get("source_path"),
            encoding=data.get("encoding"),
        )


@dataclass(frozen=True)
class Document:
    text: str
    metadata: Metadata = field(default_factory=Metadata)
    layers: Mapping[str, tuple] = field(default_factory=dict)
    source_map: SourceMap = field(default_factory=SourceMap)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", MappingProxyType(dict(self.layers)))

    def has(self, layer: str) -> bool:
        return layer in self.layers

    def layer(self, name: str) -> tuple:
        try:
            return self.layers[name]
        except KeyError:
            raise FabulaError(f"this document has no '{name}' layer; run the step that produces it") from None

    def __getattr__(self, name: str) -> Any:
        # doc.chapters, doc.quotes, ... read the layer of that name.
        if name in LAYER_TYPES:
            layers = object.__getattribute__(self, "layers")
            if name in layers:
                return layers[name]
        raise AttributeError(name)

    def with_layers(self, **layers: tuple) -> "Document":
        """A new Document with these layers added or replaced; this one is unchanged."""
        merged = dict(self.layers)
        for name, spans in layers.items():
            merged[name] = tuple(spans)
        return replace(self, layers=merged)

    def span_text(self, span) -> str:
        return self.text[span.start:span.end]

    def to_json(self) -> dict:
        return self._json(layer_dicts)

    def _json(self, layer) -> dict:
        """to_json with `layer(spans, extra)` writing each of LAYER_TYPES' layers, `extra` being (name,
        values) columns added to its rows."""
        out: dict[str, Any] = {"schema": SCHEMA, "text": self.text, "metadata": self.metadata.to_json()}
        for name in LAYER_TYPES:
            if name in self.layers:
                spans = self.layers[name]
                extra = ()
                if name in _WITH_TEXT:  # quotes and mentions carry their id and text: a reader needs no slicing
                    extra = (("id", range(len(spans))), ("text", [self.text[s.start:s.end] for s in spans]))
                out[name] = layer(spans, extra)
        for name, spans in self.layers.items():
            if name not in LAYER_TYPES:
                out[name] = [s.to_dict() if hasattr(s, "to_dict") else s for s in spans]
        out["source_map"] = self.source_map.to_json()
        return out

    def dumps(self, indent: int | None = None) -> str:
        if indent is not None:
            return json.dumps(self.to_json(), ensure_ascii=False, indent=indent)
        # json.dumps(self.to_json(), ensure_ascii=False) byte for byte, with the span layers written by
        # layer_json (a third of the time) and the other members by json.dumps.
        members = self._json(layer_json)
        return "{" + ", ".join(encode_basestring(name) + ": " + (value if name in LAYER_TYPES else
                                                                  json.dumps(value, ensure_ascii=False))
                               for name, value in members.items()) + "}"

    @classmethod
    def from_json(cls, data: dict) -> "Document":
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise FabulaError(f"not a {SCHEMA} document")
        layers = {}
        for name, kind in LAYER_TYPES.items():
            if name in data:
                names = {f.name for f in fields(kind)}
                layers[name] = tuple(kind(**_tuples({k: v for k, v in item.items() if k in names}))
                                     for item in data[name])
        return cls(text=data["text"], metadata=Metadata.from_json(data.get("metadata", {})),
                   layers=layers, source_map=SourceMap.from_json(data.get("source_map")))


def _tuples(d: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
