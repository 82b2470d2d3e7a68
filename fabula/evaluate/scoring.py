"""The scoring convention shared by every `fabula eval` benchmark (see corpora/README.md).

Quotations: each predicted quotation goes to the one gold quotation it overlaps by the most characters,
and only when that overlap is at least half of the predicted span's own length. A gold quotation is
detected when some predicted quotation goes to it; its predicted speaker is that of the assigned
quotation overlapping it most. Attribution accuracy counts undetected and unattributed gold as wrong.
Addressees (fabula's own measure; the convention has none) are (quotation, character) pairs: recall over
every gold quotation's addressees, precision over those predicted for the detected gold quotations.

Characters: a predicted character names a gold character by the name/alias rule in `match_names`.
Everything here works on plain spans and names, so it is tested without any corpus or pipeline.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping, Sequence

QUOTE_TYPES = ("explicit", "anaphoric", "implicit")
# Words set aside when a predicted name is looked up word by word ("Mr. Darcy" -> "darcy").
TITLES = frozenset({"mr", "mrs", "miss", "m", "dr", "sir", "lady", "the"})

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
_WORD_EDGE = re.compile(r"^[^\w']+|[^\w']+$")


# ---------------------------------------------------------------- gold and predicted records

@dataclass(frozen=True)
class GoldCharacter:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"  # he | she | they | unknown
    category: str = "minor"
    pseudo: bool = False  # PDNC's _group / _unknowable: a label, not a character

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) + tuple(a for a in self.aliases if a != self.name)


@dataclass(frozen=True)
class GoldQuote:
    id: str
    spans: tuple[tuple[int, int], ...]  # [start, end) per sub-quotation, sorted
    speaker: int | None = None  # a GoldCharacter id
    addressees: tuple[int, ...] = ()
    type: str | None = None  # explicit | anaphoric | implicit | None (blank upstream)


@dataclass(frozen=True)
class PredQuote:
    start: int
    end: int
    speaker: int | None = None  # a PredCharacter id
    confidence: float = 0.0
    addressees: tuple[int, ...] = ()  # PredCharacter ids
    # False for what the system itself calls no quotation of a character's words (speech the narrator
    # reports in quotation marks): kept so indexes match the document's quotes, never assigned or counted
    counted: bool = True


@dataclass(frozen=True)
class PredCharacter:
    id: int
    names: tuple[str, ...]
    gender: str = "unknown"


# ---------------------------------------------------------------- names

def normalize_name(name: str) -> str:
    """Case-folded, whitespace-collapsed, curly apostrophes made straight."""
    return " ".join(name.translate(_APOSTROPHES).casefold().split())


def name_words(name: str) -> list[str]:
    """The words of a name, punctuation at their edges removed ("Mr." -> "mr")."""
    out = []
    for w in normalize_name(name).split():
        w = _WORD_EDGE.sub("", w)
        if w:
            out.append(w)
    return out


class NameMatcher:
    """Decides which gold character (if any) a predicted character's names name."""

    def __init__(self, gold: Iterable[GoldCharacter]) -> None:
        self.gold = [g for g in gold if not g.pseudo]
        self._names = {g.id: {normalize_name(n) for n in g.names if n.strip()} for g in self.gold}
        self._words = {g.id: [set(name_words(n)) for n in g.names if n.strip()] for g in self.gold}

    def _exact(self, names: Iterable[str]) -> int | None:
        wanted = {normalize_name(n) for n in names if n and n.strip()}
        if not wanted:
            return None
        shared = {gid: len(wanted & gnames) for gid, gnames in self._names.items()}
        best = max(shared.values(), default=0)
        if best == 0:
            return None
        winners = [gid for gid, n in shared.items() if n == best]
        return winners[0] if len(winners) == 1 else None  # a tie is ambiguous: names nobody

    def _by_words(self, name: str) -> int | None:
        words = {w for w in name_words(name) if w not in TITLES}
        if not words:
            return None
        hits = [gid for gid, wordsets in self._words.items() if any(words <= ws for ws in wordsets)]
        return hits[0] if len(hits) == 1 else None

    def match(self, names: Sequence[str]) -> int | None:
        """The gold character id these names name, or None."""
        gid = self._exact(names)
        if gid is not None:
            return gid
        votes = Counter(g for g in (self._by_words(n) for n in names) if g is not None)
        if not votes:
            return None
        ranked = votes.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]

    def match_each(self, names: Sequence[str]) -> set[int]:
        """The distinct gold characters the names name one at a time (for merge errors)."""
        return {g for g in (self.match([n]) for n in names) if g is not None}


def match_names(pred_names: Sequence[str], gold: Iterable[GoldCharacter]) -> int | None:
    return NameMatcher(gold).match(pred_names)


# ---------------------------------------------------------------- quotations

CALIBRATION_BINS = 10


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


@dataclass
class QuoteScore:
    gold: int = 0
    predicted: int = 0
    assigned: int = 0  # predicted quotations assigned to a gold one
    detected: int = 0  # gold quotations with at least one assigned
    correct: int = 0
    gold_by_type: dict = field(default_factory=lambda: {t: 0 for t in QUOTE_TYPES})
    correct_by_type: dict = field(default_factory=lambda: {t: 0 for t in QUOTE_TYPES})
    # Reliability of the stated confidence, over detected gold quotations with a predicted speaker:
    # per tenth of the confidence range, [quotes, correct, sum of confidences].
    calibration: list = field(default_factory=lambda: [[0, 0, 0.0] for _ in range(CALIBRATION_BINS)])
    # Addressees, as (quotation, character) pairs: gold ones over all gold quotations, predicted ones over
    # the detected gold quotations, and those predicted that are gold.
    addressees_gold: int = 0
    addressees_predicted: int = 0
    addressees_correct: int = 0

    def add(self, other: "QuoteScore") -> "QuoteScore":
        for mine, theirs in zip(self.calibration, other.calibration):
            for k in range(3):
                mine[k] += theirs[k]
        self.gold += other.gold
        self.predicted += other.predicted
        self.assigned += other.assigned
        self.detected += other.detected
        self.correct += other.correct
        self.addressees_gold += other.addressees_gold
        self.addressees_predicted += other.addressees_predicted
        self.addressees_correct += other.addressees_correct
        for t in QUOTE_TYPES:
            self.gold_by_type[t] += other.gold_by_type[t]
            self.correct_by_type[t] += other.correct_by_type[t]
        return self

    @property
    def accuracy(self) -> float:
        return _ratio(self.correct, self.gold)

    @property
    def precision(self) -> float:
        return _ratio(self.assigned, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.detected, self.gold)

    def accuracy_by_type(self) -> dict:
        return {t: (_ratio(self.correct_by_type[t], self.gold_by_type[t]) if self.gold_by_type[t] else None)
                for t in QUOTE_TYPES}

    def add_confidence(self, confidence: float, right) -> None:
        """One detected gold quotation with a predicted speaker: its stated confidence, right or not."""
        conf = min(1.0, max(0.0, confidence))
        b = self.calibration[min(CALIBRATION_BINS - 1, int(conf * CALIBRATION_BINS))]
        b[0] += 1
        b[1] += right
        b[2] += conf

    def reliability(self) -> dict:
        """Expected calibration error and per-bin accuracy of the quotes' confidence."""
        total = sum(b[0] for b in self.calibration)
        bins = [{"confidence": b[2] / b[0], "accuracy": b[1] / b[0], "quotes": b[0]}
                for b in self.calibration if b[0]]
        ece = sum(b["quotes"] * abs(b["accuracy"] - b["confidence"]) for b in bins) / total if total else None
        return {"ece": ece, "bins": bins}

    def addressee_scores(self) -> dict:
        """Precision, recall and F1 of the addressees; None where the gold has none (LitBank)."""
        if not self.addressees_gold:
            return {"precision": None, "recall": None, "f1": None}
        p = _ratio(self.addressees_correct, self.addressees_predicted)
        r = _ratio(self.addressees_correct, self.addressees_gold)
        return {"precision": p, "recall": r, "f1": _ratio(2 * p * r, p + r)}

    def summary(self) -> dict:
        return {"accuracy": self.accuracy, "accuracy_by_type": self.accuracy_by_type(),
                "detection_precision": self.precision, "detection_recall": self.recall,
                "addressees": self.addressee_scores()}

    def counts(self) -> dict:
        return {"gold": self.gold, "predicted": self.predicted, "assigned": self.assigned,
                "detected": self.detected, "correct": self.correct,
                "addressees_gold": self.addressees_gold, "addressees_predicted": self.addressees_predicted,
                "addressees_correct": self.addressees_correct,
                "gold_by_type": dict(self.gold_by_type), "correct_by_type": dict(self.correct_by_type),
                "calibration": [list(b) for b in self.calibration]}

    @classmethod
    def from_counts(cls, data: Mapping) -> "QuoteScore":
        s = cls(gold=data["gold"], predicted=data["predicted"], assigned=data["assigned"],
                detected=data["detected"], correct=data["correct"])
        for k in ("addressees_gold", "addressees_predicted", "addressees_correct"):
            setattr(s, k, data.get(k, 0))
        s.gold_by_type.update(data["gold_by_type"])
        s.correct_by_type.update(data["correct_by_type"])
        if "calibration" in data:
            s.calibration = [list(b) for b in data["calibration"]]
        return s


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def assign_quotes(gold: Sequence[GoldQuote], predicted: Sequence[PredQuote]) -> list[int | None]:
    """For each predicted quotation, the index of the gold quotation it is assigned to, or None (always for
    one not `counted`)."""
    pieces = sorted((s, e, gi) for gi, g in enumerate(gold) for s, e in g.spans if e > s)
    starts = [p[0] for p in pieces]
    reach = []  # running max of piece ends, so a backward scan knows when to stop
    m = -1
    for _, e, _ in pieces:
        m = max(m, e)
        reach.append(m)
    out: list[int | None] = []
    for p in predicted:
        length = p.end - p.start
        if length <= 0 or not p.counted:
            out.append(None)
            continue
        per_gold: dict[int, int] = {}
        i = bisect.bisect_left(starts, p.end) - 1
        while i >= 0 and reach[i] > p.start:
            s, e, gi = pieces[i]
            ov = _overlap(p.start, p.end, s, e)
            if ov:
                per_gold[gi] = per_gold.get(gi, 0) + ov
            i -= 1
        if not per_gold:
            out.append(None)
            continue
        best = max(per_gold.values())
        gi = min(g for g, ov in per_gold.items() if ov == best)  # ties: the earlier gold quotation
        out.append(gi if 2 * best >= length else None)
    return out


def score_quotes(gold: Sequence[GoldQuote], predicted: Sequence[PredQuote],
                 speaker_to_gold: Mapping[int, int | None] | None = None,
                 labels: frozenset[int] = frozenset()) -> QuoteScore:
    """Score predicted quotations against gold. speaker_to_gold maps a predicted speaker id to the gold
    character it names (see NameMatcher); a predicted speaker missing from it names nobody. `labels`:
    gold ids that name no one (PDNC's _group), left out of the gold addressees (the accuracy keeps
    them as speakers, always wrong, as the convention says)."""
    speaker_to_gold = speaker_to_gold or {}
    score = QuoteScore(gold=len(gold), predicted=sum(1 for p in predicted if p.counted))
    assignment = assign_quotes(gold, predicted)
    best: dict[int, tuple[int, int]] = {}  # gold index -> (overlap, predicted index)
    for pi, gi in enumerate(assignment):
        if gi is None:
            continue
        score.assigned += 1
        p = predicted[pi]
        ov = sum(_overlap(p.start, p.end, s, e) for s, e in gold[gi].spans)
        if gi not in best or ov > best[gi][0]:
            best[gi] = (ov, pi)
    score.detected = len(best)
    for gi, g in enumerate(gold):
        if g.type in QUOTE_TYPES:
            score.gold_by_type[g.type] += 1
        gold_addressees = set(g.addressees) - labels
        score.addressees_gold += len(gold_addressees)
        if gi in best:
            # a predicted addressee that names no gold character is one wrong pair of its own
            named = {gid if (gid := speaker_to_gold.get(a)) is not None else ("unmatched", a)
                     for a in predicted[best[gi][1]].addressees}
            score.addressees_predicted += len(named)
            score.addressees_correct += len(named & gold_addressees)
        if gi not in best or g.speaker is None:
            continue
        p = predicted[best[gi][1]]
        right = p.speaker is not None and speaker_to_gold.get(p.speaker) == g.speaker
        if right:
            score.correct += 1
            if g.type in QUOTE_TYPES:
                score.correct_by_type[g.type] += 1
        if p.speaker is not None:
            score.add_confidence(p.confidence, right)
    return score


# ---------------------------------------------------------------- characters

@dataclass
class CharacterScore:
    speaking: int = 0  # gold characters with >= min_quotes quotations
    found: int = 0
    predicted: int = 0
    merged: int = 0  # predicted characters whose names name two or more gold characters
    spurious: int = 0  # predicted characters naming no gold character
    gendered: int = 0  # found speaking characters whose gold gender is he or she
    gender_right: int = 0  # ... and whose predicted gender is the same

    def add(self, other: "CharacterScore") -> "CharacterScore":
        for k in self.counts():
            setattr(self, k, getattr(self, k) + getattr(other, k))
        return self

    def summary(self) -> dict:
        return {"recall_speaking": _ratio(self.found, self.speaking),
                "merge_error_rate": _ratio(self.merged, self.predicted), "spurious": self.spurious,
                "gender_accuracy": _ratio(self.gender_right, self.gendered)}

    def counts(self) -> dict:
        return asdict(self)


def score_characters(gold_chars: Sequence[GoldCharacter], gold_quotes: Sequence[GoldQuote],
                     predicted: Sequence[PredCharacter], min_quotes: int = 5) -> CharacterScore:
    matcher = NameMatcher(gold_chars)
    said = Counter(q.speaker for q in gold_quotes if q.speaker is not None)
    speaking = {g.id for g in matcher.gold if said[g.id] >= min_quotes}
    found: set[int] = set()
    score = CharacterScore(speaking=len(speaking), predicted=len(predicted))
    gender_of = {g.id: g.gender for g in matcher.gold}
    judged: dict[int, bool] = {}  # gold id -> predicted gender right (its first match decides)
    for p in predicted:
        whole = matcher.match(p.names)
        each = matcher.match_each(p.names)
        if whole is not None:
            found.add(whole)
            if whole in speaking and gender_of.get(whole) in ("he", "she"):
                judged.setdefault(whole, p.gender == gender_of[whole])
        if len(each) >= 2:
            score.merged += 1
        if whole is None and not each:
            score.spurious += 1
    score.found = len(found & speaking)
    score.gendered = len(judged)
    score.gender_right = sum(judged.values())
    return score


# ---------------------------------------------------------------- exact spans

@dataclass
class SpanScore:
    gold: int = 0
    predicted: int = 0
    correct: int = 0

    def add(self, other: "SpanScore") -> "SpanScore":
        self.gold += other.gold
        self.predicted += other.predicted
        self.correct += other.correct
        return self

    @property
    def precision(self) -> float:
        return _ratio(self.correct, self.predicted)

    @property
    def recall(self) -> float:
        return _ratio(self.correct, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_spans(gold: Iterable[tuple[int, int]], predicted: Iterable[tuple[int, int]]) -> SpanScore:
    g, p = set(gold), set(predicted)
    return SpanScore(gold=len(g), predicted=len(p), correct=len(g & p))
