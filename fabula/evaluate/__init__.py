"""`fabula eval`: score the pipeline against annotated corpora (PDNC, LitBank).

Python use:
    from fabula.evaluate import evaluate_pdnc, evaluate_characters, evaluate_litbank_entities
    evaluate_pdnc("../shared/corpora/pdnc-dev", cast_mode="gold", novels=["Emma"])
"""
from __future__ import annotations

import json
import sys

from .litbank import evaluate_litbank_entities, evaluate_litbank_quotes
from .pdnc import evaluate_characters, evaluate_pdnc
from .scoring import QUOTE_TYPES

__all__ = ["evaluate_pdnc", "evaluate_characters", "evaluate_litbank_entities", "evaluate_litbank_quotes",
           "add_eval_parser", "run_eval"]


def add_eval_parser(subparsers) -> None:
    e = subparsers.add_parser("eval", help="score the pipeline on an annotated corpus",
                              description="Score fabula against annotated corpora (PDNC, LitBank). "
                                          "Language layers are cached under $FABULA_CACHE "
                                          "(default ~/.cache/fabula).")
    e.set_defaults(func=run_eval, eval_command=None)
    sub = e.add_subparsers(dest="eval_command", metavar="BENCHMARK", parser_class=type(e))

    def common(p, jobs: bool = False):
        p.add_argument("--json", action="store_true", help="print the scores as JSON")
        p.add_argument("--no-cache", action="store_true", help="do not read or write the language cache")
        p.add_argument("--refresh-cache", action="store_true", help="rebuild the cached language layers")
        p.add_argument("--model", default="en_core_web_sm", help="spaCy pipeline (default: en_core_web_sm)")
        if jobs:
            p.add_argument("--jobs", type=_positive, default=1, metavar="N",
                           help="novels analyzed in parallel (default 1)")
        p.set_defaults(func=run_eval)

    p = sub.add_parser("pdnc", help="quotation detection and speaker attribution on PDNC",
                       description="Quotation detection and attribution accuracy on PDNC novel folders.")
    p.add_argument("dir", metavar="DIR", help="the pdnc-dev folder (or one novel's folder)")
    p.add_argument("--cast", choices=("gold", "none"), default="none",
                   help="'gold': give the gold character list (names, aliases, gender) as the cast")
    p.add_argument("--novels", metavar="A,B", help="only these novels (folder names, comma-separated)")
    common(p, jobs=True)

    c = sub.add_parser("characters", help="character discovery on PDNC",
                       description="Recall of speaking characters (>= 5 quotations), merge errors and "
                                   "spurious characters on PDNC, end to end.")
    c.add_argument("dir", metavar="DIR", help="the pdnc-dev folder (or one novel's folder)")
    c.add_argument("--novels", metavar="A,B", help="only these novels (folder names, comma-separated)")
    common(c, jobs=True)

    le = sub.add_parser("litbank-entities", help="person-name mentions on LitBank",
                        description="Exact-span P/R/F1 of person-name mentions against LitBank.")
    le.add_argument("dir", metavar="DIR", help="the litbank folder")
    common(le)

    lq = sub.add_parser("litbank-quotes", help="quotations and speakers on LitBank",
                        description="Quotation detection and attribution accuracy on LitBank, end to end.")
    lq.add_argument("dir", metavar="DIR", help="the litbank folder")
    common(lq)


def _positive(value: str) -> int:
    import argparse
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def run_eval(args) -> int:
    command = getattr(args, "eval_command", None)
    if not command:
        print("fabula: error: choose a benchmark: pdnc, characters, litbank-entities, litbank-quotes "
              "(see 'fabula eval --help')", file=sys.stderr)
        return 2
    use_cache = not args.no_cache
    common = dict(refresh_cache=args.refresh_cache, model=args.model, progress=True)
    novels = [n for n in args.novels.split(",") if n.strip()] if getattr(args, "novels", None) else None
    if command == "pdnc":
        result = evaluate_pdnc(args.dir, args.cast, novels, use_cache, jobs=args.jobs, counts=not args.json,
                               **common)
        table = _quote_table(result, f"PDNC attribution (cast: {args.cast})")
    elif command == "characters":
        result = evaluate_characters(args.dir, novels, use_cache, jobs=args.jobs, counts=not args.json, **common)
        table = _character_table(result)
    elif command == "litbank-entities":
        result = evaluate_litbank_entities(args.dir, use_cache, **common)
        table = (f"LitBank person names: precision {result['per_precision']:.3f}  "
                 f"recall {result['per_recall']:.3f}  F1 {result['per_f1']:.3f}")
    else:
        result = evaluate_litbank_quotes(args.dir, use_cache, **common)
        table = _quote_table(result, "LitBank quotations (end to end)", rows_key="works", types=False)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table)
    return 0


def _fmt(v) -> str:
    if isinstance(v, int):
        return str(v)
    return "   -" if v is None else f"{v:.3f}"


def _quote_table(result: dict, title: str, rows_key: str = "novels", types: bool = True) -> str:
    counted = "counts" in result
    addressed = result.get("addressees", {}).get("f1") is not None  # LitBank marks no addressees
    cols = (["quotes"] if counted else []) + ["accuracy"] + (list(QUOTE_TYPES) if types else []) \
        + ["det.prec", "det.rec"] + (["addr.prec", "addr.rec"] if addressed else [])
    rows = list(result[rows_key].items()) + [("ALL", result)]
    width = max(len(n) for n, _ in rows)
    lines = [title, f"{'':{width}}  " + "  ".join(f"{c:>9}" for c in cols)]
    for name, r in rows:
        vals = ([r["counts"]["gold"]] if counted else []) + [r["accuracy"]] \
            + ([r["accuracy_by_type"][t] for t in QUOTE_TYPES] if types else []) \
            + [r["detection_precision"], r["detection_recall"]] \
            + ([r["addressees"]["precision"], r["addressees"]["recall"]] if addressed else [])
        if name == "ALL":
            lines.append("-" * len(lines[1]))
        lines.append(f"{name:{width}}  " + "  ".join(f"{_fmt(v):>9}" for v in vals))
    calibration = result.get("calibration")
    if calibration and calibration["bins"]:
        lines.append(f"confidence calibration (detected quotes with a speaker): ECE {calibration['ece']:.3f}")
        lines.append("  " + "  ".join(f"{b['confidence']:.2f}->{b['accuracy']:.2f} ({b['quotes']})"
                                      for b in calibration["bins"]))
    return "\n".join(lines)


def _character_table(result: dict) -> str:
    rows = list(result["novels"].items()) + [("ALL", result)]
    width = max(len(n) for n, _ in rows)
    head = (f"{'':{width}}  {'speaking':>9}  {'recall':>9}  {'predicted':>9}  {'merges':>9}  {'spurious':>9}"
            f"  {'gender':>9}")
    lines = ["PDNC characters (speaking >= 5 quotations)", head]
    for name, r in rows:
        if name == "ALL":
            lines.append("-" * len(head))
        n = r.get("counts", {})
        lines.append(f"{name:{width}}  {n.get('speaking', ''):>9}  {_fmt(r['recall_speaking']):>9}  "
                     f"{n.get('predicted', ''):>9}  {_fmt(r['merge_error_rate']):>9}  {r['spurious']:>9}"
                     f"  {_fmt(r['gender_accuracy']):>9}")
    return "\n".join(lines)


def warm_cache(pdnc_dir=None, litbank_dir=None, model: str = "en_core_web_sm", refresh: bool = False) -> int:
    """Fill the language cache for every PDNC novel and LitBank work given; progress on stderr.
    Run it niced in the background:
        nice -n 19 python -c "from fabula.evaluate import warm_cache; warm_cache(PDNC_DIR, LITBANK_DIR)"
    """
    import time
    from .cache import language_doc
    from .litbank import find_root, read_text, works
    from .pdnc import novel_folders

    texts: list[tuple[str, str]] = []
    if pdnc_dir:
        for folder in novel_folders(pdnc_dir):
            with (folder / "novel_text.txt").open(encoding="utf-8", newline="") as fh:
                texts.append((folder.name, fh.read()))
    if litbank_dir:
        root = find_root(litbank_dir)
        texts += [(w, read_text(root / "entities" / "brat" / f"{w}.txt")) for w in works(root)]
    built = 0
    for i, (name, text) in enumerate(texts, 1):
        t0 = time.monotonic()
        _, cached = language_doc(text, model, refresh=refresh)
        built += not cached
        print(f"fabula eval: cache [{i}/{len(texts)}] {name}: {'already cached' if cached else 'built'} "
              f"({time.monotonic() - t0:.1f}s)", file=sys.stderr, flush=True)
    return built
