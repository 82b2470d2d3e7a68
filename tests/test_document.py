import json

import pytest

from fabula import Document, FabulaError, analyze, build_pipeline
from fabula.pipeline import Pipeline
from fabula.steps.language import Language

from conftest import assert_spans_valid


@pytest.fixture(scope="module")
def sample_doc():
    from conftest import SAMPLE
    return analyze(SAMPLE, until="language")


def test_language_layers_and_invariants(sample_doc):
    doc = sample_doc
    assert len(doc.layer("sentences")) > 20
    tokens = doc.layer("tokens")
    assert all(doc.text[t.start:t.end].strip() == doc.text[t.start:t.end] for t in tokens)
    assert any(t.pos == "VERB" and t.lemma == "say" for t in tokens)
    assert all(0 <= t.head < len(tokens) for t in tokens)
    assert_spans_valid(doc)


def test_json_round_trip(sample_doc):
    data = json.loads(sample_doc.dumps())
    assert data["schema"] == "fabula/1"
    for key in ("text", "metadata", "chapters", "scenes", "paragraphs", "sentences"):
        assert key in data
    back = Document.from_json(data)
    assert back.text == sample_doc.text
    assert back.layer("sentences") == sample_doc.layer("sentences")
    assert back.layer("tokens") == sample_doc.layer("tokens")
    assert back.layer("chapters") == sample_doc.layer("chapters")


def test_layers_are_immutable(sample_doc):
    with pytest.raises(Exception):
        sample_doc.layer("paragraphs")[0].start = 5
    with pytest.raises(TypeError):
        sample_doc.layers["paragraphs"] = ()


def test_pipeline_checks_needs_before_running():
    with pytest.raises(FabulaError, match="needs paragraphs"):
        Pipeline([Language()]).check()


def test_unknown_step_is_an_error():
    with pytest.raises(FabulaError, match="unknown step"):
        build_pipeline(until="nonsense")


def test_partial_document_resumes(sample_doc):
    segmented = analyze("One line.\n\nTwo lines.\n", until="segment")
    assert "tokens" not in segmented.layers
    resumed = analyze(segmented, until="language")
    assert "tokens" in resumed.layers and resumed.text == segmented.text


def test_quotes_and_mentions_carry_id_and_text():
    from fabula.spans import Mention, Quote
    doc = Document(text='"Hi," said Ann.', layers={"quotes": (Quote(1, 4),), "mentions": (Mention(11, 14),)})
    data = doc.to_json()
    assert data["quotes"][0]["text"] == "Hi," and data["quotes"][0]["id"] == 0
    assert data["mentions"][0]["text"] == "Ann"
    assert Document.from_json(data).layer("quotes") == doc.layer("quotes")


def test_dumps_writes_to_json():
    from fabula.spans import Character, Entity, Mention, Quote, Token
    doc = Document(text='"Hi," said Ann.', layers={
        "quotes": (Quote(1, 4, speaker=0, addressees=(1, 2), type="explicit", confidence=0.75, group=0),),
        "mentions": (Mention(11, 14, character=0), Mention(11, 14), Mention(11, 14, kind="pronoun", character=1)),
        "characters": (Character(0, "Ann", aliases=("Annie",)), Character(1, "Bo")),
        # strings to escape, None beside ints, an empty layer and a mixed one (written by json.dumps)
        "tokens": (Token(0, 1, lemma='"'), Token(1, 3, lemma="Hi\u2019\n\\\x01", head=-1), Token(3, 4, lemma='"')),
        "sentences": (), "entities": (Entity(11, 14, "PERSON"), Mention(11, 14)),
        "extra": ({"any": "thing"},)})
    for indent in (None, 2):
        assert doc.dumps(indent) == json.dumps(doc.to_json(), ensure_ascii=False, indent=indent)


def test_entity_recognizer_runs_only_when_a_later_step_reads_entities():
    language = lambda p: next(s for s in p.steps if s.name == "language")
    assert language(build_pipeline(until="language")).with_entities
    full = build_pipeline()
    assert language(full).with_entities == any("entities" in s.needs for s in full.steps)
    assert not language(build_pipeline(until="quotes")).with_entities


def test_from_columns_makes_what_the_class_makes():
    from dataclasses import astuple
    from fabula.spans import LAYER_TYPES, Token, from_columns
    tokens = [Token(0, 2, "a", "NOUN", "NN", "nsubj", 1, ""), Token(3, 5, "b", "VERB", "VBD", "ROOT", 1, "PERSON")]
    made = from_columns(Token, *map(list, zip(*map(astuple, tokens))))
    assert made == tokens and [hash(t) for t in made] == [hash(t) for t in tokens]
    assert all(from_columns(cls, *([] for _ in cls.__dataclass_fields__)) == [] for cls in LAYER_TYPES.values())
    with pytest.raises(TypeError):
        from_columns(Token, [0], [1])
