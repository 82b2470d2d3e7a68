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
import math
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
_SPEECH_NOUNS = frozenset("""answer reply rejoinder remark exclamation inquiry enquiry question cry whisper
observation response retort comment reproach rejoinder greeting protest salutation word words
explanation reproof assurance advice suggestion entreaty""".split())
# kin noun -> (gender, is an elder/spouse usually titled Mr./Mrs.)
_KIN = {"father": ("he", True), "mother": ("she", True), "husband": ("he", True), "wife": ("she", True),
        "papa": ("he", True), "mamma": ("she", True), "son": ("he", False), "daughter": ("she", False),
        "brother": ("he", False), "sister": ("she", False), "uncle": ("he", True), "aunt": ("she", True),
        "nephew": ("he", False), "niece": ("she", False), "cousin": ("unknown", False)}
_SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_DEFER = "defer"
_W_PARITY, _W_PARTICIPANT, _W_PROMINENCE, _W_PREV = 1.0, 0.4, 0.5, 0.8
_W_HINT = 0.5
_SCAN = 150  # mentions looked at around one quote: keeps a one-paragraph novel linear
_PREV_NARRATION = False  # measured: 0.49 accurate alone, +0.001 overall; off
_NOUN_TAGS = True  # "said the lady": the gender-compatible character the evidence favours
_CONV_BREAK_CHARS = 400  # a quote-free narration paragraph this long ends a conversation
_LOOKBACK_PARAS = 4      # how far back a pronoun looks for its character
# Joint decoding of a conversation (measured on the dev novels: +0.001 over quote-by-quote picks;
# stronger transitions, or first-round emissions, measured worse)
_JOINT = True
_T_EM = 1.0    # weight of the ranker's log-probability
_T_REP = 1.0   # cost of the same speaker in a new paragraph
_T_ALT = 0.5   # reward for A, B, A turn-taking
_T_SAME = 1.0  # reward for one speaker within a paragraph
_TOPK = 5
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


class _Model:
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


_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution.json"


@lru_cache(maxsize=1)
def attribution_model() -> "_Model | None":
    try:
        return _Model(json.loads(_MODEL_PATH.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None


class _Names:
    """Character lookup by name words: full names and aliases, and words unique to one character."""

    def __init__(self, characters) -> None:
        full_owners: dict[str, set[int]] = defaultdict(set)
        word_owners: dict[str, set[int]] = defaultdict(set)
        for c in characters:
            for n in (c.name,) + tuple(c.aliases):
                key = _norm(n)
                if key:
                    full_owners[key].add(c.id)
                for w in key.split():
                    if w not in _TITLE_WORDS and len(w) > 1:
                        word_owners[w].add(c.id)
        self.word = {w: next(iter(ids)) for w, ids in word_owners.items() if len(ids) == 1}
        # names two characters share ("Mr. Crawford") name nobody by themselves
        self.full: dict[str, int] = {k: next(iter(ids)) for k, ids in full_owners.items() if len(ids) == 1}

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


_TITLE_BEFORE = re.compile(r"\b(Mrs|Mr|Miss|Ms|Dr|Sir|Lady|Lord|Madame|Mme|Mlle|Monsieur|Captain|Colonel|"
                           r"Professor|Aunt|Uncle)\.?\s+$")


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
    def __init__(self, doc: Document, use_model=True, collect: list | None = None, collect_round: int = 1) -> None:
        self.use_model = use_model
        self.collect = collect  # training: receives (utterance, candidates, feature rows)
        self.collect_round = collect_round
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
        self.model_prob: dict[int, float] = {}
        self.rule_speaker = None
        self.rule_rule = None
        self.deferred: dict = {}

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
            # recency evidence comes from names only (pronoun links are resolved here, not trusted)
            if m.character is None or m.character not in self.characters or m.kind != "name":
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
        # 1) speech tags and adjacent narration: names first; pronoun / noun subjects wait until
        #    every named speaker is known, so they can be resolved against the conversation.
        self.defer = True
        deferred: dict[int, tuple] = {}
        for k in range(n):
            found = self._tag(k)
            if found and found[0] == _DEFER:
                deferred[k] = found
            elif found:
                speaker[k], rule[k], qtype[k] = found
        self.defer = False
        self.deferred = deferred
        snapshot = (list(speaker), list(rule), list(qtype))
        self._rules(deferred, speaker, rule, qtype)
        model = self.use_model if isinstance(self.use_model, _Model) else \
            (attribution_model() if self.use_model else None)
        if model is not None or self.collect is not None:
            # The learned ranker re-decides every utterance without a named tag, with the rules'
            # answers among its features; where it has no candidate the rules' answer stays.
            self.rule_speaker, self.rule_rule = list(speaker), list(rule)
            speaker[:], rule[:], qtype[:] = snapshot
            self._rank(model, speaker, rule, qtype)
            for k in range(n):
                if speaker[k] is None and self.rule_speaker[k] is not None:
                    speaker[k], rule[k] = self.rule_speaker[k], self.rule_rule[k]
                    qtype[k] = "anaphoric" if k in deferred and not deferred[k][2] else "implicit"
        # 4) output
        self.rules = rule
        out = list(qs)
        for k, u in enumerate(utts):
            sp = speaker[k]
            addressees = self._addressees(k, sp)
            conf = self.model_prob.get(k, self.conf.get(rule[k], 0.5)) if sp is not None else 0.0
            for i in u:
                out[i] = replace(qs[i], speaker=sp, addressees=addressees,
                                 type=qtype[k] if sp is not None else None, confidence=round(conf, 3))
        return out

    def _rules(self, deferred, speaker, rule, qtype) -> None:
        """The rule-based decisions after the named tags: pronoun tags, paragraph, turn-taking."""
        n = len(self.utts)
        for k in sorted(deferred):
            _, i, adjacent = deferred[k]
            found = self._resolve(i, k, adjacent)
            if found:
                speaker[k], rule[k], qtype[k] = found
        # one speaker per paragraph turn: untagged utterances take their paragraph's speaker
        for k in range(n):
            if speaker[k] is None:
                for j in (k - 1, k + 1):
                    if 0 <= j < n and speaker[j] is not None and rule[j] != "paragraph" \
                            and self.u_par[j] == self.u_par[k] and self.u_last_par[j] == self.u_last_par[k]:
                        speaker[k], rule[k], qtype[k] = speaker[j], "paragraph", "implicit"
                        break
        # turn-taking inside conversations
        self._turns(speaker, rule, qtype)

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
        if not (next_start == lpar.end and self._introduces_next(k, last.end, lpar.end)):
            regions.append(("after", last.end, next_start))
        before_start = prev_end
        if prev_end == par.start and self.u_par[k] > 0 and not self.text[par.start:first.start].strip(" \"'\u201c\u2018"):
            # "Mrs. Elton, speaking louder, said,\n\n"Yes, here I am..."": the tag ends the paragraph before
            prev_par = self.paragraphs[self.u_par[k] - 1]
            tail = self.text[prev_par.start:prev_par.end].rstrip()
            if tail[-1:] in (",", ":", "-", "\u2014") or tail.endswith("--") or \
                    self._ends_with_speech(prev_par.start, prev_par.end):
                if not (k > 0 and self.u_last_par[k - 1] == self.u_par[k] - 1):
                    before_start = prev_par.start
        regions.append(("before", before_start, first.start))
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
            # reported, not quoted: "Elizabeth replied that it was.", "he said nothing"
            tokset = set(toks)
            verbs = [v for v in verbs if not any(
                self.tokens[i].head == v and i != v and (
                    self.tokens[i].dep == "ccomp" and any(
                        self.tokens[j].head == i and self.tokens[j].dep == "mark" for j in tokset)
                    or self.tokens[i].dep == "dobj"
                    and self.text[self.tokens[i].start:self.tokens[i].end].lower() == "nothing")
                for i in tokset)]
            for v in verbs:
                got = self._subject_speaker(v, toks, k)
                if got:
                    return got
            # "was Henry's answer", "the reply of the old man", "an exclamation of Catherine's"
            for i in toks:
                if self.tokens[i].lemma.lower() in _SPEECH_NOUNS and self.tokens[i].pos == "NOUN":
                    for j in toks:
                        tj = self.tokens[j]
                        if tj.head == i and tj.dep == "poss" or (
                                tj.dep == "pobj" and self.tokens[tj.head].head == i
                                and self.text[self.tokens[tj.head].start:self.tokens[tj.head].end].lower() == "of"):
                            got = self._resolve(j, k)
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
        # A quote paragraph right after a short narration paragraph: that paragraph's named subject.
        if _PREV_NARRATION and prev_end == par.start and self.u_par[k] > 0 and \
                not self.text[par.start:first.start].strip(" \"'\u201c\u2018"):
            pp = self.u_par[k] - 1
            if not (k > 0 and self.u_last_par[k - 1] == pp):
                prev_par = self.paragraphs[pp]
                if prev_par.end - prev_par.start <= 400:
                    toks = [i for i in self._tok_range(prev_par.start, prev_par.end) if not self.in_quote[i]]
                    for i in toks:
                        t = self.tokens[i]
                        if t.dep in _SUBJ_DEPS and t.pos == "PROPN":
                            m = self.mention_of_token.get(i)
                            if m is not None and m.kind == "name" and m.character in self.characters:
                                return m.character, "prev_narration", "implicit"
                            break
        return None

    def _introduces_next(self, k: int, a: int, b: int) -> bool:
        """The narration after utterance k closes its paragraph by introducing the next paragraph's
        quote ('" And gathering her work together ... when Elizabeth called out,\n\n"Dear Ma'am'):
        that tag is the next utterance's, not this one's."""
        if k + 1 >= len(self.utts) or self.u_par[k + 1] != self.u_last_par[k] + 1:
            return False
        nxt = self.quotes[self.utts[k + 1][0]]
        np = self.paragraphs[self.u_par[k + 1]]
        if self.text[np.start:nxt.start].strip(" \"'\u201c\u2018\n"):
            return False
        tail = self.text[a:b].rstrip()
        if not tail.strip(" \"'\u201d\u2019.,;!?"):
            return False
        # only a new sentence after a finished quote ('happy." And gathering...'), never
        # '"Yes," said he,' nor '"Oh!" Emma cried,'
        if self.text[max(0, a - 2):a].rstrip("\"'\u201d\u2019 ")[-1:] not in (".", "!", "?"):
            return False
        lead = tail.lstrip(" \"'\u201d\u2019\n")
        if not lead[:1].isupper():
            return False
        toks = [i for i in self._tok_range(a, b) if self.tokens[i].pos not in ("PUNCT", "SPACE")][:3]
        if any(self.tokens[i].lemma.lower() in SPEECH_LEMMAS for i in toks):
            return False
        return tail[-1:] in (",", ":", "-", "\u2014") or tail.endswith("--") or self._ends_with_speech(a, b)

    def _ends_with_speech(self, a: int, b: int) -> bool:
        """A narration paragraph whose last words are a speech verb ("Syme turned to him and said",
        "Mrs Musgrove interposed.", "Sir Thomas, trying to suppress a smile, went on."): the next
        paragraph's quote is what was said. Not "said nothing", "did not answer", "what was said"."""
        toks = [i for i in self._tok_range(a, b) if not self.in_quote[i]]
        toks = [i for i in toks if self.tokens[i].pos not in ("PUNCT", "SPACE")
                and self.text[self.tokens[i].start:self.tokens[i].end].strip()]
        if not toks:
            return False
        tail = toks[-3:]
        for n, v in enumerate(reversed(tail)):
            t = self.tokens[v]
            lw = t.lemma.lower()
            if t.pos in ("VERB", "AUX") and lw in SPEECH_LEMMAS and lw not in GESTURE_LEMMAS:
                after = tail[len(tail) - n:]
                if not all(self.tokens[i].pos in ("ADV", "ADP", "PART") and self.tokens[i].head == v
                           for i in after):
                    return False
                kids = [i for i in toks[-12:] if self.tokens[i].head == v and i != v]
                if any(self.tokens[i].dep in ("neg", "dobj", "nsubjpass", "auxpass", "ccomp") for i in kids):
                    return False
                return True
        return False

    def _first_sentence(self, toks: list[int]) -> list[int]:
        toks = self._strip_punct(toks)
        if not toks:
            return toks
        s = bisect.bisect_right(self.sent_starts, self.tokens[toks[0]].start) - 1
        end = self.sentences[s].end if 0 <= s < len(self.sentences) else None
        out = [i for i in toks if end is None or self.tokens[i].start < end]
        return out[:25]

    def _last_sentence(self, toks: list[int]) -> list[int]:
        toks = self._strip_punct(toks)
        if not toks:
            return toks
        s = bisect.bisect_right(self.sent_starts, self.tokens[toks[-1]].start) - 1
        start = self.sentences[s].start if 0 <= s < len(self.sentences) else None
        out = [i for i in toks if start is None or self.tokens[i].start >= start]
        return out[-25:]

    def _strip_punct(self, toks: list[int]) -> list[int]:
        a, b = 0, len(toks)
        while a < b and self.tokens[toks[a]].pos == "PUNCT":
            a += 1
        while b > a and self.tokens[toks[b - 1]].pos == "PUNCT" and self.text[self.tokens[toks[b - 1]].start] not in ".!?":
            b -= 1
        return toks[a:b]

    def _subject_speaker(self, v: int, toks: list[int], k: int):
        tokset = set(toks)
        subj = [i for i in toks if self.tokens[i].head == v and self.tokens[i].dep in _SUBJ_DEPS and i != v]
        if not subj:
            # "said Emma" parsed oddly: the nearest name or pronoun right after the verb
            # (spaCy often calls the name of an inverted tag an object).
            inverted = not any(self.tokens[i].pos != "PUNCT" for i in toks if i < v)
            for i in range(v + 1, min(v + 5, len(self.tokens))):
                if i not in tokset:
                    break
                tk = self.tokens[i]
                w = self.text[tk.start:tk.end].lower()
                if tk.pos == "PRON" and w not in ("he", "she", "i", "they", "we"):
                    break
                if i == v + 1 and w in ("in", "out", "up", "on", "forth") and tk.pos in ("ADP", "ADV", "PART"):
                    inverted = True  # "put in Freddy", "broke out the girl"
                    continue
                if tk.pos in ("NOUN", "PROPN") and tk.dep == "compound" and v < tk.head < v + 5 \
                        and tk.head in tokset:
                    continue  # "replied the medicine man": the head noun, not its modifier
                if tk.pos in ("PROPN", "PRON", "NOUN") and (inverted or tk.dep not in ("dobj", "pobj", "dative")):
                    subj = [i]
                    break
                if tk.pos not in ("DET", "ADJ", "PROPN", "PUNCT") and not (tk.pos == "NOUN" and tk.dep == "compound"):
                    break
        if not subj:
            # "Edmund took her hand, and said", "Henry entered the room, calling out": the subject
            # of the verb this one is coordinated with or attached to.
            h = v
            for _ in range(3):
                t = self.tokens[h]
                if t.dep not in ("conj", "advcl", "xcomp") or t.head == h or t.head not in tokset:
                    break
                h = t.head
                subj = [i for i in toks if self.tokens[i].head == h and self.tokens[i].dep in _SUBJ_DEPS]
                if subj:
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
        self._hint = None
        if m is not None and m.kind == "name" or t.pos == "PROPN":
            # an exact cast name or alias beats the linker's choice ("Mr. Hilbery" is Mr. Hilbery),
            # read with the title and first names the parser attached to it ("Mr.\nBennet")
            a = i
            while a - 1 >= 0 and self.tokens[a - 1].head == i and self.tokens[a - 1].dep in ("compound", "flat", "nmod", "amod", "det"):
                a -= 1
            end = max(t.end, m.end if m else t.end)
            starts = ([m.start] if m is not None else []) + [self.tokens[a].start]
            # a title the parser cut off, often across a line break ("Mrs.\nBennet instantly answered")
            tm = _TITLE_BEFORE.search(self.text, max(0, min(starts + [t.start]) - 14), min(starts + [t.start]))
            if tm is not None:
                starts.insert(0, tm.start(1))
            for start in starts:
                exact = self.names.full.get(_norm(self.text[min(start, t.start):end]))
                if exact is not None:
                    return exact, pre + "name", "explicit"
        if m is not None and m.character is not None and m.character in self.characters:
            if m.kind == "name":
                return m.character, pre + "name", "explicit"
            if lw in ("i", "me") and self.narrator is not None and not adjacent:
                return self.narrator, "tag_narrator", "anaphoric"
            if _PRON_GENDER.get(lw) not in ("he", "she") and not (
                    t.pos == "NOUN" and (lw in _FEMALE_NOUNS or lw in _MALE_NOUNS)):
                return None  # "they", "who", "one": not a single speaker we can trust
            # a he/she linked by coreference: one more piece of evidence for the local resolution
            self._hint = m.character
        if t.pos == "PROPN":
            # the whole name: compounds attached to this token
            a, b = i, i
            while a - 1 >= 0 and self.tokens[a - 1].head == i and self.tokens[a - 1].dep in ("compound", "flat", "nmod", "amod"):
                a -= 1
            cid = self.names.lookup(self.text[self.tokens[a].start:self.tokens[b].end])
            if cid is not None:
                return cid, pre + "name", "explicit"
            return None
        if t.pos == "NOUN":
            cid = self._noun_name(i)
            if cid is not None:
                return cid, pre + "name", "explicit"
        if t.pos == "NOUN" and lw in _KIN and not self.defer:
            cid = self._kin(i, k)
            if cid is not None:
                return cid, "tag_kin", "anaphoric"
        if self.defer and (lw in _PRON_GENDER or t.pos == "NOUN"):
            if lw in ("i", "me") or _PRON_GENDER.get(lw) in ("he", "she") or \
                    (t.pos == "NOUN" and (lw in _FEMALE_NOUNS or lw in _MALE_NOUNS)):
                return _DEFER, i, adjacent
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
            if not _NOUN_TAGS:
                return None
            cid = self._recent_character(t.start, gender, k)
            return (cid, "adjacent_pronoun" if adjacent else "tag_noun", "anaphoric") if cid is not None else None
        if gender in ("he", "she"):
            cid = self._recent_character(t.start, gender, k)
            if cid is not None:
                return cid, ("adjacent_pronoun" if adjacent else "tag_pronoun"), "anaphoric"
        return None

    def _kin(self, i: int, k: int) -> int | None:
        """"cried his father", "her mother added": the character of that gender who shares the
        possessor's family name (a Mr./Mrs. for a parent or spouse), not the possessor."""
        t = self.tokens[i]
        lw = self.text[t.start:t.end].lower()
        poss = [j for j in range(max(0, i - 3), i) if self.tokens[j].head == i and self.tokens[j].dep == "poss"]
        if not poss:
            return None
        pw = self.text[self.tokens[poss[0]].start:self.tokens[poss[0]].end].lower()
        pg = {"his": "he", "her": "she"}.get(pw)
        if pg is None:
            return None
        owner = self._recent_character(t.start, pg, k)
        if owner is None:
            return None
        family = {w for n in (self.characters[owner].name,) + tuple(self.characters[owner].aliases)
                  for w in _norm(n).split()[-1:] if w not in _TITLE_WORDS}
        if not family:
            return None
        gender, elder = _KIN[lw]
        best, best_score = None, -1.0
        for c in self.characters.values():
            if c.id == owner or c.gender != gender:
                continue
            names = [_norm(n) for n in (c.name,) + tuple(c.aliases)]
            if not any(n.split()[-1:] and n.split()[-1] in family for n in names if n):
                continue
            titled = any(n.split()[0] in ("mr", "mrs", "sir", "lady", "old") for n in names if n)
            sc = (1.0 if titled == elder else 0.0) + getattr(self, "_prominence", {}).get(c.id, 0.0) * 0.1
            if sc > best_score:
                best, best_score = c.id, sc
        return best

    def _noun_name(self, i: int) -> int | None:
        """A character named by a common noun ("the keeper", "the burly barman" -> "The Barman")."""
        a = i
        while a - 1 >= 0 and self.tokens[a - 1].head == i and self.tokens[a - 1].dep in ("compound", "amod", "nmod", "poss", "det"):
            a -= 1
        for start in range(a, i + 1):
            phrase = _norm(self.text[self.tokens[start].start:self.tokens[i].end])
            for key in (phrase, "the " + phrase):
                if key in self.names.full:
                    return self.names.full[key]
        return None

    def _compatible(self, cid: int, gender: str) -> bool:
        g = self.characters[cid].gender
        return g in (gender, "unknown", "", None) or gender not in ("he", "she")

    def _recent_character(self, pos: int, gender: str, k: int) -> int | None:
        """The character a he/she (or "the lady") next to quote k refers to.

        Evidence adds up over gender-compatible candidates: recent mentions in the narration
        (nearer and in subject position weigh more, the current paragraph most), turn-taking (the
        speaker two turns back when the last turn was someone else's), the conversation's known
        participants, and prominence in the story (an unanchored "she" is most often the
        protagonist). Never the addressee named in the quote; the previous turn's speaker loses
        weight (a new paragraph is usually a new speaker).
        """
        par = self._par_of(pos)
        lo = self.paragraphs[max(0, par - _LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        score: Counter = Counter()
        rank = 0
        stop = max(-1, j - _SCAN)
        while j > stop and self.named[j][0] >= lo:
            start, cid, ti, subj = self.named[j]
            if self._compatible(cid, gender):
                d = par - self._par_of(start)
                w = (1.0 if d == 0 else 0.6 / d) * (1.4 if subj else 1.0) * (1.0 if rank == 0 else 0.7)
                score[cid] += w
                rank += 1
            j -= 1
        voc = set(self.vocatives[k])
        same_par_prev = k > 0 and self.u_last_par[k - 1] == self.u_par[k]
        prev_sp = None
        if k > 0 and self.conv[k - 1] == self.conv[k] and not same_par_prev:
            prev_sp = self.speaker[k - 1]
        if prev_sp is not None and k >= 2 and self.conv[k - 2] == self.conv[k] \
                and self.u_par[k - 1] != self.u_last_par[k - 2]:
            two = self.speaker[k - 2]
            if two is not None and two != prev_sp and self._compatible(two, gender):
                score[two] += _W_PARITY
        for c in self._participants(k)[:3]:
            if self._compatible(c, gender):
                score[c] += _W_PARTICIPANT
        if not hasattr(self, "_prominence"):
            cnt = Counter(m.character for m in self.mentions if m.character is not None)
            top = max(cnt.values(), default=1)
            self._prominence = {c: math.log1p(v) / math.log1p(top) for c, v in cnt.items()}
        for c in list(score):
            score[c] += _W_PROMINENCE * self._prominence.get(c, 0.0)
            if not self._strict(c, gender):
                score[c] -= 0.3
        hint = getattr(self, "_hint", None)
        if hint is not None and self._compatible(hint, gender):
            score[hint] += _W_HINT
        if prev_sp in score:
            score[prev_sp] -= _W_PREV
        for v in voc:
            score.pop(v, None)
        if not score:
            return None
        return score.most_common(1)[0][0]

    def _strict(self, cid: int, gender: str) -> bool:
        return self.characters[cid].gender == gender

    # ------------------------------------------------------------------ candidate ranking

    def _rank(self, model, speaker, rule, qtype) -> None:
        """Rank candidate speakers of every utterance without a named tag with a learned scorer."""
        n = len(self.utts)
        known = list(speaker)  # named tags only: the same evidence at training and at run time
        self.mention_count = Counter(m.character for m in self.mentions if m.character is not None)
        top = max(self.mention_count.values(), default=1)
        self.log_top = math.log1p(top)
        self._tag_info = {}
        for k, (_, i, adjacent) in self.deferred.items():
            t = self.tokens[i]
            lw = self.text[t.start:t.end].lower()
            g = _PRON_GENDER.get(lw)
            if g is None and t.pos == "NOUN":
                g = "she" if lw in _FEMALE_NOUNS else "he" if lw in _MALE_NOUNS else None
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
        two = model is not None and model.weights2 is not None
        if self.collect is not None and self.collect_round == 1:
            self.collect.extend((k, c, r) for k, (c, r) in ranked.items())
        if model is None:
            return
        picks = {k: self._pick(cands, [model.score(r) for r in rows]) for k, (cands, rows) in ranked.items()}
        if two or (self.collect is not None and self.collect_round == 2):
            # second round: the same features plus the first round's answers around each quote
            first = list(known)
            for k, (cid, _) in picks.items():
                first[k] = cid
            for k in range(n):
                if first[k] is None and self.rule_speaker is not None:
                    first[k] = self.rule_speaker[k]
            for k, (cands, rows) in ranked.items():
                rows2 = [self._second_round(k, c, r, first) for c, r in zip(cands, rows)]
                ranked[k] = (cands, rows2)
                if self.collect is not None and self.collect_round == 2:
                    self.collect.append((k, cands, rows2))
                if two:
                    picks[k] = self._pick(cands, [model.score2(r) for r in rows2])
        if _JOINT:
            sc = {k: [model.score2(r) if two else model.score(r) for r in rows] for k, (cands, rows) in ranked.items()}
            picks = self._decode(ranked, sc, known, picks)
        for k, (cid, prob) in picks.items():
            speaker[k] = cid
            info = self._tag_info.get(k)
            if info is not None and not info[1]:
                rule[k], qtype[k] = "model_tag", "anaphoric"
            else:
                rule[k], qtype[k] = "model", "implicit"
            self.model_prob[k] = model.calibrate(prob, rule[k])

    def _decode(self, ranked, scores, known, picks):
        """Decode each conversation jointly: a second-order Viterbi over its utterances' speakers.

        Tagged utterances are fixed; the others' emissions are the ranker's log-probabilities over
        its top candidates. Transitions: inside one paragraph the speaker stays; a new paragraph
        is a new speaker (repeating costs _T_REP) and A, B, A turn-taking earns _T_ALT.
        Linear: at most _TOPK candidates per utterance, so a constant amount of work per step."""
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
                    opts = sorted(((c, v - z) for c, v in zip(cands, ss)), key=lambda t: -t[1])[:_TOPK]
                    states.append([(c, _T_EM * lp) for c, lp in opts])
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
                                tr = _T_SAME if c == b else 0.0
                            elif c == b:
                                tr = -_T_REP
                            elif a is not None and c == a:
                                tr = _T_ALT
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
                    cands = ranked[x][0]
                    ss = scores[x]
                    mx = max(ss)
                    z = sum(math.exp(v - mx) for v in ss)
                    out[x] = (c, math.exp(ss[cands.index(c)] - mx) / z)
        return out

    @staticmethod
    def _pick(cands, scores):
        best = max(range(len(cands)), key=lambda j: scores[j])
        mx = scores[best]
        z = sum(math.exp(x - mx) for x in scores)
        return cands[best], 1.0 / z

    def _second_round(self, k: int, c: int, row: dict, first: list) -> dict:
        n = len(self.utts)
        conv = self.conv[k]

        def at(x):
            return first[x] if 0 <= x < n and self.conv[x] == conv else None
        r = dict(row)
        p1, p2, n1, n2 = at(k - 1), at(k - 2), at(k + 1), at(k + 2)
        r["r1_pick"] = float(first[k] == c)
        r["r1_prev"] = float(p1 == c)
        r["r1_prev2_alt"] = float(p2 == c and p1 is not None and p1 != c)
        r["r1_next"] = float(n1 == c)
        r["r1_next2_alt"] = float(n2 == c and n1 is not None and n1 != c)
        r["r1_both_sides"] = float(p1 is not None and p1 == n1 and p1 != c)
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
            if c is not None and c in self.characters and c not in cands:
                cands.append(c)

        # narration mentions before the quote (most recent first), and after it in its paragraph
        lo = self.paragraphs[max(0, par - _LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        recent: list[int] = []
        recent_subj: list[int] = []
        same_par_before: set = set()
        stop = max(-1, j - _SCAN)
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
        stop = min(len(self.named), j + _SCAN)
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
        last_turn: dict[int, int] = {}
        for x in range(k - 1, max(-1, k - 8), -1):
            if self.conv[x] != conv:
                break
            if known[x] is not None and known[x] not in last_turn:
                last_turn[known[x]] = k - x
        g, adjacent, linked = info if info is not None else (None, False, None)
        first_person = self.narrator is not None
        pp_names, pp_pron, pp_gesture = self._prev_narration(k)
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
                "freq": math.log1p(self.mention_count.get(c, 0)) / max(1e-9, self.log_top),
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
            }
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
        return cands, rows

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
            if t.dep not in _SUBJ_DEPS or self.tokens[t.head].pos not in ("VERB", "AUX"):
                continue
            m = self.mention_of_token.get(i)
            if m is not None and m.kind == "name" and m.character in self.characters:
                if m.character not in names:
                    names.append(m.character)
            else:
                g = _PRON_GENDER.get(self.text[t.start:t.end].lower())
                if g in ("he", "she") and pron is None and not names:
                    pron = g
            if self.tokens[t.head].lemma.lower() in SPEECH_LEMMAS:
                gesture = True
        return names, pron, gesture

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
        lo = self.paragraphs[max(0, par - 2 * _LOOKBACK_PARAS)].start
        pos = self.quotes[self.utts[k][0]].start
        hi = self.paragraphs[min(len(self.paragraphs) - 1, par + 2)].end
        score: Counter = Counter()
        j = max(bisect.bisect_left(self.named_starts, lo), bisect.bisect_left(self.named_starts, pos) - 2 * _SCAN)
        stop = min(len(self.named), j + 4 * _SCAN)
        while j < stop and self.named[j][0] < hi:
            st, cid, ti, subj = self.named[j]
            w = 1.0 if st < pos else 0.5
            dist = abs(self._par_of(st) - par)
            score[cid] += w * (1.5 if subj else 1.0) / (1.0 + 0.3 * dist)
            j += 1
        for c in self._participants(k):
            score[c] += 1.5
        if not hasattr(self, "_prominence"):
            cnt = Counter(m.character for m in self.mentions if m.character is not None)
            top = max(cnt.values(), default=1)
            self._prominence = {c: math.log1p(v) / math.log1p(top) for c, v in cnt.items()}
        for c in list(score):
            score[c] += self._prominence.get(c, 0.0)
        if self.narrator is not None:
            score[self.narrator] += 1.0 + self._prominence.get(self.narrator, 0.0)
        if bonus:
            for c, v in bonus.items():
                score[c] += v + (0.0 if c in score else self._prominence.get(c, 0.0))
        best = [c for c, _ in score.most_common() if c not in exclude and c in self.characters]
        return best[0] if best else None

    def _recent_other(self, pos: int, exclude: set) -> int | None:
        par = self._par_of(pos)
        lo = self.paragraphs[max(0, par - _LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        stop = max(-1, j - _SCAN)
        while j > stop and self.named[j][0] >= lo:
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
                at_start = m.start - q.start < 40 and not self.text[q.start:m.start].strip(" \"'\u201c\u2018-_")
                at_end = q.end - m.end < 40 and not self.text[m.end:q.end].strip(" .!?,;\"'\u201d\u2019-_")
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
