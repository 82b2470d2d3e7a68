"""The language pass's speed paths: numpy-BLAS matrix products and the recognizer on name sentences only."""
from __future__ import annotations

import numpy
import pytest

pytest.importorskip("spacy")
thinc_api = pytest.importorskip("thinc.api")


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
@pytest.mark.parametrize("with_out", [False, True])
def test_numpy_gemm_matches_blis(trans1, trans2, with_out):
    from fabula.steps.fast_ops import numpy_gemm_ops

    rng = numpy.random.default_rng(7)
    m, k, n = 37, 288, 96
    x = rng.standard_normal((k, m) if trans1 else (m, k), dtype=numpy.float32)
    y = rng.standard_normal((n, k) if trans2 else (k, n), dtype=numpy.float32)
    blis_ops, np_ops = thinc_api.NumpyOps(use_blis=True), numpy_gemm_ops()
    expected = blis_ops.gemm(x, y, trans1=trans1, trans2=trans2)
    if with_out:
        out = numpy.full((m, n), numpy.nan, dtype=numpy.float32)
        got = np_ops.gemm(x, y, out=out, trans1=trans1, trans2=trans2)
        assert got is out
    else:
        got = np_ops.gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.shape == (m, n) and got.dtype == numpy.float32
    numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def nlp():
    from fabula.steps.language import load_model

    try:
        return load_model("en_core_web_sm")
    except Exception as e:  # no model installed
        pytest.skip(str(e))


def test_every_network_node_uses_numpy_gemm(nlp):
    nodes = [node for _, pipe in nlp.pipeline if hasattr(pipe, "model") for node in pipe.model.walk()]
    assert nodes
    assert all(getattr(node.ops, "use_blis", None) is False for node in nodes)


# An invented paragraph: names mid-sentence and at a sentence's start, between sentences with none.
STORY = ("The rain had stopped before noon. It was cold, and the boats waited in a row. "
         "Later that week Tobias Wrenfield walked to the harbour with Marguerite Ashdown. "
         "The gulls were loud. Marguerite laughed at them. It was a long walk back, and it took three hours.")


def _analyze(text, selective):
    from fabula.api import build_pipeline
    from fabula.pipeline import Settings
    from fabula.read import read_string

    doc = read_string(text)
    for step in build_pipeline(until="language").steps:
        if step.name == "language":
            step.selective_entities = selective
        doc = doc.with_layers(**step.run(doc, Settings()))
    return doc


def _reference_name_tokens(sdoc, lowercase):
    from fabula.steps.language import _OPENERS, _SKIPPED

    found = []
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
                found.append(tok.i)
            first = False
    return found


def test_name_tokens_found_by_a_general_rule(nlp):
    from fabula.steps.language import _name_tokens, lowercase_words

    lowercase = lowercase_words(STORY)
    assert "the" in lowercase and "marguerite" not in lowercase and "The" not in lowercase
    sdoc = nlp(STORY)
    words = [sdoc[i].text for i in _name_tokens(sdoc, lowercase, {})]
    # Mid-sentence capitals, and sentence-initial words the text never writes in lower case.
    assert words == ["Later", "Tobias", "Wrenfield", "Marguerite", "Ashdown", "Marguerite"]
    # 'The', 'It' open sentences but are ordinary words.


QUOTED = ('"Well," said Mr. Ashdown -- "I never -- Well, Tobias!" He smiled. "Marguerite?" '
          "(Later) she wrote to 'Tobias' and to the Wrenfields, and I went to Harbour Street.")


@pytest.mark.parametrize("text", [STORY, QUOTED, ""])
def test_name_tokens_match_the_token_by_token_rule(nlp, text):
    from fabula.steps.language import _name_tokens, lowercase_words

    lowercase = lowercase_words(text)
    sdoc = nlp(text)
    assert _name_tokens(sdoc, lowercase, {}) == _reference_name_tokens(sdoc, lowercase)


def test_name_windows_keep_margin_and_context():
    from fabula.steps.language import _CONTEXT, _MARGIN, _name_windows

    reach = _MARGIN + _CONTEXT
    assert _name_windows(100, []) == []
    assert _name_windows(100, [50]) == [[50 - reach, 51 + reach]]
    assert _name_windows(100, [1, 50, 52, 99]) == [[0, 2 + reach], [50 - reach, 53 + reach], [99 - reach, 100]]
    assert _name_windows(100, [30, 30 + 2 * reach + 1]) == [[30 - reach, 31 + 3 * reach + 1]]  # touching: one


def test_selective_recognizer_keeps_the_names(nlp):
    full, selective = _analyze(STORY, False), _analyze(STORY, True)
    assert full.layer("tokens")
    assert [t.start for t in full.layer("tokens")] == [t.start for t in selective.layer("tokens")]

    def people(doc):
        return [(e.start, e.end) for e in doc.layer("entities") if e.label == "PERSON"]

    assert people(selective) == people(full)
    names = [selective.text[s:e] for s, e in people(selective)]
    assert "Tobias Wrenfield" in names
    # Only labels in sentences that may name someone are dropped; the rest are the full recognizer's.
    assert set(selective.layer("entities")) <= set(full.layer("entities"))
    assert all(a.entity in (b.entity, "") for a, b in zip(selective.layer("tokens"), full.layer("tokens")))


def test_a_pipeline_ending_with_the_language_pass_gets_every_entity():
    import fabula
    alone = {s.name: s for s in fabula.build_pipeline(until="language").steps}["language"]
    full = {s.name: s for s in fabula.build_pipeline().steps}["language"]
    assert alone.with_entities and not alone.selective_entities
    assert full.with_entities and full.selective_entities
