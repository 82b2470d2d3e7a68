"""The stored tree ranker is scored exactly as the trees say, for a batch of candidates at once."""
from __future__ import annotations

from fabula.attribution.model import LinearScorer, RankerModel, TreeScorer

# Two trees over features "a" and "b" (node 0 is the root; leaves carry values):
#   tree 1: a <= 0.5 ? 1.0 : (b <= 2.0 ? -1.0 : 3.0)      tree 2: b <= 0.0 ? 0.25 : -0.25
TREES = {
    "features": ["a", "b"],
    "baseline": 0.5,
    "max_depth": 2,
    "trees": [
        {"feature": [0, 0, 1, 0, 0], "threshold": [0.5, 0, 2.0, 0, 0], "left": [1, 0, 3, 0, 0],
         "right": [2, 0, 4, 0, 0], "leaf": [False, True, False, True, True], "value": [0, 1.0, 0, -1.0, 3.0]},
        {"feature": [1, 0, 0], "threshold": [0.0, 0, 0], "left": [1, 0, 0], "right": [2, 0, 0],
         "leaf": [False, True, True], "value": [0, 0.25, -0.25]},
    ],
}


def expected(row):
    a, b = row.get("a", 0.0), row.get("b", 0.0)
    t1 = 1.0 if a <= 0.5 else (-1.0 if b <= 2.0 else 3.0)
    t2 = 0.25 if b <= 0.0 else -0.25
    return 0.5 + t1 + t2


def test_tree_scorer_walks_every_tree_to_its_leaf():
    rows = [{}, {"a": 1.0}, {"a": 1.0, "b": 5.0}, {"b": 1.0}, {"a": 0.5, "b": 2.0, "unknown": 7.0}]
    got = TreeScorer(TREES).scores(rows)
    assert got == [expected(r) for r in rows]
    assert TreeScorer(TREES).scores([]) == []


def test_ranker_model_uses_the_second_round_when_there_is_one():
    model = RankerModel({"weights": {"a": 2.0}, "round2": TREES})
    assert model.scores([{"a": 1.0}]) == LinearScorer({"a": 2.0}).scores([{"a": 1.0}]) == [2.0]
    assert model.later[0].scores([{"a": 1.0, "b": 5.0}]) == [expected({"a": 1.0, "b": 5.0})]


def test_ranker_model_keeps_its_rounds_in_order_and_stops_at_a_gap():
    model = RankerModel({"weights": {"a": 2.0}, "round2": TREES, "round3": {"weights": {"b": 1.0}},
                         "round5": TREES})
    assert len(model.later) == 2  # round 5 without a round 4 is never reached
    assert model.later[0].scores([{"b": 5.0}]) == [expected({"b": 5.0})]
    assert model.later[1].scores([{"a": 1.0, "b": 5.0}]) == [5.0]


def test_candidates_are_compared_with_each_other():
    from fabula.attribution.ranker import _add_relative

    rows = [{"recent0": 1.0, "prev_sp": 1.0, "spoke_wide": 2.0, "T_recent0": 1.0},
            {"prev_sp": 1.0, "spoke_wide": 0.5},
            {"voc_prev": 1.0}]
    _add_relative(rows)
    a, b, c = rows
    assert a["recent0_only"] == 1.0 and "recent0_elsewhere" in b and "recent0_elsewhere" in c
    assert "prev_sp_only" not in a and "prev_sp_elsewhere" in c and "prev_sp_elsewhere" not in b
    assert "T_recent0_only" not in a  # regime copies are not compared again
    assert a["spoke_wide_margin"] == 1.5 and b["spoke_wide_margin"] == -1.5 and c["spoke_wide_margin"] == -2.0
    lone = [{"recent0": 1.0}]
    _add_relative(lone)
    assert lone == [{"recent0": 1.0}]  # a lone candidate has nobody to be compared with


def test_idiolects_favour_the_candidate_who_talks_like_the_quote():
    from types import SimpleNamespace

    from fabula.attribution.ranker import Idiolects
    from fabula.spans import Quote

    said = ['Yes, ma\'am, the kettle is on, ma\'am.', 'Right you are, ma\'am.',
            'I dare say, my dear fellow, the evidence is plain.', 'The evidence, my dear fellow, is all.',
            'Very good, ma\'am.', 'My dear fellow, consider the evidence.']
    text, quotes = "", []
    for s in said:
        quotes.append(Quote(len(text), len(text) + len(s)))
        text += s + "\n"
    at = SimpleNamespace(text=text, quotes=quotes, utts=[[i] for i in range(len(quotes))])
    known = [1, 1, 2, 2, None, None]  # the last two are untagged
    idio = Idiolects(at, known)
    style, size = idio.scores(4, [1, 2, 3])
    assert style[1] > 0 > style[2] and 3 not in style  # no tagged quotes: nothing to say
    style, _ = idio.scores(5, [1, 2])
    assert style[2] > style[1]
    assert size[1] > 0


def test_idiolect_of_a_labelled_quote_leaves_out_its_own_words():
    from types import SimpleNamespace

    from fabula.attribution.ranker import Idiolects
    from fabula.spans import Quote

    said = ["Zounds and gadzooks!", "The weather is fine.", "The weather is fine today."]
    text, quotes = "", []
    for s in said:
        quotes.append(Quote(len(text), len(text) + len(s)))
        text += s + "\n"
    at = SimpleNamespace(text=text, quotes=quotes, utts=[[i] for i in range(len(quotes))])
    # quote 0 is labelled speaker 1 (a later round's confident answer): its own rare words must not
    # make it look like speaker 1's way of talking
    style, _ = Idiolects(at, [1, 2, 2]).scores(0, [1, 2])
    assert 1 not in style  # nothing else speaker 1 said: no evidence either way
    style, _ = Idiolects(at, [1, 1, 2]).scores(1, [1, 2])
    assert style[1] < style[2]  # the same words as speaker 2's other quote, none of speaker 1's


def test_cross_validation_splits_are_reproducible_and_balanced():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "scripts" / "train_attribution.py"
    spec = importlib.util.spec_from_file_location("train_attribution", path)
    ta = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ta)
    names = [f"novel{i:02d}" for i in range(19)]
    plain = ta.fold_of_novels(reversed(names), 5)
    assert plain == {n: i % 5 for i, n in enumerate(names)}  # name order, whatever order given
    splits = [ta.fold_of_novels(names, 5, seed) for seed in (1, 2, 3)]
    assert splits[0] == ta.fold_of_novels(names, 5, 1)  # the same seed, the same split
    assert all(s != plain for s in splits) and splits[0] != splits[1]
    for s in splits:
        sizes = sorted(list(s.values()).count(f) for f in range(5))
        assert sizes == [3, 4, 4, 4, 4]
