"""Check that fabula's fast attribute ruler + lemmatizer give exactly what spaCy's components give.

    python benchmarks/attribute_ruler_equality.py [--corpora DIR] [--words-per-novel 8000]

Runs tok2vec, tagger and parser once per paragraph, then on two copies of each doc spaCy's
attribute_ruler + lemmatizer and fabula's fast ruler + fast lemmatizer, and compares every token's
tag, pos, dep, head, lemma and morphology. Text: PDNC development novels (a slice from the middle of each)
and all LitBank texts, read from the corpora folder (FABULA_CORPORA, else ../shared/corpora); nothing
is copied. Prints the counts, the first differences, and how often each pattern fired in spaCy's ruler.
"""
import argparse
import collections
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _input import REPO, pin_one_core  # noqa: E402

from fabula.steps.fast_attributes import build, build_lemmatizer  # noqa: E402
from fabula.steps.language import _load  # noqa: E402


def paragraphs(corpora: Path, per_novel: int):
    for path in sorted((corpora / "pdnc-dev").glob("*/novel_text.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        text, n = text[len(text) // 3:], 0
        for par in text.split("\n\n"):
            if par.strip():
                yield par
                n += len(par.split())
            if n >= per_novel:
                break
    for path in sorted((corpora / "litbank" / "entities" / "brat").glob("*.txt")):
        for par in path.read_text(encoding="utf-8", errors="replace").split("\n\n"):
            if par.strip():
                yield par


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", default=os.environ.get("FABULA_CORPORA", REPO.parent / "shared" / "corpora"))
    ap.add_argument("--words-per-novel", type=int, default=8000)
    args = ap.parse_args()
    pin_one_core()
    corpora = Path(args.corpora)
    if not (corpora / "pdnc-dev").exists():
        sys.exit(f"no corpora at {corpora}")
    nlp = _load("en_core_web_sm", ("ner",))
    ruler = nlp.get_pipe("attribute_ruler")
    lemmatizer = nlp.get_pipe("lemmatizer")
    fast = build(ruler, nlp.vocab)
    fast_lemmatizer = build_lemmatizer(lemmatizer)
    assert fast is not None and fast_lemmatizer is not None, "not supported by the fast components"
    before = [proc for name, proc in nlp.pipeline if name in ("tok2vec", "tagger", "parser")]
    pars = list(paragraphs(corpora, args.words_per_novel))
    words = tokens = differ = 0
    fired = collections.Counter()
    t_spacy = t_fast = 0.0
    shown = 0
    for i in range(0, len(pars), 256):
        docs = [nlp.make_doc(p) for p in pars[i:i + 256]]
        for proc in before:
            docs = list(proc.pipe(docs, batch_size=64))
        ours = [d.copy() for d in docs]
        for d in docs:
            for number, _, _, _ in ruler.match(d):
                fired[number] += 1
        t = time.perf_counter()
        docs = [lemmatizer(ruler(d)) for d in docs]
        t_spacy += time.perf_counter() - t
        t = time.perf_counter()
        ours = [fast_lemmatizer(fast(d)) for d in ours]
        t_fast += time.perf_counter() - t
        for a, b in zip(docs, ours):
            words += len(a.text.split())
            for x, y in zip(a, b):
                tokens += 1
                ka = (x.tag, x.pos, x.dep, x.head.i, x.lemma, x.morph.key, x.is_sent_start)
                kb = (y.tag, y.pos, y.dep, y.head.i, y.lemma, y.morph.key, y.is_sent_start)
                if ka != kb:
                    differ += 1
                    if shown < 20:
                        shown += 1
                        print("DIFF", repr(x.text), (x.tag_, x.pos_, x.dep_, x.lemma_, str(x.morph)),
                              (y.tag_, y.pos_, y.dep_, y.lemma_, str(y.morph)))
    import spacy
    print(f"spaCy {spacy.__version__}: {len(pars):,} paragraphs, {words:,} words, {tokens:,} tokens, "
          f"{differ} tokens differ")
    print(f"attribute_ruler + lemmatizer: spaCy's {t_spacy:.2f} s, fast ones {t_fast:.2f} s")
    never = [n for n in range(len(ruler.attrs)) if not fired[n]]
    print(f"patterns that fired: {len(ruler.attrs) - len(never)} of {len(ruler.attrs)}; never fired: "
          + ", ".join(f"{n} {ruler.patterns[n]['patterns']}" for n in never))


if __name__ == "__main__":
    main()
