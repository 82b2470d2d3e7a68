"""Exact, faster inference paths for three kinds of thinc layer in a loaded spaCy pipeline.

- Maxout: thinc's NumpyOps.maxout (a C loop that also records which piece won, for training) costs
  about 40% of the matrix product before it. At inference only the maxima are needed, and
  numpy.maximum over the pieces gives the same values.
- LayerNorm: thinc computes the row means and the differences from them twice (once more inside
  numpy's var); computing them once gives the same values bit for bit.
- The embedding of a token (MultiHashEmbed: hashed NORM, PREFIX, SUFFIX, SHAPE... rows, concatenated,
  then maxout and layer norm) depends only on that token's row of features. A novel of 129,000 tokens
  has about 9,000 distinct rows, so each row is embedded once and remembered: the same arithmetic on
  the same inputs, once instead of fourteen times. Equal up to float rounding only: BLAS may round a
  row's product differently inside matrices of different heights (as thinc's own results already vary
  with the batch a paragraph is in); about 1e-6 here, with identical analyses of Pride and Prejudice
  (benchmarks/language_equality.py).

Both are used only when a layer runs for inference (`is_train` false); training runs thinc's own code,
and a training pass also forgets the remembered embeddings (the weights move). The remembered rows are
also forgotten whenever a weight array of the embedding is replaced (a reload, `use_params`).
"""
from __future__ import annotations

_MEMO_ROWS = 200_000  # distinct feature rows remembered per embedding (96 floats each: ~77 MB at most)


def _no_backprop(_):
    raise NotImplementedError("fabula's inference-only layer path has no backward pass")


class _MaxoutInference:
    """Inference forward for thinc's Maxout: the same product and bias, then only the maxima.
    (A class rather than a closure, so a pipeline that has it still pickles.)"""

    def __init__(self, orig) -> None:
        self.orig = orig

    def __call__(self, model, X, is_train):
        import numpy

        if is_train:
            return self.orig(model, X, is_train)
        nO = model.get_dim("nO")
        nP = model.get_dim("nP")
        nI = model.get_dim("nI")
        W = model.ops.reshape2f(model.get_param("W"), nO * nP, nI)
        Y = model.ops.gemm(X, W, trans2=True)
        Y += model.ops.reshape1f(model.get_param("b"), nO * nP)
        Z = Y.reshape((Y.shape[0], nO, nP))
        if nP == 1:
            return numpy.ascontiguousarray(Z[:, :, 0]), _no_backprop
        best = numpy.maximum(Z[:, :, 0], Z[:, :, 1])
        for p in range(2, nP):
            numpy.maximum(best, Z[:, :, p], out=best)
        return best, _no_backprop


class _LayerNormInference:
    """Inference forward for thinc's LayerNorm, bit for bit: thinc takes the mean twice (X.mean, then
    again inside X.var) and subtracts it twice; numpy's var is the mean of (X - mean)**2, so the
    difference is computed once here and normalized, scaled and shifted in place."""

    def __init__(self, orig) -> None:
        self.orig = orig

    def __call__(self, model, X, is_train):
        if is_train or X.ndim != 2:
            return self.orig(model, X, is_train)
        import numpy

        Y = X - X.mean(axis=1, keepdims=True)
        square = Y * Y
        var = square.sum(axis=1, keepdims=True)
        # as numpy's var divides: by an intp count, so float32 sums are divided in float64
        numpy.true_divide(var, numpy.intp(X.shape[1]), out=var, casting="unsafe")
        var += 1e-08
        Y *= var ** (-1.0 / 2.0)
        Y *= model.get_param("G")
        Y += model.get_param("b")
        return Y, _no_backprop


class _EmbedMemo:
    """Inference forward for spaCy's MultiHashEmbed chain that embeds each distinct feature row once."""

    def __init__(self, orig) -> None:
        self.orig = orig
        self.index: dict = {}  # feature row (bytes) -> row of self.table
        self.table = None
        self.weights: tuple = ()

    def _current_weights(self, model) -> tuple:
        return tuple(node.get_param(name) for node in model.walk() for name in node.param_names
                     if node.has_param(name))

    def _forget(self) -> None:
        self.index = {}
        self.table = None

    def __call__(self, model, docs, is_train):
        import numpy

        if is_train:
            self._forget()
            return self.orig(model, docs, is_train)
        extract, _, embed, mix, _ = model.layers
        weights = self._current_weights(model)
        if len(weights) != len(self.weights) or any(a is not b for a, b in zip(weights, self.weights)):
            self._forget()
            self.weights = weights
        feats = extract.predict(docs)
        lengths = [len(f) for f in feats]
        if not sum(lengths):
            return self.orig(model, docs, is_train)
        F = numpy.ascontiguousarray(numpy.concatenate(feats))
        keys = F.view(numpy.dtype((numpy.void, F.dtype.itemsize * F.shape[1]))).ravel().tolist()
        index = self.index
        new: dict = {}
        for i, key in enumerate(keys):
            if key not in index and key not in new:
                new[key] = i
        if new:
            if len(index) + len(new) > _MEMO_ROWS:
                self._forget()
                index = self.index
                new = {}
                for i, key in enumerate(keys):
                    if key not in new:
                        new[key] = i
            rows = numpy.fromiter(new.values(), dtype=numpy.intp, count=len(new))
            vectors = mix.predict(embed.predict(F[rows]))
            start = len(index)
            if self.table is None:
                self.table = model.ops.alloc2f(max(1024, len(new)), vectors.shape[1], zeros=False)
            elif start + len(new) > self.table.shape[0]:
                grown = model.ops.alloc2f(max(2 * self.table.shape[0], start + len(new)), vectors.shape[1],
                                          zeros=False)
                grown[:start] = self.table[:start]
                self.table = grown
            self.table[start:start + len(new)] = vectors
            for offset, key in enumerate(new):
                index[key] = start + offset
        rows = numpy.fromiter((index[key] for key in keys), dtype=numpy.intp, count=len(keys))
        out = self.table[rows]
        return model.ops.unflatten(out, model.ops.asarray1i(lengths)), _no_backprop


def _is_multi_hash_embed(node) -> bool:
    names = [layer.name for layer in node.layers]
    return (len(names) == 5 and names[0] == "extract_features" and names[1] == "list2ragged"
            and names[2].startswith("with_array(") and names[4] == "ragged2list"
            and names[3].startswith("with_array(maxout")
            and all(part.endswith("hashembed") for part in names[2][len("with_array("):-1].split("|")))


def install(nlp) -> int:
    """Give the maxout and layer-norm layers and the hash embeddings of every pipe the inference paths
    above (only on thinc's CPU NumpyOps). Returns how many layers were changed."""
    from thinc.api import NumpyOps
    import importlib

    chain_module = importlib.import_module("thinc.layers.chain")
    maxout_module = importlib.import_module("thinc.layers.maxout")
    layernorm_module = importlib.import_module("thinc.layers.layernorm")

    changed = 0
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if not isinstance(node.ops, NumpyOps):
                continue
            if node.name == "maxout" and node._func is maxout_module.forward:
                node._func = _MaxoutInference(node._func)
                changed += 1
            elif node.name == "layernorm" and node._func is layernorm_module.forward:
                node._func = _LayerNormInference(node._func)
                changed += 1
            elif node._func is chain_module.forward and _is_multi_hash_embed(node):
                node._func = _EmbedMemo(node._func)
                changed += 1
    return changed
