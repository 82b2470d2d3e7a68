"""Speaker attribution: who says each quotation, to whom, how we know, and how sure we are.

Design (after BookNLP and the PDNC baselines, with the conversation model they lack):

1. Utterances. Quote pieces sharing a `group` are one utterance; utterances in one paragraph form a
   *turn* (one speaker, unless a later utterance carries its own tag naming someone else).
2. Speech tags (explicit / anaphoric). For each utterance the narration next to it is searched in a
   fixed order: between its pieces, right after it, right before it (same paragraph). A verb of
   communication (lemma in the lexicon) with a subject gives the speaker: a name (explicit) or a
   pronoun / noun phrase resolved through the `mentions` layer, or, where that has no link, locally:
   the narrator for "I", else the most recent gender-compatible character, preferring the
   conversation's participants and subjects of recent narration (anaphoric). Failing a speech verb,
   the subject of a narration sentence adjacent to the quote in the same paragraph ("Anna sighed.").
3. Conversation (implicit). Consecutive quote turns form a conversation. Untagged turns are filled by
   turn-taking: the addressee named by a vocative in the previous turn answers; A, B, A, B parity
   from tagged turns on either side; a new paragraph means a new speaker; otherwise the other
   participant, or the most recently mentioned other character. A vocative inside the quote names
   the addressee, never the speaker. In first-person novels the narrator is a character and speaks.
4. Addressees: vocatives, else the other participant of the conversation.
5. Confidence: the accuracy of the rule that decided, measured on development novels
   (`fabula/models/attribution_calibration.json`, refitted by `scripts/train_attribution.py`).

Everything is a constant number of passes over tokens and quotes: linear in the document.
"""
from __future__ import annotations

import bisect
import json
import re
from collections import Counter, defaultdict
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..document import Document
from ..spans import Quote
from .speech_verbs import GESTURE_LEMMAS, SPEECH_LEMMAS

_PRON_GENDER = {"he": "he", "him": "he", "his": "he", "himself": "he",
                "she": "she", "her": "she", "hers": "she", "herself": "she",
                "they": "they", "them": "they", "i": "i", "me": "i", "we": "we"}
_FEMALE_NOUNS = frozenset("""woman women lady ladies girl girls mother aunt sister daughter wife widow
queen duchess countess princess maid maiden mistress miss madam madame mrs nurse niece bride
grandmother granny hostess governess landlady heroine housekeeper baroness marchioness""".split())
_MALE_NOUNS = frozenset("""man men gentleman gentlemen boy boys father uncle brother son husband
king duke count prince lord sir master mister mr nephew groom grandfather host landlord hero
butler footman servant fellow chap lad old colonel captain major general doctor professor
clergyman priest vicar rector curate parson inspector sergeant constable waiter baron marquis""".split())
_SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_CONV_BREAK_CHARS = 400  # a quote-free narration paragraph this long ends a conversation
_LOOKBACK_PARAS = 4      # how far back a pronoun looks for its character
_CAL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_calibration.json"
_DEFAULT_CONF = {
    "tag_name": 0.95, "tag_mention": 0.85, "tag_pronoun": 0.75, "tag_noun": 0.6, "tag_narrator": 0.85,
    "adjacent_name": 0.75, "adjacent_pronoun": 0.6, "paragraph": 0.8, "group": 0.9,
    "vocative_reply": 0.7, "parity": 0.65, "other_participant": 0.5, "recent_other": 0.35,
    "narrator": 0.5, "none": 0.0,
}


@lru_cache(maxsize=1)
def calibration() -> dict[str, float]:
    conf = dict(_DEFAULT_CONF)
    try:
        data = json.loads(_CAL_PATH.read_text(encoding="utf-8"))
        conf.update({k: float(v) for k, v in data.get("accuracy_by_rule", {}).items()})
    except (OSError, ValueError):
        pass
    return conf


class _Names:
    """Character lookup by name words: full names and aliases, and words unique to one character."""

    def __init__(self, characters) -> None:
        self.full: dict[str, int] = {}
        word_owners: dict[str, set[int]] = defaultdict(set)
        for c in characters:
            for n in (c.name,) + tuple(c.aliases):
                key = _norm(n)
                if key:
                    self.full.setdefault(key, c.id)
                for w in key.split():
                    if w not in _TITLE_WORDS and len(w) > 1:
                        word_owners[w].add(c.id)
        self.word = {w: next(iter(ids)) for w, ids in word_owners.items() if len(ids) == 1}

    def lookup(self, phrase: str) -> int | None:
        key = _norm(phrase)
        if not key:
            return None
        if key in self.full:
            return self.full[key]
        words = [w for w in key.split() if w not in _TITLE_WORDS]
        # "Mr. Elton" / "Elton": the last word of a name, if it belongs to one character.
        for w in reversed(words):
            if w in self.word:
                return self.word[w]
        return None


_TITLE_WORDS = frozenset("mr mrs miss ms dr sir lady lord the m mme mlle madame monsieur captain colonel "
                         "professor mister master old young little poor dear aunt uncle".split())


def _norm(s: str) -> str:
    s = s.replace("\u2019", "'").replace(".", " ").casefold()
    return " ".join(re.sub(r"[^\w' -]", " ", s).split())


class Attribution:
    name = "attribution"
    needs = frozenset({"quotes", "characters", "mentions", "tokens", "sentences"})
    produces = frozenset({"quotes"})

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        quotes = doc.layer("quotes")
        if not quotes:
            return {"quotes": ()}
        return {"quotes": tuple(_Attributor(doc).run())}


class _Attributor:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text = doc.text
        self.quotes = list(doc.layer("quotes"))
        self.tokens = doc.layer("tokens")
        self.sentences = doc.layer("sentences")
        self.mentions = doc.layer("mentions")
        self.characters = {c.id: c for c in doc.layer("characters")}
        self.names = _Names(self.characters.values())
        self.paragraphs = doc.layers.get("paragraphs") or self._paragraphs_from_sentences()
        self.par_starts = [p.start for p in self.paragraphs]
        self.tok_starts = [t.start for t in self.tokens]
        self.sent_starts = [s.start for s in self.sentences]
        self.conf = calibration()
        self._index_tokens()
        self._index_mentions()
        self.narrator = self._find_narrator()

    # ------------------------------------------------------------------ indexes

    def _paragraphs_from_sentences(self):
        from ..spans import Paragraph
        out = {}
        for s in self.sentences:
            a, b = out.get(s.paragraph, (s.start, s.end))
            out[s.paragraph] = (min(a, s.start), max(b, s.end))
        return tuple(Paragraph(a, b) for _, (a, b) in sorted(out.items()))

    def _index_tokens(self) -> None:
        n = len(self.tokens)
        self.in_quote = [False] * n
        spans = sorted((q.start, q.end) for q in self.quotes)
        j = 0
        for i, t in enumerate(self.tokens):
            while j < len(spans) and spans[j][1] <= t.start:
                j += 1
            if j < len(spans) and spans[j][0] <= t.start < spans[j][1]:
                self.in_quote[i] = True

    def _index_mentions(self) -> None:
        self.mention_of_token: dict[int, object] = {}
        self.named: list[tuple[int, int, int, bool]] = []  # (start, char id, token index, is_subject) outside quotes
        for m in self.mentions:
            i = bisect.bisect_left(self.tok_starts, m.start)
            while i < len(self.tokens) and self.tokens[i].start < m.end:
                self.mention_of_token[i] = m
                i += 1
        for m in self.mentions:
            if m.character is None or m.character not in self.characters:
                continue
            ti = bisect.bisect_left(self.tok_starts, m.start)
            if ti >= len(self.tokens) or self.in_quote[ti]:
                continue
            subj = any(self.tokens[k].dep in _SUBJ_DEPS for k in range(ti, self._tok_end(m.end, ti)))
            self.named.append((m.start, m.character, ti, subj))
        self.named.sort()
        self.named_starts = [x[0] for x in self.named]

    def _tok_end(self, end: int, i: int) -> int:
        while i < len(self.tokens) and self.tokens[i].start < end:
            i += 1
        return i

    def _par_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.par_starts, pos) - 1)

    def _find_narrator(self) -> int | None:
        """In a first-person story, the character who says "I" in the narration."""
        first = total = 0
        for i, t in enumerate(self.tokens):
            if self.in_quote[i] or t.pos != "PRON":
                continue
            w = self.text[t.start:t.end].lower()
            if w in ("i", "me", "my", "myself"):
                first += 1
            if w in ("i", "me", "my", "myself", "he", "she", "him", "her", "his"):
                total += 1
        if total < 50 or first < 0.2 * total:
            return None
        # The narrator is named mostly by others (inside quotes, vocatives), rarely in narration.
        inside: Counter = Counter()
        outside: Counter = Counter()
        for m in self.mentions:
            if m.character is None or m.kind != "name":
                continue
            ti = bisect.bisect_left(self.tok_starts, m.start)
            if ti < len(self.tokens) and self.in_quote[ti]:
                inside[m.character] += 1
            else:
                outside[m.character] += 1
        for c in self.characters.values():
            if "narrator" in _norm(c.name).split() or any(_norm(a) in ("i", "narrator") for a in c.aliases):
                return c.id
        best, score = None, 0.0
        for cid, k in inside.items():
            if k < 5:
                continue
            s = k / (1 + outside[cid])
            if s > score:
                best, score = cid, s
        return best if score >= 1.5 else None

    # ------------------------------------------------------------------ main

    def run(self) -> list[Quote]:
        qs = self.quotes
        order = sorted(range(len(qs)), key=lambda i: (qs[i].start, qs[i].end))
        # utterances: pieces sharing a group (pieces without a group stand alone)
        utt_of: dict = {}
        utts: list[list[int]] = []
        for i in order:
            key = ("g", qs[i].group) if qs[i].group is not None else ("q", i)
            if key not in utt_of:
                utt_of[key] = len(utts)
                utts.append([])
            utts[utt_of[key]].append(i)
        self.utts = utts
        n = len(utts)
        self.u_par = [self._par_of(qs[u[0]].start) for u in utts]
        self.u_last_par = [self._par_of(qs[u[-1]].start) for u in utts]
        self.vocatives = [self._vocatives(u) for u in utts]
        speaker: list[int | None] = [None] * n
        rule = ["none"] * n
        qtype: list[str | None] = [None] * n
        self.speaker = speaker
        # conversations (for pronoun resolution and turn-taking)
        self.conv = self._conversations()
        # 1) speech tags and adjacent narration
        for k in range(n):
            found = self._tag(k)
            if found:
                speaker[k], rule[k], qtype[k] = found
        # 2) one speaker per paragraph turn: untagged utterances take their paragraph's speaker
        for k in range(n):
            if speaker[k] is None:
                for j in (k - 1, k + 1):
                    if 0 <= j < n and speaker[j] is not None and rule[j] != "paragraph" \
                            and self.u_par[j] == self.u_par[k] and self.u_last_par[j] == self.u_last_par[k]:
                        speaker[k], rule[k], qtype[k] = speaker[j], "paragraph", "implicit"
                        break
        # 3) turn-taking inside conversations
        self._turns(speaker, rule, qtype)
        # 4) output
        out = list(qs)
        for k, u in enumerate(utts):
            sp = speaker[k]
            addressees = self._addressees(k, sp)
            conf = self.conf.get(rule[k], 0.5) if sp is not None else 0.0
            for i in u:
                out[i] = replace(qs[i], speaker=sp, addressees=addressees,
                                 type=qtype[k] if sp is not None else None, confidence=round(conf, 3))
        return out

    # ------------------------------------------------------------------ tags

    def _tok_range(self, a: int, b: int) -> range:
        i = bisect.bisect_left(self.tok_starts, a)
        j = bisect.bisect_left(self.tok_starts, b)
        return range(i, j)

    def _tag(self, k: int):
        qs = self.quotes
        u = self.utts[k]
        first, last = qs[u[0]], qs[u[-1]]
        par = self.paragraphs[self.u_par[k]]
        lpar = self.paragraphs[self.u_last_par[k]]
        prev_end = qs[self.utts[k - 1][-1]].end if k > 0 and self.u_last_par[k - 1] == self.u_par[k] else par.start
        next_start = qs[self.utts[k + 1][0]].start if k + 1 < len(self.utts) and \
            self.u_par[k + 1] == self.u_last_par[k] else lpar.end
        regions = []
        for a, b in zip(u, u[1:]):
            if self._par_of(qs[a].end) == self._par_of(qs[b].start):
                regions.append(("between", qs[a].end, qs[b].start))
        regions.append(("after", last.end, next_start))
        regions.append(("before", prev_end, first.start))
        for where, a, b in regions:
            toks = [i for i in self._tok_range(a, b) if not self.in_quote[i]]
            if where == "after":
                toks = self._first_sentence(toks)
            elif where == "before":
                toks = self._last_sentence(toks)
            verbs = [i for i in toks if self.tokens[i].lemma.lower() in SPEECH_LEMMAS
                     and self.tokens[i].pos in ("VERB", "AUX")
                     and self.tokens[i].lemma.lower() not in GESTURE_LEMMAS]
            if where == "before":
                verbs.reverse()
            for v in verbs:
                got = self._subject_speaker(v, toks, k)
                if got:
                    return got
        # No speech verb: the subject of narration adjacent to the quote in the same paragraph.
        for where, a, b in regions[-2:]:
            toks = [i for i in self._tok_range(a, b) if not self.in_quote[i]]
            toks = self._first_sentence(toks) if where == "after" else self._last_sentence(toks)
            for i in toks:
                t = self.tokens[i]
                if t.dep in _SUBJ_DEPS and self.tokens[t.head].pos in ("VERB", "AUX"):
                    got = self._resolve(i, k, adjacent=True)
                    if got:
                        return got
        return None

    def _first_sentence(self, toks: list[int]) -> list[int]:
        if not toks:
            return toks
        s = bisect.bisect_right(self.sent_starts, self.tokens[toks[0]].start) - 1
        end = self.sentences[s].end if 0 <= s < len(self.sentences) else None
        out = [i for i in toks if end is None or self.tokens[i].start < end]
        return out[:25]

    def _last_sentence(self, toks: list[int]) -> list[int]:
        if not toks:
            return toks
        s = bisect.bisect_right(self.sent_starts, self.tokens[toks[-1]].start) - 1
        start = self.sentences[s].start if 0 <= s < len(self.sentences) else None
        out = [i for i in toks if start is None or self.tokens[i].start >= start]
        return out[-25:]

    def _subject_speaker(self, v: int, toks: list[int], k: int):
        tokset = set(toks)
        subj = [i for i in toks if self.tokens[i].head == v and self.tokens[i].dep in _SUBJ_DEPS and i != v]
        if not subj:
            # "said Emma" parsed oddly: the nearest name or pronoun right after the verb
            for i in range(v + 1, min(v + 4, len(self.tokens))):
                if i in tokset and self.tokens[i].pos in ("PROPN", "PRON") and self.tokens[i].dep not in ("dobj", "pobj", "dative"):
                    subj = [i]
                    break
        for i in subj:
            got = self._resolve(i, k)
            if got:
                return got
        return None

    def _resolve(self, i: int, k: int, adjacent: bool = False):
        """The character a subject token refers to, with the rule and quote type."""
        t = self.tokens[i]
        m = self.mention_of_token.get(i)
        word = self.text[t.start:t.end]
        lw = word.lower()
        pre = "adjacent_" if adjacent else "tag_"
        if m is not None and m.character is not None and m.character in self.characters:
            if m.kind == "name":
                return m.character, pre + "name", "explicit"
            if lw in ("i", "me") and self.narrator is not None and not adjacent:
                return self.narrator, "tag_narrator", "anaphoric"
            return m.character, ("adjacent_pronoun" if adjacent else "tag_mention"), "anaphoric"
        if t.pos == "PROPN":
            # the whole name: compounds attached to this token
            a, b = i, i
            while a - 1 >= 0 and self.tokens[a - 1].head == i and self.tokens[a - 1].dep in ("compound", "flat", "nmod", "amod"):
                a -= 1
            cid = self.names.lookup(self.text[self.tokens[a].start:self.tokens[b].end])
            if cid is not None:
                return cid, pre + "name", "explicit"
            return None
        if lw in ("i", "me"):
            if self.narrator is not None:
                return self.narrator, ("adjacent_pronoun" if adjacent else "tag_narrator"), "anaphoric"
            return None
        gender = _PRON_GENDER.get(lw)
        if gender is None and t.pos == "NOUN":
            if lw in _FEMALE_NOUNS:
                gender = "she"
            elif lw in _MALE_NOUNS:
                gender = "he"
            else:
                return None
            cid = self._recent_character(t.start, gender, k)
            return (cid, "adjacent_pronoun" if adjacent else "tag_noun", "anaphoric") if cid is not None else None
        if gender in ("he", "she"):
            cid = self._recent_character(t.start, gender, k)
            if cid is not None:
                return cid, ("adjacent_pronoun" if adjacent else "tag_pronoun"), "anaphoric"
        return None

    def _compatible(self, cid: int, gender: str) -> bool:
        g = self.characters[cid].gender
        return g in (gender, "unknown", "", None) or gender not in ("he", "she")

    def _recent_character(self, pos: int, gender: str, k: int) -> int | None:
        """Most recent gender-compatible character before pos, preferring conversation participants
        and recent subjects; not the addressee named in the quote itself."""
        par = self._par_of(pos)
        lo_par = max(0, par - _LOOKBACK_PARAS)
        lo = self.paragraphs[lo_par].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        seen: list[tuple[int, bool, int]] = []
        while j >= 0 and self.named[j][0] >= lo:
            start, cid, ti, subj = self.named[j]
            if self._compatible(cid, gender):
                seen.append((cid, subj, self._par_of(start)))
            j -= 1
        voc = set(self.vocatives[k])
        prev_sp = self.speaker[k - 1] if k > 0 and self.u_par[k - 1] != self.u_par[k] else None
        parts = self._participants(k)
        cands = [c for c, _, _ in seen if c not in voc]
        # a participant of this conversation who fits, when exactly one does
        fit = [c for c in parts if self._compatible(c, gender) and c not in voc and
               self.characters[c].gender == gender]
        if len(fit) == 1 and (not cands or cands[0] in fit or fit[0] in cands[:3]):
            return fit[0]
        if not cands:
            if len(fit) >= 1:
                others = [c for c in fit if c != prev_sp]
                return (others or fit)[0]
            return None
        # prefer the most recent subject in the nearest paragraph with a candidate
        near_par = seen[0][2] if seen else par
        for c, subj, p in seen:
            if p < near_par - 1:
                break
            if subj and c not in voc and c != prev_sp:
                return c
        for c in cands:
            if c != prev_sp:
                return c
        return cands[0]

    # ------------------------------------------------------------------ conversations

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
                if narration > _CONV_BREAK_CHARS or p1 - p0 > 3 or self._scene(p0) != self._scene(p1):
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
        n = len(self.utts)
        # turns: runs of utterances in the same paragraph
        turns: list[list[int]] = []
        for k in range(n):
            if turns and self.u_par[k] == self.u_last_par[turns[-1][-1]] and self.conv[k] == self.conv[turns[-1][-1]]:
                turns[-1].append(k)
            else:
                turns.append([k])
        T = len(turns)
        tconv = [self.conv[t[0]] for t in turns]

        def tspk(ti):
            for k in turns[ti]:
                if speaker[k] is not None:
                    return speaker[k]
            return None

        def assign(ti, cid, why):
            for k in turns[ti]:
                if speaker[k] is None:
                    speaker[k], rule[k], qtype[k] = cid, why, "implicit"

        def voc_of(ti):
            out = []
            for k in turns[ti]:
                out.extend(self.vocatives[k])
            return out

        for _ in range(2):
            changed = False
            # forward: vocative reply, then parity A B A
            for ti in range(T):
                if tspk(ti) is not None:
                    continue
                mine = set(voc_of(ti))
                got = None
                if ti >= 1 and tconv[ti - 1] == tconv[ti]:
                    p1 = tspk(ti - 1)
                    vs = [v for v in voc_of(ti - 1) if v != p1 and v not in mine]
                    if p1 is not None and vs:
                        got = (vs[0], "vocative_reply")
                    elif ti >= 2 and tconv[ti - 2] == tconv[ti]:
                        p2 = tspk(ti - 2)
                        if p1 is not None and p2 is not None and p1 != p2 and p2 not in mine:
                            got = (p2, "parity")
                if got is None and ti + 2 < T and tconv[ti + 2] == tconv[ti] == tconv[ti + 1]:
                    n1, n2 = tspk(ti + 1), tspk(ti + 2)
                    if n1 is not None and n2 is not None and n1 != n2 and n2 not in mine:
                        got = (n2, "parity")
                if got:
                    assign(ti, *got)
                    changed = True
            if not changed:
                break
        # remaining: the other participant, else the most recently mentioned other character
        for ti in range(T):
            if tspk(ti) is not None:
                continue
            k0 = turns[ti][0]
            mine = set(voc_of(ti))
            prev = tspk(ti - 1) if ti >= 1 and tconv[ti - 1] == tconv[ti] else None
            nxt = tspk(ti + 1) if ti + 1 < T and tconv[ti + 1] == tconv[ti] else None
            parts = [c for c in self._participants(k0) if c not in mine and c != prev and c != nxt]
            if parts:
                assign(ti, parts[0], "other_participant")
                continue
            pos = self.quotes[self.utts[k0][0]].start
            cid = self._recent_other(pos, {prev, nxt} | mine)
            if cid is not None:
                assign(ti, cid, "recent_other")
            elif self.narrator is not None and self.narrator not in (prev, nxt) and self.narrator not in mine:
                assign(ti, self.narrator, "narrator")

    def _recent_other(self, pos: int, exclude: set) -> int | None:
        par = self._par_of(pos)
        lo = self.paragraphs[max(0, par - _LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        while j >= 0 and self.named[j][0] >= lo:
            cid = self.named[j][1]
            if cid not in exclude:
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
                at_start = not self.text[q.start:m.start].strip(" \"'\u201c\u2018-_")
                at_end = not self.text[m.end:q.end].strip(" .!?,;\"'\u201d\u2019-_")
                before_ok = at_start or re.search(r"[,;!?]\s*$|(?:\b[Oo]h?|[Dd]ear|[Mm]y)\s*$", before)
                after_ok = at_end or re.match(r"\s*[,.!?;]", after)
                if before_ok and after_ok:
                    # not the subject of the quoted sentence ("Emma was right")
                    ti = bisect.bisect_left(self.tok_starts, m.start)
                    if ti < len(self.tokens) and self.tokens[ti].dep in _SUBJ_DEPS and not after.startswith(","):
                        continue
                    if m.character not in out:
                        out.append(m.character)
        return out

    def _mentions_in(self, a: int, b: int):
        i = bisect.bisect_left(self.tok_starts, a)
        seen = set()
        while i < len(self.tokens) and self.tokens[i].start < b:
            m = self.mention_of_token.get(i)
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield m
            i += 1

    def _addressees(self, k: int, sp) -> tuple[int, ...]:
        voc = [v for v in self.vocatives[k] if v != sp]
        if voc:
            return tuple(voc)
        if sp is None:
            return ()
        for j in (k - 1, k + 1):
            if 0 <= j < len(self.utts) and self.conv[j] == self.conv[k]:
                other = self.speaker[j]
                if other is not None and other != sp:
                    return (other,)
        return ()
