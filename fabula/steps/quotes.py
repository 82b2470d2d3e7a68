"""Quotation detection: the spans of direct speech (and italic inner speech), without their marks.

One left-to-right pass over each paragraph, so the cost is linear in the text however the marks
are (un)balanced. What the pass decides:

* which family of marks carries the dialogue in this document: double (" “ ” « ») or single
  (‘ ’ and the straight ' told apart from apostrophes: don’t, ’em, the Joneses’, o’clock); the other
  family is then only ever nested inside a quotation and stays inside it;
* for each straight (undirected) mark, whether it opens or closes, from the characters around it
  and, where those say nothing, from the parity of the paragraph so far;
* repairs: a closing mark whose opening mark is missing opens at the paragraph start; an opening
  mark never closed ends at the paragraph end; a quotation still open at the end of a paragraph
  whose next paragraph starts with an opening mark continues there (multi-paragraph speech: one
  span per paragraph, all in the same `group`);
* pieces of one utterance broken by a short speech tag ("Sit down," she said. "You look tired.")
  share a `group`;
* dialogue introduced by a dash at the paragraph start (— ― or --), in documents that use it;
* italic passages that stand alone as sentences outside quotation marks: kind="thought";
* speech reported in the narrator's words but set in quotation marks ("She was very much honoured,
  and should be happy in their acquaintance."): kind="reported" (mark_reported);
* quoted text that is not speech is left out: a short phrase inside a narration sentence (the word
  "cosy", a title after "called" or "entitled", a quoted word that a sentence is about), words a
  look or a tone only "seemed to say", verse, letters and notes read in the story (quoted paragraph
  by paragraph: place and date, salutation, body, closing, signature), and a quotation nested in
  speech (the speaker citing someone else; the rest of the utterance keeps one `group`).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from itertools import islice

from ..document import Document
from ..spans import Quote
from .speech_verbs import SPEECH_PARTICLES, is_speech_word

DOUBLE_OPEN = "\u201c\u00ab\u201e"   # “ « „
DOUBLE_CLOSE = "\u201d\u00bb"        # ” »
SINGLE_OPEN = "\u2018\u201a"         # ‘ ‚
SINGLE_CLOSE = "\u2019"              # ’ (also the typographic apostrophe)
DASHES = "\u2014\u2015\u2013"        # — ― –

# Words that start with an apostrophe when a letter is elided ('em, 'tis, 'cause, 'ere, '90s).
_ELIDED = frozenset("""em tis twas twere twill twould cause cos bout til till tween neath nuff n
ere er im is it alf ave ad eard ome ouse ow oo appen at ee un uns spect gainst pon fore mongst
scuse cept""".split())

_WORD = re.compile(r"[^\W_]+")
# A speech tag between two pieces: short, and no new sentence of narration after the tag.
_MAX_TAG_GAP = 120


def _cls(ch: str) -> str:
    """Coarse character class for mark disambiguation."""
    if not ch or ch.isspace():
        return "S"
    if ch.isalnum():
        return "W"
    if ch in ".,!?;:\u2026":
        return "P"
    if ch in "-" + DASHES:
        return "D"
    if ch in "([{":
        return "O"
    if ch in ")]}":
        return "C"
    if ch == "_" or ch == "*":
        return "M"  # markup emphasis (_word_), transparent-ish
    return "X"


def _double_role(text: str, i: int, lo: int, hi: int) -> str:
    """'open', 'close' or '?' for the straight double mark at i (paragraph bounds lo, hi)."""
    left = _cls(text[i - 1]) if i > lo else "S"
    right = _cls(text[i + 1]) if i + 1 < hi else "S"
    if left == "M":
        left = _cls(text[i - 2]) if i - 1 > lo else "S"
        if left == "S":
            left = "S"
    if right == "M":
        right = _cls(text[i + 2]) if i + 2 < hi else "S"
    opening_left = left in "SO"
    opening_right = right in "WXO" or (right == "D" and left != "W")
    closing_left = left in "WPDXC"
    closing_right = right in "SPC"
    if opening_left and opening_right:
        return "open"
    if closing_left and closing_right:
        return "close"
    if left == "D" and right in "WX":
        return "open"
    return "?"


def _single_role(text: str, i: int, lo: int, hi: int) -> str:
    """'open', 'close', 'apos' (apostrophe) or '?' for a single mark at i."""
    ch = text[i]
    prev = text[i - 1] if i > lo else " "
    nxt = text[i + 1] if i + 1 < hi else " "
    left, right = _cls(prev), _cls(nxt)
    if left == "W" and right == "W":
        return "apos"  # don't, o'clock
    if ch in SINGLE_OPEN:
        m = _WORD.match(text, i + 1, hi)
        if m and m.group(0).lower() in _ELIDED and left in "SO":
            # ‘em / ‘tis typed with the wrong curl; a real quote would need a later close anyway.
            return "apos?"
        return "open"
    # ’ or '
    if left in "SOD" and right in "WX":
        m = _WORD.match(text, i + 1, hi)
        word = m.group(0).lower() if m else ""
        if word in _ELIDED or (word[:1].isdigit() and len(word) <= 3):
            return "apos?"  # 'em, '90s: an opening quote only if a close follows
        return "open" if ch == "'" else "apos?"
    if left in "PD" and right in "SPC":
        return "close"
    if left == "W" and right in "SPC":
        return "close?"  # the Joneses' house, or a close right after a word
    if left == "S" and right == "S":
        return "?"
    return "?"


class _Mark:
    __slots__ = ("pos", "role")

    def __init__(self, pos: int, role: str) -> None:
        self.pos = pos
        self.role = role


def choose_family(text: str, paragraphs) -> str:
    """'double' or 'single': which marks carry the dialogue in this document."""
    doubles = 0
    single_opens = 0
    for p in paragraphs:
        s, e = p.start, p.end
        chunk = text[s:e]
        doubles += chunk.count('"') + sum(chunk.count(c) for c in DOUBLE_OPEN + DOUBLE_CLOSE)
        if "'" in chunk or any(c in chunk for c in SINGLE_OPEN):
            for m in re.finditer(r"(?:(?<=^)|(?<=[\s(\[\u2014\u2013-]))['\u2018](?=[^\W_])", chunk):
                w = _WORD.match(chunk, m.end())
                if w and w.group(0).lower() not in _ELIDED:
                    single_opens += 1
    if single_opens and (doubles == 0 or single_opens >= 4 and single_opens > doubles):
        return "single"
    return "double"


def _paragraph_marks(text: str, lo: int, hi: int, family: str) -> list[_Mark]:
    marks: list[_Mark] = []
    if family == "double":
        for i in range(lo, hi):
            ch = text[i]
            if ch == '"':
                marks.append(_Mark(i, _double_role(text, i, lo, hi)))
            elif ch in DOUBLE_OPEN:
                marks.append(_Mark(i, "open"))
            elif ch in DOUBLE_CLOSE:
                marks.append(_Mark(i, "close"))
    else:
        for i in range(lo, hi):
            ch = text[i]
            if ch == "'" or ch in SINGLE_OPEN or ch in SINGLE_CLOSE:
                role = _single_role(text, i, lo, hi)
                if role != "apos":
                    marks.append(_Mark(i, role))
        _resolve_single(marks)
    return marks


def _resolve_single(marks: list[_Mark]) -> None:
    """Settle the tentative single-mark roles in one backward + forward pass (linear).

    'apos?' (’em) opens only when a closing mark follows before the next sure opening mark;
    'close?' (word’) closes only when it is the last candidate before the next sure opening mark
    or the paragraph end, or no sure close follows in that stretch.
    """
    n = len(marks)
    # next_sure_close[i]: is there a sure 'close' after i before the next sure 'open'?
    sure_close_ahead = [False] * (n + 1)
    weak_close_ahead = [False] * (n + 1)
    for i in range(n - 1, -1, -1):
        role = marks[i].role
        if role == "open":
            sure_close_ahead[i] = False
            weak_close_ahead[i] = False
        else:
            sure_close_ahead[i] = role == "close" or sure_close_ahead[i + 1]
            weak_close_ahead[i] = role == "close?" or weak_close_ahead[i + 1]
    for i, m in enumerate(marks):
        if m.role == "apos?":
            m.role = "open" if (sure_close_ahead[i + 1] or weak_close_ahead[i + 1]) and _prefer_open(marks, i) else "apos"
        elif m.role == "close?":
            # A weaker close gives way to a sure one or a later weak one in the same stretch.
            m.role = "apos" if (sure_close_ahead[i + 1] or weak_close_ahead[i + 1]) else "close"
    marks[:] = [m for m in marks if m.role != "apos"]


def _prefer_open(marks: list[_Mark], i: int) -> bool:
    # An elision-looking mark opens a quotation only at the start of the stretch (nothing open yet).
    j = i - 1
    while j >= 0 and marks[j].role not in ("open", "close", "close?"):
        j -= 1
    return j < 0 or marks[j].role != "open"


class Quotes:
    name = "quotes"
    needs = frozenset({"paragraphs", "emphasis", "tokens"})
    produces = frozenset({"quotes"})

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        paragraphs = doc.layer("paragraphs")
        quotes = find_quotes(doc.text, paragraphs, doc.layers.get("emphasis", ()))
        tokens = doc.layers.get("tokens")
        if tokens:  # without the language pass (a step run by hand), every quotation stays speech
            quotes = mark_reported(doc.text, paragraphs, quotes, tokens)
        return {"quotes": tuple(quotes)}


def find_quotes(text: str, paragraphs, emphasis=()) -> list[Quote]:
    family = choose_family(text, paragraphs)
    dash_mode = _dash_dialogue(text, paragraphs)
    lost_marks = family == "double" and _lost_single_marks(text)
    out: list[Quote] = []
    group = -1
    carry = False  # a quotation still open at the end of the previous paragraph
    last_piece_par = -2
    for pi, par in enumerate(paragraphs):
        lo, hi = par.start, par.end
        if dash_mode and text[lo] in DASHES or dash_mode and text.startswith("--", lo):
            pieces = _dash_pieces(text, lo, hi)
            if pieces:
                group += 1
                for s, e in pieces:
                    out.append(Quote(s, e, group=group))
            carry = False
            continue
        marks = _paragraph_marks(text, lo, hi, family)
        pieces, open_at_end, starts_with_open = _scan(text, lo, hi, marks)
        pieces = [(s, e) for s, e in pieces
                  if (any(c.isalnum() for c in text[s:e]) or _tagged_after(text, e, hi))
                  and not _embedded_phrase(text, lo, hi, s, e) and not _verse(text, s, e)]
        pieces, joined = _cut_nested(text, pieces, family)
        lead_cut: set = set()  # pieces that begin where a nested quotation opening their paragraph was cut
        if lost_marks:
            pieces, more, lead_cut = _cut_lost_nested(text, pieces, hi)
            joined |= more
        pieces = _split_stage_directions(text, pieces)
        # Group pieces: continuation from the previous paragraph, then tag-separated pieces.
        prev_end = None
        for k, (s, e) in enumerate(pieces):
            nxt = pieces[k + 1][0] if k + 1 < len(pieces) else hi
            tagged_after = _has_tag(text, e, nxt)
            if k == 0 and carry and starts_with_open and last_piece_par == pi - 1 and (s <= lo + 2 or s in lead_cut):
                pass  # same group as the open quotation of the previous paragraph
            elif s in joined:
                pass  # the rest of an utterance after a quotation nested in it
            elif prev_end is not None and _tag_gap(text, prev_end, s) and not (
                    _has_tag(text, prev_end, s) and tagged_after) and not _second_tag(text, prev_end, s) \
                    and not _new_narration_sentence(text, pieces[k - 1], s) \
                    and not _introduces_own(text, lo, pieces[k - 1], s):
                pass  # a speech tag between two pieces of one utterance (unless each has its own)
            else:
                group += 1
            out.append(Quote(s, e, group=group))
            prev_end = e
        if pieces:
            last_piece_par = pi
        carry = open_at_end
    out = _drop_letters(text, paragraphs, out)
    if emphasis:
        out = _add_thoughts(text, paragraphs, emphasis, out)
    return out


def _scan(text: str, lo: int, hi: int, marks: list[_Mark]):
    """Pieces (start, end) of quotation inside one paragraph, marks excluded."""
    pieces: list[tuple[int, int]] = []
    inside = False
    start = lo
    n = len(marks)
    starts_with_open = bool(marks) and marks[0].role in ("open", "?") and not text[lo:marks[0].pos].strip()
    for k, m in enumerate(marks):
        role = m.role
        if not inside:
            if role == "close" and not pieces and text[lo:m.pos].strip():
                # A closing mark with no opening mark: the quotation began at the paragraph start.
                _add(text, pieces, lo, m.pos)
                continue
            if role == "close":
                # A close-looking mark after a finished quotation: a spacing slip; it opens
                # only if some mark follows to close it.
                if k + 1 < n:
                    inside, start = True, m.pos + 1
                continue
            inside, start = True, m.pos + 1
        else:
            if role == "open" and k + 1 < n and marks[k + 1].role in ("close", "?"):
                # An opening mark inside a quotation that the next mark closes: the previous
                # quotation was never closed. End it before this mark; start afresh.
                _add(text, pieces, start, m.pos)
                start = m.pos + 1
                continue
            _add(text, pieces, start, m.pos)
            inside = False
    if inside:
        _add(text, pieces, start, hi)
    return pieces, inside, starts_with_open


def _add(text: str, pieces: list, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s and (any(c.isalnum() for c in text[s:e]) or _SILENCE.fullmatch(text, s, e)):
        pieces.append((s, e))


# An utterance of dots or dashes only (". . . . . ." the drummer chanted): kept when a tag follows.
_SILENCE = re.compile(r"[.\u2026\u2014\u2013\- ]{3,}")


def _tagged_after(text: str, e: int, hi: int) -> bool:
    """Does the quotation ending at e end like speech (a comma, a stop) and a speech tag follow
    its closing mark at once ('"Please shut that door," said Mr. Cuss', '"...," the drummer chanted')?"""
    k = _after_mark(text, e, hi)
    j = e
    while j > 0 and text[j - 1] in "_*":
        j -= 1
    last = text[j - 1]
    if k < 0 or last not in ",.!?\u2026-\u2014" or last == "." and _SILENCE.fullmatch(text, j - 3, j) is None:
        return False  # "...the word "last." She cried": a full stop ends the sentence, unless the words trail off
    found = list(islice(_WORD.finditer(text, k, min(hi, k + 60)), 4))
    words = [m.group() for m in found]
    if not words or words[0].lower() in _NOT_SUBJECTS or text[k:k + 2].lstrip(" \t\n")[:1] in ",;:":
        return False
    if is_speech_word(words[0], strict=True):  # "said Mr. Cuss", "cried she", "said the man"
        return len(words) > 1 and (words[1][:1].isupper() or words[1] in _DETERMINERS
                                   or words[1] in _SUBJECT_PRONOUNS)
    # "Mr. Cuss said", "she cried", "I said", "the drummer chanted", "the old man sang"
    if words[0] in _SUBJECT_PRONOUNS or words[0][:1].isupper():
        n = 2 if len(words) > 2 and words[1][:1].isupper() else 1
    elif words[0].lower() in _DETERMINERS:
        n = next((j for j in (2, 3) if j < len(words) and is_speech_word(words[j], strict=True)), 2)
    else:
        return False
    if n >= len(words) or not is_speech_word(words[n], strict=True):
        return False
    after = found[n].end()
    return not re.match(r"\s+(?:to|nothing)\b", text[after:min(hi, after + 12)])  # not "he said nothing"


_DETERMINERS = frozenset("the his her their my a an".split())
_NOT_SUBJECTS = frozenset("""but and then so as it there this that when while instead yet or nor for
if though although after before since until what which who how now here""".split())


# Words after which a quoted phrase names or cites something rather than reports speech
# ("a game called "Snap"", "the word "never"", "a book entitled "...""). "called"/"call" are
# speech verbs too ("she called "Wait!""), so after them only a short phrase without ! or ? counts.
_NAMING = frozenset("""called call calls named entitled titled word words phrase motto label labelled
labeled marked headed inscribed styled termed dubbed nicknamed""".split())
_NAMING_VERBS = frozenset("called call calls".split())
# Speech that nobody utters: what a look or a smile "seemed to say" or "meant", what someone
# "wanted to say" or "felt like answering" but did not.
_BODY = (r"(?:eyes?|looks?|glances?|smiles?|face|expression|gesture|manner|air|brows|eye-brows|eyebrows"
         r"|nod|attitude)")
_UNSAID_VERB = r"(?:say|reply|exclaim|answer|ask|cry|shout|retort|protest)"
_UNSPOKEN = re.compile(
    r"(?:\bseem(?:ed|s|ing)?\s+to\s+(?:say|ask|exclaim|cry|plead|murmur)|\bas\s+(?:if|though)\s+to\s+say"
    r"|\bas\s+much\s+as\s+to\s+say|\bas\s+(?:if|though)\s+(?:he|she|they|it|one|I|you)\s+(?:had|were|was)\s+"
    r"(?:said|saying)|\b(?:might|would|could)\s+have\s+said"
    r"|\b" + _BODY + r"\s+(?:said|says|answered|replied|asked|cried|spoke)"
    r"|\b(?:signified|meant|implied|expressed|conveyed|intimated)"
    r"|\b(?:wanted|longed|wished|was\s+tempted|yearned|was\s+about|was\s+going|had\s+half\s+a\s+mind)\s+to\s+"
    + _UNSAID_VERB +
    r"|\bfelt\s+like\s+(?:saying|answering|shouting|replying|crying|asking|exclaiming|retorting|adding)"
    r"|\bon\s+the\s+tip\s+of\s+(?:his|her|their|my|your)\s+tongue\s+to\s+\w+"
    r"|\bon\s+(?:his|her|their|my|your)\s+lips\s+to\s+\w+"
    r"|\bhow\s+could\s+(?:he|she|I|they|one|you)\s+say)"
    r"[\s,:;\u2014-]*$", re.I)
# The same after the quotation: ""Too bad," he felt like answering." / "..., she could fancy him saying."
_UNSPOKEN_AFTER = re.compile(
    r"[\s,;\u2014-]*(?:\w+\s+){1,3}?(?:felt\s+like\s+\w+ing|could\s+(?:fancy|imagine)\s+(?:\w+\s+){1,3}?"
    r"(?:saying|adding|replying|exclaiming|answering))\b", re.I)
# A quoted phrase of up to this many words that continues a narration sentence is not speech.
_MAX_PHRASE_WORDS = 6


def _embedded_phrase(text: str, lo: int, hi: int, s: int, e: int) -> bool:
    """A quoted phrase inside a narration sentence (a word, a title, a scare quote), or words only
    imagined ("a look that seemed to say, "Go away.""): not speech.

    The mark follows a word of the same sentence that is not a speech verb (the "infection" of
    the word "infection"); speech after "said" is kept, and at a sentence start only a quoted word
    that the sentence goes on to talk about is left out.
    """
    piece = text[s:e]
    after = _after_mark(text, e, hi)
    if after > 0 and _UNSPOKEN_AFTER.match(text, after, min(hi, after + 80)):
        return True
    i = s - 1
    while i >= lo and text[i].isspace():
        i -= 1
    if i < lo or text[i].isalnum():
        return False  # no mark before the piece (a repaired quotation)
    i -= 1  # the mark
    while i >= lo and text[i] in " \t\n_*":
        i -= 1
    if i >= lo and _UNSPOKEN.search(text, max(lo, i - 60), i + 1):
        return True
    if i < lo or text[i] in ".!?":
        return _quoted_subject(text, s, e, hi)
    if not text[i].isalnum():
        return False
    j = i
    while j > lo and (text[j - 1].isalnum() or text[j - 1] in "'\u2019"):
        j -= 1
    word = text[j:i + 1].lower()
    n_words = len(piece.split())
    exclaims = piece.rstrip("_*\"'\u2019\u201d")[-1:] in "!?"
    if word in _NAMING and not (word in _NAMING_VERBS and (exclaims or n_words > _MAX_PHRASE_WORDS)):
        return True
    if _tagged_after(text, e, hi):
        return False
    if exclaims or is_speech_word(word):
        return False
    if n_words <= 4:
        return True
    # A longer phrase: only when the sentence carries on after it in lower case with no speech tag
    # ("his "one or two delightful people" who had been asked"), not "...," she said.
    return n_words <= _MAX_PHRASE_WORDS and _sentence_continues(text, e, hi)


_MAX_VERSE_LINE = 55


def _verse(text: str, s: int, e: int) -> bool:
    """Lines of verse quoted in the story (short lines, the later ones indented): a poem or a song
    cited, not speech."""
    lines = text[s:e].split("\n")
    return (len(lines) >= 2 and any(line.startswith("  ") for line in lines[1:])
            and all(len(line.strip()) < _MAX_VERSE_LINE for line in lines))


def _quoted_subject(text: str, s: int, e: int, hi: int) -> bool:
    """A quoted word opening a narration sentence that goes on in lower case ("Cissie" was to let;
    "Younger" may mean son): the word is talked about, not said."""
    piece = text[s:e]
    if len(piece.split()) > 3 or piece.rstrip("_*")[-1:] in "!?;-\u2014":
        return False
    if any(c in piece for c in ",'\u2018\u2019"):
        return False  # speech ("Jump in, Ralph"), or a quotation nested in it
    if text[s - 1:s] not in ('"', "\u201c") or text[e:e + 1] not in ('"', "\u201d"):
        return False
    rest = text[e + 1:min(hi, e + 60)].lstrip(" \t_*")
    return rest[:1].islower() and not any(is_speech_word(w) for w in _WORD.findall(rest)[:6])


def _after_mark(text: str, e: int, hi: int) -> int:
    """Where the narration after a quotation ending at e starts (past its closing mark), or -1."""
    k = e
    while k < hi and text[k] in " \t_*":
        k += 1
    return k + 1 if k < hi and text[k] in "\"'\u201d\u2019" else -1


def _sentence_continues(text: str, e: int, hi: int) -> bool:
    k = _after_mark(text, e, hi)
    if k < 0:
        return False
    rest = text[k:min(hi, k + 60)].lstrip()
    if not rest or not (rest[0].islower() or rest[0] in ",;.)"):
        return False
    return not any(is_speech_word(w, strict=True) for w in _WORD.findall(rest)[:4])


def _outside(text: str, s: int, e: int, cuts: list) -> list[tuple[int, int]]:
    """The pieces of text[s:e] outside the [start, end) cuts, trimmed and kept as _add keeps them."""
    sub: list[tuple[int, int]] = []
    cur = s
    for a, b in cuts:
        _add(text, sub, cur, a)
        cur = b
    _add(text, sub, cur, e)
    return sub


def _cut_nested(text: str, pieces: list, family: str) -> tuple[list, set]:
    """Leave out a quotation nested in speech (He said, ‘Not today,’ and left): the words
    are someone else's. Returns the pieces and the starts of those that continue the piece before.
    A piece that is nothing but one nested quotation stays whole."""
    out: list[tuple[int, int]] = []
    joined: set[int] = set()
    for s, e in pieces:
        cuts = []
        start = None
        for pos, role in _nested_marks(text, s, e, family):
            if role == "open" and start is None:
                start = pos
            elif role == "close" and start is not None:
                cuts.append((start, pos + 1))
                start = None
        sub = _outside(text, s, e, cuts) if cuts and start is None else []
        if not sub:
            out.append((s, e))
            continue
        joined.update(a for a, _ in sub[1:])
        out.extend(sub)
    return out, joined


# A possessive written "Morstan s": the text lost its apostrophes, and with them its single quotation marks.
_LOST_POSSESSIVE = re.compile(r"[^\W\d_] s\b")
_KEPT_POSSESSIVE = re.compile(r"[^\W\d_]['\u2019]s\b")


# Elisions that are never words of their own (unlike 'it', 'is', 'at' in _ELIDED).
_ELIDED_ALONE = frozenset("em tis twas twere twill twould".split())


def _lost_single_marks(text: str) -> bool:
    """Has this text lost its apostrophes ("don t", "Morstan s")? Then the marks of quotations nested in
    speech are gone too, and only the blanks they leave show them."""
    lost = len(_LOST_POSSESSIVE.findall(text))
    return lost >= 20 and lost > 3 * len(_KEPT_POSSESSIVE.findall(text))


def _cut_lost_nested(text: str, pieces: list, par_end: int) -> tuple[list, set, set]:
    """Leave out the quotations nested in speech whose single marks the text lost.

    " I will tell you how he died,  he continued.  He had ...": each lost mark leaves one blank too many
    after punctuation, and the opening one a blank after the double mark. The words between the
    blanks alternate between the nested quotation and the speaker's own; a piece is cut only when
    the blanks pair up (it ends outside the nested quotation, or inside it at the end of its paragraph
    or just before a lost closing mark). Returns the pieces, the starts of those that continue the piece
    before, and the starts of those that follow a nested quotation cut from the start of a piece."""
    out: list[tuple[int, int]] = []
    joined: set[int] = set()
    lead: set[int] = set()
    for s, e in pieces:
        inside = s >= 2 and text[s - 1] == " " and text[s - 2] in '"\u201c'
        cuts: list[tuple[int, int]] = []
        start = s if inside else None
        for m in re.finditer(r"[ \n]{2,}", text[s:e]):
            gap = m.group(0)
            a, b = s + m.start(), s + m.end()
            if gap.count("\n") > 1 or text[a - 1] not in ",.;:!?-\u2014":
                continue
            word = _WORD.match(text, b)
            if word and word.group(0).lower() in _ELIDED_ALONE:
                continue  # ",  tis a true saying": an elision's lost apostrophe
            lost = len(gap) - 1
            if not inside and lost % 2 == 0:
                continue  # an opening and a closing mark with nothing between: a dash, not a quotation
            for _ in range(lost):
                if inside:
                    cuts.append((start, a))
                    start = None
                else:
                    start = b
                inside = not inside
        if not cuts and start is None:
            out.append((s, e))
            continue
        if inside and not _nested_goes_on(text, e, par_end):
            out.append((s, e))  # the blanks do not pair up: keep the piece whole
            continue
        if inside:
            cuts.append((start, e))
        sub = _outside(text, s, e, cuts)
        if not sub:
            out.append((s, e))
            continue
        joined.update(a for a, _ in sub[1:])
        if cuts[0][0] == s:
            lead.add(sub[0][0])
        out.extend(sub)
    return out, joined, lead


def _nested_goes_on(text: str, e: int, par_end: int) -> bool:
    """Does a nested quotation whose marks were lost run to the end of the piece ending at `e`? Yes if
    a blank stands for its closing mark ("an empty sleeve. \""), or if the speech goes on into the
    next paragraph and that one opens with a lost mark too ("\" I will tell you...")."""
    if text[e:e + 1] == " ":
        return True
    if text[e:par_end].strip():
        return False
    return text[par_end:par_end + 12].lstrip()[:2] in ('" ', "\u201c ")


def _nested_marks(text: str, s: int, e: int, family: str):
    """(position, 'open' | 'close') of the marks of the other family inside text[s:e]; only sure
    opening marks, so an elision (’em, ’tis) never opens one."""
    for i in range(s, e):
        ch = text[i]
        if family == "double":
            if ch == "'" or ch in SINGLE_OPEN or ch in SINGLE_CLOSE:
                role = _single_role(text, i, s, e)
                if role == "open" or role in ("close", "close?"):
                    yield i, role.rstrip("?")
        elif ch == '"' or ch in DOUBLE_OPEN or ch in DOUBLE_CLOSE:
            role = ("open" if ch in DOUBLE_OPEN else "close" if ch in DOUBLE_CLOSE
                    else _double_role(text, i, s, e))
            if role in ("open", "close"):
                yield i, role


_STAGE = re.compile(r"\(([^()]{1,100})\)")


def _split_stage_directions(text: str, pieces: list) -> list:
    """Cut a piece around a parenthetical stage direction: Oh! (laughing) I must go."""
    out = []
    for s, e in pieces:
        cur = s
        for m in _STAGE.finditer(text, s, e):
            inner = m.group(1).strip(" _*")
            if inner[:1].islower() and len(inner.split()) <= 12:
                _add(text, out, cur, m.start())
                cur = m.end()
        _add(text, out, cur, e)
    return out


def _has_tag(text: str, a: int, b: int) -> bool:
    """Does the narration at text[a:b] open with a speech tag (a speech verb in its first words)?"""
    words = _WORD.findall(text, a, min(b, a + 60))[:5]
    return any(is_speech_word(w, strict=True) for w in words)


def _second_tag(text: str, a: int, b: int) -> bool:
    """'... the Turtle replied. And the Gryphon added "...': a new sentence in the gap tags the next piece;
    so does a clause of its own ('Alice replied, so eagerly that the Gryphon said, "...'), not "as he spoke"."""
    gap = text[a:b]
    m = None
    for m in re.finditer(r"[.!?;](?=\s)", gap):
        pass
    if m is not None and any(is_speech_word(w, strict=True) for w in _WORD.findall(gap[m.end():])):
        return True
    raw = _WORD.findall(gap)
    words = [w.lower() for w in raw]
    said = [k for k, w in enumerate(words) if is_speech_word(w, strict=True)]
    if len(said) < 2 or words[said[-1]].endswith("ing"):
        return False
    # "<conjunction> [the] <name or pronoun> <speech verb>" after the first speech verb
    k = said[-1]
    if k < 2 or not (words[k - 1] in _SUBJECT_PRONOUNS or raw[k - 1][:1].isupper()):
        return False
    j = k - 2 if words[k - 2] == "the" else k - 1
    return j - 1 > said[0] and words[j - 1] in _CLAUSE_OPENERS


_CLAUSE_OPENERS = frozenset({"that", "and", "but", "while", "whereupon", "when", "till", "until", "then"})


_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we"})


def _ends_on_speech_word(text: str, a: int, b: int) -> bool:
    """Does text[a:b] end on a speech verb, perhaps with a comma, colon or dash ('Dolly said, ')?"""
    tail = text[a:b].rstrip(" \n\t\"'\u201c\u2018")
    tail = tail.rstrip(",:;-\u2014 ")
    words = _WORD.findall(tail[-40:])
    if len(words) >= 2 and words[-1].lower() in SPEECH_PARTICLES and tail.endswith(words[-1]):
        tail = tail[:-len(words[-1])].rstrip()  # "Joss cried out, "
        words = words[:-1]
    return bool(words) and is_speech_word(words[-1], strict=True) and tail.endswith(words[-1])


def _introduces_own(text: str, lo: int, prev: tuple[int, int], b: int) -> bool:
    """'He exclaimed, "Again!" and, to complete the chaos, Dolly said, "Oh no..."' or '," called Helen,
    while Margaret said: "...': the gap ends on a tag that introduces the next piece, and the piece
    before had a tag of its own (before it, or earlier in the gap): two speakers, not one."""
    a = prev[1]
    if not _ends_on_speech_word(text, a, b):
        return False
    words = _WORD.findall(text, a, b)
    first = next((n for n, w in enumerate(words[:-1]) if is_speech_word(w)), None)
    if first is not None:
        # a second speaker is named between the two tags ("called Helen, while Margaret ... said:")
        people = sum(1 for w in words[first + 1:-1] if w[:1].isupper() and w != "I" or w in _SUBJECT_PRONOUNS)
        if people >= (2 if first == 0 else 1):
            return True
    intro_start = max(lo, prev[0] - 80)
    return prev[0] > lo and _ends_on_speech_word(text, intro_start, prev[0])


def _new_narration_sentence(text: str, prev: tuple[int, int], b: int) -> bool:
    """'"Anything else?" Matthew took his courage in both hands and replied: "Well..."': the piece
    before ends its sentence, the gap opens a new narration sentence that is not a tag ("she said",
    "Anna cried") and the next piece opens a sentence too: two utterances, not one broken by a tag
    (attribution then decides whether the gap tags the next one)."""
    s, e = prev
    if text[s:e].rstrip(" \"'\u201d\u2019")[-1:] not in (".", "!", "?"):
        return False
    lead = text[e:b].lstrip(" \n\"'\u201d\u2019")
    if not lead[:1].isupper() or _has_tag(text, e, b):
        return False
    nxt = text[b:b + 3].lstrip(" \"'\u201c\u2018")
    return nxt[:1].isupper()


def _tag_gap(text: str, a: int, b: int) -> bool:
    """True when the narration between two pieces of a paragraph is a short speech tag."""
    gap = text[a:b]
    if len(gap) > _MAX_TAG_GAP:
        return False
    core = gap.strip(" \n\t\"'\u201c\u201d\u2018\u2019")
    if not core:
        return False
    # The piece before must not have ended its sentence as a question/exclamation followed by a
    # full narration sentence; a tag is short: at most one sentence end inside it.
    ends = len(re.findall(r"[.!?;:](?=\s|$)", core))
    return ends <= 1 and len(core.split()) <= 16


def _dash_dialogue(text: str, paragraphs) -> bool:
    """Does this document open speech with a dash at the paragraph start?"""
    if not paragraphs:
        return False
    dash = 0
    marks = 0
    for p in paragraphs:
        ch = text[p.start]
        if ch in DASHES or text.startswith("--", p.start) and not text.startswith("---", p.start):
            dash += 1
        elif ch in '"\u201c\u2018\u00ab':
            marks += 1
    return dash >= 3 and dash >= 0.05 * len(paragraphs) and dash > marks


def _dash_pieces(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """— Speech, — said she, — more speech.  Speech runs until a dash that opens narration."""
    i = lo
    while i < hi and (text[i] in DASHES or text[i] == "-"):
        i += 1
    pieces: list[tuple[int, int]] = []
    speaking = True
    start = i
    dash = re.compile(r"\s*(?:[\u2014\u2015\u2013]|--)\s*")
    pos = i
    while pos < hi:
        m = dash.search(text, pos, hi)
        if not m:
            break
        if speaking:
            # A dash ends the speech when a tag follows (lowercase word) or narration resumes.
            after = text[m.end():m.end() + 1]
            if after and (after.islower() or not speaking):
                _add(text, pieces, start, m.start())
                speaking = False
        else:
            speaking = True
            start = m.end()
        pos = m.end()
    if speaking:
        _add(text, pieces, start, hi)
    return pieces


# Letters quoted paragraph by paragraph: "Dear Mrs. Hale," ... "Yours truly," "R. BLAKE."
_SALUTATION = re.compile(
    r"^(?i:my\s+)?(?i:(?:very|dear|dearest),?\s+)*(?i:dear|dearest)\s+[A-Z][^!?\n,]{0,40}"
    r"(?:[,:]\s*$|,\s*--\s*[A-Z])"  # alone on its line, or ",--" and the body on the same line
    r"|^(?i:dear\s+)?(?i:sir|madam|gentlemen)\s*[,:]\s*$")
_CLOSING = re.compile(r"^(?:yours|your|ever|believe me|i remain|i am|with love|faithfully|affectionately"
                      r"|truly|sincerely)\b[^.!?\"]{0,60}$", re.I)
_MAX_LETTER_PARAGRAPHS = 60
_MAX_HEADER_WORDS = 5  # "Howards End," "Tuesday." above the salutation


def _signature(piece: str) -> bool:
    """"HELEN." / "M. J. SCHLEGEL.": a few capitalised words ending the letter."""
    letters = re.sub(r"[^A-Za-z]", "", piece)
    return len(piece.split()) <= 4 and piece.endswith((".", "-")) and len(letters) >= 2 and letters.isupper()


def _drop_letters(text: str, paragraphs, quotes: list[Quote]) -> list[Quote]:
    """Leave out letters and notes read in the story: paragraphs each quoted whole from a salutation
    (with the place and date above it) to the closing and signature, the quotation after a colon
    that introduces something written ("The telegram ran:"), and a closing or signature paragraph
    right after another quoted-whole paragraph."""
    if not quotes:
        return quotes
    starts = [p.start for p in paragraphs]
    par = [bisect.bisect_right(starts, q.start) - 1 for q in quotes]
    whole = _whole_paragraphs(text, paragraphs, quotes, par)
    pieces = [text[q.start:q.end] for q in quotes]
    n = len(quotes)

    def follows(j: int) -> bool:  # quoted whole, in quote j - 1's paragraph (cut by an aside) or the next
        return whole[j] and whole[j - 1] and 0 <= par[j] - par[j - 1] <= 1

    def letter_end(k: int) -> tuple[int, bool]:
        """The end of the run of quoted-whole paragraphs from k: past its closing and signature
        (True), or where the run stops (False)."""
        j = k
        while j < n and j - k < _MAX_LETTER_PARAGRAPHS and (j == k and whole[j] or j > k and follows(j)):
            if _CLOSING.match(pieces[j]) or _signature(pieces[j]):
                j += 1
                if j < n and follows(j) and len(pieces[j].split()) <= 4:
                    j += 1  # the signature under the closing
                return j, True
            j += 1
        return j, False

    drop = set()
    for k, q in enumerate(quotes):
        if _introduced_as_writing(text, paragraphs, par[k], quotes[k - 1].end if k and par[k - 1] == par[k]
                                  else None, q.start):
            j = k
            while j < n and quotes[j].group == q.group:  # a letter running over several paragraphs
                drop.add(j)
                j += 1
            if whole[k]:
                j, closed = letter_end(k)
                if closed:
                    drop.update(range(k, j))
        if not whole[k]:
            continue
        piece = pieces[k]
        if k and follows(k) and (_CLOSING.match(piece) or _signature(piece)
                                 or _CLOSING.match(pieces[k - 1]) and len(piece.split()) <= 4):
            drop.add(k)
        if not _SALUTATION.match(piece) or len(piece.split()) > 6 and "--" not in piece[:60]:
            continue
        j, _ = letter_end(k)
        drop.update(range(k, j))
        h = k
        while h and follows(h) and len(pieces[h - 1].split()) <= _MAX_HEADER_WORDS and k - h < 3:
            h -= 1
            drop.add(h)
    if not drop:
        return quotes
    return [q for k, q in enumerate(quotes) if k not in drop]


# Nouns and verbs of writing: "the telegram ran:", "she read:", "on which was written:".
_WRITING = frozenset("""letter letters note notes wrote written writes writing telegram telegrams wire
card cards contents inscription inscriptions inscribed postscript billet epistle envelope paper slip
scroll parchment read reads printed message address advertisement placard headed signed dated
ran""".split())
# ... unless the sentence is about speaking after all.
_SPOKEN = frozenset("aloud loud speech remark question voice".split())


def _introduced_as_writing(text: str, paragraphs, pi: int, prev_end, start: int) -> bool:
    """Does the narration just before the quotation end with a colon after a sentence about something
    written ("The telegram was in Spanish:"), not about speech ("she read aloud:", "he said:")?"""
    if prev_end is None:
        lead = text[paragraphs[pi].start:start]
        if not lead.strip(" \t\n\"'\u201c\u2018_*") and pi:
            prev = paragraphs[pi - 1]
            lead = text[prev.start:prev.end]
            if any(c in lead for c in '"\u201c\u201d'):
                return False  # the paragraph before holds speech of its own
    else:
        lead = text[prev_end:start]
    lead = lead.rstrip(" \t\n\"'\u201c\u2018_*-\u2014")
    if prev_end is None and _SALUTATION.match(lead.rsplit("\n", 1)[-1].strip()):
        return True  # the salutation above the letter is not quoted ("MY DEAR MADAM,")
    if not lead.endswith(":"):
        return False
    sentence = re.split(r"[.!?][\"'\u201d\u2019]?\s", lead[-200:])[-1]
    words = [w.lower() for w in _WORD.findall(sentence)]
    if not any(w in _WRITING for w in words):
        return False
    if _SPOKEN & set(words):
        return False  # "read aloud:", "a little speech which ran like this:"
    return not any(is_speech_word(w, strict=True) for w in words if w not in _WRITING)


_ASIDE = re.compile(r"\([^()]*\)")


def _whole_paragraphs(text: str, paragraphs, quotes: list[Quote], par: list[int]) -> list[bool]:
    """For each quotation: is its paragraph all quotation, bar the marks, a final stop and asides in
    parentheses that cut it?"""
    out = [False] * len(quotes)
    k = 0
    while k < len(quotes):
        j = k
        while j < len(quotes) and par[j] == par[k]:
            j += 1
        p = paragraphs[par[k]]
        rest, cur = [], p.start
        for q in quotes[k:j]:
            rest.append(text[cur:q.start])
            cur = q.end
        rest.append(text[cur:p.end])
        left = _ASIDE.sub("", "".join(rest))
        whole = not left.strip(" \t\n\"'\u201c\u201d\u2018\u2019.,;:-_*")
        out[k:j] = [whole] * (j - k)
        k = j
    return out


def _add_thoughts(text: str, paragraphs, emphasis, quotes: list[Quote]) -> list[Quote]:
    """Italic passages that are whole sentences outside quotation marks are inner speech."""
    qs = sorted((q.start, q.end) for q in quotes)
    starts = [s for s, _ in qs]
    group = max((q.group for q in quotes if q.group is not None), default=-1)
    extra: list[Quote] = []
    for em in emphasis:
        if getattr(em, "kind", "italic") != "italic":
            continue
        s, e = em.start, em.end
        seg = text[s:e].strip()
        if len(seg.split()) < 3 or not re.search(r"[.!?\u2026]['\"\u2019\u201d]?$", seg):
            continue
        if not seg[:1].isupper():
            continue
        i = bisect.bisect_right(starts, s) - 1
        if i >= 0 and qs[i][1] > s:
            continue  # inside a quotation
        group += 1
        extra.append(Quote(s, e, kind="thought", group=group))
    if not extra:
        return quotes
    return sorted(quotes + extra, key=lambda q: (q.start, q.end))


# Words of the speaker and the person spoken to: reported speech turns them into "he", "she", "they".
_FIRST_SECOND = frozenset("""i me my mine myself we us our ours ourselves you your yours yourself yourselves
ye thee thou thy thine thyself let""".split())
_THIRD_SUBJECTS = frozenset({"he", "she", "they"})
_PAST_MODALS = frozenset({"would", "could", "should", "might", "must"})
_PRESENT_MODALS = frozenset({"will", "can", "shall", "may"})
# Words an utterance needs before its grammar says anything about how it is reported.
_REPORTED_MIN_WORDS = 8
# A writer who reports speech in quotation marks does so again and again: on the PDNC development
# novels, 1.7-3.8% of the utterances of the four that do pass the tests below (93 of the 105 lines are
# not annotated as speech), at most 0.7% of the others', whose lines are annotated speech more often than
# not (23 to 14: a character telling what someone else did). So the marking needs that share of a
# document's utterances, and a few of them.
_REPORTED_SHARE = 0.01
_REPORTED_MIN_UTTERANCES = 5


def mark_reported(text: str, paragraphs, quotes: list[Quote], tokens) -> list[Quote]:
    """Mark as kind="reported" the utterances set in quotation marks that report speech in the narrator's
    grammar rather than quote it: "Mr. Woodhouse was soon composed. \"He should be happy to see Mrs.
    Goddard; and Emma should write a line.\""

    An utterance (all pieces of one `group`) is reported when it opens inside a paragraph of narration
    (narration before it that does not end on a speech verb, no quotation earlier in the paragraph),
    has at least _REPORTED_MIN_WORDS words, no word of a first or second person, a subject "he", "she"
    or "they", and more verbs in the past than in the present, in a document where at least one
    utterance in a hundred is so (see _REPORTED_SHARE). Direct speech nearly always has an "I" or a
    "you", or the present tense."""
    starts = [t.start for t in tokens]
    par_starts = [p.start for p in paragraphs]
    par = [bisect.bisect_right(par_starts, q.start) - 1 for q in quotes]
    first_in_par: dict[int, int] = {}  # paragraph -> its first quotation
    groups: dict = {}
    for k, q in enumerate(quotes):
        first_in_par.setdefault(par[k], k)
        groups.setdefault(q.group if q.group is not None else ("alone", k), []).append(k)
    reported: set[int] = set()
    found = 0
    for members in groups.values():
        head = quotes[members[0]]
        pi = par[members[0]]
        if head.kind != "speech" or pi < 0 or first_in_par[pi] != members[0]:
            continue
        if not any(ch.isalpha() for ch in text[paragraphs[pi].start:head.start]):
            continue  # the utterance opens its paragraph
        if _ends_on_speech_word(text, paragraphs[pi].start, head.start):
            continue  # 'George said: "...': introduced as his words
        if _reports(text, [quotes[k] for k in members], tokens, starts):
            reported.update(members)
            found += 1
    if not reported or found < max(_REPORTED_MIN_UTTERANCES, _REPORTED_SHARE * len(groups)):
        return quotes  # a writer who does not use the device: what the tests find is mostly speech
    return [replace(q, kind="reported") if k in reported else q for k, q in enumerate(quotes)]


def _reports(text: str, pieces: list[Quote], tokens, starts: list[int]) -> bool:
    """Does an utterance speak in the narrator's grammar (see mark_reported)?"""
    said = [w.lower() for q in pieces for w in _WORD.findall(text, q.start, q.end)]
    if len(said) < _REPORTED_MIN_WORDS or any(w in _FIRST_SECOND for w in said):
        return False
    past = present = 0
    third = False
    for q in pieces:
        for t in tokens[bisect.bisect_left(starts, q.start):bisect.bisect_left(starts, q.end)]:
            w = text[t.start:t.end].lower()
            if w in _THIRD_SUBJECTS and t.dep in ("nsubj", "nsubjpass"):
                third = True
            if t.tag in ("VBD", "VBN") or t.tag == "MD" and w in _PAST_MODALS:
                past += 1
            elif t.tag in ("VBP", "VBZ") or t.tag == "MD" and w in _PRESENT_MODALS:
                present += 1
    return third and past > present
