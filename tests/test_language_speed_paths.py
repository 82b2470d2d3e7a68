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
