"""Matrix products through numpy's BLAS instead of blis for a loaded spaCy pipeline.

thinc's NumpyOps sends every `gemm` to blis. For the tok2vec and NER shapes (tens of thousands of rows
by 96-288 columns) numpy's bundled OpenBLAS is about 1.6x faster on one core, and gemm is over half of
tok2vec. thinc's own `NumpyOps(use_blis=False)` does exactly that swap (its gemm falls back to `numpy.dot`
with the same out/trans1/trans2 meaning); every other op, and the parser's C-level sgemm, stay as they are.
The products are the same up to float rounding order, so a near-tied prediction can rarely flip.
"""
from __future__ import annotations


def numpy_gemm_ops():
    from thinc.api import NumpyOps

    return NumpyOps(use_blis=False)


def install(nlp) -> None:
    """Give every thinc node of every pipe the numpy-gemm ops (nodes hold their own `ops` reference)."""
    from thinc.api import NumpyOps

    ops = numpy_gemm_ops()
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:  # leave any other backend (GPU, Apple) alone
                node.ops = ops
