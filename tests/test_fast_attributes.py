"""The fast attribute ruler and lemmatizer against spaCy's own components: same tokens, same values."""
from __future__ import annotations

import pytest

from conftest import SAMPLE
from fabula.steps.fast_attributes import build, build_lemmatizer

spacy = pytest.importorskip("spacy")

# Invented sentences for the model's multi-token, dependency and space patterns (gonna, gotta, let's,
# c'mon, y'all, ain't, "there is", I/you/it as subject and object, "but" as an adverb, auxiliaries).
INVENTED = [
    "Gonna see y'all later, let's go. C'mon, ain't it grand? I gotta go, she said.",
    "Y'all gon na do it? Ya all know it. Let's not. LET'S GO! c'm on now.",
    "There is a man at the door. There's no way. There were three. There are two. There 're four.",
    "I told you it was I. You saw me and I saw you; it saw it. Give it to me, not to I.",
    "He gets it, and she got it. Do you have it? I did. He had had enough, but he does.",
    "All but one came. It was anything but easy. He was tired, but happy.",
    "She   waited.\n\n  \tThen she  left.\nWhat? Who? Which one did that, and that one?",
    "You ain't seen nothing. They aint here. He isn't, is n't he? Got ta run.",
    "If he comes, I will go, because it is late. He was but a boy. It is between you and I.",
    "She looked at I and me. They gave I the letter. He would but try, as if it mattered.",
]


@pytest.fixture(scope="module")
def nlp():
    from fabula.steps.language import _load
    try:
        return _load("en_core_web_sm", ("ner",))
    except Exception:
        pytest.skip("spaCy model not installed")


def _compare(nlp, texts):
    ruler = nlp.get_pipe("attribute_ruler")
    lemmatizer = nlp.get_pipe("lemmatizer")
    fast = build(ruler, nlp.vocab)
    fast_lemmatizer = build_lemmatizer(lemmatizer)
    assert fast is not None and fast_lemmatizer is not None
    fired = set()
    tokens = 0
    for text in texts:
        doc = nlp.make_doc(text)
        for name in ("tok2vec", "tagger", "parser"):
            doc = nlp.get_pipe(name)(doc)
        ours = doc.copy()
        fired.update(number for number, _, _, _ in ruler.match(doc))
        theirs = lemmatizer(ruler(doc))
        ours = fast_lemmatizer(fast(ours))
        for x, y in zip(theirs, ours, strict=True):
            tokens += 1
            assert (x.text, x.tag_, x.pos_, x.dep_, x.head.i, x.lemma_, str(x.morph)) == \
                   (y.text, y.tag_, y.pos_, y.dep_, y.head.i, y.lemma_, str(y.morph)), text
    return fired, tokens


def test_same_as_spacy_on_the_sample_story(nlp):
    paragraphs = [p for p in SAMPLE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    _, tokens = _compare(nlp, paragraphs)
    assert tokens > 500


def test_same_as_spacy_on_multi_token_and_dependency_patterns(nlp):
    fired, _ = _compare(nlp, INVENTED)
    patterns = nlp.get_pipe("attribute_ruler").patterns
    multi = {n for n, p in enumerate(patterns) if any(len(alt) > 1 for alt in p["patterns"])}
    deps = {n for n, p in enumerate(patterns) if any("DEP" in t for alt in p["patterns"] for t in alt)}
    # The sentences really exercise most of those patterns (else the comparison above proves little).
    assert fired >= multi, sorted(multi - fired)
    assert len(fired & deps) >= len(deps) - 1, sorted(deps - fired)


def test_precedence_index_and_predicates_on_a_blank_pipeline():
    """Later patterns win attribute by attribute; negative index; IN / NOT_IN / REGEX; all matched on the
    doc as it was (a pattern does not see what an earlier one set)."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "the"}]], {"TAG": "DT", "POS": "DET", "LEMMA": "the"})
    ruler.add([[{"TAG": "DT"}]], {"POS": "PRON"})  # tags are unset on a blank pipeline: never fires
    ruler.add([[{"LOWER": {"IN": ["cat", "cats"]}}]], {"POS": "NOUN", "MORPH": "Number=Sing"})
    ruler.add([[{"LOWER": "cats"}]], {"MORPH": "Number=Plur"})
    ruler.add([[{"LOWER": "the"}, {"LOWER": {"REGEX": "^cats?$"}}]], {"LEMMA": "cat"}, index=-1)
    ruler.add([[{"LOWER": {"NOT_IN": ["the", "cat", "cats"]}, "IS_PUNCT": False}]], {"POS": "X"})
    ruler.add([[{"IS_PUNCT": True}], [{"LOWER": "and"}]], {"POS": "PUNCT", "LEMMA": "%"})
    ruler.add([[{"ORTH": "The"}, {}]], {"TAG": "START"}, index=0)
    fast = build(ruler, nlp.vocab)
    assert fast is not None
    for text in ["The cats and the cat sat.", "the CAT, The Cats; cats the", "", "dog"]:
        theirs, ours = ruler(nlp.make_doc(text)), fast(nlp.make_doc(text))
        got = [(t.tag_, t.pos_, t.lemma_, str(t.morph)) for t in ours]
        assert got == [(t.tag_, t.pos_, t.lemma_, str(t.morph)) for t in theirs], text
    doc = fast(nlp.make_doc("The cats and the cat sat."))
    assert [t.pos_ for t in doc] == ["DET", "NOUN", "PUNCT", "DET", "NOUN", "X", "PUNCT"]
    assert [t.lemma_ for t in doc] == ["the", "cat", "%", "the", "cat", "", "%"]
    assert str(doc[1].morph) == "Number=Plur" and str(doc[4].morph) == "Number=Sing"
    assert doc[0].tag_ == "START" and doc[3].tag_ == "DT"


def test_unsupported_patterns_keep_spacys_component():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "very", "OP": "+"}, {"LOWER": "good"}]], {"POS": "ADJ"}, index=-1)
    assert build(ruler, nlp.vocab) is None
    from fabula.steps.fast_attributes import install
    assert install(nlp) == [] and nlp.pipe_names == ["attribute_ruler"]


def test_load_model_installs_it(nlp):
    from fabula.steps.language import load_model
    try:
        fast = load_model("en_core_web_sm", ("ner",))
    except Exception:
        pytest.skip("spaCy model not installed")
    assert fast.pipe_names == ["tok2vec", "tagger", "parser", "fast_attribute_ruler", "fast_lemmatizer"]


def test_same_when_the_memo_is_forgotten_between_and_within_docs(nlp, monkeypatch):
    from fabula.steps import fast_attributes

    monkeypatch.setattr(fast_attributes, "_MEMO_LIMIT", 12)  # forget every few tokens
    _, tokens = _compare(nlp, INVENTED)
    assert tokens > 12
