"""A disk cache of Documents after the `language` step, so evaluations rerun only the later steps.

Key: sha256 of the input text + spaCy model name + LANGUAGE_VERSION. Bump LANGUAGE_VERSION whenever the
reader, segmentation or language step changes what they produce. Each entry also records a fingerprint
of that code; a mismatch is reported on stderr (the entry is still used; --refresh-cache rebuilds it).
Entries are gzip'd JSON (no pickle: nothing in the cache can run code), written atomically.
Location: $FABULA_CACHE, else ~/.cache/fabula.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import fields
from pathlib import Path

from ..document import Document, Metadata
from ..sourcemap import SourceMap
from ..spans import LAYER_TYPES

LANGUAGE_VERSION = "5"
FORMAT = "fabula-cache/1"
UNTIL = "language"
_CODE = ("read/__init__.py", "read/text.py", "read/decode.py", "read/headings.py", "steps/segment.py",
         "steps/language.py", "steps/fast_attributes.py", "steps/fast_ops.py", "steps/fast_network.py",
         "steps/tokenizer.py", "sourcemap.py")


def cache_dir() -> Path:
    return Path(os.environ.get("FABULA_CACHE") or Path.home() / ".cache" / "fabula")


def cache_key(text: str, model: str) -> str:
    h = hashlib.sha256()
    for part in (text, "\0", model, "\0", LANGUAGE_VERSION):
        h.update(part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def code_fingerprint() -> str:
    """A hash of the code that builds the cached layers (spaCy version included)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for rel in _CODE:
        p = root / rel
        h.update(rel.encode())
        if p.exists():
            h.update(p.read_bytes())
    try:
        import spacy
        h.update(spacy.__version__.encode())
    except ImportError:  # pragma: no cover
        pass
    return h.hexdigest()[:16]


def entry_path(text: str, model: str) -> Path:
    key = cache_key(text, model)
    return cache_dir() / "language" / key[:2] / f"{key}.json.gz"


def encode(doc: Document) -> dict:
    layers = {}
    for name, spans in doc.layers.items():
        kind = LAYER_TYPES.get(name)
        if kind is None:
            continue
        names = [f.name for f in fields(kind)]
        layers[name] = {"fields": names,
                        "rows": [[_plain(getattr(s, n)) for n in names] for s in spans]}
    return {"format": FORMAT, "text": doc.text, "metadata": doc.metadata.to_json(),
            "source_map": doc.source_map.to_json(), "layers": layers}


def decode(data: dict) -> Document:
    if data.get("format") != FORMAT:
        raise ValueError("not a fabula cache entry")
    layers = {}
    for name, block in data["layers"].items():
        kind = LAYER_TYPES.get(name)
        if kind is None:
            continue
        known = {f.name for f in fields(kind)}
        cols = [(i, n) for i, n in enumerate(block["fields"]) if n in known]
        layers[name] = tuple(kind(**{n: _tuple(row[i]) for i, n in cols}) for row in block["rows"])
    return Document(text=data["text"], metadata=Metadata.from_json(data.get("metadata", {})),
                    layers=layers, source_map=SourceMap.from_json(data.get("source_map")))


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


def _tuple(v):
    return tuple(v) if isinstance(v, list) else v


_warned = False  # the stale-entry note is given once per process


def load(text: str, model: str) -> Document | None:
    path = entry_path(text, model)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        doc = decode(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None  # a damaged entry is rebuilt
    global _warned
    if data.get("code") and data["code"] != code_fingerprint() and not _warned:
        _warned = True
        print(f"fabula eval: note: cached language layers ({path.name[:12]}...) were built by different "
              f"reader/segment/language code; use --refresh-cache to rebuild", file=sys.stderr)
    return doc


def save(text: str, model: str, doc: Document) -> Path:
    path = entry_path(text, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = encode(doc)
    data["code"] = code_fingerprint()
    data["model"] = model
    data["language_version"] = LANGUAGE_VERSION
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json.gz")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as fh:
            fh.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def build_language_doc(text: str, model: str = "en_core_web_sm", progress=None) -> Document:
    """Read the story text and run the pipeline up to and including the `language` step."""
    from ..api import analyze
    from ..read import read_string

    return analyze(read_string(text, "text"), until=UNTIL, model=model, progress=progress)


def language_doc(text: str, model: str = "en_core_web_sm", use_cache: bool = True, refresh: bool = False,
                 progress=None) -> tuple[Document, bool]:
    """The Document for this story text after the `language` step, and whether it came from the cache."""
    if use_cache and not refresh:
        doc = load(text, model)
        if doc is not None:
            return doc, True
    doc = build_language_doc(text, model, progress)
    if use_cache:
        try:
            save(text, model, doc)
        except OSError as exc:
            print(f"fabula eval: note: cannot write the cache ({exc})", file=sys.stderr)
    return doc, False


def warm(texts, model: str = "en_core_web_sm", refresh: bool = False) -> int:
    """Fill the cache for these story texts; returns how many were built."""
    built = 0
    for text in texts:
        _, cached = language_doc(text, model, refresh=refresh)
        built += not cached
    return built
