"""Speech tags: the narration next to an utterance that names its speaker ("said Anna", "she
whispered", "Anna sighed.")."""
from __future__ import annotations

import bisect
import re

from ..characters.names import KIN
from ..steps.speech_verbs import GESTURE_LEMMAS, SPEECH_LEMMAS, SPEECH_PARTICLES
from .lexicon import NOT_QUOTING_DEPS, SPEECH_NOUNS, SUBJ_DEPS
from .tuning import PREV_NARRATION


# verbs that tag speech only with a particle ("broke in", "cut in", "chimed in", "went on")
_PHRASAL = {"break": ("in", "out", "forth", "from"), "burst": ("from",), "cut": ("in",), "chime": ("in",),
            "strike": ("in",), "pipe": ("up",), "speak": ("up",), "go": ("on",)}
# verbs of a listener, not a speaker ('to mention "Elizabeth." Lady Russell listened, and looked')
_NOT_TAGS = frozenset({"be", "have", "do", "listen", "hear", "look", "watch", "see", "wait", "stare"})
# verbs that tag speech by where it came from, with no subject: "broke from Janey"
_FROM_VERBS = frozenset(verb for verb, parts in _PHRASAL.items() if "from" in parts)
# words before the noun they modify, which an inverted tag's subject may carry ("the good-hearted Mrs. X")
_PREMODIFIER_DEPS = frozenset({"amod", "advmod", "npadvmod", "compound", "punct", "det", "nummod"})
# "said the voice of Mr. Haq", "Hamidullah's voice said": the owner of the voice speaks
_VOICE_NOUNS = frozenset({"voice", "voices", "tones", "lips"})


# a sentence end inside narration: the stop and any closing mark, then a capital
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019]?\s+(?=[A-Z])")


class TagsMixin:

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
        if not self._introduces_next(k, last.end, next_start):
            regions.append(("after", last.end, next_start))
        before_start = prev_end
        if prev_end == par.start and self.u_par[k] > 0 and not self.text[par.start:first.start].strip(" \"'\u201c\u2018"):
            # "Mrs. Elton, speaking louder, said,\n\n"Yes, here I am..."": the tag ends the paragraph before
            prev_par = self.paragraphs[self.u_par[k] - 1]
            tail = self.text[prev_par.start:prev_par.end].rstrip()
            if tail[-1:] in (",", ":", "-", "\u2014") or tail.endswith("--") or tail[-1:].isalpha() or \
                    self._ends_with_speech(prev_par.start, prev_par.end):
                if not (k > 0 and self.u_last_par[k - 1] == self.u_par[k] - 1):
                    before_start = prev_par.start
                else:
                    # '...be happy." As they went down stairs, Charlotte said,\n\n"I shall...'
                    prev_last = qs[self.utts[k - 1][-1]]
                    if self._introduces_next(k - 1, prev_last.end, prev_par.end):
                        before_start = prev_last.end
                    else:
                        # '" but here her voice died away, ... He withdrew unseen. ... Katharine raised
                        # her head and said:\n\n"Well...': a later sentence of that narration, ending
                        # on a colon, introduces this quote while the quote before keeps its own tag
                        last = None
                        for last in _SENTENCE_END.finditer(self.text, prev_last.end, prev_par.end):
                            pass
                        if last is not None and tail[-1:] == ":":
                            before_start = last.end()
        regions.append(("before", before_start, first.start))
        # 'Marianne rapturously exclaimed, "It is he!" and was hastening on, when Elinor cried out':
        # narration that ends on its speech verb and a comma or dash is this quote's own tag
        regions = self._before_first(regions, (":",), lead_in=(",", "-", "\u2014"))
        for where, a, b in regions:
            toks = [i for i in self._tok_range(a, b) if not self.in_quote[i]]
            if where == "after":
                toks = self._first_sentence(toks)
            elif where == "before":
                toks = self._last_sentence(toks)
            # a gesture verb is a tag only when it opens the narration right after the quote
            # ('"Yes, indeed," nodded Evie'), not in "Anna sighed and looked away"
            lead = next((i for i in toks if self.tokens[i].pos != "PUNCT"), None) if where != "before" else None
            verbs = [i for i in toks if self._gerund_as_noun(i) or
                     (self.tokens[i].lemma.lower() in SPEECH_LEMMAS
                      or self._phrasal_speech(i)
                      or i == lead and self._inverted_tag(i, toks)
                      or where == "after" and self._direct_tag(i, toks))
                     and self.tokens[i].pos in ("VERB", "AUX")
                     and (self.tokens[i].lemma.lower() not in GESTURE_LEMMAS or i == lead)
                     and (self.tokens[i].lemma.lower() != "go" or self._phrasal_speech(i))]
            if where == "before":
                verbs.reverse()
            # reported, not quoted: "Elizabeth replied that it was.", "he said nothing"; not said at all:
            # "The Mouse did not answer", "Mr. X never spoke"
            tokset = set(toks)
            verbs = [v for v in verbs if not self._denied_speech(v) and not any(
                self.tokens[i].head == v and i != v and (
                    self.tokens[i].dep == "ccomp" and any(
                        self.tokens[j].head == i and self.tokens[j].dep == "mark" for j in tokset)
                    or self.tokens[i].dep == "dobj"
                    and self._word(i) == "nothing")
                for i in tokset)]
            # "was Henry's answer", "the reply of the old man": nearer the quote than any speech verb, the
            # speech noun's owner speaks ('"..." was Charles's language; and ... thus spoke Mary:')
            owner = self._speech_noun_owner(toks, k, where)
            for v in verbs:
                if owner is not None and (owner[0] < v if where != "before" else owner[0] > v) \
                        and self.tokens[owner[0]].head != v:  # not "she echoed Miss Tilney's words"
                    break
                got = self._subject_speaker(v, toks, k, aside=where == "before")
                if got:
                    self.tag_verb[k] = (v, toks)
                    return got
            if owner is not None:
                return owner[1]
        # No speech verb: the subject of narration adjacent to the quote in the same paragraph.
        # ('"...," Helen laughed, "for I steal umbrellas..."': between the pieces first; narration
        # that ends on a colon or comma introduces this quote, so it goes before the narration after)
        regions = self._before_first(regions, (":", ","))
        for where, a, b in regions:
            toks = [i for i in self._tok_range(a, b) if not self.in_quote[i]]
            toks = self._last_sentence(toks) if where == "before" else self._first_sentence(toks)
            for i in toks:
                t = self.tokens[i]
                if t.dep in SUBJ_DEPS and self.tokens[t.head].pos in ("VERB", "AUX"):
                    if self._denied_speech(t.head):
                        break  # "Joss did not answer": the one who stayed silent
                    got = self._resolve(i, k, adjacent=True)
                    if got:
                        return got
        # A quote paragraph right after a short narration paragraph: that paragraph's named subject.
        if PREV_NARRATION and prev_end == par.start and self.u_par[k] > 0 and \
                not self.text[par.start:first.start].strip(" \"'\u201c\u2018"):
            pp = self.u_par[k] - 1
            if not (k > 0 and self.u_last_par[k - 1] == pp):
                prev_par = self.paragraphs[pp]
                if prev_par.end - prev_par.start <= 400:
                    toks = [i for i in self._tok_range(prev_par.start, prev_par.end) if not self.in_quote[i]]
                    for i in toks:
                        t = self.tokens[i]
                        if t.dep in SUBJ_DEPS and t.pos == "PROPN":
                            m = self.mention_of_token.get(i)
                            if m is not None and m.kind == "name" and m.character in self.characters:
                                return m.character, "prev_narration", "implicit"
                            break
        return None

    def _speech_noun_owner(self, toks: list[int], k: int, where: str):
        """The speaker a speech noun names ("was Henry's answer", "the reply of the old man", "an
        exclamation of Catherine's"), with the noun's token; the nearest noun to the quote first."""
        for i in (reversed(toks) if where == "before" else toks):
            if self.tokens[i].lemma.lower() in SPEECH_NOUNS and self.tokens[i].pos == "NOUN":
                for j in toks:
                    tj = self.tokens[j]
                    # "Cassandra s reply" (an edition that lost its apostrophes): the name is parsed as a
                    # compound or modifier of the noun
                    if tj.head == i and (tj.dep == "poss" or tj.dep in ("compound", "nmod") and self._known_name(j)) \
                            or tj.dep == "pobj" and self.tokens[tj.head].head == i and self._word(tj.head) == "of":
                        got = self._resolve(j, k)
                        if got:
                            return i, got
        return None

    def _denied_speech(self, v: int) -> bool:
        """'did not answer', 'never spoke': a speech verb negated before it."""
        return self.tokens[v].lemma.lower() in SPEECH_LEMMAS and any(
            self.tokens[i].head == v and self.tokens[i].dep == "neg" and not self.in_quote[i]
            for i in range(max(0, v - 3), v))  # not the quote's own "not" ('"Why not?" said the Hare')

    def _before_first(self, regions, marks, lead_in=()):
        """The regions to search, the narration before first when, for a one-piece quote, it ends on
        one of `marks` ('Ada gasped: "...'), or on one of `lead_in` right after a speech verb ('Ada
        said to her--"...'): then it, not the narration after, is the quote's own tag."""
        if any(r[0] == "between" for r in regions):
            return regions
        before = [r for r in regions if r[0] == "before"]
        if not before:
            return regions
        a, b = before[0][1], before[0][2]
        tail = self.text[a:b].rstrip(" \n\"'\u201c\u2018")
        # ('the Queen said severely "Who is this?"': an edition that dropped the comma)
        if tail[-1:] in marks or lead_in and (tail[-1:] in lead_in or tail[-1:].isalpha()) \
                and self._speech_verb_ends(a, b):
            return before + [r for r in regions if r[0] != "before"]
        return regions

    def _speech_verb_ends(self, a: int, b: int) -> bool:
        """The narration's last clause is a speech verb with at most a few words after it ("Marianne
        exclaimed,", "Darcy, drawing near, said to her--", "cried Anne, turning,")."""
        toks = [i for i in self._tok_range(a, b) if not self.in_quote[i] and self.tokens[i].pos not in ("PUNCT", "SPACE")]
        for i in reversed(toks[-4:]):
            t = self.tokens[i]
            if t.pos in ("VERB", "AUX") and (t.lemma.lower() in SPEECH_LEMMAS or self._phrasal_speech(i)) \
                    and t.lemma.lower() not in GESTURE_LEMMAS:
                return all(self.tokens[j].head == i or self.tokens[self.tokens[j].head].head == i
                           for j in toks[toks.index(i) + 1:])
        return False

    def _phrasal_speech(self, v: int) -> bool:
        """'broke in Adela', 'chimed in the girl', 'she went on': verbs that tag speech only with
        their particle."""
        parts = _PHRASAL.get(self.tokens[v].lemma.lower())
        if not parts:
            return False
        for j in range(v + 1, min(v + 3, len(self.tokens))):
            w = self._word(j)
            if self.tokens[j].head == v and w in parts:
                # "broke from Janey" speaks; "she broke from his grasp" does not
                return w != "from" or not any(self.tokens[x].head == v and self.tokens[x].dep in SUBJ_DEPS
                                              for x in range(max(0, v - 12), v))
        return False

    def _word(self, i: int) -> str:
        t = self.tokens[i]
        return self.text[t.start:t.end].lower()

    def _inverted_tag(self, v: int, toks: list[int]) -> bool:
        """'"It's work he wants," interpreted Helen.': a past-tense verb opening the narration right
        after a quote that ends mid-sentence, its subject a name after it, is a speech tag whatever
        the verb."""
        t = self.tokens[v]
        if t.tag != "VBD" or t.pos != "VERB" or t.lemma.lower() in ("be", "have", "do") or not toks or toks[0] != v:
            return False
        before = self.text[max(0, t.start - 4):t.start].rstrip(" \n\"'\u201d\u2019")
        if before[-1:] not in (",", "!", "?"):
            return False
        return v + 1 in toks and self.tokens[v + 1].pos == "PROPN"

    def _gerund_as_noun(self, i: int) -> bool:
        """'by leaning towards him and remarking: "...': a speech verb's -ing form that the tagger took
        for a noun, in a verb's place (coordinated with one, or after a preposition)."""
        t = self.tokens[i]
        w = self._word(i)
        if t.pos != "NOUN" or not w.endswith("ing") or t.dep not in ("conj", "pcomp", "pobj"):
            return False
        stem = w[:-3]
        return any(x in SPEECH_LEMMAS and x not in GESTURE_LEMMAS for x in (stem, stem + "e", stem[:-1]))

    def _direct_tag(self, v: int, toks: list[int]) -> bool:
        """'"I wonder which floor--?" Dallas conjectured;': a name and a past-tense verb alone, right after
        the quote and closed by punctuation, are its speech tag whatever the verb."""
        t = self.tokens[v]
        if t.tag != "VBD" or t.pos != "VERB" or t.lemma.lower() in _NOT_TAGS or v not in toks:
            return False
        n = toks.index(v)
        if not 1 <= n <= 3 or not all(self.tokens[i].pos == "PROPN" for i in toks[:n]) or \
                self.tokens[toks[n - 1]].head != v or self.tokens[toks[n - 1]].dep not in SUBJ_DEPS:
            return False
        if not self._known_name(toks[n - 1]):
            return False
        after = self.text[t.end:t.end + 2].lstrip(" ")
        return after[:1] in (";", ".", ",", "") and not self.text[t.end:t.end + 2].startswith("..")

    def _introduces_next(self, k: int, a: int, b: int) -> bool:
        """The narration after utterance k closes its paragraph by introducing the next paragraph's
        quote ('" And gathering her work together ... when Elizabeth called out,\n\n"Dear Ma'am'):
        that tag is the next utterance's, not this one's."""
        if k + 1 >= len(self.utts):
            return False
        nxt = self.quotes[self.utts[k + 1][0]]
        if self.u_par[k + 1] == self.u_last_par[k]:
            # '"Anything else?" Matthew took his courage in both hands and replied: "Well now..."'
            if self.text[b:nxt.start].strip(" \"'\u201c\u2018\n"):
                return False
        elif self.u_par[k + 1] == self.u_last_par[k] + 1:
            np = self.paragraphs[self.u_par[k + 1]]
            if self.text[np.start:nxt.start].strip(" \"'\u201c\u2018\n"):
                return False
        else:
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
        if self._short_tag_clause(a, b):
            return False
        return tail[-1:] in (",", ":", "-", "\u2014") or tail.endswith("--") or self._ends_with_speech(a, b)

    def _short_tag_clause(self, a: int, b: int) -> bool:
        """'"I wonder which floor--?" Dallas conjectured; and moving toward the door he ... came back to
        say:': a clause of a subject and its verb alone, closed by a semicolon or a full stop, tags the
        quote before it, whatever the verb, though the rest of the narration introduces the next one."""
        words = [(i, self.text[self.tokens[i].start:self.tokens[i].end]) for i in self._tok_range(a, b)]
        words = [(i, w) for i, w in words if self.tokens[i].pos != "SPACE" and w.strip(" \"'\u201d\u2019")]
        end = next((n for n, (_, w) in enumerate(words) if w in (";", ".")), None)
        if end is None or not 2 <= end <= 4:
            return False
        clause = [i for i, _ in words[:end]]
        if not all(self.tokens[i].pos in ("PROPN", "PRON", "DET", "NOUN", "ADJ", "ADV", "VERB") for i in clause):
            return False
        verbs = [i for i in clause if self.tokens[i].pos == "VERB" and self.tokens[i].tag == "VBD"]
        return len(verbs) == 1 and any(self.tokens[i].dep in SUBJ_DEPS and self.tokens[i].head == verbs[0]
                                       for i in clause)

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
                if any(self.tokens[i].dep in NOT_QUOTING_DEPS for i in kids):
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

    def _subject_speaker(self, v: int, toks: list[int], k: int, aside: bool = False):
        tokset = set(toks)
        subj = [i for i in toks if self.tokens[i].head == v and self.tokens[i].dep in SUBJ_DEPS and i != v]
        if not subj and self.tokens[v].tag == "VBG":
            # "roused by Miss Bates's saying, ...": the owner of the gerund speaks
            subj = [i for i in toks if self.tokens[i].head == v and self.tokens[i].dep == "poss"]
            if not subj and v - 2 in tokset and self._word(v - 1) in ("'s", "\u2019s", "s") \
                    and self._known_name(v - 2):
                subj = [v - 2]  # "stopped by Miss Tilney s saying": the possessive the parser lost
        if not subj and self.tokens[v].tag == "VBN":
            # "when thus accosted by Miss Bingley,": a passive speech verb's agent speaks
            subj = [j for j in toks if self.tokens[j].dep == "pobj" and self.tokens[self.tokens[j].head].head == v
                    and self.tokens[self.tokens[j].head].dep == "agent"][:1]
        if not subj and self.tokens[v].lemma.lower() in _FROM_VERBS and not any(
                self.tokens[j].head == v and self.tokens[j].dep == "prt"
                for j in range(v + 1, min(v + 3, len(self.tokens)))):
            # '"Gracious!" at last broke explosively from Janey', 'burst from William's lips'
            # (not "broke out the Nawab, from his isolation": the particle makes it an inverted tag)
            subj = [j for j in toks if self.tokens[j].dep == "pobj" and self.tokens[self.tokens[j].head].head == v
                    and self._word(self.tokens[j].head) == "from"
                    and (self._known_name(j) or self._voice_owner(j) != j)][:1]
        if not subj:
            # "said Emma" parsed oddly: the nearest name or pronoun right after the verb
            # (spaCy often calls the name of an inverted tag an object).
            inverted = self._opens(v, toks)
            reach = v + 5
            for i in range(v + 1, min(v + 8, len(self.tokens))):
                if i not in tokset:
                    break
                tk = self.tokens[i]
                w = self._word(i)
                if inverted and tk.dep in _PREMODIFIER_DEPS and i < tk.head < v + 8 and tk.head in tokset \
                        and (not self._known_name(i) or self.mention_of_token[i] is self.mention_of_token.get(tk.head)):
                    reach = max(reach, tk.head + 1)
                    continue  # "sighed pleasure-loving Miss Derek", "cried the good-hearted Mrs. Knightley"
                if i >= reach:
                    break
                if tk.pos == "PRON" and w in ("his", "her", "my", "their") and tk.dep == "poss" \
                        and v < tk.head < v + 5 and self.tokens[tk.head].pos == "NOUN":
                    continue  # "cried her husband": the noun the possessive goes with
                if tk.pos == "PRON" and w not in ("he", "she", "i", "they", "we"):
                    break
                if i == v + 1 and w in SPEECH_PARTICLES and tk.pos in ("ADP", "ADV", "PART"):
                    inverted = True  # "put in Freddy", "broke out the girl"
                    continue
                if tk.pos in ("NOUN", "PROPN") and tk.dep == "compound" and v < tk.head < v + 5 \
                        and tk.head in tokset and self._nominal(tk.head):
                    continue  # "replied the medicine man": the head noun, not its modifier
                if tk.pos in ("PROPN", "PRON", "NOUN") and (inverted or tk.dep not in ("dobj", "pobj", "dative")):
                    subj = [i]
                    break
                if inverted and self._known_name(i):
                    subj = [i]  # '"..." echoed Dolly': a known name the tagger took for an adverb
                    break
                if tk.pos not in ("DET", "ADJ", "PROPN", "PUNCT") and not (tk.pos == "NOUN" and tk.dep == "compound"):
                    break
        b = v - 1
        while b in tokset and self.tokens[b].pos == "ADV" and self.tokens[b].head == v \
                and not self.text[self.tokens[b].start].isupper():
            b -= 1  # '"..." May suddenly proposed'
        if not subj and b in tokset:
            # '"..." May continued': a name the tagger took for something else ("May" as a modal)
            w = self.tokens[b]
            word = self.text[w.start:w.end]
            if word[:1].isupper() and w.pos not in ("PRON", "PROPN", "NOUN"):
                cid = self.names.lookup(word)
                if cid is not None:
                    return cid, "tag_name", "explicit"
        if not subj:
            # "Edmund took her hand, and said", "Henry entered the room, calling out": the subject
            # of the verb this one is coordinated with or attached to.
            # "called her attention by saying": through the preposition to the verb it hangs on.
            h = v
            for _ in range(4):
                t = self.tokens[h]
                if t.dep not in ("conj", "advcl", "xcomp", "pcomp", "prep") or t.head == h or t.head not in tokset:
                    break
                h = t.head
                subj = [i for i in toks if self.tokens[i].head == h and self.tokens[i].dep in SUBJ_DEPS]
                if subj:
                    break
            if not subj and h != v:
                subj = self._lost_relative(h, toks)
            if subj and h != v:
                # "Miss Bingley varied the charm ...; and soon afterwards Mr. Darcy, drawing near
                # Elizabeth, said": a name before an aside, after the verb the chain reached, is the
                # subject the parser lost, not that verb's
                a = self._before_aside(v, tokset)
                if a is not None and a > h and a not in subj:
                    subj = [a]
        for i in subj:
            got = self._resolve(self._antecedent(self._voice_owner(i)), k, verb=v)
            if got:
                return got
        if self._opens(v, toks):
            # '"...," said Ralph good-humoredly': the parser made "good" the subject and Ralph its own;
            # in an inverted tag the name right after the verb speaks
            i = v + 1
            if i in tokset and i not in subj and self._known_name(i) and \
                    self.tokens[i].dep not in ("pobj", "dobj", "dative"):
                return self._resolve(i, k)
        i = self._before_aside(v, tokset) if aside else None
        if i is not None and i not in subj:
            return self._resolve(i, k)
        if not subj:
            for i in self._clause_subject(v, toks):
                return self._resolve(i, k, verb=v)
        return None

    def _clause_subject(self, v: int, toks: list[int]) -> list[int]:
        """'Henry, overjoyed to have her go, bowed ..., and, taking out some letters, said': the parser
        made the words after the subject a clause of the speech verb (a ccomp or advcl before it) and
        left the verb without a subject. That clause's subject in the narration of the same paragraph
        (the sentence splitter may have cut it from the verb's sentence), when it is a name."""
        if not toks:
            return []
        lo = bisect.bisect_left(self.tok_starts, self.paragraphs[self._par_of(self.tokens[toks[0]].start)].start)
        for j in range(max(lo, v - 60), v):
            h = self.tokens[j]
            if h.head != v or h.dep not in ("ccomp", "advcl") or self.in_quote[j]:
                continue
            for i in range(max(lo, j - 40), j):
                t = self.tokens[i]
                if t.head == j and t.dep in SUBJ_DEPS and not self.in_quote[i]:
                    m = self.mention_of_token.get(i)  # a name: a pronoun there is too often someone else's
                    if m is None or m.kind != "name":
                        return []
                    # no clause coordinated after it has a subject of its own ("...; and as she walked")
                    if any(self.tokens[x].dep in SUBJ_DEPS and self.tokens[self.tokens[x].head].dep == "conj"
                           and not self.in_quote[x] for x in range(i + 1, v)):
                        return []
                    return [i]
        return []

    def _before_aside(self, v: int, tokset: set) -> int | None:
        """'at last Lilia, getting more and more angry, said,' / 'Cecil, sharing the discontent,
        called out:': the parser often loses a subject across the aside between commas (it made
        Lilia the object of "at" and "called" a modifier of "discontent"); the word before the
        aside is the subject when the aside is a participle, adjective, adverb or relative clause."""
        toks = self.tokens
        j = v - 1
        while j in tokset and toks[j].pos == "ADV":
            j -= 1
        if j not in tokset or self.text[toks[j].start:toks[j].end] != ",":
            return None
        for lc in range(j - 1, max(-1, j - 16), -1):
            if lc not in tokset or self.in_quote[lc]:
                return None
            w = self.text[toks[lc].start:toks[lc].end]
            if w in (".", "!", "?", ";", ":"):
                return None
            if w != ",":
                continue
            if lc + 1 >= j:
                return None
            first = toks[lc + 1]
            fw = self.text[first.start:first.end].lower()
            relative = fw in ("who", "whose")
            # "Das, the more articulate, said:": an appositive description
            apposed = fw in ("the", "a", "an", "his", "her")
            if not (first.tag in ("VBG", "VBN") or first.pos in ("ADJ", "ADV") or relative or apposed):
                return None
            c = lc - 1
            while c - 1 in tokset and toks[c].pos == "ADV" and c > lc - 3 and self.text[toks[c].start].islower():
                c -= 1  # "Sir Thomas soon afterwards, just opening the door, said"
            if c not in tokset:
                return None
            t = toks[c]
            if apposed and (t.dep in ("dobj", "dative")
                            or t.dep == "pobj" and toks[toks[t.head].head].tag in ("VBG", "VBN")):
                return None  # "looking at Fanny, the girl he loved, said": not Fanny ("at last Mina" is)
            if relative and t.dep in ("pobj", "dobj", "dative"):
                return None  # "looking at Fanny, whose tears were beginning to shew, said": not Fanny
            m = self.mention_of_token.get(c)
            lw = self._word(c)
            if m is not None and m.kind == "name" or t.pos == "PROPN" or lw in ("he", "she", "i"):
                return c
            return None
        return None

    def _opens(self, v: int, toks: list[int]) -> bool:
        """The verb opens its narration, but for its own adverbs ('"...," eagerly rejoined Mrs. Elton'):
        an inverted tag, whose name comes after the verb."""
        return all(self.tokens[i].pos == "PUNCT" or self.tokens[i].pos == "ADV" and self.tokens[i].head == v
                   for i in toks if i < v)

    def _voice_owner(self, i: int) -> int:
        """For "the voice of Mr. Haq" or "May's eager voice", the token naming whose voice it is."""
        t = self.tokens[i]
        if t.pos != "NOUN" or self._word(i) not in _VOICE_NOUNS:
            return i
        for j in range(max(0, i - 4), min(len(self.tokens), i + 8)):
            tj = self.tokens[j]
            if tj.head == i and tj.dep == "poss":
                verb = self.tokens[t.head]
                if self._word(j) == "whose" and verb.dep == "relcl":
                    return verb.head  # "Ratcliffe, whose clear voice said"
                return j
            if tj.dep == "pobj" and j > i and self.tokens[tj.head].head == i and \
                    self._word(tj.head) == "of":
                return j
        return i

    def _known_name(self, i: int) -> bool:
        """Token i is part of a name mention of one of the document's characters."""
        m = self.mention_of_token.get(i)
        return m is not None and m.kind == "name" and m.character in self.characters

    def _nominal(self, i: int) -> bool:
        """A head a name can modify ("the medicine man"), not an adverb the parser took for one
        ("said Philip dreamily")."""
        t = self.tokens[i]
        w = self.text[t.start:t.end]
        return t.pos == "NOUN" and not w.endswith("ly") or t.pos == "PROPN" and w[:1].isupper()

    def _antecedent(self, i: int) -> int:
        """For a relative "who" ("Thorpe, who, coming to them, said"), the noun it stands for."""
        t = self.tokens[i]
        if self._word(i) not in ("who", "that", "which"):
            return i
        h = t.head
        for _ in range(3):
            ht = self.tokens[h]
            if ht.dep == "relcl" and ht.head != h:
                return ht.head
            if ht.dep not in ("conj", "advcl", "xcomp") or ht.head == h:
                break
            h = ht.head
        if self._word(i) == "who" and i > 0 and self._word(i - 1) in ("and", "but"):
            # "Miss Steele, who seemed ..., and who now said": the same noun as the relative before
            for j in range(i - 2, max(-1, i - 30), -1):
                if self.in_quote[j] or self._word(j) in (".", "!", "?", ";"):
                    break
                if self._word(j) == "who":
                    a = self._antecedent(j)
                    return a if a != j else i
        return i

    def _lost_relative(self, h: int, toks: list[int]) -> list[int]:
        """'Willoughby, who, rousing himself ..., started up ..., and said': the parser hung "who" on the
        participle and left the verbs after it without a subject. The last relative "who" before the verb,
        when no other subject comes between them."""
        for j in reversed([i for i in toks if i < h]):
            t = self.tokens[j]
            if t.dep in SUBJ_DEPS:
                return [j] if self._word(j) == "who" and self.tokens[t.head].dep == "relcl" else []
        return []

    def _tag_addressee(self, k: int, speaker) -> int | None:
        """Whom the tag says the utterance is for: "said Mr. Bennet to his wife", "she asked Anna",
        "he told her". Names, cast noun names and kin nouns; a him/her is the most recently named
        character of that gender other than the speaker."""
        found = self.tag_verb.get(k)
        if found is None:
            return None
        v, toks = found
        tokset = set(toks)
        objs = []
        for i in toks:
            t = self.tokens[i]
            if t.head == v and t.dep in ("dative", "dobj") and i != v:
                objs.append(i)
            elif t.head == v and t.dep == "prep" and self._word(i) == "to":
                objs.extend(j for j in tokset if self.tokens[j].head == i and self.tokens[j].dep == "pobj")
        for i in objs:
            t = self.tokens[i]
            w = self._word(i)
            m = self.mention_of_token.get(i)
            if m is not None and m.kind == "name" and m.character in self.characters:
                cid = m.character
            elif t.pos == "PROPN":
                cid = self.names.lookup(w)
            elif t.pos == "NOUN":
                cid = self._noun_name(i)
                if cid is None and w in KIN:
                    cid = self._kin(i, k)
            elif w in ("him", "her"):
                cid = self._recent_other(t.start, {speaker}, "he" if w == "him" else "she")
            else:
                cid = None
            if cid is not None and cid != speaker:
                return cid
        return None
