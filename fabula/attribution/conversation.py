"""Conversations and turn-taking: who takes the untagged turns, vocatives, addressees."""
from __future__ import annotations

import bisect
import re
from collections import Counter

from .lexicon import SUBJ_DEPS
from .tuning import ADDRESSEE_WINDOW, CONV_BREAK_CHARS, LOOKBACK_PARAS, SCAN


class ConversationMixin:

    def _conversations(self) -> list[int]:
        """A conversation id per utterance: quotes in nearby paragraphs with little narration between."""
        conv = []
        cid = 0
        quoted_pars = set()
        for k in range(len(self.utts)):
            for i in self.utts[k]:
                quoted_pars.add(self._par_of(self.quotes[i].start))
        for k in range(len(self.utts)):
            if k > 0:
                p0, p1 = self.u_last_par[k - 1], self.u_par[k]
                gap = [p for p in range(p0 + 1, p1) if p not in quoted_pars]
                narration = sum(self.paragraphs[p].end - self.paragraphs[p].start for p in gap)
                if narration > CONV_BREAK_CHARS or p1 - p0 > 3 or self._scene(p0) != self._scene(p1):
                    cid += 1
            conv.append(cid)
        return conv

    def _scene(self, p: int) -> int:
        return getattr(self.paragraphs[p], "scene", 0)

    def _participants(self, k: int) -> list[int]:
        """Known speakers of this conversation so far and just after, most frequent first."""
        c = self.conv[k]
        cnt: Counter = Counter()
        j = k - 1
        steps = 0
        while j >= 0 and self.conv[j] == c and steps < 30:
            if self.speaker[j] is not None:
                cnt[self.speaker[j]] += 1
            j -= 1
            steps += 1
        j = k + 1
        steps = 0
        while j < len(self.utts) and self.conv[j] == c and steps < 10:
            if self.speaker[j] is not None:
                cnt[self.speaker[j]] += 1
            j += 1
            steps += 1
        return [cid for cid, _ in cnt.most_common()]

    def _turns(self, speaker, rule, qtype) -> None:
        """Fill untagged turns of each conversation by alternation between its two participants.

        A run of untagged turns between tagged ones alternates from the tagged turn before it
        (A said it; B answers; A again...). The second participant is, in order: the speaker of
        the turn before A's when that differs, the character A addresses by name, the speaker of
        the tagged turn after the run, a known participant of the conversation, the most recently
        mentioned other character, the narrator. When the tagged turn after the run does not fit
        the parity, someone spoke twice: the run's second half alternates back from that turn.
        A turn never goes to a character its own quote addresses by name.
        """
        n = len(self.utts)
        turns: list[list[int]] = []
        for k in range(n):
            if turns and self.u_par[k] == self.u_last_par[turns[-1][-1]] and self.conv[k] == self.conv[turns[-1][-1]]:
                turns[-1].append(k)
            else:
                turns.append([k])
        T = len(turns)
        tconv = [self.conv[t[0]] for t in turns]
        tsp: list = []
        for t in turns:
            tsp.append(next((speaker[k] for k in t if speaker[k] is not None), None))
        tvoc = [[v for k in t for v in self.vocatives[k]] for t in turns]

        def assign(ti, cid, why):
            if cid is None:
                return
            for k in turns[ti]:
                if speaker[k] is None:
                    speaker[k], rule[k], qtype[k] = cid, why, "implicit"

        ti = 0
        while ti < T:
            if tsp[ti] is not None:
                ti += 1
                continue
            i = ti
            j = ti
            while j + 1 < T and tsp[j + 1] is None and tconv[j + 1] == tconv[i]:
                j += 1
            ti = j + 1
            L = i - 1 if i >= 1 and tconv[i - 1] == tconv[i] else None
            R = j + 1 if j + 1 < T and tconv[j + 1] == tconv[i] else None
            left = tsp[L] if L is not None else None
            right = tsp[R] if R is not None else None
            if left is None and right is None:
                # an isolated run: the likeliest participant, then alternation
                first = self._likely_participant(turns[i][0], set(tvoc[i]))
                if first is None:
                    continue
                other = self._second(i, first, None, None, tconv, tsp, tvoc, turns)
                for d, t in enumerate(range(i, j + 1)):
                    self._put(assign, t, first if d % 2 == 0 else other, tvoc, first, other,
                              "recent_other" if d == 0 else "parity")
                continue
            if left is not None:
                a = left
                b = self._second(i, a, L, right, tconv, tsp, tvoc, turns)
                split = j + 1
                if right is not None and b is not None and right in (a, b):
                    expect = b if (R - L) % 2 == 1 else a
                    if right != expect:
                        split = i + (j - i + 1 + 1) // 2
                for t in range(i, split):
                    d = t - L
                    self._put(assign, t, b if d % 2 == 1 else a, tvoc, a, b,
                              "vocative_reply" if d == 1 and b in tvoc[L] else "parity")
                for t in range(split, j + 1):
                    d = R - t
                    other = a if right == b else b
                    self._put(assign, t, other if d % 2 == 1 else right, tvoc, right, other, "parity")
            else:
                a = right
                b = self._second(j, a, None, None, tconv, tsp, tvoc, turns, after=R)
                for t in range(j, i - 1, -1):
                    d = R - t
                    self._put(assign, t, b if d % 2 == 1 else a, tvoc, a, b, "parity")

    def _put(self, assign, t, cid, tvoc, a, b, why) -> None:
        """Give turn t to cid, unless its own quote addresses cid by name (then to the other one)."""
        if cid is not None and cid in tvoc[t]:
            alt = b if cid == a else a
            if alt is not None and alt not in tvoc[t]:
                cid, why = alt, "parity"
            else:
                return
        assign(t, cid, why if cid is not None else "none")

    def _second(self, ti, a, L, right, tconv, tsp, tvoc, turns, after=None):
        """The other participant of a two-person exchange that a is part of: evidence adds up
        (the speaker before a, whom a addresses, the tagged speaker after the run, who is named
        around the conversation and prominent in the story)."""
        bonus: Counter = Counter()
        if L is not None:
            if L >= 1 and tconv[L - 1] == tconv[L] and tsp[L - 1] not in (None, a):
                bonus[tsp[L - 1]] += 2.0
            for v in tvoc[L]:
                bonus[v] += 3.0
        if after is not None:
            for v in tvoc[after]:
                bonus[v] += 3.0
            if after + 1 < len(tsp) and tconv[after + 1] == tconv[after] and tsp[after + 1] not in (None, a):
                bonus[tsp[after + 1]] += 2.0
        if ti + 1 < len(tvoc) and tconv[ti + 1] == tconv[ti]:
            for v in tvoc[ti + 1]:
                bonus[v] += 1.5
        if right is not None:
            bonus[right] += 2.5
        bonus.pop(a, None)
        return self._likely_participant(turns[ti][0], {a}, bonus)

    def _likely_participant(self, k: int, exclude: set, bonus: Counter | None = None) -> int | None:
        """The character most likely present and speaking around utterance k: named in the
        narration just before and around it (recent mentions weigh more), known to speak in this
        conversation, prominent in the story; not the ones talked about only inside the quotes."""
        par = self.u_par[k]
        lo = self.paragraphs[max(0, par - 2 * LOOKBACK_PARAS)].start
        pos = self.quotes[self.utts[k][0]].start
        hi = self.paragraphs[min(len(self.paragraphs) - 1, par + 2)].end
        score: Counter = Counter()
        j = max(bisect.bisect_left(self.named_starts, lo), bisect.bisect_left(self.named_starts, pos) - 2 * SCAN)
        stop = min(len(self.named), j + 4 * SCAN)
        while j < stop and self.named[j][0] < hi:
            st, cid, ti, subj = self.named[j]
            w = 1.0 if st < pos else 0.5
            dist = abs(self._par_of(st) - par)
            score[cid] += w * (1.5 if subj else 1.0) / (1.0 + 0.3 * dist)
            j += 1
        for c in self._participants(k):
            score[c] += 1.5
        for c in list(score):
            score[c] += self.prominence.get(c, 0.0)
        if self.narrator is not None:
            score[self.narrator] += 1.0 + self.prominence.get(self.narrator, 0.0)
        if bonus:
            for c, v in bonus.items():
                score[c] += v + (0.0 if c in score else self.prominence.get(c, 0.0))
        best = [c for c, _ in score.most_common() if c not in exclude and c in self.characters]
        return best[0] if best else None

    def _recent_other(self, pos: int, exclude: set, gender: str | None = None) -> int | None:
        """The most recently named character in the narration before pos (within a few
        paragraphs) that is not excluded and, if asked, is of that gender."""
        par = self._par_of(pos)
        lo = self.paragraphs[max(0, par - LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        stop = max(-1, j - SCAN)
        while j > stop and self.named[j][0] >= lo:
            cid = self.named[j][1]
            if cid not in exclude and (gender is None or self.characters[cid].gender == gender):
                return cid
            j -= 1
        return None

    # ------------------------------------------------------------------ vocatives, addressees

    def _vocatives(self, u: list[int]) -> list[int]:
        """Characters named as the addressee inside the quote: "Emma, come here." / "Yes, Mr. Knightley." """
        out = []
        for i in u:
            q = self.quotes[i]
            for m in self._mentions_in(q.start, q.end):
                if m.kind != "name" or m.character is None:
                    continue
                before = self.text[max(q.start, m.start - 3):m.start]
                after = self.text[m.end:min(q.end, m.end + 2)]
                at_start = m.start - q.start < 40 and not self.text[q.start:m.start].strip(" \"'\u201c\u2018-_")
                at_end = q.end - m.end < 40 and not self.text[m.end:q.end].strip(" .!?,;\"'\u201d\u2019-_")
                before_ok = at_start or re.search(r"[,;!?]\s*$|(?:\b[Oo]h?|[Dd]ear|[Mm]y)\s*$", before)
                after_ok = at_end or re.match(r"\s*[,.!?;]", after)
                if before_ok and after_ok:
                    # not the subject of the quoted sentence ("Emma was right")
                    ti = bisect.bisect_left(self.tok_starts, m.start)
                    if ti < len(self.tokens) and self.tokens[ti].dep in SUBJ_DEPS and not after.startswith(","):
                        continue
                    if m.character not in out:
                        out.append(m.character)
        return out

    def _mentions_in(self, a: int, b: int):
        """The mentions of the tokens starting in [a, b), each once, in token order."""
        keys = self.mention_tokens  # only the tokens that have a mention are visited
        lo = bisect.bisect_left(keys, bisect.bisect_left(self.tok_starts, a))
        hi = bisect.bisect_left(keys, bisect.bisect_left(self.tok_starts, b))
        seen = set()
        for i in keys[lo:hi]:
            m = self.mention_of_token[i]
            if id(m) not in seen:
                seen.add(id(m))
                yield m

    def _addressees(self, k: int, sp) -> tuple[int, ...]:
        """Who a quote is spoken to, most likely first: whoever it calls by name, the tag's "to his
        wife", then the others who speak within ADDRESSEE_WINDOW utterances of it in the conversation,
        nearest first (a speaker talks to the whole group; PDNC lists every listener)."""
        out = [v for v in self.vocatives[k] if v != sp]
        if sp is None:
            return tuple(out)
        told = self.tag_addr.get(k)
        if told is not None and told != sp and told not in out:
            out.append(told)
        n = len(self.utts)
        for d in range(1, ADDRESSEE_WINDOW + 1):
            for j in (k - d, k + d):
                if 0 <= j < n and self.conv[j] == self.conv[k]:
                    other = self.speaker[j]
                    if other is not None and other != sp and other not in out:
                        out.append(other)
        return tuple(out)
