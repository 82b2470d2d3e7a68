"""Finding person-name, noun and pronoun mentions in the token layer.

Names: runs of capitalized proper-noun tokens (with a title before them and a Japanese honorific after
them when present), kept when the document as a whole gives more evidence that the name is a person
(spaCy PERSON, a title, a speech verb, a vocative, a possessive) than a place or an organization.
The decision is made once per name and applied to every occurrence, so a name spaCy misses in one
sentence is still found when it is a person elsewhere.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy

from .names import fold, given_gender, honorifics, is_given_name, not_names, person_nouns, title_key, titles

SPEECH_VERBS = frozenset("""
say tell ask reply cry answer exclaim whisper mutter shout continue add observe remark return repeat
call begin inquire enquire murmur sigh laugh declare retort interrupt protest rejoin resume explain
suggest insist scream yell growl snap demand plead think respond mumble stammer gasp sob groan
announce admit agree argue beg cry chuckle complain confess grumble hiss howl moan note object
pursue promise roar say shriek smile sneer sniff speak state urge venture wonder write nod grin
chant sing bawl bark grunt whimper wail jeer chorus breathe mutter drawl lisp thunder bellow squeak
""".split())

PLACE_PREPS = frozenset({"in", "near", "into", "across", "inside", "outside", "beyond", "within", "via",
                         "throughout", "upon"})
# Verbs whose subject or object is nearly always a person in fiction.
SOCIAL_VERBS = frozenset("""
tell meet ask thank marry love kiss hug greet introduce help follow hate admire pity blame forgive
answer call invite trust believe warn promise embrace persuade obey notice
""".split())
WHO = frozenset({"who", "whom", "whose"})
# Verbs whose "at" takes a person ("looked at Emma", "laughed at him").
AT_PERSON_VERBS = frozenset("""look glance stare gaze peer peep laugh smile grin frown wink nod scowl sneer jeer mock
scoff shout yell scream snap growl bark swear curse wave point aim shoot fire throw fling hurl rush fly spring leap jump
snatch grab clutch catch tug pull poke strike hit kick wonder marvel rage storm shake blink squint""".split())
DETERMINERS = frozenset("a an the this that these those her his my your our their its every no some any each".split())
PLACE_HEADS = frozenset("""home street road abbey castle inn hotel chapel college school hospital station square
place court manor lodge villa cottage farm gardens terrace avenue end corner walk common forest river lake bay
island islands mountains mountain valley tower towers palace library museum club theatre theater office
building buildings crescent parade market downs rectory vicarage parsonage priory cathedral academy institute
asylum prison works""".split())
MOTION = frozenset("""go come return travel walk drive ride sail move journey head hurry run fly road way
path route train coach ship boat trip voyage leave set start arrive emigrate move flee retire""".split())
PLACE_NOUNS = frozenset("""village town city province county parish kingdom country island river street shire
state duchy district region land port valley lake mount mountain sea borough capital realm empire colony
harbour harbor hamlet suburb quarter neighbourhood neighborhood""".split())
_PNOUNS_FAMILY = frozenset({"family", "girl", "sister", "brother", "boy", "child", "children"})
CONNECTORS = frozenset({"de", "van", "von", "du", "la", "le", "di", "da", "del", "der", "den", "ten", "ter",
                        "st.", "st", "o'", "mac", "bin", "ibn", "al", "d'"})
PERSON_LABELS = frozenset({"PERSON"})
OTHER_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LANGUAGE",
                          "DATE", "TIME", "LAW", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL", "PERCENT"})
# Adjectives LitBank-style annotation keeps inside a proper name ("old Cotter", "young Linwood").
NAME_ADJECTIVES = frozenset({"old", "young", "little", "big", "late"})
# Abbreviated titles the tokenizer splits from their period when written in capitals ("MR", ".").
_CAPS_ABBREV = frozenset("mr mrs ms dr messrs rev st capt col gen lieut prof hon".split())
_KIN_TITLES = frozenset("aunt auntie aunty uncle cousin brother sister grandma granny grandpa".split())
_POSSESSIVES = frozenset("my our your his her their".split())
_ORDINALS = frozenset("First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth".split())

PRONOUNS = {
    "he": ("he", "sg"), "him": ("he", "sg"), "his": ("he", "sg"), "himself": ("he", "sg"),
    "she": ("she", "sg"), "her": ("she", "sg"), "hers": ("she", "sg"), "herself": ("she", "sg"),
    "they": ("they", "pl"), "them": ("they", "pl"), "their": ("they", "pl"), "theirs": ("they", "pl"),
    "themselves": ("they", "pl"), "themself": ("they", "sg"),
    "i": ("first", "sg"), "me": ("first", "sg"), "my": ("first", "sg"), "mine": ("first", "sg"),
    "myself": ("first", "sg"),
    "you": ("second", "sg"), "your": ("second", "sg"), "yours": ("second", "sg"), "yourself": ("second", "sg"),
}

_QUOTE_OPEN = {'"', "“", "‘", "«", "'", "``"}
_VOC_BEFORE = {",", "oh", "o", "ah", "dear", "my", "--", "—", "–", "...", "…"}
_VOC_AFTER = {",", "!", "?", ".", '"', "”", "’", "»", "'", ";", "--", "—", "–", "...", "…"}
_PNOUNS = frozenset(person_nouns())
_PERSON_SUFFIX = __import__("re").compile(r"(man|men|woman|er|or|ess|ist|ian|ant|ent|maid|ier|eer|ee|ard|ster|ling|"
                                          r"let|boy|girl|wife|smith|herd|wright)$")
# Things that "say" in fiction without being people.
_NOT_SPEAKERS = frozenset("""voice letter paper note sign book notice telegram card message clock word thing face
eye look answer reply silence text story weather water matter paper number order manner danger dinner corner
power paper letter chapter silver thunder laughter murmur whisper answer shiver hour document moment newspaper article report rumour rumor wind sea heart mind
conscience instinct reason door bell telephone phone radio inscription label poster proverb saying song
verse line law rule other one latter former first second rest whole crowd company party""".split())
_FUNCTION_WORDS = frozenset("the to of and in on at a an for with from by or but as is was".split())
_GLUE = __import__("re").compile(r"--|[;:!?,()\"“”]|\.(?=[^\w\s]|-)")
_ROMAN = __import__("re").compile(r"^(?:I{2,3}|IV|VI{0,3}|IX|XI{0,3}|XI?V|XVI{0,3})$")


@dataclass
class Candidate:
    s: int  # first token (the title when there is one)
    e: int  # one past the last token
    title: str | None
    words: tuple[str, ...]
    suffix: str | None
    name_start: int  # first token of the name words
    the: bool = False  # a leading "the" is part of the span (a family: "the Ambersons")
    key: tuple[str, ...] = ()
    in_quote: bool = False
    initial: bool = False
    person: float = 0.0
    other: float = 0.0
    strong: bool = False  # a title, an honorific, a speech verb or a vocative
    end_char: int | None = None  # when the last token carries glued punctuation
    place_tail: bool = False  # followed by a place word that made it a place's name
    speech: bool = False  # speaking or spoken to here (a speech verb, a vocative)
    det: bool = False  # right after a determiner or possessive of its own ("the Ayah", "her Ayah")
    out_end: int | None = None  # the mention's end when it runs on past the name ("Lavelle of Java")
    label_p: float = 0.0  # the part of `person` and `other` that comes from the entity label
    label_o: float = 0.0

    def __post_init__(self):
        self.key = tuple(fold(w) for w in self.words)


class TokenView:
    """Plain lists over the token layer, and the lookups every pass needs."""

    def __init__(self, text: str, tokens, sentences, quote_spans=()):
        self.text = text
        self.tokens = tokens
        n = len(tokens)
        self.words = [text[t.start:t.end] for t in tokens]
        self.lower = [w.lower() for w in self.words]
        self.starts = [t.start for t in tokens]
        # each token's sentence: the last one starting at or before it (0 before the first), as bisect_right
        sent = numpy.searchsorted(numpy.array([s.start for s in sentences], dtype=numpy.int64),
                                  numpy.array(self.starts, dtype=numpy.int64), side="right") - 1
        self.sent = numpy.maximum(sent, 0).tolist()
        self.sentences = sentences
        # Sentence-initial: the first word token of its sentence, or the first word after an opening quote.
        self.initial = [False] * n
        prev_sent = -1
        expect = True
        for i in range(n):
            if self.sent[i] != prev_sent:
                expect = True
                prev_sent = self.sent[i]
            w = self.words[i]
            if w in _QUOTE_OPEN or w in ("(", "[", "-", "--", "—", "*", "_"):
                if w in _QUOTE_OPEN:
                    expect = True
                continue
            if w[:1].isalnum():
                if not expect:
                    # after sentence-final punctuation the sentence splitter missed ('..." Stupid Harriet')
                    k = i - 1
                    while k >= 0 and self.words[k] in ('"', "”", "’", "'", "''", ")", "]", "_", "*"):
                        k -= 1
                    if k >= 0 and self.words[k] in (".", "!", "?", "...", "…", "?!", "!?") and k < i - 1:
                        expect = True
                self.initial[i] = expect
                expect = False
        self.in_quote = [False] * n
        if quote_spans:
            # inside the last quote that starts at or before the token
            qs = numpy.array(sorted((q.start, q.end) for q in quote_spans), dtype=numpy.int64)
            starts = numpy.array(self.starts, dtype=numpy.int64)
            k = numpy.searchsorted(qs[:, 0], starts, side="right") - 1
            self.in_quote = ((k >= 0) & (starts < qs[numpy.maximum(k, 0), 1])).tolist()
        else:
            self._guess_quotes()

    def _guess_quotes(self) -> None:
        """Mark tokens between double quotation marks, paragraph by paragraph (no quotes layer)."""
        text = self.text
        inside = False
        for i, w in enumerate(self.words):
            if i and "\n\n" in text[self.tokens[i - 1].end:self.tokens[i].start]:
                inside = False
            if w in ('“', '«'):
                inside = True
                continue
            if w in ('”', '»'):
                inside = False
                continue
            if w == '"' or w == "``" or w == "''":
                if w == "``":
                    inside = True
                elif w == "''":
                    inside = False
                else:
                    # An opening mark has a word right after it; a closing one right before it.
                    t = self.tokens[i]
                    after = text[t.end:t.end + 1]
                    before = text[t.start - 1:t.start] if t.start else " "
                    if after[:1].isalnum() and not before[:1].isalnum() and not inside:
                        inside = True
                    elif inside:
                        inside = False
                    else:
                        inside = not inside
                continue
            self.in_quote[i] = inside


def _caplike(w: str) -> bool:
    if w[:2] in ("d'", "d’") and len(w) > 2 and w[2].isupper():
        return True  # "d'Urberville"
    return bool(w) and w[0].isupper() and any(c.isalpha() for c in w)


@lru_cache(maxsize=1 << 16)  # asked of the same words again and again
def _allcaps(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= max(2, 0.7 * len(letters))


def common_words(tv: TokenView) -> frozenset:
    """Words the text also writes in lower case (so they are ordinary words as well as names)."""
    seen = Counter(w for w in tv.words if w[:1].islower())
    return frozenset(fold(w) for w, n in seen.items() if n >= 2)


def strip_initial_words(cands: list[Candidate], common: frozenset) -> None:
    """'Stupid Harriet', 'Hitherto Gino': a sentence-initial ordinary word glued to a known name."""
    count = Counter(c.key for c in cands)
    mid = set(c.key for c in cands if not c.initial)
    for c in cands:
        if c.title is None and len(c.key) >= 2 and c.key[0] in common and count[c.key[1:]] > count[c.key] \
                and (c.initial and c.key not in mid or count[c.key] <= 2 and count[c.key[1:]] >= 5 * count[c.key]) \
                or c.title is None and len(c.key) >= 2 and c.initial and count[c.key] <= 2 \
                and count[c.key[1:]] >= 10 * count[c.key]:
            c.words = c.words[1:]
            c.key = c.key[1:]
            c.name_start += 1
            c.s = c.name_start
            c.initial = False


# Words before a month that make it a date ("in May", "the first of May", "until May").
_BEFORE_DATE = frozenset("in of since until till last next early late mid during through".split())


def _date_use(tv: TokenView, i: int) -> bool:
    """Token i is a month that is also a given name ("May"), used as a date here: "in May", "May 4",
    "May Day"."""
    w = tv.lower[i]
    if w not in not_names() or not given_gender(w):
        return False
    nxt = tv.words[i + 1] if i + 1 < len(tv.words) else ""
    return i > 0 and tv.lower[i - 1] in _BEFORE_DATE or nxt[:1].isdigit() or nxt == "Day"


def find_candidates(tv: TokenView) -> list[Candidate]:
    toks = tv.tokens
    words = tv.words
    n = len(toks)
    bad = not_names()
    hon = honorifics()
    out: list[Candidate] = []
    # _caplike of each token, computed once per distinct word (every token was tested two to four times)
    cap = list(map({w: _caplike(w) for w in set(words)}.__getitem__, words))
    i = 0
    while i < n:
        w = words[i]
        title = title_key(w) if cap[i] else None
        j = i
        if not cap[i] and tv.lower[i] in ("aunt", "uncle") and i + 1 < n and cap[i + 1] \
                and title_key(words[i + 1]) is None and toks[i + 1].tag == "NNP" and not _is_gap(tv, i, i + 1):
            title = tv.lower[i]  # "uncle Charles": a lower-case kinship title still names the person
        elif not cap[i]:
            i += 1
            continue
        if title is not None and i + 1 < n and cap[i + 1] and title_key(words[i + 1]) is None \
                and not _is_gap(tv, i, i + 1, wrap_ok=True):
            j = i + 1
        elif title in _CAPS_ABBREV and w.isupper() and i + 2 < n and words[i + 1] == "." \
                and toks[i].end == toks[i + 1].start and words[i + 2] != "I" \
                and cap[i + 2] and title_key(words[i + 2]) is None \
                and tv.text[toks[i + 1].end:toks[i + 2].start] == " ":
            j = i + 2  # "MR. Temple": the tokenizer split the period off a title in capitals
        elif title is not None and i + 2 < n and tv.lower[i + 1] in CONNECTORS and (
                cap[i + 2] or tv.lower[i + 2] in CONNECTORS and i + 3 < n and cap[i + 3]):
            j = i + 1  # "Mr. van der Luyden"
        elif title is not None and i + 1 < n and title_key(words[i + 1]) and i + 2 < n \
                and cap[i + 2] and not _is_gap(tv, i, i + 2):
            # two titles in a row ("Lady Sarah", "Dr. Sir John", "Mr. Justice X")
            j = i + 2 if title_key(words[i + 2]) is None else i + 1
        else:
            title = None
        first = j
        tag = toks[j].tag
        if title is None:
            if not (tag in ("NNP", "NNPS") or toks[j].entity == "PERSON" or _allcaps(words[j])) \
                    or _date_use(tv, j):
                i += 1
                continue
        k = j
        suffix = None
        while k < n and k == first and tv.lower[k] in CONNECTORS and title is not None and k + 1 < n:
            k += 1  # leading particles after a title; the loop below takes the capitalized words
        while k < n:
            wk = words[k]
            if k > first and _is_gap(tv, k - 1, k):
                break
            if k > first and wk.lower() in CONNECTORS:
                # "Henry van der Luyden": particles, one or more, before a capitalized surname
                q = k
                while q < min(n, k + 3) and tv.lower[q] in CONNECTORS and not _is_gap(tv, q - 1, q):
                    q += 1
                if q < n and cap[q] and not _is_gap(tv, q - 1, q):
                    k = q
                    continue
            if wk == "-" and k > first and k + 1 < n and words[k + 1].lower() in hon \
                    and not _is_gap(tv, k - 1, k) and not _is_gap(tv, k, k + 1):
                suffix = words[k + 1].lower()
                k += 2
                break
            if wk in ("-", "–") and k > first and k + 1 < n and cap[k + 1] \
                    and toks[k - 1].end == toks[k].start and toks[k].end == toks[k + 1].start \
                    and words[k + 1].lower() not in hon:
                k += 2  # "Mary-Jane", "Foucquier-Tinville": one hyphenated name
                continue
            if "-" in wk and wk.rsplit("-", 1)[1].lower() in hon:
                suffix = wk.rsplit("-", 1)[1].lower()
                k += 1
                break
            if not cap[k] or title_key(wk) is not None and k > first:
                break
            if k > first and wk.lower() in _FUNCTION_WORDS:
                break  # "LADY HOWARD TO THE REV." -- a heading in capitals
            tg = toks[k].tag
            if k > first and not (tg in ("NNP", "NNPS") or toks[k].entity == "PERSON" or _allcaps(wk)):
                break
            if not any(c.isalpha() for c in wk):
                break
            k += 1
        if k == first:
            i += 1
            continue
        name_toks = list(range(first, k))
        if suffix is not None:
            # the suffix tokens are at the end; keep only the name tokens as words
            name_toks = [t for t in name_toks if words[t] != "-" and words[t].lower() not in hon]
        # tokens written without a space between them make one word ("Mary", "-", "Jane")
        merged: list[list[int]] = []
        for t in name_toks:
            if merged and toks[merged[-1][-1]].end == toks[t].start and (
                    words[t] in ("-", "–") or words[merged[-1][-1]] in ("-", "–")):
                merged[-1].append(t)
            else:
                merged.append([t])
        name_toks = [grp[-1] for grp in merged]
        glued = {grp[-1]: "".join(words[x] for x in grp) for grp in merged if len(grp) > 1}
        ws = []
        cut_end = None
        for t in name_toks:
            wt = glued.get(t, words[t])
            m = _GLUE.search(wt)
            if m and m.start() > 0:
                # "Bennet;--she": the tokenizer left punctuation and the next word glued on
                wt = wt[:m.start()]
                cut_end = toks[t].start + len(wt)
                k = t + 1
                ws.append(wt)
                break
            if suffix and "-" in wt and wt.rsplit("-", 1)[1].lower() == suffix:
                wt = wt.rsplit("-", 1)[0]
            ws.append(wt)
        # Exclamation / filler words at the front are not part of a name ("Oh Tom", "Good God").
        s_name = first
        if title is None and len(ws) >= 2 and tv.initial[first] and not toks[first].entity \
                and toks[first + 1].entity == "PERSON":
            ws = ws[1:]  # "Later Akiko-san poured": the tagger's name starts after the first word
            s_name += 1
        while len(ws) > 1 and (ws[0].lower().strip(".") in bad and not given_gender(ws[0])  # not "May Welland"
                               or ws[0].lower() in NAME_ADJECTIVES
                               and ws[1].lower() not in _PNOUNS and ws[1].lower() not in bad) \
                and title is None:
            ws = ws[1:]
            s_name += 1
        if not ws:
            i = k
            continue
        # "John Grier Home", "Howards End": a place named after a person ends in a place word (not one
        # that is also a common surname: Hall, Lane, Wood, Hill); the
        # person's name inside it is a candidate of its own, with a place's evidence against it.
        place_tail, place_word = False, -1
        if len(ws) >= 2 and title is None and ws[-1].lower() in PLACE_HEADS:
            ws = ws[:-1]
            k -= 1
            place_tail = True
            place_word = k
        # All-capital runs: a heading or shouting unless short; mixed-case words break them off.
        caps = [_allcaps(w) for w in ws]
        if any(caps) and not all(caps):
            cut = caps.index(not caps[0]) if caps[0] else caps.index(True)
            ws = ws[:cut]
            k = s_name + cut
            while k > s_name and words[k - 1] in ("-",):
                k -= 1
            suffix = None
        if all(_allcaps(w) for w in ws) and len(ws) > 3:
            i = k
            continue
        start = i if title is not None else s_name
        if title in _KIN_TITLES and i > 0 and tv.lower[i - 1] in _POSSESSIVES and i + 1 == s_name:
            start = s_name  # "my uncle John", "her Aunt Eliza": the kinship word describes; the name is John
        # Regnal numbers belong to the name ("Charles II").
        if k < n and _ROMAN.match(words[k]) and not _is_gap(tv, k - 1, k) and toks[k].tag == "NNP":
            k += 1
        # "old Cotter", "poor Miss Birch", "the late John Graves": adjectives describing the name belong
        # to it, with their article.
        a = start
        while a > 0 and (toks[a - 1].tag == "JJ" or toks[a - 1].tag in ("VBG", "VBN") and toks[a - 1].dep == "amod"
                         and a > 1 and tv.lower[a - 2] in ("the", "this", "that")) \
                and words[a - 1][:1].islower() \
                and tv.lower[a - 1] not in ("dear", "dearest", "poor", "own", "beloved", "darling") \
                and toks[a - 1].head in range(start, k) and not _is_gap(tv, a - 1, a):
            a -= 1
            # a hyphenated adjective whole ("good-natured", "innocent-looking")
            while a > 1 and words[a - 1] in ("-", "–") and toks[a - 2].end == toks[a - 1].start \
                    and toks[a - 1].end == toks[a].start and words[a - 2][:1].isalpha() and words[a - 2][:1].islower():
                a -= 2
        if a < start and a > 0 and words[a - 1] in ("-", "–"):
            a = start  # part of an adjective the parser split: keep the name alone
        if a == start and start > 0 and tv.lower[start - 1] in NAME_ADJECTIVES and not _is_gap(tv, start - 1, start):
            a -= 1
        if a < start and a > 0 and tv.lower[a - 1] in ("the", "that", "this") and toks[a - 1].head in range(a, k):
            a -= 1
        if a == start and start > 0 and words[start - 1] in ("Dear", "Dearest") and tv.initial[start - 1] \
                and not _is_gap(tv, start - 1, start):
            a -= 1  # a letter's salutation: "Dear Judy"
        if k + 1 < n and tv.lower[k] == "the" and words[k + 1] in _ORDINALS and not _is_gap(tv, k - 1, k) \
                and not _is_gap(tv, k, k + 1):
            k += 2  # "Rudolf the Fifth"
        start = a
        c = Candidate(start, k, title, tuple(ws), suffix, s_name)
        c.end_char = cut_end if not place_tail else None
        if cut_end is None and not place_tail and k + 1 < n and words[k] == "of" and not _is_gap(tv, k - 1, k):
            # "Lavelle of Java", "Captain Jack Carter of Virginia": where a person is from is part of the mention
            m = k + 1 + (tv.lower[k + 1] == "the" and k + 2 < n)
            q = m
            while q < n and cap[q] and toks[q].tag in ("NNP", "NNPS") and title_key(words[q]) is None \
                    and words[q].lower() not in bad and not _is_gap(tv, q - 1, q):
                q += 1
            if q > m and not (q < n and tv.lower[q] in ("'s", "’s", "'", "’")):
                c.out_end = toks[q - 1].end
        c.place_tail = place_tail
        # "the Ambersons": a family named in the plural takes its article.
        if title is None and start == s_name and start > 0 and tv.lower[start - 1] == "the" \
                and toks[k - 1].tag == "NNPS" and ws[-1].endswith("s") and not _is_gap(tv, start - 1, start):
            c.s = start - 1
            c.the = True
        c.in_quote = tv.in_quote[c.s]
        c.initial = tv.initial[c.s]
        out.append(c)
        i = k + 1 if k == place_word else k  # "End" of "Howards End" is no name of its own
    return out


def _is_gap(tv: TokenView, a: int, b: int, wrap_ok: bool = False) -> bool:
    """Whether tokens a and b are separated by a line break or a sentence boundary.

    With `wrap_ok` one line break inside the sentence is no gap: hard-wrapped text often ends a
    line on a title ("said Mrs." / "Hilbery, looking up")."""
    if tv.sent[a] != tv.sent[b]:
        return True
    between = tv.text[tv.tokens[a].end:tv.tokens[b].start]
    if wrap_ok and between.count("\n") == 1 and not between.strip() and len(between) <= 3:
        return False
    return "\n" in between or len(between) > 2


def score_candidates(tv: TokenView, cands: list[Candidate]) -> None:
    toks = tv.tokens
    lower = tv.lower
    n = len(toks)
    for c in cands:
        labels = [toks[t].entity for t in range(c.name_start, c.e) if toks[t].entity]
        lab = labels[0] if labels else ""
        p = o = 0.0
        if lab in PERSON_LABELS:
            p += 1.0
            c.label_p = 1.0
        elif lab == "ORG" and c.e - c.name_start == 1:
            o += 0.6  # the small model calls many unfamiliar one-word names ORG
            c.label_o = 0.6
        elif lab in OTHER_LABELS:
            o += 1.0
            c.label_o = 1.0
        if c.title is not None:
            p += 2.0
        if c.suffix:
            p += 2.0
        nxt = c.e
        while nxt < n and lower[nxt] in (",",):
            nxt += 1
        if nxt < n and toks[nxt].lemma.lower() in SPEECH_VERBS and toks[nxt].pos in ("VERB", "AUX"):
            p += 2.0
            c.speech = True
        prv = c.s - 1
        sv = prv - 1 if prv >= 1 and lower[prv] == "the" else prv
        if sv >= 1 and toks[sv].lemma.lower() in SPEECH_VERBS and toks[sv].pos == "VERB" \
                and lower[sv - 1] in (",", '"', "”", "'", "’", "!", "?"):
            p += 2.0
            c.speech = True
        last = c.e - 1
        head = toks[last].head
        dep = toks[last].dep
        if 0 <= head < n:
            hl = toks[head].lemma.lower()
            if dep == "nsubj" and hl in SPEECH_VERBS and not tv.in_quote[last]:
                p += 2.0
                c.speech = True
            elif dep == "nsubj" and toks[head].pos == "VERB":
                p += 0.7
            elif dep in ("dobj", "dative") and hl in SOCIAL_VERBS:
                p += 0.7
            elif dep == "appos" and toks[head].lemma.lower() in _PNOUNS:
                p += 1.0
        if lab == "PERSON" and 0 <= head < n and (
                dep == "conj" and toks[head].entity == "PERSON" and toks[head].tag == "NNP"
                or any(toks[j].dep == "conj" and toks[j].head == last and toks[j].entity == "PERSON"
                       for j in range(c.e, min(n, c.e + 4)))):
            p += 0.5  # "Brahms and Mozart": people listed together
        if is_given_name(c.words[0]) and not (prv >= 0 and lower[prv] in PLACE_PREPS):
            p += 0.7  # a common given name
        if nxt < n and lower[nxt] in WHO:
            p += 0.7
        if c.in_quote and prv >= 0 and lower[prv] in _VOC_BEFORE and (c.e >= n or lower[c.e] in _VOC_AFTER):
            p += 1.0
            c.speech = True
        if c.e < n and lower[c.e] in ("'s", "’s", "'", "’") and c.e + 1 < n:
            p += 0.3
        if not c.initial and toks[c.name_start].tag in ("NNP", "NNPS") and not lab:
            p += 0.3
        if prv >= 0 and lower[prv] in PLACE_PREPS and c.title is None:
            o += 0.8
        if prv >= 0 and lower[prv] == "at" and c.title is None and not c.the \
                and not (0 <= toks[prv].head < n and toks[toks[prv].head].lemma.lower() in AT_PERSON_VERBS):
            o += 0.8  # "stopped at Chichester", "met him at Milrose"; not "looked at Emma"
        elif prv >= 0 and lower[prv] in ("of", "to", "at", "from") and c.title is None and not c.the:
            o += 0.3
        if prv >= 0 and lower[prv] == "the" and c.title is None and not c.the:
            o += 0.7
        if prv >= 1 and lower[prv] in ("to", "from", "towards", "for") and c.title is None \
                and toks[prv - 1].lemma.lower() in MOTION:
            o += 1.0  # "the road to Brinkley", "came to Lowestoft", "left for Paris"
        if prv >= 1 and lower[prv] == "of" and c.title is None and toks[prv - 1].lemma.lower() in PLACE_NOUNS:
            o += 2.0  # "the village of Raveloe"
        if dep == "compound" and 0 <= head < n and toks[head].tag in ("NN", "NNS") and c.title is None \
                and toks[head].lemma.lower() not in _PNOUNS_FAMILY:
            o += 0.7  # "the Raveloe boys", "the Dallas connection": a name used as a modifier
        if c.e < n and lower[c.e] in ("street", "road", "square", "hall", "park", "house", "lane", "court",
                                       "abbey", "castle", "hill", "river", "church", "college", "place"):
            o += 1.0
        if c.place_tail:
            o += 1.5
        if c.title is None and not c.the and prv >= 0 and lower[prv] in DETERMINERS \
                and toks[prv].dep in ("det", "poss") and c.s <= toks[prv].head < c.e:
            c.det = True
        if not c.in_quote and not c.speech:
            # named in narration just before a paragraph of dialogue: may well be its speaker
            text = tv.text
            pos = toks[c.e - 1].end
            par_end = text.find("\n\n", pos)
            if par_end >= 0 and text[par_end:par_end + 12].lstrip()[:1] in ('"', "“", "'", "‘"):
                c.speech = True
        c.person, c.other = p, o
        c.strong = p >= 2.0 or (c.in_quote and p >= 1.0 and lab not in PERSON_LABELS)


def accept(cands: list[Candidate], common: frozenset = frozenset()) -> set[tuple[str, ...]]:
    """The name keys the whole document supports as persons.

    A key made only of excluded words ("God", "Heaven", "Mother") is never a name by itself; with a title
    before it ("Mrs. Hall", "Aunt Polly") it is, which `is_name` checks per occurrence.
    """
    per: dict[tuple, list[float]] = {}
    det: Counter = Counter()
    inner: Counter = Counter()  # occurrences not at the start of a sentence (or titled)
    caps: Counter = Counter()  # occurrences written all in capitals
    titled: Counter = Counter()
    labels: dict[tuple, list[float]] = {}
    for c in cands:
        acc = per.setdefault(c.key, [0.0, 0.0, 0, 0])
        acc[0] += c.person - c.label_p
        acc[1] += c.other - c.label_o
        lab = labels.setdefault(c.key, [0.0, 0.0])
        lab[0] += c.label_p
        lab[1] += c.label_o
        acc[2] += 1
        acc[3] += c.strong
        det[c.key] += c.det
        if not c.initial or c.title is not None:
            inner[c.key] += 1
        caps[c.key] += all(_allcaps(w) for w in c.words)
        titled[c.key] += c.title is not None
    # The tagger labels one spelling alike wherever it occurs, so its label counts as one piece of
    # evidence growing slowly with the occurrences, not one per occurrence.
    for key, (lp, lo) in labels.items():
        per[key][0] += _damp(lp)
        per[key][1] += _damp(lo)
    ok = set()
    for key, (p, o, cnt, strong) in per.items():
        if det[key] >= 2 and det[key] >= 0.5 * cnt and strong <= 1:
            continue  # "the Ayah", "her Ayah", "the Moonstone": a capitalized description, not a name
        if caps[key] == cnt and all(w in common for w in key) and not titled[key]:
            continue  # "YOU will.", "WO N'T": ordinary words set in capitals for emphasis
        if len(key) == 1 and key[0] in common and not inner[key]:
            continue  # "Down, down, down.", "Sorrow came": an ordinary word, capitalized only to open a sentence
        if strong >= 3 and strong >= 0.1 * cnt:
            ok.add(key)  # spoken to, speaking, titled: a person, even with a place's name ("Dallas")
            continue
        # one sign alone (a PERSON label on one word) is not enough: the small model's labels are noisy;
        # a first name and a surname together are
        need = 1.2 if len(key) == 1 else 1.0
        if len(key) == 1 and key[0] in common:
            need = 2.0  # a word also used in lower case ("Glad", "Rose") needs more than one sign
        if p >= need and p > o:
            ok.add(key)
    # The first or last word of an accepted full name is the same person unless it is a place.
    parts: dict[str, int] = {}
    for key in ok:
        if len(key) >= 2:
            parts[key[0]] = parts.get(key[0], 0) + 1
            parts[key[-1]] = parts.get(key[-1], 0) + 1
    for key, (p, o, cnt, strong) in per.items():
        if key in ok or len(key) != 1:
            continue
        if key[0] in parts and p + 1.0 > 0.6 * o and key[0] not in common:
            ok.add(key)
    return ok


def _damp(x: float) -> float:
    return x if x <= LABEL_FULL else LABEL_FULL + LABEL_REST * (x - LABEL_FULL)


LABEL_FULL, LABEL_REST = 1.0, 0.3


def is_name(c: Candidate, ok: set) -> bool:
    if c.key not in ok:
        return False
    if c.title is not None:
        return True
    bad = not_names()
    tw = titles()
    words = [w.strip(".") for w in c.key]
    if all(w in bad or w in tw for w in words):
        # a month that is also a given name ("May") names the person the book calls by it in
        # an accepted full name ("May Welland"), when the word alone was accepted as a person too
        return len(words) == 1 and given_gender(words[0]) is not None \
            and any(len(k) >= 2 and k[0] == words[0] for k in ok)
    return True


# ---------------------------------------------------------------- nouns and pronouns

def find_pronouns(tv: TokenView) -> list[tuple[int, str, str]]:
    """(token index, person/gender class, number) for each personal pronoun."""
    out = []
    for i, w in enumerate(tv.lower):
        info = PRONOUNS.get(w)
        if info is None:
            continue
        tag = tv.tokens[i].tag
        if tag not in ("PRP", "PRP$") and w not in ("his", "hers", "mine", "yours", "theirs"):
            continue
        if w == "i" and tv.words[i] != "I":
            continue
        out.append((i, info[0], info[1]))
    return out


def find_nouns(tv: TokenView, taken: set[int]) -> list[tuple[int, int, int, str]]:
    """(start token, end token, head token, gender) for noun phrases headed by a person noun."""
    nouns = person_nouns()
    toks = tv.tokens
    out = []
    for i, t in enumerate(toks):
        if t.tag not in ("NN", "NNS") or i in taken:
            continue
        lem = t.lemma.lower()
        g = nouns.get(lem) or nouns.get(tv.lower[i])
        if g is None:
            continue
        if t.tag == "NNS":
            continue  # plural groups are not one character
        # the phrase: determiners, possessives and adjectives to the left that depend on the head
        s = i
        while s - 1 >= 0 and toks[s - 1].head == i and toks[s - 1].dep in ("det", "amod", "poss", "compound",
                                                                          "nummod", "advmod", "case") \
                and not tv.words[s - 1] in (",",) and (s - 1) not in taken:
            s -= 1
        if s == i and toks[i].dep not in ("nsubj", "dobj", "pobj", "nsubjpass", "appos", "conj", "attr"):
            continue
        out.append((s, i + 1, i, g if g in ("he", "she") else "unknown"))
    return out


# "the young man", "the girl", "the old lady": in most novels a narrator's way of naming someone the
# reader already knows (Winterbourne, Daisy), so such a phrase is left to resolve like a pronoun rather
# than made a character of its own. Role nouns ("the waiter", "the Professor") are still characters.
_EPITHET_HEADS = frozenset("man woman girl boy lady gentleman child youth".split())


def _distinguishing_phrase(tv: TokenView, j: int) -> int | None:
    """The end of "with the black beard" / "in the grey coat" after the noun at j, or None."""
    toks, lower, n = tv.tokens, tv.lower, len(tv.tokens)
    k = j + 1
    if k >= n or lower[k] not in ("with", "in"):
        return None
    k += 1
    if k < n and lower[k] in ("the", "a", "an", "his", "her"):
        k += 1
    while k < n and toks[k].tag == "JJ" and k - j <= 5:
        k += 1
    if k < n and toks[k].tag == "NN" and toks[k].head == j + 1 and lower[k] not in _NOT_SPEAKERS:
        return k + 1
    return None


def noun_head(key: tuple) -> str:
    """The person noun of a description found by find_noun_characters ("man" in "man with the beard")."""
    for k in range(1, len(key)):
        if key[k] in ("with", "in"):
            return key[k - 1]
    return key[-1]


def person_noun(word: str, lemma: str) -> bool:
    """A common noun for a person: listed ("girl", "student"), or shaped like one ("barman",
    "conductor") and not one of the things that "say" in fiction ("the letter said")."""
    nouns = person_nouns()
    return lemma in nouns or word in nouns or (
        word.isalpha() and lemma not in _NOT_SPEAKERS and bool(_PERSON_SUFFIX.search(word)))


def find_noun_characters(tv: TokenView, taken: set[int], min_speech: int = 2):
    """Unnamed people a work keeps referring to by one description and lets speak ("said the waiter",
    "the mariner said"): {phrase words: [(start token, end token), ...]} for each such description."""
    nouns = person_nouns()
    tw = titles()
    toks = tv.tokens
    lower = tv.lower
    n = len(toks)
    occ: dict[tuple, list] = {}
    speech: Counter = Counter()
    for i in range(n - 1):
        if lower[i] != "the" or i in taken:
            continue
        j = i + 1
        while j < n and toks[j].tag in ("JJ", "VBN") and tv.words[j][:1].islower() and j - i <= 3:
            j += 1
        if j >= n or j in taken:
            continue
        w = lower[j]
        if toks[j].tag not in ("NN", "NNP"):
            continue
        lem = toks[j].lemma.lower()
        titled = w in tw and tv.words[j][:1].isupper()
        # a lower-case noun the tagger called proper ("said the barman") is a common noun all the same
        common = toks[j].tag == "NN" or tv.words[j].islower()
        if not (titled or lem in nouns or w in nouns or common and person_noun(w, lem)):
            continue
        if j + 1 < n and toks[j + 1].tag in ("NN", "NNP") and toks[j + 1].head != j:
            continue  # "the man servant": the head is further on
        end = j + 1
        if lem in _EPITHET_HEADS:
            # "the man with the black beard" is told apart from every other man by what follows
            end = _distinguishing_phrase(tv, j)
            if end is None:
                continue
        key = tuple(lower[i + 1:end])
        occ.setdefault(key, []).append((i, end))
        head = toks[j].head
        if toks[j].dep in ("nsubj",) and 0 <= head < n and toks[head].lemma.lower() in SPEECH_VERBS:
            speech[key] += 1
        elif i >= 2 and toks[i - 1].lemma.lower() in SPEECH_VERBS and lower[i - 2] in (",", '"', "”", "'", "’", "!", "?"):
            speech[key] += 1
    return {k: v for k, v in occ.items() if speech[k] >= min_speech}


def propagate(tv: TokenView, cands: list[Candidate], keys: set, common: frozenset = frozenset(),
              force: bool = False) -> list[Candidate]:
    """Occurrences of accepted names the candidate pass missed (the tagger called them common nouns).

    Capitalized tokens spelling a known name key become candidates too; an ordinary word ("Rose") only
    when it is not at the start of a sentence, unless `force` (a cast given by the user)."""
    words_in = set()
    for k in keys:
        words_in.update(k)
    covered = set()
    for c in cands:
        covered.update(range(c.s, c.e))
    hon = honorifics()
    toks = tv.tokens
    n = len(toks)
    extra = []
    i = 0
    while i < n:
        w = tv.words[i]
        if i in covered or not w[:1].isupper():
            i += 1
            continue
        base = w.split("-")[0]
        if fold(base) not in words_in or _date_use(tv, i):
            i += 1
            continue
        j = i
        while j < n and j not in covered and tv.words[j][:1].isupper() \
                and fold(tv.words[j].split("-")[0]) in words_in and (j == i or not _is_gap(tv, j - 1, j)):
            j += 1
        ws = [tv.words[k].split("-")[0] if "-" in tv.words[k] and tv.words[k].rsplit("-", 1)[1].lower() in hon
              else tv.words[k] for k in range(i, j)]
        key = tuple(fold(x) for x in ws)
        if key not in keys:
            j = i + 1
            ws = ws[:1]
            key = key[:1]
            if key not in keys:
                i += 1
                continue
        if not force and key[0] in common and (tv.initial[i] or toks[i].tag not in ("NNP", "NNPS", "NN")):
            i = j
            continue
        suffix = None
        if "-" in tv.words[j - 1] and tv.words[j - 1].rsplit("-", 1)[1].lower() in hon:
            suffix = tv.words[j - 1].rsplit("-", 1)[1].lower()
        elif j + 1 < n and tv.words[j] == "-" and tv.lower[j + 1] in hon:
            suffix = tv.lower[j + 1]
            j += 2
        start = i
        title = None
        if i > 0 and title_key(tv.words[i - 1]) and (i - 1) not in covered and not _is_gap(tv, i - 1, i):
            title = title_key(tv.words[i - 1])
            start = i - 1
        c = Candidate(start, j, title, tuple(ws), suffix, i)
        c.in_quote = tv.in_quote[start]
        c.initial = tv.initial[start]
        extra.append(c)
        i = j
    return extra


_DEITY = frozenset({"God", "Christ", "Jesus", "Allah", "Jehovah"})
_OATH_BEFORE = frozenset({"good", "oh", "o", "my", "thank", "thanks", "by", "great", "dear", "for", "merciful",
                          "ye", "gracious", "in", "sweet", "almighty", "lord", "honest", "swear", "to"})
_OATH_AFTER = frozenset({"knows", "bless", "blesses", "forbid", "damn", "help", "willing", "almighty", "!",
                         "'s", "’s", "sake", "only"})


def deity_mentions(tv: TokenView) -> list[int]:
    """Tokens naming God as a participant ("the presence of God", "God has permitted"), not in an oath
    or exclamation ("Good God!", "thank God", "God knows", "for God's sake"). They are name mentions
    linked to no character."""
    out = []
    n = len(tv.words)
    for i, w in enumerate(tv.words):
        if w not in _DEITY:
            continue
        prev = tv.lower[i - 1] if i else ""
        nxt = tv.lower[i + 1] if i + 1 < n else ""
        if prev in _OATH_BEFORE or nxt in _OATH_AFTER or nxt in (",", "?") and tv.in_quote[i]:
            continue
        if tv.initial[i] and nxt in ("!", ",", "."):
            continue
        out.append(i)
    return out
