"""Fiction tokenizer rules: dashes and quotation marks glued to words are split off."""
from __future__ import annotations

import pytest

from fabula.steps.language import load_model


@pytest.fixture(scope="module")
def nlp():
    try:
        return load_model("en_core_web_sm")
    except Exception:
        pytest.skip("spaCy model not installed")


@pytest.mark.parametrize("text, pieces", [
    ('"No"--said Ottilie, "I never', ['"', "No", '"', "--", "said", "Ottilie"]),
    ('Kasimir;--"and then', ["Kasimir", ";", "--", '"', "and"]),
    ("it was late.--It was", ["late", ".", "--", "It"]),
    ("He said\u2014\u201cNo\u201d\u2014and left", ["said", "\u2014", "\u201c", "No", "\u201d", "\u2014", "and"]),
    ("--and then", ["--", "and"]),
])
def test_glued_dashes_and_quotes_are_split(nlp, text, pieces):
    words = [t.text for t in nlp.tokenizer(text)]
    n = len(pieces)
    assert any(words[i:i + n] == pieces for i in range(len(words) - n + 1)), words


@pytest.mark.parametrize("word", ["don\u2019t", "dog's", "well-known"])
def test_apostrophes_and_hyphens_inside_words_are_left_alone(nlp, word):
    assert "".join(t.text for t in nlp.tokenizer(word)) == word
    assert not any(t.text in ("\u2019", "'") for t in nlp.tokenizer(word))
