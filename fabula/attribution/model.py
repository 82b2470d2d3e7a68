"""The learned candidate ranker (weights in fabula/models) and the per-rule calibration table."""
from __future__ import annotations

import json
from functools import lru_cache
from itertools import repeat
from pathlib import Path

CAL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_calibration.json"
DEFAULT_CONF = {
    "tag_name": 0.95, "tag_mention": 0.85,
    # "said a little girl": 8 of 10 right end to end on the dev novels (smoothed as the table: 9 / 12);
    # with the gold cast too rare (1 quote) for the table (scripts/train_attribution.py: MIN_RULE_COUNT)
    "tag_description": 0.75,
    "tag_pronoun": 0.75, "tag_noun": 0.6, "tag_narrator": 0.85,
    "adjacent_name": 0.75, "adjacent_pronoun": 0.6, "paragraph": 0.8, "group": 0.9,
    "vocative_reply": 0.7, "parity": 0.65, "other_participant": 0.5, "recent_other": 0.35,
    "narrator": 0.5, "none": 0.0,
}


@lru_cache(maxsize=1)
def calibration() -> dict[str, float]:
    conf = dict(DEFAULT_CONF)
    try:
        data = json.loads(CAL_PATH.read_text(encoding="utf-8"))
        conf.update({k: float(v) for k, v in data.get("accuracy_by_rule", {}).items()})
    except (OSError, ValueError):
        pass
    return conf


class LinearScorer:
    """A weighted sum of a candidate's features."""

    def __init__(self, weights: dict) -> None:
        self.weights = {k: float(v) for k, v in weights.items()}

    def scores(self, rows: list[dict]) -> list[float]:
        w = self.weights
        return [sum(w.get(k, 0.0) * v for k, v in row.items() if v) for row in rows]


class TreeScorer:
    """Gradient-boosted regression trees (trained by scikit-learn, stored as plain arrays), scored
    for a whole batch of candidates at once with numpy: every tree is walked level by level."""

    def __init__(self, data: dict) -> None:
        import numpy as np

        self.features = {name: j for j, name in enumerate(data["features"])}
        self.baseline = float(data["baseline"])
        feat, thr, left, right, leaf, value, roots = [], [], [], [], [], [], []
        for tree in data["trees"]:
            base = len(feat)
            roots.append(base)
            feat.extend(tree["feature"])
            thr.extend(tree["threshold"])
            left.extend(base + x for x in tree["left"])
            right.extend(base + x for x in tree["right"])
            leaf.extend(tree["leaf"])
            value.extend(tree["value"])
        self.feat = np.asarray(feat, dtype=np.int64)
        self.thr = np.asarray(thr, dtype=np.float64)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.leaf = np.asarray(leaf, dtype=bool)
        self.value = np.asarray(value, dtype=np.float64)
        self.roots = np.asarray(roots, dtype=np.int64)
        # a leaf points to itself, so walking past it stays put
        idx = np.arange(len(feat))
        self.left[self.leaf] = idx[self.leaf]
        self.right[self.leaf] = idx[self.leaf]
        self.feat[self.leaf] = 0
        self.children = np.stack([self.right, self.left], axis=1).ravel()  # node 2i: right of i, 2i+1: left
        # levels to the deepest leaf, counted rather than trusted from "max_depth"
        self.depth, level = 0, self.roots[~self.leaf[self.roots]]
        while len(level):
            self.depth += 1
            level = np.concatenate([self.left[level], self.right[level]])
            level = level[~self.leaf[level]]

    def scores(self, rows: list[dict]) -> list[float]:
        import numpy as np

        if not rows:
            return []
        n, nf = len(rows), len(self.features)
        # X transposed, one row per feature (and a last one for names the model does not know): the first
        # levels of a tree read one feature for every candidate, a contiguous run. Filled in one assignment
        # from flat lists (setting 490,000 cells one by one took a quarter of a second).
        get = self.features.get
        cols, vals, lens = [], [], []
        for row in rows:
            cols.extend(map(get, row, repeat(nf)))
            vals.extend(row.values())
            lens.append(len(row))
        X = np.zeros((nf + 1, n), dtype=np.float64)
        X[np.array(cols, dtype=np.intp), np.repeat(np.arange(n), lens)] = np.array(vals, dtype=np.float64)
        X = X.ravel()
        at = self.feat * n  # where a node's feature row starts in X
        r = np.arange(n)
        node = np.repeat(self.roots[:, None], n, axis=1)  # trees x candidates
        for _ in range(self.depth):
            where = at.take(node)
            where += r
            go_left = X.take(where) <= self.thr.take(node)  # '<=' as before: a NaN goes right
            node *= 2
            node += go_left
            node = self.children.take(node)
        # summed per candidate over a contiguous row of trees, as before, so the sums round the same way
        return (self.baseline + np.ascontiguousarray(self.value.take(node).T).sum(axis=1)).tolist()


def _scorer(data: dict):
    return TreeScorer(data) if "trees" in data else LinearScorer(data["weights"])


class RankerModel:
    """The candidate scorer of each round (linear or boosted trees), with a per-rule calibration table."""

    def __init__(self, data: dict) -> None:
        self.first = _scorer(data)
        # later rounds ("round2", "round3", ...): each adds the previous round's answers as features
        self.later = []
        while data.get(f"round{len(self.later) + 2}"):
            self.later.append(_scorer(data[f"round{len(self.later) + 2}"]))
        self.cal = {r: [(float(a), float(b)) for a, b in pts] for r, pts in data.get("calibration", {}).items()}

    def scores(self, rows: list[dict]) -> list[float]:
        return self.first.scores(rows)

    def calibrate(self, prob: float, rule: str) -> float:
        return calibrated(prob, self.cal.get(rule, ()))


def calibrated(prob: float, points) -> float:
    """The probability mapped piecewise-linearly through (model probability, observed accuracy) points."""
    pts = [pt for pt in points if pt[0] < 0.999]  # a lone candidate says nothing
    if not pts:
        return prob
    if prob <= pts[0][0]:
        return pts[0][1]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if prob <= x1:
            return y0 + (y1 - y0) * (prob - x0) / max(1e-9, x1 - x0)
    return pts[-1][1]


MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution.json"


@lru_cache(maxsize=1)
def attribution_model() -> "RankerModel | None":
    try:
        return RankerModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None
