"""The learned ranker: candidate speakers of an utterance with their features, scored by the
linear model, then decoded jointly over each conversation."""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass

from ..steps.speech_verbs import SPEECH_LEMMAS
from .lexicon import FEMALE_NOUNS, MALE_NOUNS, PRON_GENDER, SUBJ_DEPS
from .tuning import JOINT, LOOKBACK_PARAS, SCAN, SURE, T_ALT, T_EM, T_REP, T_SAME, T_VOC, TOPK


@dataclass
class _Walk:
    """What one pass through a conversation around an utterance collects (_conversation_walk)."""
    wide: Counter            # known speakers, 39 utterances back and 9 ahead: how often each spoke
    tp_prev: dict            # speaker -> turns back to their nearest known utterance
    tp_next: dict            # speaker -> turns ahead to their nearest known utterance (11 ahead)
    rtp_prev: dict           # the same, over the rules' answers
    last_turn: dict          # speaker -> utterances back to their last known one (7 back)
    back: int | None         # turns back to the nearest known utterance
    ahead: int | None        # turns ahead to the nearest known utterance
    speakers: set            # known speakers 30 back to 9 ahead


class RankerMixin:

    def _rank(self, model, speaker, rule, qtype) -> None:
        """Rank candidate speakers of every utterance without a named tag with a learned scorer."""
        n = len(self.utts)
        known = list(speaker)  # named tags only: the same evidence at training and at run time
        self._tag_info = {}
        self._untethered: set[int] = set()  # utterances with no named speaker within reach (_conversation_walk)
        self.idiolect = Idiolects(self, known)
        # turns: a new paragraph starts a new turn (parity of speakers is counted in turns)
        self.turn_no = [0] * n
        for x in range(1, n):
            self.turn_no[x] = self.turn_no[x - 1] + int(self.u_par[x] != self.u_last_par[x - 1])
        for k, (_, i, adjacent) in self.deferred.items():
            t = self.tokens[i]
            lw = self.text[t.start:t.end].lower()
            g = PRON_GENDER.get(lw)
            if g is None and t.pos == "NOUN":
                g = "she" if lw in FEMALE_NOUNS else "he" if lw in MALE_NOUNS else None
            m = self.mention_of_token.get(i)
            linked = m.character if m is not None and m.character in self.characters else None
            self._tag_info[k] = (g, adjacent, linked)
        ranked: dict[int, tuple[list[int], list[dict]]] = {}
        for k in range(n):
            if known[k] is not None:
                continue
            cands, rows = self._candidates(k, known)
            if cands:
                ranked[k] = (cands, rows)
        if self.collect is not None and self.collect_round == 1:
            self.collect.extend((k, c, r) for k, (c, r) in ranked.items())
        if model is None:
            return
        sc = self._batch_scores(ranked, model.scores)
        soft = {k: self._softmax(ranked[k][0], sc[k]) for k in ranked}
        picks = {k: _best(p) for k, p in soft.items()}
        # later rounds: the same candidate features plus the previous round's answers around each
        # quote (and how sure it was), and idiolects learnt from its confident answers as well
        for rnd in range(2, len(model.later) + 3):
            collecting = self.collect is not None and self.collect_round == rnd
            if rnd - 2 >= len(model.later) and not collecting:
                break
            first = list(known)
            sure = list(known)
            for k, (cid, prob) in picks.items():
                first[k] = cid
                if prob >= SURE:
                    sure[k] = cid
            for k in range(n):
                if first[k] is None and self.rule_speaker is not None:
                    first[k] = self.rule_speaker[k]
            idiolect = self.idiolect.relabelled(sure)
            # No named speaker within reach either way: the previous round's turn-taking is all the
            # evidence there is, and a later round only second-guesses it (in a 1,000-turn untagged
            # exchange it flipped the turns' phase once; measured cost of keeping: 15 of 24,678 quotes)
            again = {}
            for k, (cands, rows) in ranked.items():
                if k in self._untethered:
                    continue
                style, _ = idiolect.scores(k, cands)
                near = self._near_turns(k, first, soft)
                rows = [self._later_round(k, c, r, first, style, soft, near) for c, r in zip(cands, rows)]
                if len(rows) > 1:
                    _add_margin(rows, "style2")
                again[k] = (cands, rows)
            if collecting:
                self.collect.extend((k, c, r) for k, (c, r) in again.items())
                break
            sc = sc | self._batch_scores(again, model.later[rnd - 2].scores)
            soft = {k: self._softmax(ranked[k][0], sc[k]) for k in ranked}
            picks = {k: _best(p) for k, p in soft.items()}
        if JOINT:
            picks = self._decode(ranked, sc, soft, known, picks)
        for k, (cid, prob) in picks.items():
            speaker[k] = cid
            info = self._tag_info.get(k)
            if info is not None and not info[1]:
                rule[k], qtype[k] = "model_tag", "anaphoric"
            else:
                rule[k], qtype[k] = "model", "implicit"
            self.model_prob[k] = model.calibrate(prob, rule[k])

    def _decode(self, ranked, scores, soft, known, picks):
        """Decode each conversation jointly: a second-order Viterbi over its utterances' speakers.

        Tagged utterances are fixed; the others' emissions are the ranker's log-probabilities over
        its top candidates. Transitions: inside one paragraph the speaker stays; a new paragraph
        is a new speaker (repeating costs T_REP) and A, B, A turn-taking earns T_ALT.
        Linear: at most TOPK candidates per utterance, so a constant amount of work per step."""
        n = len(self.utts)
        out = dict(picks)
        k = 0
        while k < n:
            j = k
            while j + 1 < n and self.conv[j + 1] == self.conv[k]:
                j += 1
            seq = list(range(k, j + 1))
            k = j + 1
            if not any(x in ranked for x in seq) or len(seq) < 2:
                continue
            states = []
            for x in seq:
                if known[x] is not None:
                    states.append([(known[x], 0.0)])
                elif x in ranked:
                    cands = ranked[x][0]
                    ss = scores[x]
                    mx = max(ss)
                    z = mx + math.log(sum(math.exp(v - mx) for v in ss))
                    opts = sorted(((c, v - z) for c, v in zip(cands, ss)), key=lambda t: -t[1])[:TOPK]
                    voc = self.vocatives[x]
                    states.append([(c, T_EM * lp - (T_VOC if c in voc else 0.0)) for c, lp in opts])
                else:
                    states.append([(None, 0.0)])
            # delta over (previous speaker, current speaker)
            delta = {(None, c): e for c, e in states[0]}
            back = [dict()]
            for t in range(1, len(seq)):
                x = seq[t]
                newpar = self.u_par[x] != self.u_last_par[seq[t - 1]]
                nd: dict = {}
                bp: dict = {}
                for c, e in states[t]:
                    for (a, b), sc in delta.items():
                        tr = 0.0
                        if c is not None and b is not None:
                            if not newpar:
                                tr = T_SAME if c == b else 0.0
                            elif c == b:
                                tr = -T_REP
                            elif a is not None and c == a:
                                tr = T_ALT
                        v = sc + tr + e
                        key = (b, c)
                        if key not in nd or v > nd[key]:
                            nd[key], bp[key] = v, a
                delta = nd
                back.append(bp)
            (b, c) = max(delta, key=delta.get)
            path = [c, b]
            for t in range(len(seq) - 1, 1, -1):
                a = back[t][(path[-1], path[-2])]
                path.append(a)
            path.reverse()
            path = path[-len(seq):]
            for x, c in zip(seq, path):
                if x in out and c is not None and c != out[x][0]:
                    out[x] = (c, soft[x][c])
        return out

    @staticmethod
    def _batch_scores(ranked, score_rows) -> dict[int, list[float]]:
        """Every utterance's candidate scores from one call (the tree scorer works on batches)."""
        keys = list(ranked)
        flat = [row for k in keys for row in ranked[k][1]]
        scores = score_rows(flat)
        out, at = {}, 0
        for k in keys:
            m = len(ranked[k][1])
            out[k] = scores[at:at + m]
            at += m
        return out

    @staticmethod
    def _softmax(cands, scores) -> dict:
        mx = max(scores)
        e = [math.exp(v - mx) for v in scores]
        z = sum(e)
        return {c: x / z for c, x in zip(cands, e)}

    def _near_turns(self, k: int, first: list, soft: dict) -> Counter:
        """Per character, the previous round's expected number of turns among the 6 utterances each
        side of k in its conversation (a soft count: probabilities where the ranker answered)."""
        near: Counter = Counter()
        conv, n = self.conv[k], len(self.utts)
        for x in range(max(0, k - 6), min(n, k + 7)):
            if x == k or self.conv[x] != conv:
                continue
            if x in soft:
                near.update(soft[x])
            elif first[x] is not None:
                near[first[x]] += 1.0
        return near

    def _later_round(self, k: int, c: int, row: dict, first: list, style: dict, soft: dict,
                     near: Counter) -> dict:
        n = len(self.utts)
        conv = self.conv[k]

        def at(x):
            return first[x] if 0 <= x < n and self.conv[x] == conv else None

        def prob(x):
            if not (0 <= x < n and self.conv[x] == conv):
                return 0.0
            if x in soft:
                return soft[x].get(c, 0.0)
            return float(first[x] == c)
        r = dict(row)
        p1, p2, n1, n2 = at(k - 1), at(k - 2), at(k + 1), at(k + 2)
        r["r1_pick"] = float(first[k] == c)
        r["r1_prev"] = float(p1 == c)
        r["r1_prev2_alt"] = float(p2 == c and p1 is not None and p1 != c)
        r["r1_next"] = float(n1 == c)
        r["r1_next2_alt"] = float(n2 == c and n1 is not None and n1 != c)
        r["r1_both_sides"] = float(p1 is not None and p1 == n1 and p1 != c)
        # the previous round's probabilities, not only its answers: how sure it was around here
        r["r1_p"] = prob(k)
        r["r1_p_prev"] = prob(k - 1)
        r["r1_p_next"] = prob(k + 1)
        r["r1_p_prev2"] = prob(k - 2)
        r["r1_p_next2"] = prob(k + 2)
        r["r1_p_prev3"] = prob(k - 3)
        r["r1_p_next3"] = prob(k + 3)
        r["r1_p_near"] = near.get(c, 0.0)
        mine = soft.get(k, {})
        r["r1_p_margin"] = mine.get(c, 0.0) - max((v for o, v in mine.items() if o != c), default=0.0)
        r["style2"] = style.get(c, 0.0)
        return r

    def _candidates(self, k: int, known: list) -> tuple[list[int], list[dict]]:
        qs = self.quotes
        u = self.utts[k]
        pos = qs[u[0]].start
        end = qs[u[-1]].end
        par = self.u_par[k]
        lpar = self.u_last_par[k]
        conv = self.conv[k]
        n = len(self.utts)
        cands: list[int] = []

        def add(c):
            # a described speaker ("a little girl") speaks where a tag says so, never by the ranker's guess
            if c is not None and c in self.characters and c not in cands and c not in self.described:
                cands.append(c)

        # narration mentions before the quote (most recent first), and after it in its paragraph
        lo = self.paragraphs[max(0, par - LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        recent: list[int] = []
        recent_subj: list[int] = []
        same_par_before: set = set()
        stop = max(-1, j - SCAN)
        while j > stop and self.named[j][0] >= lo and len(recent) < 8:
            st, cid, ti, subj = self.named[j]
            if cid not in recent:
                recent.append(cid)
            if subj and cid not in recent_subj:
                recent_subj.append(cid)
            if self._par_of(st) == par:
                same_par_before.add(cid)
            j -= 1
        after: list[int] = []
        pend = self.paragraphs[lpar].end
        j = bisect.bisect_left(self.named_starts, end)
        stop = min(len(self.named), j + SCAN)
        while j < stop and self.named[j][0] < pend:
            if self.named[j][1] not in after:
                after.append(self.named[j][1])
            j += 1
        for c in recent[:6]:
            add(c)
        for c in after:
            add(c)
        # speakers and vocatives around it in the conversation
        window = [x for x in range(max(0, k - 6), min(n, k + 5)) if self.conv[x] == conv and x != k]
        for x in window:
            add(known[x])
        for x in (k - 1, k + 1):
            if 0 <= x < n and self.conv[x] == conv:
                for v in self.vocatives[x]:
                    add(v)
        info = self._tag_info.get(k)
        if info is not None and info[2] is not None:
            add(info[2])
        if self.rule_speaker is not None:
            add(self.rule_speaker[k])
        add(self.narrator)
        # Wider recall (measured: the gold speaker was missing from 10% of the lists above):
        # earlier speakers of a long conversation, the rules' picks and vocatives around it,
        # characters the linker ties to recent pronouns, the story's most prominent characters.
        walk = self._conversation_walk(k, known)
        if walk.back is None and walk.ahead is None:
            self._untethered.add(k)
        wide = walk.wide
        for c, _ in wide.most_common(4):
            add(c)
        rule_near = set()
        if self.rule_speaker is not None:
            for x in (k - 2, k - 1, k + 1, k + 2):
                if 0 <= x < n and self.conv[x] == conv and self.rule_speaker[x] is not None:
                    rule_near.add(self.rule_speaker[x])
                    add(self.rule_speaker[x])
        voc_near = set()
        for x in range(k - 3, k + 4):
            if 0 <= x < n and self.conv[x] == conv and x != k:
                voc_near.update(self.vocatives[x])
        for v in voc_near:
            add(v)
        linked_near: list[int] = []
        j = bisect.bisect_left(self.linked_starts, pos) - 1
        while j >= 0 and self.linked[j][0] >= lo and len(linked_near) < 4:
            if self.linked[j][1] not in linked_near:
                linked_near.append(self.linked[j][1])
            j -= 1
        for c in linked_near:
            add(c)
        if k > 0 and self.conv[k - 1] == conv:
            add(self.tag_addr.get(k - 1))
        top = self.top_characters
        for c in top:
            add(c)
        if not cands:
            return [], []
        voc_here = set(self.vocatives[k])
        voc_prev = set(self.vocatives[k - 1]) if k > 0 and self.conv[k - 1] == conv else set()
        voc_next = set(self.vocatives[k + 1]) if k + 1 < n and self.conv[k + 1] == conv else set()
        in_quote = set()
        for i in u:
            for m in self._mentions_in(qs[i].start, qs[i].end):
                if m.character is not None and m.character not in voc_here:
                    in_quote.add(m.character)

        def neighbour(x):
            if 0 <= x < n and self.conv[x] == conv:
                return known[x]
            return None

        same_par_prev = k > 0 and self.u_last_par[k - 1] == par
        same_par_next = k + 1 < n and self.u_par[k + 1] == lpar
        p1, p2 = neighbour(k - 1), neighbour(k - 2)
        n1, n2 = neighbour(k + 1), neighbour(k + 2)
        spoke = Counter(known[x] for x in window if known[x] is not None)
        last_turn = walk.last_turn
        g, adjacent, linked = info if info is not None else (None, False, None)
        first_person = self.narrator is not None
        pp_names, pp_pron, pp_gesture = self._prev_narration(k)
        # turn parity to each candidate's nearest known turns, and to the rules' answers
        tp_prev, tp_next, rtp_prev = walk.tp_prev, walk.tp_next, walk.rtp_prev
        # who the narration since the previous utterance names, and who is its subject
        between: set = set()
        between_subj: set = set()
        gap_lo = qs[self.utts[k - 1][-1]].end if k > 0 and self.conv[k - 1] == conv else lo
        j = bisect.bisect_left(self.named_starts, gap_lo)
        while j < len(self.named) and self.named[j][0] < pos:
            between.add(self.named[j][1])
            if self.named[j][3]:
                between_subj.add(self.named[j][1])
            j += 1
        j = bisect.bisect_left(self.linked_starts, gap_lo)
        while j < len(self.linked) and self.linked[j][0] < pos:
            between.add(self.linked[j][1])
            j += 1
        addr_prev = self.tag_addr.get(k - 1) if k > 0 and self.conv[k - 1] == conv and not same_par_prev else None
        addr_here = self.tag_addr.get(k)
        ctx = self._context(k, conv, walk)
        style, style_words = self.idiolect.scores(k, cands)
        # the nearest characters of the tag pronoun's gender, named in the narration before the quote
        if g in ("he", "she"):
            gendered = [x for x in recent if x in self.characters and self.characters[x].gender == g]
            gendered_subj = [x for x in recent_subj if x in self.characters and self.characters[x].gender == g]
        else:
            gendered, gendered_subj = [], []
        rows = []
        for c in cands:
            cg = self.characters[c].gender
            r = {
                "bias_cand": 1.0,
                "tag_pron_match": float(g in ("he", "she") and cg == g),
                "tag_pron_mismatch": float(g in ("he", "she") and cg in ("he", "she") and cg != g),
                "tag_i_narrator": float(g == "i" and c == self.narrator),
                "tag_linked": float(linked is not None and linked == c),
                "adjacent_tag": float(adjacent and g in ("he", "she") and cg == g),
                "recent0": float(bool(recent) and recent[0] == c),
                "recent1": float(len(recent) > 1 and recent[1] == c),
                "recent2": float(len(recent) > 2 and recent[2] == c),
                "recent_any": float(c in recent),
                "subj0": float(bool(recent_subj) and recent_subj[0] == c),
                "subj1": float(len(recent_subj) > 1 and recent_subj[1] == c),
                "tag_gender_first": float(bool(gendered) and gendered[0] == c),
                "tag_gender_second": float(len(gendered) > 1 and gendered[1] == c),
                "tag_gender_subj_first": float(bool(gendered_subj) and gendered_subj[0] == c),
                "same_par_before": float(c in same_par_before),
                "after_in_par": float(c in after),
                "after_first": float(bool(after) and after[0] == c),
                "prev_sp": float(p1 == c and not same_par_prev),
                "prev_sp_same_par": float(p1 == c and same_par_prev),
                "prev2_alt": float(p2 == c and p1 is not None and p1 != c),
                "prev2": float(p2 == c),
                "next_sp": float(n1 == c and not same_par_next),
                "next_sp_same_par": float(n1 == c and same_par_next),
                "next2_alt": float(n2 == c and n1 is not None and n1 != c),
                "voc_here": float(c in voc_here),
                "voc_prev": float(c in voc_prev),
                "voc_next": float(c in voc_next),
                "named_in_quote": float(c in in_quote),
                "spoke_conv": math.log1p(spoke.get(c, 0)),
                "parity_even": float(last_turn.get(c, 1) % 2 == 0),
                "parity_odd1": float(last_turn.get(c) == 1),
                "freq": self.prominence.get(c, 0.0),
                "narrator": float(c == self.narrator),
                "narrator_untagged": float(first_person and c == self.narrator and g is None),
                "narrator_pron": float(first_person and c == self.narrator and g in ("he", "she")),
                "gender_unknown": float(cg not in ("he", "she")),
                "n_cands": 1.0 / len(cands),
                "pp_name": float(c in pp_names),
                "pp_name_first": float(bool(pp_names) and pp_names[0] == c),
                "pp_pron_match": float(pp_pron is not None and cg == pp_pron),
                "pp_pron_match_recent0": float(pp_pron is not None and cg == pp_pron
                                               and bool(recent) and recent[0] == c),
                "pp_gesture_name": float(pp_gesture and bool(pp_names) and pp_names[0] == c),
                "spoke_wide": math.log1p(wide.get(c, 0)),
                "tp_prev_same": float(tp_prev.get(c) == 0),
                "tp_prev_odd": float(tp_prev.get(c, 0) % 2 == 1),
                "tp_prev_even": float(tp_prev.get(c, 0) > 0 and tp_prev[c] % 2 == 0),
                "tp_next_odd": float(tp_next.get(c, 0) % 2 == 1),
                "tp_next_even": float(tp_next.get(c, 0) > 0 and tp_next[c] % 2 == 0),
                "rtp_prev_odd": float(rtp_prev.get(c, 0) % 2 == 1),
                "rtp_prev_even": float(rtp_prev.get(c, 0) > 0 and rtp_prev[c] % 2 == 0),
                "narr_between": float(c in between),
                "narr_between_subj": float(c in between_subj),
                "tag_addr_prev": float(addr_prev == c),
                "tag_addr_here": float(addr_here == c),
                "rule_near": float(c in rule_near),
                "voc_near": float(c in voc_near),
                "linked_recent": float(c in linked_near),
                "linked_recent0": float(bool(linked_near) and linked_near[0] == c),
                "top_char": float(c in top),
                "top_char0": float(bool(top) and top[0] == c),
                "style": style.get(c, 0.0),
                "style_known": style_words.get(c, 0.0),
            }
            r.update(ctx)
            if self.rule_speaker is not None:
                rs = self.rule_speaker
                rr = self.rule_rule[k]
                r["rule_pick"] = float(rs[k] == c)
                r["rule_pick_" + rr] = float(rs[k] == c)
                r["rule_prev"] = float(k > 0 and self.conv[k - 1] == conv and rs[k - 1] == c)
                r["rule_prev2"] = float(k > 1 and self.conv[k - 2] == conv and rs[k - 2] == c)
                r["rule_next"] = float(k + 1 < n and self.conv[k + 1] == conv and rs[k + 1] == c)
                r["rule_next2"] = float(k + 2 < n and self.conv[k + 2] == conv and rs[k + 2] == c)
            # separate weights for quotes with a pronoun tag and for untagged ones
            regime = "T_" if g in ("he", "she", "i") else "U_"
            for key in list(r):
                if r[key]:
                    r[regime + key] = r[key]
            rows.append(r)
        _add_relative(rows)
        return cands, rows

    def _conversation_walk(self, k: int, known: list) -> "_Walk":
        """One pass back (up to 39 utterances) and one forward (up to 39) through utterance k's
        conversation, collecting what the candidate and situation features need."""
        conv, n, tn = self.conv[k], len(self.utts), self.turn_no
        w = _Walk(Counter(), {}, {}, {}, {}, None, None, set())
        for x in range(k - 1, max(-1, k - 40), -1):
            if self.conv[x] != conv:
                break
            c = known[x]
            if c is not None:
                w.wide[c] += 1
                w.tp_prev.setdefault(c, tn[k] - tn[x])
                if x >= k - 7:
                    w.last_turn.setdefault(c, k - x)
                if x >= k - 30:
                    w.speakers.add(c)
                if w.back is None:
                    w.back = tn[k] - tn[x]
            if self.rule_speaker is not None and self.rule_speaker[x] is not None:
                w.rtp_prev.setdefault(self.rule_speaker[x], tn[k] - tn[x])
        for x in range(k + 1, min(n, k + 40)):
            if self.conv[x] != conv:
                break
            c = known[x]
            if c is not None:
                if x < k + 10:
                    w.wide[c] += 1
                    w.speakers.add(c)
                if x < k + 12:
                    w.tp_next.setdefault(c, tn[x] - tn[k])
                if w.ahead is None:
                    w.ahead = tn[x] - tn[k]
        return w

    def _context(self, k: int, conv: int, walk: "_Walk") -> dict[str, float]:
        """Features of the utterance's situation, the same for every candidate: the trees combine
        them with the candidate features (after a question the other one answers; after narration
        the same speaker often goes on)."""
        qs = self.quotes
        pos = qs[self.utts[k][0]].start
        par = self.paragraphs[self.u_par[k]]
        prev = k - 1 if k > 0 and self.conv[k - 1] == conv else None
        ctx = {"ctx_par_opens_with_quote": float(not self.text[par.start:pos].strip(" \"'\u201c\u2018")),
               "ctx_len": math.log1p(qs[self.utts[k][-1]].end - pos)}
        if prev is not None:
            pend = qs[self.utts[prev][-1]].end
            ctx["ctx_prev_question"] = float(self.text[max(0, pend - 2):pend + 1].strip(" \"'\u201d\u2019")[-1:] == "?")
            narration = sum(1 for ch in self.text[pend:pos] if ch.isalpha())
            ctx["ctx_narration_before"] = math.log1p(narration)
        else:
            ctx["ctx_conv_start"] = 1.0
        back, ahead = walk.back, walk.ahead
        ctx["ctx_turns_since_tag"] = float(min(back, 8)) if back is not None else 9.0
        ctx["ctx_turns_to_tag"] = float(min(ahead, 8)) if ahead is not None else 9.0
        ctx["ctx_n_speakers"] = float(min(len(walk.speakers), 5))
        if prev is not None:
            ctx["ctx_prev_vocative"] = float(bool(self.vocatives[prev]))
            ctx["ctx_prev_same_par"] = float(self.u_last_par[prev] == self.u_par[k])
        return ctx

    def _prev_narration(self, k: int):
        """The subjects of the last sentence of a short quote-free paragraph right before utterance
        k's paragraph ("Anna sighed.", "He climbed into bed.", "Margaret shook her head."): named
        characters, the gender of a he/she subject, and whether its verb is a gesture of speech."""
        par = self.u_par[k]
        qs = self.quotes
        first = qs[self.utts[k][0]]
        if par == 0 or self.text[self.paragraphs[par].start:first.start].strip(" \"'\u201c\u2018\n"):
            return [], None, False
        if k > 0 and self.u_last_par[k - 1] >= par - 1:
            return [], None, False
        pp = self.paragraphs[par - 1]
        if pp.end - pp.start > 600:
            return [], None, False
        toks = self._last_sentence([i for i in self._tok_range(pp.start, pp.end) if not self.in_quote[i]])
        names: list[int] = []
        pron = None
        gesture = False
        for i in toks:
            t = self.tokens[i]
            if t.dep not in SUBJ_DEPS or self.tokens[t.head].pos not in ("VERB", "AUX"):
                continue
            m = self.mention_of_token.get(i)
            if m is not None and m.kind == "name" and m.character in self.characters:
                if m.character not in names:
                    names.append(m.character)
            else:
                g = PRON_GENDER.get(self.text[t.start:t.end].lower())
                if g in ("he", "she") and pron is None and not names:
                    pron = g
            if self.tokens[t.head].lemma.lower() in SPEECH_LEMMAS:
                gesture = True
        return names, pron, gesture


def _best(probs: dict) -> tuple:
    """The most probable candidate (the first of equals) and its probability."""
    c = max(probs, key=probs.get)
    return c, probs[c]


# Candidate features compared across one utterance's candidates: the trees score each candidate
# alone, so "the only one named in the narration just before" has to be spelled out for them.
_NUMERIC = ("spoke_conv", "spoke_wide", "freq", "style")
_SKIP = frozenset(_NUMERIC + ("bias_cand", "n_cands"))


def _add_relative(rows: list[dict]) -> None:
    """For each yes/no candidate feature: does this candidate alone have it (`x_only`), or does
    another candidate have it while this one does not (`x_elsewhere`); for counts, the margin
    over the best other candidate (`x_margin`)."""
    if len(rows) < 2:
        return
    have: Counter = Counter()
    for r in rows:
        for key, v in r.items():
            if v and not key.startswith(("T_", "U_", "ctx_")) and key not in _SKIP:
                have[key] += 1
    for r in rows:
        for key, n in have.items():
            if r.get(key):
                if n == 1:
                    r[key + "_only"] = 1.0
            else:
                r[key + "_elsewhere"] = 1.0
    for key in _NUMERIC:
        _add_margin(rows, key)


def _add_margin(rows: list[dict], key: str) -> None:
    """`key_margin`: each candidate's value minus the best of the others' (two or more candidates)."""
    top, second = sorted((r.get(key, 0.0) for r in rows), reverse=True)[:2]
    for r in rows:
        v = r.get(key, 0.0)
        r[key + "_margin"] = v - (second if v == top else top)


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[!?;]|--|\u2014")


class Idiolects:
    """How each character talks, learnt from the story's own quotes with a named speech tag: a
    word distribution per speaker, smoothed towards all the story's quotes. An untagged quote is
    scored per candidate by how much likelier its words are under that candidate's distribution
    (Miss Bates's dashes, a servant's "ma'am", a child's "Mother"). Linear in the quotes' words."""

    SMOOTH = 300.0  # words of the story's quote distribution mixed into each speaker's
    MAX_WORDS = 60  # a long speech is scored on its first words only

    def __init__(self, at, known: list, words: list | None = None) -> None:
        self.at = at
        self.words = words if words is not None else [self._words(k) for k in range(len(at.utts))]
        self.bg: Counter = Counter()
        self.by: dict[int, Counter] = {}
        self.label = known
        for k, ws in enumerate(self.words):
            self.bg.update(ws)
            if known[k] is not None:
                self.by.setdefault(known[k], Counter()).update(ws)
        self.bg_total = sum(self.bg.values())
        self.by_total = {c: sum(v.values()) for c, v in self.by.items()}
        self._bag: dict[int, list] = {}

    def relabelled(self, known: list) -> "Idiolects":
        """The same quotes' words, learnt with other speakers (a later round's confident answers)."""
        other = Idiolects(self.at, known, self.words)
        other._bag = self._bag  # same words, same background
        return other

    def _words(self, k: int) -> list[str]:
        at = self.at
        out: list[str] = []
        for i in at.utts[k]:
            q = at.quotes[i]
            out.extend(_WORD.findall(at.text[q.start:q.end].lower()))
            if len(out) >= self.MAX_WORDS:
                break
        return out[:self.MAX_WORDS]

    def _bag_of(self, k: int) -> list:
        """Utterance k's distinct words: (word, times, background probability, its log)."""
        bag = self._bag.get(k)
        if bag is None:
            nv = len(self.bg) + 1
            bag = []
            for w, n in Counter(self.words[k]).items():
                p = (self.bg[w] + 1) / (self.bg_total + nv)
                bag.append((w, n, p, math.log(p)))
            self._bag[k] = bag
        return bag

    def scores(self, k: int, cands: list[int]) -> tuple[dict, dict]:
        """Per candidate: mean log-likelihood ratio per word against the story's quotes (0 with no
        tagged quotes), and log(1 + words of tagged speech) the estimate rests on."""
        n_words = len(self.words[k])
        if not n_words or not self.bg_total:
            return {}, {}
        bag = self._bag_of(k)
        style, size = {}, {}
        mu = self.SMOOTH
        log_mu = math.log(mu)
        for c in cands:
            counts = self.by.get(c)
            if not counts:
                continue
            total = self.by_total[c]
            own = self.label[k] == c  # the quote's own words are not evidence for its own speaker
            if own:
                total -= n_words
                if total <= 0:
                    continue
            # log((a + mu p) / (total + mu) / p) per word; a word the speaker never used gives log mu
            llr = n_words * (log_mu - math.log(total + mu))
            for w, n, p, lp in bag:
                a = counts.get(w, 0) - (n if own else 0)
                if a > 0:
                    llr += n * (math.log(a + mu * p) - lp - log_mu)
            style[c] = llr / n_words
            size[c] = math.log1p(total)
        return style, size
