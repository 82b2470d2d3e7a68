"""The attributor: indexes over one document, the order the evidence is applied in, the output."""
from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import replace

from ..document import Document
from ..characters.cluster import noun_gender
from ..spans import Character, Paragraph, Quote
from .conversation import ConversationMixin
from .lexicon import DEFER, SUBJ_DEPS, norm
from .model import RankerModel, attribution_model, calibration
from .names import NameIndex
from .ranker import RankerMixin
from .resolve import ResolveMixin
from .tags import TagsMixin


class Attributor(TagsMixin, ResolveMixin, RankerMixin, ConversationMixin):
    """Attributes every quote of one document; see fabula.attribution for the design."""

    def __init__(self, doc: Document, use_model=True, collect: list | None = None, collect_round: int = 1,
                 describe: bool = True) -> None:
        self.use_model = use_model
        self.describe = describe  # speakers known only by a description join the characters (not to a fixed cast)
        self.collect = collect  # training: receives (utterance, candidates, feature rows)
        self.collect_round = collect_round
        self.doc = doc
        self.text = doc.text
        self.quotes = list(doc.layer("quotes"))
        self.tokens = doc.layer("tokens")
        self.sentences = doc.layer("sentences")
        self.mentions = doc.layer("mentions")
        self.characters = {c.id: c for c in doc.layer("characters")}
        self.names = NameIndex(self.characters.values())
        self.paragraphs = doc.layers.get("paragraphs") or self._paragraphs_from_sentences()
        self.par_starts = [p.start for p in self.paragraphs]
        self.tok_starts = [t.start for t in self.tokens]
        self.sent_starts = [s.start for s in self.sentences]
        self.conf = calibration()
        self._index_tokens()
        self._index_mentions()
        # how often each character is mentioned, and that on a log scale from 0 to 1 (prominence)
        self.mention_count = Counter(m.character for m in self.mentions if m.character is not None)
        top = max(self.mention_count.values(), default=1)
        self.prominence = {c: math.log1p(v) / math.log1p(top) for c, v in self.mention_count.items()}
        # the three characters mentioned most often in the whole story
        self.top_characters = [c for c, _ in self.mention_count.most_common() if c in self.characters][:3]
        self.narrator = self._find_narrator()
        self.model_prob: dict[int, float] = {}
        self.rule_speaker = None
        self.rule_rule = None
        self.deferred: dict = {}
        self.tag_verb: dict[int, tuple] = {}  # utterance -> (speech verb token, tag tokens)
        self.tag_addr: dict[int, int] = {}  # utterance -> addressee named by its tag
        self.described: dict[int, Character] = {}  # speakers known only by a description ("a little girl")
        self._described_by: dict[str, int] = {}  # their descriptions' words -> id

    def all_characters(self) -> tuple[Character, ...]:
        """The document's characters and, after `run`, the speakers it only describes."""
        return tuple(self.doc.layer("characters")) + tuple(self.described.values())

    def _describe(self, core: str, noun: str, article: str) -> int:
        """The character a description names ("old man with a beard", its noun phrase "old man"):
        the same words name the same one."""
        key = norm(core)
        cid = self._described_by.get(key)
        if cid is not None:
            return cid
        cid = self._described_by[key] = max(self.characters, default=-1) + 1
        g = noun_gender(core)
        # "the little girl" is the one "a little girl" brought in; "the girl" may be anyone
        aliases = tuple(dict.fromkeys(a for p in (core, noun) if len(p.split()) > 1 for a in (p, f"the {p}")))
        c = Character(id=cid, name=f"{article} {core}", aliases=aliases,
                      gender=g if g else "unknown", category="minor")
        self.characters[cid] = self.described[cid] = c
        self.names.add_full(cid, (c.name,) + c.aliases)
        return cid

    # ------------------------------------------------------------------ indexes

    def _paragraphs_from_sentences(self):

        out = {}
        for s in self.sentences:
            a, b = out.get(s.paragraph, (s.start, s.end))
            out[s.paragraph] = (min(a, s.start), max(b, s.end))
        return tuple(Paragraph(a, b) for _, (a, b) in sorted(out.items()))

    def _index_tokens(self) -> None:
        # a token is in a quote when it starts inside one: each quote marks its run of tokens
        self.in_quote = [False] * len(self.tokens)
        for q in self.quotes:
            i, j = bisect.bisect_left(self.tok_starts, q.start), bisect.bisect_left(self.tok_starts, q.end)
            self.in_quote[i:j] = [True] * (j - i)

    def _index_mentions(self) -> None:
        self.mention_of_token: dict[int, object] = {}
        self.named: list[tuple[int, int, int, bool]] = []  # (start, char id, token index, is_subject) outside quotes
        for m in self.mentions:
            i = bisect.bisect_left(self.tok_starts, m.start)
            while i < len(self.tokens) and self.tokens[i].start < m.end:
                self.mention_of_token[i] = m
                i += 1
        self.mention_tokens = sorted(self.mention_of_token)  # for _mentions_in
        for m in self.mentions:
            # recency evidence comes from names only (pronoun links are resolved here, not trusted); a
            # description that is its character's own name ("the stranger" for the character "the
            # stranger") names that character as surely as a proper name does
            if m.character is None or m.character not in self.characters or m.kind == "pronoun" or \
                    m.kind != "name" and self.names.full.get(norm(self.text[m.start:m.end])) != m.character:
                continue
            ti = bisect.bisect_left(self.tok_starts, m.start)
            if ti >= len(self.tokens) or self.in_quote[ti]:
                continue
            subj = any(self.tokens[k].dep in SUBJ_DEPS for k in range(ti, self._tok_end(m.end, ti)))
            self.named.append((m.start, m.character, ti, subj))
        self.named.sort()
        self.named_starts = [x[0] for x in self.named]
        # characters that the mention linker ties to a pronoun or noun in the narration: more
        # candidates for the ranker (not evidence for the rules, which resolve pronouns themselves)
        self.linked: list[tuple[int, int]] = []
        for m in self.mentions:
            if m.kind == "name" or m.character is None or m.character not in self.characters:
                continue
            ti = bisect.bisect_left(self.tok_starts, m.start)
            if ti < len(self.tokens) and not self.in_quote[ti]:
                self.linked.append((m.start, m.character))
        self.linked.sort()
        self.linked_starts = [x[0] for x in self.linked]

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
            if "narrator" in norm(c.name).split() or any(norm(a) in ("i", "narrator") for a in c.aliases):
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
            if found and found[0] == DEFER:
                deferred[k] = found
            elif found:
                speaker[k], rule[k], qtype[k] = found
        self.defer = False
        self.deferred = deferred
        snapshot = (list(speaker), list(rule), list(qtype))
        self._rules(deferred, speaker, rule, qtype)
        for k in self.tag_verb:
            addr = self._tag_addressee(k, speaker[k])
            if addr is not None:
                self.tag_addr[k] = addr
        model = self.use_model if isinstance(self.use_model, RankerModel) else \
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
