"""How far the language pass's approximate speed-ups move its output, on a whole novel.

Runs the full analysis twice: with the default language pass, and with the reference one (blis matrix
products, the recognizer on every sentence). Counts tokens whose tag/pos/dep/head/lemma/entity differ,
entity spans and sentences that differ, and later layers (quotes, mentions, characters) that differ.

    python benchmarks/language_drift.py [--words 100000] [--novel PrideAndPrejudice]
"""
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _input import analyze, novel_from_args  # noqa: E402

FIELDS = ("tag", "pos", "dep", "head", "lemma", "entity")


def reference_step(step) -> None:
    if step.name == "language":
        step.selective_entities = False


def main() -> None:
    text, label = novel_from_args()
    ref, t_ref = analyze(text, reference_step, numpy_gemm=False)
    new, t_new = analyze(text)
    print(f"input: {label}, {len(text.split()):,} words; reference {t_ref:.1f} s, default {t_new:.1f} s "
          f"(model load included)")
    rt, nt = ref.layer("tokens"), new.layer("tokens")
    if [(t.start, t.end) for t in rt] != [(t.start, t.end) for t in nt]:
        print("TOKENS DIFFER in their spans")
        sys.exit(1)
    changed = {f: sum(getattr(a, f) != getattr(b, f) for a, b in zip(rt, nt)) for f in FIELDS}
    anyf = sum(any(getattr(a, f) != getattr(b, f) for f in FIELDS) for a, b in zip(rt, nt))
    person = sum((a.entity == "PERSON") != (b.entity == "PERSON") for a, b in zip(rt, nt))
    print(f"tokens: {len(rt):,}; differing: {anyf} (" + ", ".join(f"{f} {n}" for f, n in changed.items())
          + f"); PERSON-ness {person}")
    for name in ("sentences", "entities", "quotes", "mentions", "characters"):
        try:
            a, b = set(ref.layer(name)), set(new.layer(name))
        except Exception:  # a layer this build does not produce
            continue
        print(f"{name}: {len(a):,} vs {len(b):,}; only in reference {len(a - b)}, only in default {len(b - a)}")
        if name == "entities":
            for side, only in (("reference", a - b), ("default", b - a)):
                labels = Counter(e.label for e in only).most_common()
                print(f"  only in {side} by label: " + ", ".join(f"{k} {v}" for k, v in labels))
    same = ref.dumps() == new.dumps()
    print("identical JSON" if same else "JSON differs")


if __name__ == "__main__":
    main()
