"""The fabula command: argument parsing and messages only; the work is done by the API."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import FabulaError
from .limits import DEFAULT_LIMITS, Limits

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as for any bad input
        self.exit(EXIT_USAGE, f"fabula: error: {message} (see 'fabula --help')\n")


def _progress_bar(quiet: bool):
    if quiet:
        return None, lambda: None
    from tqdm import tqdm
    bars: dict[str, tqdm] = {}

    def report(stage: str, done: int, total: int) -> None:
        if total < 200:  # short inputs finish before a bar would help
            return
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="para", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return report, close


def _cmd_analyze(args) -> int:
    from .api import analyze
    from .write.json import write_json
    from .cast import read_cast

    report, close = _progress_bar(args.quiet)
    cast = read_cast(args.cast) if args.cast else ()
    limits = Limits(max_input_bytes=args.max_bytes or DEFAULT_LIMITS.max_input_bytes,
                    max_seconds=args.max_seconds)
    try:
        doc = analyze(Path(args.input), format=args.format, until=args.until, model=args.model, cast=cast,
                      progress=report, limits=limits)
    finally:
        close()
    write_json(doc, args.output, indent=2 if args.pretty else None)
    if not args.quiet:
        counts = ", ".join(f"{len(v)} {k}" for k, v in doc.layers.items() if k in (
            "chapters", "scenes", "paragraphs", "sentences", "characters", "quotes"))
        print(f"fabula: wrote {args.output} ({counts})", file=sys.stderr)
    return EXIT_OK


def _cmd_eval(args) -> int:
    from .evaluate import run_eval
    return run_eval(args)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fabula", description="Read prose fiction: chapters, scenes, characters, "
                                                "quotations and who says them, as JSON.")
    parser.add_argument("--version", action="version", version=f"fabula {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    a = sub.add_parser("analyze", help="analyze a work and write its JSON",
                       description="Analyze a work (plain text, Markdown, HTML, AO3 download, EPUB) and write "
                                   "the fabula/1 JSON.")
    a.add_argument("input", help="the work to read (.txt, .md, .html, .epub; the format is detected)")
    a.add_argument("-o", "--output", required=True, help="where to write the JSON (written atomically)")
    a.add_argument("--format", choices=("text", "markdown", "html", "epub"), help="force the input format")
    a.add_argument("--until", metavar="STEP", help="stop after this step (e.g. segment, language)")
    a.add_argument("--cast", metavar="FILE", help="a CSV or JSON character list that fixes the cast")
    a.add_argument("--model", default="en_core_web_sm", help="spaCy pipeline (default: en_core_web_sm)")
    a.add_argument("--max-seconds", type=float, metavar="S", help="give up (exit 2) after S seconds")
    a.add_argument("--max-bytes", type=int, metavar="N", help=f"refuse inputs over N bytes "
                   f"(default {DEFAULT_LIMITS.max_input_bytes:,})")
    a.add_argument("--pretty", action="store_true", help="indent the JSON")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    a.set_defaults(func=_cmd_analyze)

    try:
        from .evaluate import add_eval_parser
        add_eval_parser(sub)
    except ImportError:
        pass
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except FabulaError as exc:
        print(f"fabula: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("fabula: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("fabula: error: out of memory; try a smaller input", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("FABULA_DEBUG"):
            raise
        print(f"fabula: internal error: {type(exc).__name__}: {exc} (set FABULA_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
