"""PDNC (Project Dialogism Novel Corpus): gold loaders and the quotation / character evaluations."""
from __future__ import annotations

import ast
import csv
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Iterable, Sequence

from ..cast import CastMember
from ..document import Document
from ..errors import FabulaError, InputError
from .scoring import (QUOTE_TYPES, CharacterScore, GoldCharacter, GoldQuote, NameMatcher, PredCharacter,
                      PredQuote, QuoteScore, normalize_name, score_characters, score_quotes)

_GENDER = {"m": "he", "f": "she", "u": "unknown", "x": "unknown", "": "unknown"}  # PDNC X = not annotated
_BLANK = {"", "nan", "none", "null"}


# ---------------------------------------------------------------- reading the gold

class Novel:
    """One PDNC novel folder: its text, gold characters and gold quotations."""

    def __init__(self, folder: Path, text: str, characters: tuple[GoldCharacter, ...],
                 quotes: tuple[GoldQuote, ...], unknown_speakers: int = 0) -> None:
        self.folder = folder
        self.name = folder.name
        self.text = text
        self.characters = characters
        self.quotes = quotes
        self.unknown_speakers = unknown_speakers

    def cast(self) -> tuple[CastMember, ...]:
        """The gold character list as a cast: names and aliases, nothing else (the scoring convention);
        gender is left for the pipeline to infer, as it does for a user's cast without one."""
        return gold_cast(self.characters)


def gold_cast(characters: Iterable[GoldCharacter]) -> tuple[CastMember, ...]:
    out, seen = [], set()
    for c in characters:
        key = normalize_name(c.name)
        if c.pseudo or key in seen:
            continue
        seen.add(key)
        out.append(CastMember(c.name, tuple(a for a in c.aliases if normalize_name(a) != key)))
    return tuple(out)


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in csv.DictReader(fh)]


def _literal(cell: str, where: str):
    cell = cell.strip()
    if cell.lower() in _BLANK:
        return []
    try:
        value = ast.literal_eval(cell)
    except (ValueError, SyntaxError):
        raise InputError(f"{where}: cannot read the list {cell[:60]!r}") from None
    if isinstance(value, str):
        return [value]
    return list(value)


def load_characters(path: Path) -> tuple[GoldCharacter, ...]:
    chars = []
    for i, row in enumerate(_read_csv(path), 2):
        where = f"{path}:{i}"
        try:
            cid = int(row["Character ID"])
        except (KeyError, ValueError):
            raise InputError(f"{where}: no integer 'Character ID'") from None
        main = " ".join(row.get("Main Name", "").split())
        aliases = [" ".join(str(a).split()) for a in _literal(row.get("Aliases", ""), where)]
        aliases = tuple(sorted({a for a in aliases if a and a != main}))  # sets have no order: sort
        gender = _GENDER.get(row.get("Gender", "").strip().lower(), "unknown")
        category = row.get("Category", "").strip().lower() or "minor"
        chars.append(GoldCharacter(cid, main, aliases, gender, category, pseudo=main.startswith("_")))
    return tuple(chars)


def _name_index(chars: Sequence[GoldCharacter]) -> tuple[dict, dict]:
    exact: dict[str, list[int]] = {}
    loose: dict[str, list[int]] = {}
    for c in chars:
        for n in c.names:
            exact.setdefault(n, []).append(c.id)
            loose.setdefault(normalize_name(n), []).append(c.id)
    main = {c.name: c.id for c in chars}
    return ({n: (main[n] if n in main else ids[0]) for n, ids in exact.items()},
            {n: ids[0] for n, ids in loose.items()})


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    s, e = max(0, s), min(len(text), e)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def load_quotes(path: Path, text: str, chars: Sequence[GoldCharacter]) -> tuple[tuple[GoldQuote, ...], int]:
    exact, loose = _name_index(chars)

    def resolve(name: str) -> int | None:
        name = " ".join(str(name).split())
        if name in exact:
            return exact[name]
        return loose.get(normalize_name(name))

    quotes, unknown = [], 0
    for i, row in enumerate(_read_csv(path), 2):
        where = f"{path}:{i}"
        spans = []
        for span in _literal(row.get("quoteByteSpans", ""), where):
            s, e = _trim(text, int(span[0]), int(span[1]))
            if e > s:
                spans.append((s, e))
        speaker = resolve(row.get("speaker", ""))
        if speaker is None:
            unknown += 1
        addressees = tuple(a for a in (resolve(n) for n in _literal(row.get("addressees", ""), where))
                           if a is not None)
        qtype = row.get("quoteType", "").strip().lower()
        quotes.append(GoldQuote(row.get("quoteID", f"row{i}"), tuple(sorted(spans)), speaker, addressees,
                                qtype if qtype in QUOTE_TYPES else None))
    return tuple(quotes), unknown


def load_novel(folder: str | Path) -> Novel:
    folder = Path(folder)
    text_path = folder / "novel_text.txt"
    if not text_path.is_file():
        raise InputError(f"{folder}: not a PDNC novel folder (no novel_text.txt)")
    with text_path.open(encoding="utf-8", newline="") as fh:  # offsets count characters as stored
        text = fh.read()
    chars = load_characters(folder / "character_info.csv")
    quotes, unknown = load_quotes(folder / "quotation_info.csv", text, chars)
    return Novel(folder, text, chars, quotes, unknown)


def novel_folders(corpus_dir: str | Path, novels: Iterable[str] | None = None) -> list[Path]:
    root = Path(corpus_dir)
    if not root.is_dir():
        raise FabulaError(f"{root}: {'not a directory' if root.exists() else 'no such directory'}")
    if (root / "quotation_info.csv").is_file():
        found = [root]
    else:
        if (root / "pdnc-dev").is_dir() and not any(p.is_dir() and (p / "quotation_info.csv").is_file()
                                                    for p in root.iterdir()):
            root = root / "pdnc-dev"
        found = sorted(p for p in root.iterdir() if p.is_dir() and (p / "quotation_info.csv").is_file())
    if not found:
        raise FabulaError(f"{corpus_dir}: no PDNC novel folders (with quotation_info.csv) in it")
    if novels:
        wanted = [n.strip() for n in novels if n.strip()]
        by_name = {p.name.lower(): p for p in found}
        missing = [n for n in wanted if n.lower() not in by_name]
        if missing:
            raise FabulaError(f"no novel {', '.join(missing)} in {corpus_dir}; "
                              f"there are: {', '.join(p.name for p in found)}")
        found = [by_name[n.lower()] for n in wanted]
    return found


# ---------------------------------------------------------------- reading the prediction

def source_span(doc: Document, start: int, end: int) -> tuple[int, int]:
    """A [start, end) in doc.text as offsets into the file the reader was given."""
    sm = doc.source_map
    if not sm.text_starts:
        return start, end
    s = sm.to_source(start)
    e = sm.to_source(end - 1) + 1 if end > start else s
    return s, e


def predicted_characters(doc: Document) -> list[PredCharacter]:
    return [PredCharacter(c.id, (c.name,) + tuple(c.aliases), c.gender) for c in doc.layers.get("characters", ())]


def predicted_quotes(doc: Document) -> list[PredQuote]:
    """The document's quotes in layer order, in source offsets. Speech the narrator reports in quotation
    marks (kind "reported") is no quotation of a character's words: it is not `counted`."""
    out = []
    for q in doc.layers.get("quotes", ()):
        s, e = source_span(doc, q.start, q.end)
        out.append(PredQuote(s, e, q.speaker, q.confidence, q.addressees, counted=q.kind != "reported"))
    return out


def run_pipeline(text: str, cast=(), model: str = "en_core_web_sm", use_cache: bool = True,
                 refresh: bool = False) -> tuple[Document, bool]:
    """The full analysis of a story text; the language layers come from the cache when they can."""
    from ..api import analyze
    from .cache import language_doc

    doc, cached = language_doc(text, model, use_cache=use_cache, refresh=refresh)
    return analyze(doc, model=model, cast=tuple(cast)), cached


def score_novel_doc(novel: Novel, doc: Document) -> QuoteScore:
    matcher = NameMatcher(novel.characters)
    speaker_to_gold = {c.id: matcher.match(c.names) for c in predicted_characters(doc)}
    labels = frozenset(c.id for c in novel.characters if c.pseudo)
    return score_quotes(novel.quotes, predicted_quotes(doc), speaker_to_gold, labels)


def character_score_doc(novel: Novel, doc: Document) -> CharacterScore:
    return score_characters(novel.characters, novel.quotes, predicted_characters(doc))


# ---------------------------------------------------------------- evaluations

def _one_novel(folder: str, what: str, cast_mode: str, use_cache: bool, refresh: bool, model: str,
               min_quotes: int = 5) -> dict:
    t0 = time.monotonic()
    novel = load_novel(folder)
    cast = novel.cast() if cast_mode == "gold" else ()
    doc, cached = run_pipeline(novel.text, cast, model, use_cache, refresh)
    out = {"name": novel.name, "seconds": time.monotonic() - t0, "cached": cached,
           "unknown_speakers": novel.unknown_speakers}
    if what == "quotes":
        out["counts"] = score_novel_doc(novel, doc).counts()
    else:
        out["counts"] = score_characters(novel.characters, novel.quotes, predicted_characters(doc),
                                         min_quotes).counts()
    return out


def _run_novels(corpus_dir, what: str, cast_mode: str, novels, use_cache: bool, refresh: bool, jobs: int,
                model: str, progress: bool, min_quotes: int = 5) -> list[dict]:
    if cast_mode not in ("none", "gold"):
        raise FabulaError(f"cast_mode is 'none' or 'gold', not {cast_mode!r}")
    folders = novel_folders(corpus_dir, novels)
    results: dict[str, dict] = {}
    args = [(str(f), what, cast_mode, use_cache, refresh, model, min_quotes) for f in folders]

    def report(r: dict) -> None:
        if not progress:
            return
        if what == "quotes":
            s = QuoteScore.from_counts(r["counts"])
            detail = f"accuracy {s.accuracy:.3f}, recall {s.recall:.3f}, precision {s.precision:.3f}"
        else:
            c = CharacterScore(**r["counts"]).summary()
            detail = f"recall {c['recall_speaking']:.3f}, merges {c['merge_error_rate']:.3f}, " \
                     f"spurious {c['spurious']}, gender {c['gender_accuracy']:.3f}"
        print(f"fabula eval: [{len(results)}/{len(folders)}] {r['name']}: {detail} "
              f"({r['seconds']:.1f}s{', cached' if r['cached'] else ''})", file=sys.stderr, flush=True)

    if jobs <= 1 or len(folders) == 1:
        for a in args:
            r = _one_novel(*a)
            results[r["name"]] = r
            report(r)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_one_novel, *a) for a in args]
            for fut in as_completed(futures):
                r = fut.result()
                results[r["name"]] = r
                report(r)
    return [results[f.name] for f in folders]


def evaluate_pdnc(corpus_dir, cast_mode: str = "none", novels: Iterable[str] | None = None,
                  use_cache: bool = True, *, refresh_cache: bool = False, jobs: int = 1,
                  model: str = "en_core_web_sm", progress: bool = False, counts: bool = False) -> dict:
    """Quotation detection and attribution on PDNC novels, micro-averaged over the novels.

    Returns {"accuracy", "accuracy_by_type": {explicit, anaphoric, implicit}, "detection_precision",
    "detection_recall", "addressees": {precision, recall, f1}, "novels": {name: same keys}}; with
    counts=True each level also has "counts". Addressees are scored as (quotation, character) pairs.
    """
    rows = _run_novels(corpus_dir, "quotes", cast_mode, novels, use_cache, refresh_cache, jobs, model, progress)
    total = QuoteScore()
    per = {}
    for r in rows:
        s = QuoteScore.from_counts(r["counts"])
        total.add(s)
        per[r["name"]] = s.summary() | ({"counts": s.counts()} if counts else {})
    # With counts (the table), the reliability of the stated confidences too.
    extra = {"counts": total.counts(), "calibration": total.reliability()} if counts else {}
    return total.summary() | extra | {"novels": per}


def evaluate_characters(corpus_dir, novels: Iterable[str] | None = None, use_cache: bool = True, *,
                        refresh_cache: bool = False, jobs: int = 1, model: str = "en_core_web_sm",
                        min_quotes: int = 5, progress: bool = False, counts: bool = False) -> dict:
    """Character discovery (end to end) on PDNC: {"recall_speaking", "merge_error_rate", "spurious",
    "gender_accuracy", "novels": {name: same keys}}."""
    rows = _run_novels(corpus_dir, "characters", "none", novels, use_cache, refresh_cache, jobs, model, progress,
                       min_quotes)
    total = CharacterScore()
    per = {}
    for r in rows:
        s = CharacterScore(**r["counts"])
        total.add(s)
        per[r["name"]] = s.summary() | ({"counts": s.counts()} if counts else {})
    return total.summary() | ({"counts": total.counts()} if counts else {}) | {"novels": per}
