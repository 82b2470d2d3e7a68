"""Quotation detection on short original texts."""
from __future__ import annotations

import pytest

from fabula.api import load
from fabula.pipeline import Settings
from fabula.spans import Emphasis
from fabula.steps.quotes import Quotes, find_quotes
from fabula.steps.segment import Segment


def detect(text: str, emphasis=()):
    doc = load(text + ("\n" if "\n" not in text else ""))
    doc = doc.with_layers(**Segment().run(doc, Settings()))
    if emphasis:
        doc = doc.with_layers(emphasis=tuple(emphasis))
    quotes = Quotes().run(doc, Settings())["quotes"]
    return doc, quotes


def texts(text: str, emphasis=()):
    doc, quotes = detect(text, emphasis)
    return [doc.text[q.start:q.end] for q in quotes]


def test_curly_double_quotes_exclude_the_marks():
    assert texts("\u201cThe kettle is singing,\u201d Marta said.\n") == ["The kettle is singing,"]


def test_straight_double_quotes():
    assert texts('Ivo looked up. "Is it raining again?"\n') == ["Is it raining again?"]


def test_interrupted_quote_is_two_spans_in_one_group():
    doc, quotes = detect('"Sit down," she said. "You look exhausted."\n')
    assert [doc.text[q.start:q.end] for q in quotes] == ["Sit down,", "You look exhausted."]
    assert quotes[0].group == quotes[1].group


def test_separate_paragraphs_are_separate_groups():
    doc, quotes = detect('"Where to?" asked Bram.\n\n"The harbour," said Nell.\n')
    assert len(quotes) == 2
    assert quotes[0].group != quotes[1].group


def test_british_single_quotes_and_apostrophes():
    text = ("\u2018I don\u2019t think the Joneses\u2019 boat will float,\u2019 said Pip. "
            "\u2018It\u2019s five o\u2019clock and they\u2019ve patched \u2019em twice.\u2019\n\n"
            "\u2018We\u2019ll see,\u2019 said Ros.\n")
    found = texts(text)
    assert found == ["I don\u2019t think the Joneses\u2019 boat will float,",
                     "It\u2019s five o\u2019clock and they\u2019ve patched \u2019em twice.",
                     "We\u2019ll see,"]


def test_straight_single_quotes_with_elisions():
    text = ("'Tell 'em I'm coming,' said the carter.\n\n"
            "'The Harrises' dog won't wait,' said Min.\n\n"
            "'Right,' he said.\n\n'Fine,' she said.\n")
    found = texts(text)
    assert found == ["Tell 'em I'm coming,", "The Harrises' dog won't wait,", "Right,", "Fine,"]


def test_nested_quote_is_left_out_and_the_rest_stays_one_utterance():
    text = "\u201cHe looked at me and said, \u2018Not today,\u2019 and walked off,\u201d Lena told us.\n"
    doc, quotes = detect(text)
    assert [doc.text[q.start:q.end] for q in quotes] == ["He looked at me and said,", "and walked off,"]
    assert quotes[0].group == quotes[1].group


def test_nested_double_inside_british_single():
    text = ("\u2018She wrote \u201cnever again\u201d on the card,\u2019 said Odo.\n\n"
            "\u2018Did she mean it?\u2019 asked Fen.\n\n\u2018No.\u2019\n\n\u2018Good.\u2019\n")
    assert texts(text)[:3] == ["She wrote", "on the card,", "Did she mean it?"]


def test_elisions_inside_speech_are_not_nested_quotes():
    text = "\"Tell 'em the Harrises' cart is late,\" said the carter.\n"
    assert texts(text) == ["Tell 'em the Harrises' cart is late,"]


def test_speech_that_is_all_one_nested_quotation_stays():
    assert texts("\"'Come in,'\" Ada read out from the sign.\n") == ["'Come in,'"]


# A text whose apostrophes were stripped ("Tom s", "don t"): its single quotation marks went with them.
_STRIPPED = ("Tom s cart stood at the mill. The miller s dog slept by Tom s wheel, and the miller s wife "
             "counted the sacks. " * 6 + "\n\n")


def test_nested_quotes_whose_marks_the_text_lost_are_left_out():
    text = _STRIPPED + (
        '" I have one thing to tell,  he said,  before the mill s wheel stops for good.\n\n'
        '" The flour was never mine,  he went on.  It was all Tom s. \n\n'
        '"That s all. He looked at the door.  Come back tomorrow,  said he,  and bring the ledger. "\n')
    found = texts(text)
    assert "he said," in found and "he went on." in found and "said he," in found
    assert "That s all. He looked at the door." in found
    assert not any("flour" in q or "ledger" in q or "before the mill" in q for q in found)


def test_lost_marks_with_nothing_between_are_a_dash_not_a_quotation():
    text = _STRIPPED + '"We stopped at the mill,   the old one, and went home," said Tom.\n'
    assert texts(text)[-1] == "We stopped at the mill,   the old one, and went home,"


def test_double_spacing_in_a_text_with_apostrophes_is_not_a_lost_mark():
    text = ("Tom's cart stood at the mill. The miller's dog slept by Tom's wheel.  " * 8 + "\n\n"
            '"I have one thing to tell,  Tom.  The flour was never mine," he said.\n')
    assert texts(text) == ["I have one thing to tell,  Tom.  The flour was never mine,"]


def test_multi_paragraph_speech_continues_in_one_group():
    text = ('"The first thing you learn at sea is patience. The second thing is rope.\n\n'
            '"The third thing is that nobody listens to the first two," said the mate.\n\n'
            'Nobody laughed.\n')
    doc, quotes = detect(text)
    assert [doc.text[q.start:q.end] for q in quotes] == [
        "The first thing you learn at sea is patience. The second thing is rope.",
        "The third thing is that nobody listens to the first two,"]
    assert quotes[0].group == quotes[1].group


def test_closing_mark_without_opening_repairs_from_paragraph_start():
    text = 'Nothing here is mine," Tova said, and shut the door.\n'
    assert texts(text) == ["Nothing here is mine,"]


def test_opening_mark_never_closed_ends_at_paragraph_end():
    text = 'Kell said, "Bring the lamp and the map\n\nThe wind rose.\n'
    assert texts(text) == ["Bring the lamp and the map"]


def test_quote_spanning_line_breaks():
    text = '"This is a long remark that wraps\nonto the next line," said Ada.\n\nShe left.\n'
    assert texts(text) == ["This is a long remark that wraps\nonto the next line,"]


def test_em_dash_dialogue():
    text = ("\u2014 Are you coming? \u2014 asked Rui.\n\n\u2014 Not yet.\n\n"
            "\u2014 Then I go alone.\n\nHe went.\n\n\u2014 Wait!\n")
    found = texts(text)
    assert found[:2] == ["Are you coming?", "Not yet."]
    assert "Wait!" in found


def test_short_quoted_word_in_narration_is_not_speech():
    text = 'She had never liked the word "cosy" and avoided it.\n\n"Hello," said Jo.\n'
    assert texts(text) == ["Hello,"]


def test_short_phrase_mid_sentence_is_speech_when_a_tag_follows():
    # after a word that is no speech verb a short phrase reads as cited; a tag right after makes it speech
    text = ('Jo stood up. And "Shut the gate," said Mina.\n\n'
            'He meant to avoid "trouble," so he said nothing.\n')
    assert texts(text) == ["Shut the gate,"]


def test_an_utterance_of_dots_is_kept_only_when_tagged():
    text = '". . . . . ." the old man sang softly.\n\nShe wrote "..." on the slate and left.\n'
    assert texts(text) == [". . . . . ."]


def test_exclamation_after_a_noun_is_speech():
    assert texts('There was a cry of "Fire!" from the yard.\n') == ["Fire!"]


def test_stage_direction_splits_quote_in_same_group():
    doc, quotes = detect('"Well, (smiling at him) I think you are right."\n')
    assert [doc.text[q.start:q.end] for q in quotes] == ["Well,", "I think you are right."]
    assert quotes[0].group == quotes[1].group


def test_italic_thought():
    text = "Mara stared at the sea. I will not go back there. Then she turned.\n"
    doc = load(text)
    s = doc.text.index("I will")
    e = doc.text.index("there.") + len("there.")
    doc2, quotes = detect(text, [Emphasis(s, e, "italic")])
    thoughts = [q for q in quotes if q.kind == "thought"]
    assert [doc2.text[q.start:q.end] for q in thoughts] == ["I will not go back there."]


def test_italic_inside_quote_is_not_a_thought():
    text = '"I said I would never do it again," he said.\n'
    doc = load(text)
    s = doc.text.index("I said")
    e = doc.text.index("again") + len("again")
    _, quotes = detect(text, [Emphasis(s, e, "italic")])
    assert all(q.kind == "speech" for q in quotes)


def test_unbalanced_marks_everywhere_stay_linear():
    lines = []
    for i in range(1000):
        lines.append('"Line %d never closes and "this one" does not either' % i if i % 3 == 0
                     else 'He said "yes" and then "no and then' if i % 3 == 1
                     else 'stray " mark "" here "')
    text = "\n\n".join(lines) + "\n"
    doc, quotes = detect(text)
    assert quotes  # completes, and every span is inside the text, non-empty, outside the marks
    for q in quotes:
        assert 0 <= q.start < q.end <= len(doc.text)
        assert doc.text[q.start:q.end].strip()


def test_spans_never_include_marks():
    text = '"One," said A. "Two." \u201cThree\u201d \u2018Four\u2019 "Five"\n'
    doc, quotes = detect(text)
    for q in quotes:
        piece = doc.text[q.start:q.end]
        assert piece[0] not in "\"\u201c\u201d\u2018\u2019" and piece[-1] not in "\"\u201c\u201d\u2018\u2019"


def test_find_quotes_on_empty_input():
    assert find_quotes("", ()) == []


# Quoted text that is not speech, each next to speech that still is.
NOT_SPEECH = {
    "a title after called; a call is speech": (
        'They lived in a cottage called "Three Gables" near the ford.\n\n'
        'From the gate Nan called "Dinner is ready!" and went back in.\n', ["Dinner is ready!"]),
    "a longer phrase inside a narration sentence": (
        'He had become one of those "men who know the right people" whom she avoided.\n\n'
        '"Come here," she said.\n', ["Come here,"]),
    "words a look seemed to say": (
        'Her glance seemed to say, "You will regret this, Tomas." He looked away.\n\n'
        '"I know what you think," said Tomas.\n', ["I know what you think,"]),
    "words someone only wanted to say": (
        'He wanted to say: "The ferry left an hour ago." But he kept quiet.\n\n'
        '"Did it leave?" asked Ilse.\n\n"Yes," he said.\n', ["Did it leave?", "Yes,"]),
    "a letter quoted paragraph by paragraph": (
        'The note on the table read as follows.\n\n"Harbour Street,"\n\n"Monday."\n\n"Dear Mr. Holm,"\n\n'
        '"The boat is mended and the nets (the old ones) are dry."\n\n"Come on Friday."\n\n"Yours ever,"\n\n"Margit"\n\n'
        'Hugo folded it. "She wants me back," he said.\n', ["She wants me back,"]),
    "a telegram introduced with a colon": (
        'A boy brought it up. The telegram was short: "Arriving Tuesday. Olga."\n\n'
        '"Who is Olga?" asked Ben.\n', ["Who is Olga?"]),
    "lines of verse": (
        'Then the old rhyme came back to him:\n\n'
        '"When the gulls fly low,\n    Take the boats in slow."\n\n"Storm coming," said Pell.\n', ["Storm coming,"]),
    "a letter under an unquoted salutation": (
        'Her reply came the next day.\n\nDEAR MR. HOLM,\n\n"I cannot come on Friday. The roof leaks."\n\n'
        '"So she refuses," he said.\n', ["So she refuses,"]),
    "a quoted word opening a narration sentence": (
        'The boats were all named after birds. "Petrel" was the fastest of them.\n\n'
        '"Take Petrel," said the owner.\n\n"Agreed" was all Ivo answered.\n', ["Take Petrel,", "Agreed"]),
    "salutations spoken aloud stay speech": (
        '"My dear Hugo, you are late again," said Margit.\n\n'
        '"Dear Aunt Vera," he began, "the tide was against me."\n',
        ["My dear Hugo, you are late again,", "Dear Aunt Vera,", "the tide was against me."]),
    "speech after said and a colon stays speech": (
        'He put down the letter and said: "We leave tomorrow."\n', ["We leave tomorrow."]),
}


@pytest.mark.parametrize("case", sorted(NOT_SPEECH))
def test_quoted_text_that_is_not_speech(case):
    text, expected = NOT_SPEECH[case]
    assert texts(text) == expected


@pytest.mark.parametrize("text, one_utterance", [
    # each piece has its own tag: two utterances, whatever the short gap between them
    ('Tom exclaimed, "Again!" and, to make things worse, Ruth said, "The roof leaks."', False),
    ('"I liked it," called Helga, while Ruth, thoughtful again, said: "So did I."', False),
    # a second speech verb with a subject of its own, in a clause after the first tag, with words after it
    ('"Where is it?" Lena asked, so eagerly that the Warden said, in a hurt tone, "Gone!"', False),
    ('"Tell me," she asked the Warden, and the Warden answered, as before, "No."', False),
    # one speaker, one utterance: the tag between the pieces is only hers ("and then added", "as he spoke")
    ('"Sit down," she said, and added, "you look tired."', True),
    ('"No," she answered gently, and then added, "not yet."', True),
    ('"Thank you," said he to Nora, and trying, as he spoke, to catch her eye. "I will."', True),
])
def test_a_tag_that_introduces_the_next_piece_for_another_speaker_splits_the_group(text, one_utterance):
    _, q = detect(text + "\n")
    assert len(q) == 2 and (q[0].group == q[1].group) == one_utterance


# A writer who reports speech in quotation marks, again and again (as some nineteenth-century novels do).
_VISITS = [
    ('The keeper came in stamping the snow from his boots, and would not sit down.',
     'He was sorry to call so late, but the lamp had gone out twice, and he could not leave it again.'),
    ('The postmistress stopped at the gate with her basket and a look of great importance.',
     'She had heard it from the miller, who had it from the ferryman, and she believed every word of it.'),
    ('The vicar lingered on the step as the light went, turning his hat in his hands.',
     'He hoped the family would come to the harvest supper, since the new organ had arrived at last.'),
    ('The twins were full of the storm at breakfast, interrupting each other at every turn.',
     'They had watched the whole of it from the attic and had counted eleven flashes before the rain came.'),
    ('Old Brandt sent a boy up the hill with a note and a message besides.',
     'He would be glad of the loan of the small boat, and he would return it before the tide turned.'),
]
REPORTED = "".join(f'{a} "{b}"\n\n' for a, b in _VISITS) + (
    'Mara nodded at the window. "I will watch it with you until the boat comes in."\n\n'
    '"He could not leave it again before morning, and nobody had told him why the oil was short."\n\n'
    'The keeper looked at the floor. "Nobody told me why the oil was short, and I asked twice."\n')


def test_speech_reported_in_the_narrators_grammar_is_its_own_kind():
    from fabula.api import analyze

    doc = analyze(REPORTED, until="quotes")
    kinds = {doc.text[q.start:q.end][:20]: q.kind for q in doc.layer("quotes")}
    # opens inside narration; he, she, they, past tense, no I or you: the narrator reports what was said
    for _, said in _VISITS:
        assert kinds[said[:20]] == "reported"
    # the same place in a paragraph, but with an "I": her own words
    assert kinds["I will watch it with"] == "speech"
    # the same grammar opening its own paragraph: a line of dialogue
    assert kinds["He could not leave i"] == "speech"
    # narration before it, but the words are the speaker's own ("me", "I")
    assert kinds["Nobody told me why t"] == "speech"


def test_a_writer_who_reports_speech_once_is_quoting_it():
    from fabula.api import analyze

    # one such utterance among ordinary dialogue: a character telling what someone else did
    text = REPORTED.split("\n\n", 1)[0] + "\n\n" + REPORTED.split("\n\n", len(_VISITS))[-1]
    doc = analyze(text, until="quotes")
    assert len(doc.layer("quotes")) == 4
    assert {q.kind for q in doc.layer("quotes")} == {"speech"}


def test_reported_speech_is_not_scored_as_a_quotation():
    from fabula.api import analyze
    from fabula.evaluate.pdnc import predicted_quotes
    from fabula.evaluate.scoring import GoldQuote, assign_quotes, score_quotes

    doc = analyze(REPORTED, until="quotes")
    preds = predicted_quotes(doc)
    assert len(preds) == len(doc.layer("quotes"))  # index for index, as training reads them
    assert [p.counted for p in preds] == [q.kind != "reported" for q in doc.layer("quotes")]
    assert sum(not p.counted for p in preds) == len(_VISITS)
    # scored against gold quotations at the same places, the reported ones are neither found nor counted
    gold = [GoldQuote(str(i), ((p.start, p.end),)) for i, p in enumerate(preds)]
    score = score_quotes(gold, preds)
    assert score.predicted == score.detected == len(preds) - len(_VISITS)
    assert assign_quotes(gold, preds) == [i if p.counted else None for i, p in enumerate(preds)]
