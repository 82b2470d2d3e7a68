"""Invariants that hold for any input: spans in the text, proper nesting, JSON round trip, no stray errors."""
import json

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from fabula import Document, FabulaError, analyze
from fabula.read import read_bytes_as
from fabula.read.decode import decode

from conftest import assert_spans_valid

# Text built from the pieces that trip readers up: headings, breaks, quotes, blank lines, odd characters.
_PIECES = st.sampled_from([
    "Chapter 1", "Chapter Two: Night", "CHAPTER III.", "3.", "* * *", "~~~", "o0o", "\n", "\n\n", "\n\n\n",
    "\r\n", "\r", "“", "”", "\"", "'", "’", "—", "Summary:", "Notes:", "Chapter Text", "Work Text:",
    "\x00", "\u202e", "e\u0301", "🐉", "Zoë said, “Hi.”", "He left.", "  ", "\t", "Mr. Brandt", "\ufeff",
])
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_segmentation_invariants_on_any_text(text):
    try:
        doc = analyze(text if "\n" in text else text + "\n", until="segment")
    except FabulaError:
        return  # documented refusal (e.g. empty text)
    assert_spans_valid(doc)
    for ch in doc.layer("chapters"):
        if ch.title is not None and ch.heading_start is not None:
            assert ch.title.split()[0] in doc.text[ch.heading_start:ch.heading_end]
    back = Document.from_json(json.loads(doc.dumps()))
    assert back.text == doc.text and back.layers.keys() == doc.layers.keys()
    for name in doc.layers:
        assert back.layer(name) == doc.layer(name)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["text", "markdown", "html"]))
def test_any_bytes_give_a_document_or_a_fabula_error(data, fmt):
    try:
        doc = read_bytes_as(data, fmt)
    except FabulaError:
        return
    assert_spans_valid(doc)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_source_map_recovers_every_copied_character(text):
    data = text.encode("utf-8")
    try:
        decoded, _ = decode(data)
        doc = read_bytes_as(data, "text")
    except FabulaError:
        return
    for i, ch in enumerate(doc.text):
        j = doc.source_map.to_source(i)
        assert 0 <= j <= len(decoded)
        if ch not in "\n":
            assert decoded[j] == ch, (i, ch, j)


_STORY_PIECES = st.sampled_from([
    "“Come here, Tom,” said Ann.", "He laughed.", "“No,” she whispered.", "Mr. Brandt sighed.",
    "“You never listen.”", "'Fine,' said Ezra, 'fine.'", "“Unclosed quote", "Closing only.”", "\n\n",
    "\n", "Chapter 2\n\n", "* * *\n\n", "Mrs. Quill and Mr. Quill left.", "I said nothing.", "“", "”",
    "Captain Oduya nodded. “Go.”", "—Who is it? asked Lina.", "*Not again,* she thought.",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_STORY_PIECES, min_size=1, max_size=25).map(" ".join))
def test_full_pipeline_invariants_on_generated_stories(story):
    assume(story.strip())  # an empty story is refused, as tested elsewhere
    doc = analyze(story + "\n")
    assert_spans_valid(doc)  # includes: every speaker, addressee and mention names a real character
    for q in doc.layers.get("quotes", ()):
        assert 0.0 <= q.confidence <= 1.0
        assert q.type in (None, "explicit", "anaphoric", "implicit")
    back = Document.from_json(json.loads(doc.dumps()))
    for name in doc.layers:
        assert back.layer(name) == doc.layer(name)
