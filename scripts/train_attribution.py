#!/usr/bin/env python3
"""Fit attribution confidences (and, optionally, a learned candidate ranker) on PDNC.

    python scripts/train_attribution.py ../shared/corpora/pdnc-dev               # calibrate the rules
    python scripts/train_attribution.py ../shared/corpora/pdnc-dev --ranker      # + ranker, CV report
    python scripts/train_attribution.py ../shared/corpora/pdnc-dev --ranker --cv-only

Calibration: the confidence of each attribution is the accuracy, on these novels, of the rule that
decided it (fabula/models/attribution_calibration.json); rules have no other fitted parameters.
The optional ranker is a logistic regression over (utterance, candidate character) features computed by
fabula.attribution (recency of mentions, pronoun/gender agreement of the speech tag, turn
parity, vocatives, ...); at run time it is applied in pure Python from the JSON weights.
Every number printed is cross-validated by NOVEL (each novel scored by a model that never saw it).
Characters come from the gold cast (names, aliases, gender) through the characters step when it is
installed, else through a plain name matcher over the cast (training data only).
Needs scikit-learn (training only). Language layers come from the `fabula eval` cache.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fabula import attribution as A  # noqa: E402
from fabula.attribution import model as attribution_model  # noqa: E402
from fabula.evaluate.pdnc import load_novel, novel_folders, predicted_characters, predicted_quotes  # noqa: E402
from fabula.evaluate.scoring import NameMatcher, QuoteScore, assign_quotes, score_quotes  # noqa: E402
from fabula.pipeline import Settings  # noqa: E402
from fabula.spans import Character, Mention  # noqa: E402
from fabula.steps.quotes import Quotes  # noqa: E402

OUT = ROOT / "fabula" / "models" / "attribution.json"
CAL_OUT = ROOT / "fabula" / "models" / "attribution_calibration.json"
_PRONOUNS = {"he", "him", "his", "she", "her", "i", "me", "they", "them"}


def cast_characters(doc, cast):
    """Characters + mentions from the cast: the characters step if present, else name matching."""
    settings = Settings(cast=tuple(cast))
    try:
        from fabula.steps.characters import Characters  # type: ignore
        layers = Characters().run(doc, settings)
        if "characters" in layers and "mentions" in layers:
            return layers["characters"], layers["mentions"]
    except (ImportError, AttributeError):
        pass
    chars = tuple(Character(i, c.name, tuple(c.aliases), c.gender) for i, c in enumerate(cast))
    owner: dict[str, int] = {}
    for c in chars:
        for n in (c.name,) + c.aliases:
            if n.strip():
                owner.setdefault(n.strip(), c.id)
    names = sorted(owner, key=len, reverse=True)
    text = doc.text
    mentions = [Mention(m.start(), m.end(), "name", owner[m.group(0)])
                for m in re.finditer(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", text)]
    for t in doc.tokens:
        if t.pos == "PRON" and text[t.start:t.end].lower() in _PRONOUNS:
            mentions.append(Mention(t.start, t.end, "pronoun", None))
    mentions.sort(key=lambda m: (m.start, m.end))
    return chars, tuple(mentions)


def prepare(folder, language_doc=None, end_to_end=False):
    """(novel, document with quotes + characters + mentions) for one PDNC folder; with
    end_to_end the characters step finds its own characters (no cast). The cast is the evaluation's:
    names and aliases, genders inferred (trained with PDNC's gold genders instead, the ranker scored
    0.8115 cross-validated against 0.8124, measured at 8ecaf4f and c42553f)."""
    novel = load_novel(folder)
    if language_doc is None:
        from fabula.evaluate.cache import language_doc as cached
        doc, _ = cached(novel.text, "en_core_web_sm")
    else:
        doc = language_doc(novel)
    doc = doc.with_layers(**Quotes().run(doc, Settings()))
    if end_to_end:
        from fabula.steps.characters import Characters  # type: ignore
        return novel, doc.with_layers(**Characters().run(doc, Settings()))
    chars, mentions = cast_characters(doc, novel.cast())
    return novel, doc.with_layers(characters=chars, mentions=mentions)


def every_quote(doc):
    """The document's quotes as the scorer sees them, reported speech included: what the system calls
    reported still has a speaker to learn from and a confidence to calibrate (only the evaluation leaves
    it out)."""
    return [replace(p, counted=True) for p in predicted_quotes(doc)]


def examples(novel, doc, model=None, rnd=1):
    """Training rows: per utterance, candidates' features and which one is the gold speaker.
    Round 2 rows carry the round-1 model's answers (`model`) around each quote as features."""
    collect: list = []
    at = A.Attributor(doc, use_model=model if model is not None else False, collect=collect, collect_round=rnd,
                      describe=False)  # the cast fixes the list, as `fabula eval pdnc --cast gold` gives it
    at.run()
    matcher = NameMatcher(novel.characters)
    named = predicted_characters(doc.with_layers(characters=at.all_characters()))
    to_gold = {c.id: matcher.match(c.names) for c in named}
    assignment = assign_quotes(novel.quotes, every_quote(doc))
    # quote index in doc order -> predicted index (predicted_quotes keeps layer order)
    out = []
    for k, cands, rows in collect:
        golds = Counter()
        for qi in at.utts[k]:
            gi = assignment[qi]
            if gi is not None and novel.quotes[gi].speaker is not None:
                golds[novel.quotes[gi].speaker] += 1
        if not golds:
            continue
        gold = golds.most_common(1)[0][0]
        labels = [int(to_gold.get(c) == gold) for c in cands]
        info = at._tag_info.get(k)
        kind = "model_tag" if info is not None and not info[1] else "model"
        out.append((rows, labels, kind))
    return out


MIN_RULE_COUNT = 20  # quotes a rule must decide before its accuracy goes into the calibration table
LEARNER = "trees"  # or "linear"; set by --learner


def fit(groups, C=1.0):
    """A candidate scorer from (rows, labels) groups: boosted trees (the default) or a logistic
    regression, stored as plain JSON (no pickle ships in the package)."""
    from sklearn.feature_extraction import DictVectorizer
    X, y = [], []
    for rows, labels, _ in groups:
        if not any(labels):
            continue
        X.extend(rows)
        y.extend(labels)
    vec = DictVectorizer(sparse=False)
    Xm = vec.fit_transform(X)
    names = [str(n) for n in vec.get_feature_names_out()]
    if LEARNER == "linear":
        from sklearn.linear_model import LogisticRegression
        lr = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        lr.fit(Xm, y)
        return {"weights": {name: float(w) for name, w in zip(names, lr.coef_[0])}}
    from sklearn.ensemble import HistGradientBoostingClassifier
    clf = HistGradientBoostingClassifier(max_depth=TREE_DEPTH, max_iter=TREE_ROUNDS, learning_rate=TREE_RATE,
                                         l2_regularization=1.0, min_samples_leaf=TREE_MIN_LEAF, random_state=0)
    clf.fit(Xm, y)
    return export_trees(clf, names, Xm[:2000])


TREE_DEPTH, TREE_ROUNDS, TREE_RATE, TREE_MIN_LEAF = 6, 150, 0.1, 20  # set by --tree-*


def export_trees(clf, names, sample) -> dict:
    """scikit-learn's fitted trees as arrays; checked against its own decision function."""
    trees = []
    for (pred,) in clf._predictors:
        nodes = pred.nodes  # features are never missing (absent = 0), so missing_go_to_left is unused
        trees.append({"feature": [int(x) for x in nodes["feature_idx"]],
                      "threshold": [float(x) for x in nodes["num_threshold"]],
                      "left": [int(x) for x in nodes["left"]], "right": [int(x) for x in nodes["right"]],
                      "leaf": [bool(x) for x in nodes["is_leaf"]], "value": [float(x) for x in nodes["value"]]})
    data = {"features": names, "baseline": float(clf._baseline_prediction.ravel()[0]), "trees": trees,
            "max_depth": TREE_DEPTH}
    from fabula.attribution.model import TreeScorer
    rows = [{n: float(v) for n, v in zip(names, x) if v} for x in sample]
    mine = TreeScorer(data).scores(rows)
    theirs = clf.decision_function(sample)
    worst = max((abs(a - b) for a, b in zip(mine, theirs)), default=0.0)
    if worst > 1e-6:
        raise SystemExit(f"exported trees disagree with scikit-learn by {worst}")
    return data


INNER_FOLDS = 4  # set by --inner-folds; 1 = later rounds learn from in-sample answers
ROUNDS = 2  # measured (CV harness, gold cast): a third round 19,801 correct quotes against 19,799


def train_rounds(data, names, rounds=None):
    """Round 1 on the candidate features; each later round adds the previous round's answers (and
    their probabilities) around each quote, from a model trained on the rounds before it."""
    raw = fit([ex for n in names for ex in data[n][2]])
    model = attribution_model.RankerModel(raw)
    rounds = rounds or ROUNDS
    # A later round learns how far to trust the round before it, so its rows must come from a
    # model that has not seen the novel, as at run time (in-sample answers are too sure of themselves):
    # each novel's first-round model, trained without its inner fold
    first_for: dict = {}
    if INNER_FOLDS > 1:
        if rounds > 2:
            raise SystemExit("cross-fitted rows for a third round are not implemented")
        for f in range(INNER_FOLDS):
            held = names[f::INNER_FOLDS]
            m = attribution_model.RankerModel(fit([ex for n in names if n not in held for ex in data[n][2]]))
            first_for.update(dict.fromkeys(held, m))
    for rnd in range(2, rounds + 1):
        rows = []
        for n in names:
            novel, doc, _ = data[n]
            rows.extend(examples(novel, doc, first_for.get(n, model), rnd=rnd))
        raw = dict(raw)
        raw[f"round{rnd}"] = fit(rows)
        model = attribution_model.RankerModel(raw)
    model.raw = raw
    return model


def cross_fitted_ece(stated, cal_pairs, folds) -> float:
    """Expected calibration error (tenths of the confidence range, as `fabula eval pdnc`) of held-out
    quotes, the ranker's probabilities calibrated by points fitted on the other folds only."""
    points = {(f, r): calibration_points([(p, c) for p, c, g in pts if g != f])
              for f in range(folds) for r, pts in cal_pairs.items()}
    score = QuoteScore()
    for f, rule, conf, right in stated:
        if rule is not None:
            conf = attribution_model.calibrated(conf, points.get((f, rule), ()))
        score.add_confidence(conf, right)
    return score.reliability()["ece"] or 0.0


def calibration_points(pairs, bins=8):
    """(mean model probability, observed accuracy) per quantile bin, monotone (pooled)."""
    pairs = sorted(pairs)
    if len(pairs) < bins * 5:
        return []
    size = len(pairs) // bins
    pts = []
    for b in range(bins):
        chunk = pairs[b * size:(b + 1) * size if b < bins - 1 else len(pairs)]
        pts.append([sum(p for p, _ in chunk) / len(chunk), sum(c for _, c in chunk) / len(chunk)])
    # pool adjacent violators so accuracy never falls as probability rises
    merged: list = []
    for x, yv in pts:
        merged.append([x, yv, 1])
        while len(merged) > 1 and merged[-2][1] > merged[-1][1]:
            x2, y2, n2 = merged.pop()
            x1, y1, n1 = merged.pop()
            merged.append([(x1 * n1 + x2 * n2) / (n1 + n2), (y1 * n1 + y2 * n2) / (n1 + n2), n1 + n2])
    return [[round(x, 4), round(yv, 4)] for x, yv, _ in merged]


def main(argv=None) -> int:
    global LEARNER, INNER_FOLDS, TREE_DEPTH, TREE_ROUNDS, TREE_RATE, TREE_MIN_LEAF
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="PDNC folder (with one sub-folder per novel)")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds, split by novel")
    ap.add_argument("--split-seed", type=int, default=0,
                    help="0: novels dealt to folds in name order; another number shuffles them first, so "
                         "that a change can be judged over several splits (one split moves by a quarter point)")
    ap.add_argument("--cv-only", action="store_true", help="report cross-validated numbers; write nothing")
    ap.add_argument("--ranker", action="store_true", help="also train the learned candidate ranker")
    ap.add_argument("--end-to-end", action="store_true",
                    help="with --ranker --cv-only: score held-out novels without the cast")
    ap.add_argument("--inner-folds", type=int, default=INNER_FOLDS,
                    help="novel folds that give the second round its first-round answers (1: in-sample)")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--learner", choices=("trees", "linear"), default="trees",
                    help="candidate scorer: boosted trees (default) or logistic regression")
    ap.add_argument("--tree-depth", type=int, default=TREE_DEPTH, help="boosted trees: depth of each tree")
    ap.add_argument("--tree-rounds", type=int, default=TREE_ROUNDS, help="boosted trees: number of trees")
    ap.add_argument("--tree-rate", type=float, default=TREE_RATE, help="boosted trees: learning rate")
    ap.add_argument("--tree-min-leaf", type=int, default=TREE_MIN_LEAF,
                    help="boosted trees: fewest candidates a leaf may hold")
    args = ap.parse_args(argv)
    TREE_DEPTH, TREE_ROUNDS, TREE_RATE, TREE_MIN_LEAF = (args.tree_depth, args.tree_rounds, args.tree_rate,
                                                         args.tree_min_leaf)
    folders = novel_folders(args.corpus)
    LEARNER = args.learner
    INNER_FOLDS = args.inner_folds
    if not args.ranker:
        return calibrate(folders, None if args.cv_only else CAL_OUT)
    return run(folders, args.folds, args.cv_only, Path(args.out), end_to_end=args.end_to_end,
               split_seed=args.split_seed)


def calibrate(folders, out=CAL_OUT, language_doc=None) -> int:
    """Accuracy of each attribution rule over the novels (with the gold cast): the confidence table."""
    hits: Counter = Counter()
    seen: Counter = Counter()
    total = QuoteScore()
    for f in folders:
        novel, doc = prepare(f, language_doc)
        at = A.Attributor(doc, use_model=False, describe=False)
        quotes = at.run()
        scored = doc.with_layers(quotes=tuple(quotes), characters=at.all_characters())
        matcher = NameMatcher(novel.characters)
        to_gold = {c.id: matcher.match(c.names) for c in predicted_characters(scored)}
        preds = predicted_quotes(scored)
        sc = score_quotes(novel.quotes, preds, to_gold)
        total.add(sc)
        bt = sc.accuracy_by_type()
        print(f"{novel.name:30s} acc={sc.accuracy:.3f} explicit={bt['explicit']:.3f} "
              f"anaphoric={bt['anaphoric']:.3f} implicit={bt['implicit']:.3f} "
              f"P={sc.precision:.3f} R={sc.recall:.3f}", flush=True)
        assignment = assign_quotes(novel.quotes, every_quote(scored))
        for k, u in enumerate(at.utts):
            if quotes[u[0]].speaker is None:
                continue
            golds = [assignment[i] for i in u if assignment[i] is not None]
            if not golds or novel.quotes[golds[0]].speaker is None:
                continue
            rule = at.rules[k]
            seen[rule] += 1
            hits[rule] += int(to_gold.get(quotes[u[0]].speaker) == novel.quotes[golds[0]].speaker)
    bt = total.accuracy_by_type()
    print(f"{'OVERALL':30s} acc={total.accuracy:.4f} explicit={bt['explicit']:.3f} "
          f"anaphoric={bt['anaphoric']:.3f} implicit={bt['implicit']:.3f} "
          f"P={total.precision:.4f} R={total.recall:.4f}")
    # Laplace-smoothed; a rule too rare to measure keeps its default (fabula.attribution.model)
    table = {r: round((hits[r] + 1) / (seen[r] + 2), 3) for r in sorted(seen) if seen[r] >= MIN_RULE_COUNT}
    for r in sorted(seen, key=lambda r: -seen[r]):
        print(f"  rule {r:20s} n={seen[r]:6d} accuracy={(hits[r] + 1) / (seen[r] + 2):.3f}"
              + ("" if r in table else " (too rare: the default stays)"))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"accuracy_by_rule": table, "counts": dict(seen),
                                   "note": "accuracy of each rule with the gold cast on the PDNC dev novels"},
                                  indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


def fold_of_novels(names, folds: int, seed: int = 0) -> dict:
    """Each novel's cross-validation fold: dealt round-robin in name order, or in an order shuffled
    by `seed` (the same seed, the same split)."""
    order = sorted(names)
    if seed:
        random.Random(seed).shuffle(order)
    return {n: i % folds for i, n in enumerate(order)}


def run(folders, folds=5, cv_only=False, out=OUT, language_doc=None, end_to_end=False, split_seed=0) -> int:
    """Cross-validate by novel (and, unless cv_only, train on all and write the model). With
    end_to_end the held-out novels are scored without the cast (characters found by the pipeline);
    training always uses the gold cast."""
    data = {}
    test_docs = {}
    for f in folders:
        novel, doc = prepare(f, language_doc)
        data[novel.name] = (novel, doc, examples(novel, doc))
        test_docs[novel.name] = prepare(f, language_doc, end_to_end=True)[1] if end_to_end else doc
        print(f"prepared {novel.name}: {len(data[novel.name][2])} utterances to rank", file=sys.stderr, flush=True)
    names = sorted(data)
    fold_of = fold_of_novels(names, folds, split_seed)
    total = QuoteScore()
    cal_pairs: dict[str, list] = defaultdict(list)
    stated = []  # (fold, ranker rule or None, confidence, right) per detected gold quote with a speaker
    for f in range(folds):
        train_names = [n for n in names if fold_of[n] != f]
        model = train_rounds(data, train_names)
        for n in names:
            if fold_of[n] != f:
                continue
            novel, doc = data[n][0], test_docs[n]
            at = A.Attributor(doc, use_model=model, describe=end_to_end)
            quotes = at.run()
            scored = doc.with_layers(quotes=tuple(quotes), characters=at.all_characters())
            matcher = NameMatcher(novel.characters)
            to_gold = {c.id: matcher.match(c.names) for c in predicted_characters(scored)}
            sc = score_quotes(novel.quotes, predicted_quotes(scored), to_gold)
            total.add(sc)
            bt = sc.accuracy_by_type()
            print(f"{n:30s} acc={sc.accuracy:.3f} explicit={bt['explicit']:.3f} "
                  f"anaphoric={bt['anaphoric']:.3f} implicit={bt['implicit']:.3f}", flush=True)
            # calibration pairs: model probability vs correct, by rule
            every = assign_quotes(novel.quotes, every_quote(scored))
            for k, p in at.model_prob.items():
                qi = at.utts[k][0]
                gi = every[qi]
                if gi is None or novel.quotes[gi].speaker is None:
                    continue
                cal_pairs[at.rules[k]].append((p, int(to_gold.get(quotes[qi].speaker) == novel.quotes[gi].speaker), f))
            seen = set()  # one judgement per gold quote, as the evaluation counts
            assignment = assign_quotes(novel.quotes, predicted_quotes(scored))
            for k, u in enumerate(at.utts):
                for qi in u:
                    gi = assignment[qi]
                    if gi is None or gi in seen or novel.quotes[gi].speaker is None or quotes[qi].speaker is None:
                        continue
                    seen.add(gi)
                    right = int(to_gold.get(quotes[qi].speaker) == novel.quotes[gi].speaker)
                    if k in at.model_prob:
                        stated.append((f, at.rules[k], at.model_prob[k], right))
                    else:
                        stated.append((f, None, quotes[qi].confidence, right))
    bt = total.accuracy_by_type()
    print(f"{'CV OVERALL':30s} acc={total.accuracy:.4f} explicit={bt['explicit']:.3f} "
          f"anaphoric={bt['anaphoric']:.3f} implicit={bt['implicit']:.3f} "
          f"P={total.precision:.4f} R={total.recall:.4f}")
    print(f"{'CV CALIBRATION':30s} ECE={cross_fitted_ece(stated, cal_pairs, folds):.4f} (each fold's ranker "
          f"probabilities mapped through calibration points fitted on the other folds)")
    if cv_only:
        return 0
    model = train_rounds(data, names).raw
    model["calibration"] = {r: calibration_points([(p, c) for p, c, _ in pts]) for r, pts in cal_pairs.items()}
    model["trained_on"] = names
    model["cv_accuracy"] = round(total.accuracy, 4)
    out.parent.mkdir(parents=True, exist_ok=True)
    # compact: the trees are thousands of numbers, read by programs, not people
    out.write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
