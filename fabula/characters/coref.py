"""Linking pronouns, noun phrases and ambiguous names to characters with a salience/recency model.

Each character keeps where it was last mentioned (sentence, whether as a subject, whether inside a
quotation). A third-person pronoun goes to the most salient character it agrees with in gender: recent
mentions score higher, subjects higher than objects, narration higher than names spoken inside a quote
(those are often the person addressed). A pronoun is not linked to the subject of its own clause unless
it is reflexive or possessive ("Tom saw him" is not Tom). Inside quotations "I"/"me" is the speaker and
"you" the addressee: both are left for attribution. In narration of a first-person novel, "I" is the
narrator character.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

RECENCY = 3.0  # score of a mention in the same sentence; divided by 1 + sentences since
SUBJECT = 0.25  # bonus when the character was last mentioned as a subject
QUOTED = 1.0  # malus for narration pronouns when the character was last named inside a quotation
NEAR = 0.5  # bonus for a mention few tokens back
FREQUENCY = 0.2  # weight of log(mentions so far)
UNKNOWN_PENALTY = 2.0  # a character of unknown gender (often not a person at all) is a last resort
WINDOW = 6  # sentences a character stays available to pronouns without a new mention
FAMILY_WINDOW = 60  # sentences a surname keeps its family in the scene for ambiguous given names
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
REFLEXIVE = frozenset({"himself", "herself", "themselves", "themself"})
POSSESSIVE = frozenset({"his", "her", "their", "hers", "theirs"})


@dataclass
class Item:
    s: int  # first token
    e: int  # one past the last token
    kind: str  # name | noun | pronoun
    head: int  # token whose dependency describes the mention
    cls: str = ""  # pronoun class: he | she | they | first | second; noun gender
    char: int | None = None
    options: tuple = ()  # candidate characters of an ambiguous name
    definite: bool = False  # noun phrase with "the"
    end_char: int | None = None  # a name whose last token carries glued punctuation
    surname: tuple = ()  # the surname a name mention shows, if any (normalized, as in the name's key)


@dataclass
class _Seen:
    sent: int
    subject: bool
    quoted: bool
    head: int
    clause: int
    pos: int = 0


def resolve(tv, items: list[Item], gender: dict[int, str], totals: dict[int, int],
            narrator: int | None = None, surnames: dict[int, frozenset] | None = None) -> None:
    toks = tv.tokens
    last: dict[int, _Seen] = {}
    counts: dict[int, int] = {}
    surnames = surnames or {}
    surname_seen: dict[str, int] = {}  # the last sentence each surname was shown in

    def family_recency(cid: int, sent: int) -> float:
        # a bare "Charles" that none of its bearers' recent mentions explains goes to the family the
        # scene is about: the one whose surname was named most recently ("Mrs Musgrove", "Louisa Musgrove")
        seen = [surname_seen[w] for w in surnames.get(cid, ()) if w in surname_seen]
        if not seen or sent - max(seen) > FAMILY_WINDOW:
            return -1.0
        return 1.0 / (1 + sent - max(seen))

    def clause_of(i: int) -> int:
        # the verb a token belongs to: climb heads until a verb (or the root)
        j = i
        for _ in range(8):
            t = toks[j]
            if t.pos in ("VERB", "AUX") or t.head == j or t.head < 0:
                return j
            j = t.head
        return j

    def note(cid: int, it: Item) -> None:
        h = it.head
        last[cid] = _Seen(tv.sent[h], toks[h].dep in SUBJECT_DEPS, tv.in_quote[h], toks[h].head, clause_of(h), h)
        counts[cid] = counts.get(cid, 0) + 1

    def score(cid: int, it: Item, sent: int, quoted: bool) -> float | None:
        seen = last.get(cid)
        if seen is None:
            return None
        d = sent - seen.sent
        if d > WINDOW:
            return None
        sc = RECENCY / (1 + d) + NEAR * math.exp(-(it.head - seen.pos) / 15.0)
        if seen.subject:
            sc += SUBJECT
        if seen.quoted and not quoted:
            sc -= QUOTED
        sc += FREQUENCY * math.log1p(counts.get(cid, 0) + totals.get(cid, 0) / 10)
        return sc

    # a shared name ("Charles") the scene does not explain goes to whoever has been going by it
    habit: dict[tuple, int] = {}

    current = -1
    for it in sorted(items, key=lambda x: x.s):
        h = it.head
        sent = tv.sent[h]
        quoted = tv.in_quote[h]
        if sent != current:
            current = sent
            # characters not mentioned for a while drop out of reach (keeps long works fast)
            stale = [cid for cid, seen in last.items() if sent - seen.sent > WINDOW]
            for cid in stale:
                del last[cid]
        if it.kind == "name":
            if it.char is None and it.options:
                best = None
                for cid in it.options:
                    sc = score(cid, it, sent, quoted)
                    key = (sc if sc is not None else -1.0, family_recency(cid, sent),
                           habit.get((it.options, cid), 0), totals.get(cid, 0))
                    if best is None or key > best[0]:
                        best = (key, cid)
                it.char = best[1]
                habit[it.options, it.char] = habit.get((it.options, it.char), 0) + 1
            if it.char is not None:
                note(it.char, it)
            for w in it.surname:
                surname_seen[w] = sent
            continue
        if it.kind == "pronoun":
            if it.cls == "first":
                if not quoted and narrator is not None:
                    it.char = narrator
                    note(narrator, it)
                continue
            if it.cls == "second":
                continue
            word = tv.lower[h]
            own_clause = clause_of(h)
            best = None
            for cid, seen in last.items():
                if cid == narrator:
                    continue  # a first-person narrator is "I", not "he" or "she"
                g = gender.get(cid, "unknown")
                if it.cls == "they":
                    if g != "they":
                        continue
                elif g not in (it.cls, "unknown"):
                    continue
                sc = score(cid, it, sent, quoted)
                if sc is None:
                    continue
                if g == "unknown":
                    sc -= UNKNOWN_PENALTY
                same_clause = seen.sent == sent and seen.clause == own_clause
                if same_clause and seen.subject:
                    if word in REFLEXIVE or word in POSSESSIVE:
                        sc += 2.0
                    elif toks[h].dep not in SUBJECT_DEPS:
                        continue  # "Tom saw him": him is not Tom
                if best is None or sc > best[0]:
                    best = (sc, cid)
            if best is not None:
                it.char = best[1]
                note(best[1], it)
            continue
        # noun phrases: only definite, gendered ones ("the old man") are linked, and only to recent people
        if it.kind == "noun" and it.definite and it.cls in ("he", "she"):
            best = None
            for cid, seen in last.items():
                if gender.get(cid, "unknown") != it.cls:
                    continue
                if sent - seen.sent > 2:
                    continue
                sc = score(cid, it, sent, quoted)
                if sc is not None and (best is None or sc > best[0]):
                    best = (sc, cid)
            if best is not None:
                it.char = best[1]
                note(best[1], it)
