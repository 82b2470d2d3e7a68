"""Name knowledge: titles, honorific suffixes, familiar forms of given names, romanization variants.

All word lists live in fabula/data/*.txt, but for the small kin table below, and are generic (not keyed
to any work).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# kin noun -> (gender, is an elder/spouse usually titled Mr./Mrs.)
KIN = {"father": ("he", True), "mother": ("she", True), "husband": ("he", True), "wife": ("she", True),
        "papa": ("he", True), "mamma": ("she", True), "son": ("he", False), "daughter": ("she", False),
        "brother": ("he", False), "sister": ("she", False), "uncle": ("he", True), "aunt": ("she", True),
        "nephew": ("he", False), "niece": ("she", False), "cousin": ("unknown", False)}


def _lines(name: str) -> list[str]:
    text = resources.files("fabula").joinpath("data", name).read_text(encoding="utf-8")
    return [ln for ln in (l.strip() for l in text.splitlines()) if ln and not ln.startswith("#")]


@lru_cache(maxsize=1)
def titles() -> dict[str, tuple[str, str]]:
    """title key (lower-case, no period) -> (gender he/she/-, kind)."""
    out = {}
    for ln in _lines("titles.txt"):
        parts = ln.split("\t")
        out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return out


@lru_cache(maxsize=1)
def honorifics() -> frozenset[str]:
    return frozenset(_lines("honorifics.txt"))


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    return frozenset(_lines("not_names.txt"))


def _word_gender_table(name: str) -> dict[str, str]:
    """A data file of 'word<TAB>gender' lines as a dict."""
    return dict(ln.split("\t") for ln in _lines(name))


@lru_cache(maxsize=1)
def person_nouns() -> dict[str, str]:
    return _word_gender_table("person_nouns.txt")


@lru_cache(maxsize=1)
def _nick_tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    formal_to: dict[str, set[str]] = {}
    nick_to: dict[str, set[str]] = {}
    for ln in _lines("nicknames.txt"):
        formal, _, rest = ln.partition(":")
        formal = formal.strip()
        for nick in rest.split():
            formal_to.setdefault(formal, set()).add(nick)
            nick_to.setdefault(nick, set()).add(formal)
    return ({k: frozenset(v) for k, v in formal_to.items()}, {k: frozenset(v) for k, v in nick_to.items()})


@lru_cache(maxsize=1)
def _given_gender() -> dict[str, str]:
    return _word_gender_table("given_names.txt")


def given_gender(word: str) -> str | None:
    """The gender a given name usually carries ('he'/'she'), or None when unknown.

    A familiar form takes the gender of the formal names it stands for when they agree; one that stands
    for both a man's and a woman's name ("Frankie": Francis or Frances, "Chris", "Kit") says nothing."""
    g = _given_gender()
    w = word.lower()
    if w in g:
        return g[w]
    found = {g[formal] for formal in given_forms(w) if formal in g}
    return found.pop() if len(found) == 1 else None


def is_given_name(word: str) -> bool:
    """Whether a word is a known given name or a familiar form of one, whatever gender it carries."""
    g = _given_gender()
    return any(formal in g for formal in given_forms(word.lower()))


def given_forms(word: str) -> frozenset[str]:
    """The formal given names a (lower-case) word may stand for, itself included."""
    formal_to, nick_to = _nick_tables()
    w = word.lower()
    out = {w}
    out |= nick_to.get(w, frozenset())
    return frozenset(out)


def same_given(a: str, b: str) -> bool:
    """Whether two given names can denote one person: equal, or one a familiar form of the other."""
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    fa, fb = given_forms(a), given_forms(b)
    return bool(fa & fb)


def title_key(word: str) -> str | None:
    """The title a token is ('Mr.' -> 'mr'), or None."""
    w = word.lower().rstrip(".")
    if w in titles():
        if w == "m" and not word.endswith("."):
            return None
        return w
    return None


def title_gender(key: str | None) -> str:
    if not key:
        return "unknown"
    g = titles().get(key, ("-", ""))[0]
    return g if g in ("he", "she") else "unknown"


def title_marital(key: str | None) -> str:
    if not key:
        return ""
    kind = titles().get(key, ("-", ""))[1]
    return kind if kind in ("married", "unmarried") else ""


_TRANSLIT = str.maketrans({"ō": "o", "ū": "u", "ā": "a", "ī": "i", "ē": "e", "Ō": "o", "Ū": "u", "Ā": "a",
                          "ô": "o", "û": "u", "’": "'", "‘": "'"})


@lru_cache(maxsize=1 << 16)  # a novel folds each of its few thousand name words many times
def fold(word: str) -> str:
    """A case-, accent- and romanization-insensitive key for a name word.

    Long vowels written ou/oo/uu/ō fold to one vowel, so "Tanjirou", "Tanjiro" and "Tanjirō" agree.
    """
    w = word.translate(_TRANSLIT).lower()
    w = unicodedata.normalize("NFKD", w)
    w = "".join(c for c in w if not unicodedata.combining(c))
    w = re.sub(r"ou(?![aeiou])", "o", w)
    w = w.replace("uu", "u").replace("oo", "o").replace("ii", "i").replace("aa", "a")
    return w


def split_honorific(word: str) -> tuple[str, str | None]:
    """'Tanjirou-san' -> ('Tanjirou', 'san'); other words come back unchanged."""
    if "-" in word:
        base, _, suffix = word.rpartition("-")
        if base and suffix.lower() in honorifics():
            return base, suffix.lower()
    return word, None


_FANDOM = re.compile(r"\s*\([^()]*\)\s*$")
_GENERIC_TAGS = re.compile(
    r"^(original (female |male )?characters?(\(s\))?|reader|you|everyone|other(s|\(s\))?|ensemble|"
    r"various|oc|ofc|omc|original character\(s\)|original female character\(s\)|original male character\(s\)|"
    r".*\bfamily\b.*|.*\(mentioned\)|mentioned .*)$", re.IGNORECASE)


def clean_tag_name(tag: str) -> str | None:
    """An AO3 Characters tag as a person's name: fandom suffix dropped; generic tags give None."""
    name = _FANDOM.sub("", tag.strip())
    name = re.sub(r"\s+", " ", name).strip()
    if not name or _GENERIC_TAGS.match(name) or _GENERIC_TAGS.match(tag.strip()):
        return None
    return name


@dataclass(frozen=True)
class NameForm:
    """A name as written: an optional title, the name words, an optional honorific suffix."""
    title: str | None
    words: tuple[str, ...]
    suffix: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(fold(w) for w in self.words)

    @property
    def gender(self) -> str:
        return title_gender(self.title)

    def display(self) -> str:
        return " ".join(self.words)


_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


_LEAD = frozenset({"my", "dear", "dearest", "the", "poor", "little", "young", "old", "late", "darling", "sweet",
                   "a", "an", "our", "your", "his", "her", "their"})


def parse_name(name: str) -> NameForm:
    """Parse a name given as text ("Mr. Darcy", "Kamado Tanjirou", "Tanjirou-san").

    Words of address before it ("My dear Miss Eliza") and a place after "of" ("Mr. Darcy of Pemberley")
    are not part of the name."""
    parts = [p for p in re.split(r"\s+", name.strip()) if p]
    while len(parts) > 1 and parts[0].lower().strip(",") in _LEAD:
        parts = parts[1:]
    for i, p in enumerate(parts):
        if i > 0 and p.lower() == "of":
            parts = parts[:i]
            break
    title = None
    while len(parts) > 1 and title_key(parts[0]) and title is None:
        title = title_key(parts[0])
        parts = parts[1:]
    suffix = None
    if parts:
        base, suffix = split_honorific(parts[-1])
        parts[-1] = base
    words = tuple(p.strip(",;:") for p in parts if p.strip(",;:"))
    return NameForm(title, words, suffix)
