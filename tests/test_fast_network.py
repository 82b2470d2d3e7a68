"""The networks' inference paths (fast_network.py) give thinc's own outputs: maxout bit for bit, the
remembered embeddings up to float rounding (BLAS rounds a row differently in matrices of other heights)."""
from __future__ import annotations

import numpy
import pytest

pytest.importorskip("spacy")
thinc_api = pytest.importorskip("thinc.api")

TEXTS = [
    "Tobias Wrenfield walked to the harbour with Marguerite Ashdown, and the gulls were loud.",
    "\"Sit down,\" she said. \"You look tired.\" The rain had stopped before noon.",
    "It was cold -- bitterly cold -- and the boats waited in a row; nobody spoke.",
    "",
    "Marguerite laughed.",
]


@pytest.fixture(scope="module")
def pipelines():
    from fabula.steps.language import load_model

    try:
        return load_model("en_core_web_sm"), load_model("en_core_web_sm", fast_network=False)
    except Exception as e:  # no model installed
        pytest.skip(str(e))


def _tok2vecs(nlp):
    out = [nlp.get_pipe("tok2vec").model]
    if "ner" in nlp.pipe_names:
        out.append(nlp.get_pipe("ner").model.get_ref("tok2vec"))
    return out


def test_the_fast_paths_are_installed(pipelines):
    fast, plain = pipelines
    from fabula.steps.fast_network import _EmbedMemo

    assert any(isinstance(node._func, _EmbedMemo) for node in fast.get_pipe("tok2vec").model.walk())
    assert not any(isinstance(node._func, _EmbedMemo) for node in plain.get_pipe("tok2vec").model.walk())


def test_token_vectors_are_equal_up_to_rounding(pipelines):
    fast, plain = pipelines
    docs = [fast.make_doc(t) for t in TEXTS]
    for _ in range(2):  # the second time the embeddings come from the memo
        for a, b in zip(_tok2vecs(fast), _tok2vecs(plain)):
            got, expected = a.predict(docs), b.predict(docs)
            assert len(got) == len(expected)
            for x, y in zip(got, expected):
                assert x.shape == y.shape
                numpy.testing.assert_allclose(x, y, rtol=0, atol=1e-5)


def test_training_forgets_and_uses_thincs_code(pipelines):
    fast, _ = pipelines
    from fabula.steps.fast_network import _EmbedMemo

    memo = next(node._func for node in fast.get_pipe("tok2vec").model.walk() if isinstance(node._func, _EmbedMemo))
    model = fast.get_pipe("tok2vec").model
    docs = [fast.make_doc(t) for t in TEXTS[:2]]
    model.predict(docs)
    assert memo.index
    _, backprop = model.begin_update(docs)
    assert not memo.index and callable(backprop)


def test_maxout_matches_thinc():
    from thinc.api import Maxout

    from fabula.steps.fast_network import _MaxoutInference

    rng = numpy.random.default_rng(3)
    for pieces in (1, 2, 3):
        layer = Maxout(nO=7, nI=11, nP=pieces)
        layer.initialize(X=rng.standard_normal((4, 11), dtype=numpy.float32))
        X = rng.standard_normal((23, 11), dtype=numpy.float32)
        expected = layer.predict(X)
        got, _ = _MaxoutInference(layer._func)(layer, X, False)
        assert got.flags.c_contiguous and numpy.array_equal(got, expected)


def test_the_pipeline_still_pickles(pipelines):
    import pickle

    fast, _ = pipelines
    again = pickle.loads(pickle.dumps(fast))
    doc = again("Marguerite laughed at Tobias.")
    assert [t.tag_ for t in doc] == [t.tag_ for t in fast("Marguerite laughed at Tobias.")]


def test_layer_norm_matches_thinc():
    from thinc.api import LayerNorm

    from fabula.steps.fast_network import _LayerNormInference

    rng = numpy.random.default_rng(5)
    layer = LayerNorm(nI=96)
    layer.initialize(X=rng.standard_normal((4, 96), dtype=numpy.float32))
    layer.set_param("G", rng.standard_normal(96, dtype=numpy.float32))
    layer.set_param("b", rng.standard_normal(96, dtype=numpy.float32))
    X = rng.standard_normal((301, 96), dtype=numpy.float32) * 3 + 1
    expected = layer.predict(X)
    got, _ = _LayerNormInference(layer._func)(layer, X, False)
    assert got.dtype == expected.dtype and numpy.array_equal(got, expected)
