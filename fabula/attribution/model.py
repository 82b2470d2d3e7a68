"""The learned candidate ranker (weights in fabula/models) and the per-rule calibration table."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

CAL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_calibration.json"
DEFAULT_CONF = {
    "tag_name": 0.95, "tag_mention": 0.85, "tag_pronoun": 0.75, "tag_noun": 0.6, "tag_narrator": 0.85,
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


class RankerModel:
    """A linear scorer over candidate features, with a per-rule calibration table."""

    def __init__(self, data: dict) -> None:
        self.weights = {k: float(v) for k, v in data["weights"].items()}
        w2 = data.get("round2", {}).get("weights")
        self.weights2 = {k: float(v) for k, v in w2.items()} if w2 else None
        self.cal = {r: [(float(a), float(b)) for a, b in pts] for r, pts in data.get("calibration", {}).items()}

    def score(self, row: dict) -> float:
        w = self.weights
        return sum(w.get(k, 0.0) * v for k, v in row.items() if v)

    def score2(self, row: dict) -> float:
        w = self.weights2 or {}
        return sum(w.get(k, 0.0) * v for k, v in row.items() if v)

    def calibrate(self, prob: float, rule: str) -> float:
        pts = [pt for pt in self.cal.get(rule, ()) if pt[0] < 0.999]  # a lone candidate says nothing
        if not pts:
            return prob
        # piecewise-linear through (model probability, observed accuracy) points
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
