"""LitBank: person-name mentions (entities + coreference layers) and quotations with speakers.

Offsets are those of the brat .txt files (one sentence per line, tokens separated by spaces); the
pipeline is run on that text directly so its offsets coincide (mapped back through the source map).
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import FabulaError, InputError
from .pdnc import predicted_characters, predicted_quotes, run_pipeline, source_span
from .scoring import (GoldCharacter, GoldQuote, NameMatcher, QuoteScore, SpanScore, score_quotes,
                      score_spans)

_TYPE_LABEL = re.compile(r"^(PROP|NOM|PRON)_[A-Z]+$")
_TOKEN = re.compile(r"[^ \n]+")


# ---------------------------------------------------------------- brat

@dataclass(frozen=True)
class BratSpan:
    id: str
    label: str
    start: int
    end: int
    text: str


def read_text(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def read_brat(path: Path) -> list[BratSpan]:
    """The text-bound annotations (T lines) of a brat .ann file; a discontinuous one spans its pieces."""
    out = []
    for line in read_text(path).splitlines():
        if not line.startswith("T"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        label, _, offsets = parts[1].partition(" ")
        try:
            pieces = [tuple(int(x) for x in piece.split()) for piece in offsets.split(";")]
            start, end = pieces[0][0], pieces[-1][1]
        except (ValueError, IndexError):
            raise InputError(f"{path}: cannot read the offsets in {line[:60]!r}") from None
        out.append(BratSpan(parts[0], label, start, end, parts[2] if len(parts) > 2 else ""))
    return out


def find_root(corpus_dir: str | Path) -> Path:
    root = Path(corpus_dir)
    if not root.is_dir():
        raise FabulaError(f"{root}: {'not a directory' if root.exists() else 'no such directory'}")
    for cand in (root, root / "litbank"):
        if (cand / "entities" / "brat").is_dir():
            return cand
    raise FabulaError(f"{corpus_dir}: not a LitBank folder (no entities/brat in it)")


def works(root: Path) -> list[str]:
    names = sorted(p.stem for p in (root / "entities" / "brat").glob("*.ann")
                   if p.with_suffix(".txt").is_file())
    if not names:
        raise FabulaError(f"{root}: no brat .ann/.txt pairs in entities/brat")
    return names


def gold_person_names(root: Path, work: str) -> set[tuple[int, int]]:
    """Named person mentions: spans the entity layer labels PER whose exact span the coreference
    layer types PROP_PER (every nesting level)."""
    per = {(s.start, s.end) for s in read_brat(root / "entities" / "brat" / f"{work}.ann") if s.label == "PER"}
    coref = root / "coref" / "brat" / f"{work}.ann"
    prop = {(s.start, s.end) for s in read_brat(coref) if s.label == "PROP_PER"}
    return per & prop


# ---------------------------------------------------------------- entities evaluation

def evaluate_litbank_entities(corpus_dir, use_cache: bool = True, *, refresh_cache: bool = False,
                              model: str = "en_core_web_sm", works_only: Iterable[str] | None = None,
                              progress: bool = False) -> dict:
    """Exact-span P/R/F1 of predicted person-name mentions (mentions of kind 'name'), micro over works."""
    root = find_root(corpus_dir)
    names = _select(works(root), works_only)
    total = SpanScore()
    for i, work in enumerate(names, 1):
        t0 = time.monotonic()
        text = read_text(root / "entities" / "brat" / f"{work}.txt")
        gold = gold_person_names(root, work)
        doc, cached = run_pipeline(text, (), model, use_cache, refresh_cache)
        pred = {source_span(doc, m.start, m.end) for m in doc.layers.get("mentions", ()) if m.kind == "name"}
        s = score_spans(gold, pred)
        total.add(s)
        if progress:
            print(f"fabula eval: [{i}/{len(names)}] {work}: {s.correct}/{s.gold} gold, {s.predicted} predicted "
                  f"({time.monotonic() - t0:.1f}s{', cached' if cached else ''})", file=sys.stderr, flush=True)
    return {"per_f1": total.f1, "per_precision": total.precision, "per_recall": total.recall}


def _select(names: list[str], only: Iterable[str] | None) -> list[str]:
    if not only:
        return names
    wanted = [w.strip() for w in only if w.strip()]
    missing = [w for w in wanted if w not in names]
    if missing:
        raise FabulaError(f"no LitBank work {', '.join(missing)}")
    return wanted


# ---------------------------------------------------------------- quotations

def _entity_name(entity_id: str) -> str:
    return re.sub(r"-\d+$", "", entity_id).replace("_", " ").strip()


def token_offsets(text: str) -> list[list[tuple[int, int]]]:
    """Per line (sentence), the [start, end) of each space-separated token."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append([(pos + m.start(), pos + m.end()) for m in _TOKEN.finditer(line)])
        pos += len(line) + 1
    return out


def load_litbank_quotes(root: Path, work: str) -> tuple[str, tuple[GoldCharacter, ...], tuple[GoldQuote, ...]]:
    """The text, the gold characters (coreference entities, named by their PROP mentions and their id)
    and the gold quotations (spans include the quotation marks) of one work."""
    qdir = root / "quotations" / "tsv"
    text = read_text(root / "entities" / "brat" / f"{work}.txt")
    coref = read_brat(root / "coref" / "brat" / f"{work}.ann")
    prop = {(s.start, s.end) for s in coref if s.label.startswith("PROP_")}
    persons = {(s.start, s.end) for s in coref if s.label.endswith("_PER")}
    entity_spans: dict[str, list[BratSpan]] = {}
    for s in coref:
        if not _TYPE_LABEL.match(s.label):
            entity_spans.setdefault(s.label, []).append(s)
    quotes_raw, speakers = [], {}
    qpath = qdir / f"{work}.ann"
    if qpath.is_file():
        for n, line in enumerate(read_text(qpath).splitlines(), 1):
            parts = line.split("\t")
            if parts[0] == "QUOTE" and len(parts) >= 6:
                try:
                    quotes_raw.append((parts[1], *(int(x) for x in parts[2:6])))
                except ValueError:
                    raise InputError(f"{qpath}:{n}: cannot read the token indices") from None
            elif parts[0] == "ATTRIB" and len(parts) >= 3:
                speakers[parts[1]] = parts[2].strip()
    ids: dict[str, int] = {}
    chars = []
    wanted = [e for e, spans in entity_spans.items() if any((s.start, s.end) in persons for s in spans)]
    wanted += [e for e in speakers.values() if e not in entity_spans]
    for e in dict.fromkeys(wanted):
        names = [s.text for s in entity_spans.get(e, ()) if (s.start, s.end) in prop]
        main = _entity_name(e)
        ids[e] = len(chars)
        chars.append(GoldCharacter(len(chars), main, tuple(sorted(set(n for n in names if n != main)))))
    offsets = token_offsets(text)
    quotes = []
    for qid, s_sent, s_tok, e_sent, e_tok in quotes_raw:
        try:
            start, end = offsets[s_sent][s_tok][0], offsets[e_sent][e_tok][1]
        except IndexError:
            raise InputError(f"{qpath}: quote {qid} points past the text") from None
        spk = speakers.get(qid)
        quotes.append(GoldQuote(qid, ((start, end),), ids.get(spk) if spk else None))
    return text, tuple(chars), tuple(quotes)


def evaluate_litbank_quotes(corpus_dir, use_cache: bool = True, *, refresh_cache: bool = False,
                            model: str = "en_core_web_sm", works_only: Iterable[str] | None = None,
                            progress: bool = False) -> dict:
    """Quotation detection and attribution on the LitBank works that have quotations (end to end):
    {"accuracy", "detection_precision", "detection_recall", "works": {name: same keys}}."""
    root = find_root(corpus_dir)
    names = [w for w in _select(works(root), works_only)
             if (root / "quotations" / "tsv" / f"{w}.ann").is_file()
             and (root / "quotations" / "tsv" / f"{w}.ann").stat().st_size > 0]
    total = QuoteScore()
    per = {}
    for i, work in enumerate(names, 1):
        t0 = time.monotonic()
        text, chars, gold = load_litbank_quotes(root, work)
        doc, cached = run_pipeline(text, (), model, use_cache, refresh_cache)
        matcher = NameMatcher(chars)
        speaker_to_gold = {c.id: matcher.match(c.names) for c in predicted_characters(doc)}
        s = score_quotes(gold, predicted_quotes(doc), speaker_to_gold)
        total.add(s)
        per[work] = _quote_keys(s)
        if progress:
            print(f"fabula eval: [{i}/{len(names)}] {work}: accuracy {s.accuracy:.3f} "
                  f"({time.monotonic() - t0:.1f}s{', cached' if cached else ''})", file=sys.stderr, flush=True)
    return _quote_keys(total) | {"works": per}


def _quote_keys(s: QuoteScore) -> dict:
    return {"accuracy": s.accuracy, "detection_precision": s.precision, "detection_recall": s.recall}
