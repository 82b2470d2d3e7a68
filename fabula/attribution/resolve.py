"""From a tag's subject token to a character: names, kin nouns ("her mother"), pronouns and
"the lady" resolved against recent narration, turn-taking and prominence."""
from __future__ import annotations

import bisect
from collections import Counter

from ..characters.mentions import person_noun
from ..characters.names import KIN
from .lexicon import (
    DEFER,
    FEMALE_NOUNS,
    MALE_NOUNS,
    NOT_QUOTING_DEPS,
    PRON_GENDER,
    TITLE_BEFORE,
    TITLE_WORDS,
    norm,
)
from .tuning import (
    LOOKBACK_PARAS,
    NOUN_TAGS,
    SCAN,
    W_HINT,
    W_PARITY,
    W_PARTICIPANT,
    W_PREV,
    W_PROMINENCE,
)


class ResolveMixin:
    def _resolve(self, i: int, k: int, adjacent: bool = False, verb: int | None = None):
        """The character a subject token refers to, with the rule and quote type (`verb`: the speech
        verb it is the subject of, when there is one)."""
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
            tm = TITLE_BEFORE.search(self.text, max(0, min(starts + [t.start]) - 14), min(starts + [t.start]))
            if tm is not None:
                starts.insert(0, tm.start(1))
            for start in starts:
                exact = self.names.full.get(norm(self.text[min(start, t.start):end]))
                if exact is not None:
                    return exact, pre + "name", "explicit"
        if t.pos in ("NOUN", "PROPN") and (t.pos == "NOUN" or m is None or m.kind != "name"):
            # "said the policeman": a cast name beats the linker's choice for the noun phrase
            cid = self._noun_name(i)
            if cid is not None:
                return cid, pre + "name", "explicit"
            if not adjacent and t.pos == "NOUN" and self.describe:
                cid = self._described_speaker(i, verb)
                if cid is not None:
                    return cid, "tag_description", "explicit"
        if m is not None and m.character is not None and m.character in self.characters:
            if m.kind == "name":
                return m.character, pre + "name", "explicit"
            if lw in ("i", "me") and self.narrator is not None and not adjacent:
                return self.narrator, "tag_narrator", "anaphoric"
            if PRON_GENDER.get(lw) not in ("he", "she") and not (
                    t.pos == "NOUN" and (lw in FEMALE_NOUNS or lw in MALE_NOUNS)):
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
        if t.pos == "NOUN" and lw in KIN and not self.defer:
            cid = self._kin(i, k)
            if cid is not None:
                return cid, "tag_kin", "anaphoric"
        if self.defer and (lw in PRON_GENDER or t.pos == "NOUN"):
            if lw in ("i", "me") or PRON_GENDER.get(lw) in ("he", "she") or \
                    (t.pos == "NOUN" and (lw in FEMALE_NOUNS or lw in MALE_NOUNS)):
                return DEFER, i, adjacent
        if lw in ("i", "me"):
            if self.narrator is not None:
                return self.narrator, ("adjacent_pronoun" if adjacent else "tag_narrator"), "anaphoric"
            return None
        gender = PRON_GENDER.get(lw)
        if gender is None and t.pos == "NOUN":
            if lw in FEMALE_NOUNS:
                gender = "she"
            elif lw in MALE_NOUNS:
                gender = "he"
            else:
                return None
            if not NOUN_TAGS:
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
        lw = self._word(i)
        poss = [j for j in range(max(0, i - 3), i) if self.tokens[j].head == i and self.tokens[j].dep == "poss"]
        if not poss:
            return None
        pw = self._word(poss[0])
        pg = {"his": "he", "her": "she"}.get(pw)
        if pg is None:
            return None
        owner = self._recent_character(self.tokens[i].start, pg, k)
        if owner is None:
            return None
        family = {w for n in (self.characters[owner].name,) + tuple(self.characters[owner].aliases)
                  for w in norm(n).split()[-1:] if w not in TITLE_WORDS}
        if not family:
            return None
        gender, elder = KIN[lw]
        best, best_score = None, -1.0
        for c in self.characters.values():
            if c.id == owner or c.gender != gender:
                continue
            names = [norm(n) for n in (c.name,) + tuple(c.aliases)]
            if not any(n.split()[-1:] and n.split()[-1] in family for n in names if n):
                continue
            titled = any(n.split()[0] in ("mr", "mrs", "sir", "lady", "old") for n in names if n)
            sc = (1.0 if titled == elder else 0.0) + self.prominence.get(c.id, 0.0) * 0.1
            if sc > best_score:
                best, best_score = c.id, sc
        return best

    def _noun_name(self, i: int) -> int | None:
        """A character named by a common noun ("the keeper", "the burly barman" -> "The Barman")."""
        a = i
        while a - 1 >= 0 and self.tokens[a - 1].head == i and self.tokens[a - 1].dep in ("compound", "amod", "nmod", "poss", "det"):
            a -= 1
        # "the man with the black beard": the prepositional phrase can be part of the name
        ends = [i]
        # (the parser often hangs the phrase on the verb: "asked the man with the scarf")
        last = self._prep_phrase_end(i, 8)
        if last is not None:
            ends.insert(0, last)
        for end in ends:
            for start in range(a, i + 1):
                phrase = norm(self.text[self.tokens[start].start:self.tokens[end].end])
                for key in (phrase, "the " + phrase):
                    if key in self.names.full:
                        return self.names.full[key]
        if a < i and self.tokens[a].lemma.lower() == "the" and i == a + 1:
            return self.names.title.get(self._word(i))
        return None

    def _described_speaker(self, i: int, verb: int | None) -> int | None:
        """"said a little girl", "an earnest girl asked": an indefinite description brings in someone
        the story has not met, so no known character can be the speaker. The description becomes a
        character of its own, which later tags ("said the little girl") find by name."""
        t = self.tokens[i]
        # the quote itself ('"Come," said a man') and the word the parser hung the noun on ('said a girl
        # opposite', "opposite" a clause with "girl" its subject) are not such dependents
        if verb is None or any(self.tokens[j].head == verb and self.tokens[j].dep in NOT_QUOTING_DEPS and j != i
                               and j != t.head and not self.in_quote[j]
                               for j in range(max(0, verb - 3), min(len(self.tokens), verb + 8))):
            return None  # not "a lady ... was saluted as", "a boy ... offered them"
        det = next((j for j in range(max(0, i - 5), i)
                    if self.tokens[j].head == i and self.tokens[j].dep == "det"), None)
        if det is None or self._word(det) not in ("a", "an"):
            return None
        if not person_noun(self._word(i), t.lemma.lower()):
            return None
        end = i
        last = self._prep_phrase_end(i, 4)  # "a lady in the group": a short phrase on the noun belongs to it
        if last is not None and self.tokens[i + 1].head == i and last > i + 1 \
                and self.tokens[last].pos in ("NOUN", "PROPN"):
            end = last
        article = self._word(det)
        return self._describe(*(" ".join(self.text[self.tokens[det + 1].start:self.tokens[e].end].split())
                                for e in (end, i)), article)

    def _prep_phrase_end(self, i: int, span: int) -> int | None:
        """The last token of the prepositional phrase right after token i (at most `span` tokens after
        its preposition), or None when no preposition follows."""
        j = i + 1
        if j >= len(self.tokens) or self.tokens[j].dep != "prep":
            return None
        last = j
        while last + 1 < len(self.tokens) and last - j < span and self._dominated_by(last + 1, j):
            last += 1
        return last

    def _dominated_by(self, j: int, top: int) -> bool:
        """Whether token j lies in the dependency subtree of token `top` (a few steps up at most)."""
        for _ in range(6):
            if j == top:
                return True
            h = self.tokens[j].head
            if h == j or h < 0:
                return False
            j = h
        return j == top

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
        lo = self.paragraphs[max(0, par - LOOKBACK_PARAS)].start
        j = bisect.bisect_left(self.named_starts, pos) - 1
        score: Counter = Counter()
        rank = 0
        stop = max(-1, j - SCAN)
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
                score[two] += W_PARITY
        for c in self._participants(k)[:3]:
            if self._compatible(c, gender):
                score[c] += W_PARTICIPANT
        for c in list(score):
            score[c] += W_PROMINENCE * self.prominence.get(c, 0.0)
            if not self._strict(c, gender):
                score[c] -= 0.3
        hint = getattr(self, "_hint", None)
        if hint is not None and self._compatible(hint, gender):
            score[hint] += W_HINT
        if prev_sp in score:
            score[prev_sp] -= W_PREV
        for v in voc:
            score.pop(v, None)
        if not score:
            return None
        return score.most_common(1)[0][0]

    def _strict(self, cid: int, gender: str) -> bool:
        return self.characters[cid].gender == gender
