"""Tokenizer rules for fiction that spaCy's English defaults lack.

Old printed novels (Project Gutenberg, PDNC) write dashes as "--" and glue them to quotation
marks and words ('"No"--said Darcy', 'Bingley;--"and pray'); modern texts glue em-dashes and
curly quotes ('said—“No”—and'). spaCy keeps each of those as one token, which hides the speech
verb and the speaker's name from the parser and from every later step, and hides sentence ends
('well.--It is'). These rules split them off; apostrophes inside words (don’t, dog's) are kept.
"""
from __future__ import annotations

from spacy.util import compile_infix_regex, compile_prefix_regex

_INFIXES = (
    r"--+",                      # ASCII dashes between words
    r"[\u2014\u2013\u2015]",     # em, en and horizontal-bar dashes
    r"[\u201c\u201d]",           # curly double quotes glued to a word or dash
    r"(?<=\w)[\";:!?.,](?=--)",  # 'No"--said', 'Bingley;--', 'well.--It'
    r"(?<=--)\"",                # '--"and'
)
_PREFIXES = (r"--+", r"[\u2014\u2013\u2015]")


def add_fiction_rules(nlp) -> None:
    """Extend an English pipeline's tokenizer in place. Built from the language defaults each
    time, so applying it twice gives the same tokenizer."""
    tok = nlp.tokenizer
    tok.infix_finditer = compile_infix_regex(tuple(nlp.Defaults.infixes) + _INFIXES).finditer
    tok.prefix_search = compile_prefix_regex(_PREFIXES + tuple(nlp.Defaults.prefixes)).search
