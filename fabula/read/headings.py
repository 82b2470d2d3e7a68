"""Recognizing chapter headings in plain text, shared by the text and Markdown readers."""
from __future__ import annotations

import re

_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                 "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
                 "eighty|ninety|hundred|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last")
_NUMBER = rf"(?:\d{{1,5}}|[ivxlcdm]{{1,8}}|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*)"
_LABEL = r"(?:chapter|chap\.|ch\.|part|book|volume|vol\.|act|section)"
_SOLO = r"(?:prologue|epilogue|interlude|afterword|foreword|preface|introduction)"
_SEP = r"(?:\s*[:.\-\u2013\u2014]\s*|\s+)"

# "Chapter 3", "Chapter Three: The Storm", "CHAPTER III.", "Part One - Arrival", "Prologue: Before"
STRONG = re.compile(rf"^\s*(?:{_LABEL}\s+{_NUMBER}\.?(?:{_SEP}\S.{{0,100}})?|{_SOLO}(?:{_SEP}\S.{{0,100}})?)\s*$",
                    re.IGNORECASE)
# A bare label on its own line, its number on the next ("CHAPTER" / "1").
BARE_LABEL = re.compile(rf"^\s*{_LABEL}\s*$", re.IGNORECASE)
# "3." or "III." or "12" alone on a line: a heading only with blank lines around it.
NUMBER_ONLY = re.compile(r"^\s*(?:\d{1,3}|[IVXLC]{1,7})\.?\s*$")
_TITLE_END_BAD = tuple('.,;:"\'\u201d\u2019-\u2014\u2026)')
_SMALL_WORDS = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "with", "by", "from", "is"}


# The label and number alone, to look at what follows them.
_LABEL_NUMBER = re.compile(rf"^\s*(?:{_LABEL}\s+{_NUMBER}|{_SOLO})\b", re.IGNORECASE)


def is_strong_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 120 or not s[0].isupper() and not s[0].isdigit():
        return False
    if not STRONG.match(s):
        return False
    # "Chapter 3 The Storm" is a heading; "Part one of the plan was simple." and a first sentence run
    # into its heading ("CHAPTER I Mr Verloc, going out in the morning, left ...") are prose.
    head = _LABEL_NUMBER.match(s)
    rest = s[head.end():] if head else ""
    if rest and rest[0].isspace():
        title = rest.strip()
        if not title[:1].isupper() and not title[:1].isdigit():
            return False
        if not is_title_like(title) and (len(title.split()) > 8 or title.endswith((",", ";"))):
            return False
    return True


def is_label_only(line: str) -> bool:
    """A heading that is just its label and number ("Chapter 3", "CHAPTER III."), no title."""
    s = line.strip()
    head = _LABEL_NUMBER.match(s)
    return bool(head) and is_strong_heading(s) and s[head.end():].strip() in ("", ".", ":")


def is_number_heading(line: str) -> bool:
    return bool(NUMBER_ONLY.match(line))


def is_title_like(line: str) -> bool:
    """A short, capitalized line with no sentence punctuation: a possible bare chapter title."""
    s = line.strip()
    if not s or len(s) > 60 or s.endswith(_TITLE_END_BAD):
        return False
    if any(q in s for q in '"\u201c\u201d'):
        return False
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", s)
    if not words or len(words) > 10 or not s[0].isupper() and not s[0].isdigit():
        return False
    significant = [w for w in words if w.lower() not in _SMALL_WORDS] or words
    capitalized = sum(1 for w in significant if w[0].isupper())
    return capitalized == len(significant)


def clean_title(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()
