"""Speaker attribution: who says each quotation, to whom, how we know, and how sure we are.

Modules: `tags` (speech tags next to a quote), `resolve` (a tag's subject to a character),
`conversation` (turn-taking, vocatives, addressees), `ranker` (learned candidate ranking and joint
decoding), `model` (weights and calibration), `core` (the order it all runs in).

Design (after BookNLP and the PDNC baselines, with the conversation model they lack):

1. Utterances. Quote pieces sharing a `group` are one utterance; utterances in one paragraph form a
   *turn* (one speaker, unless a later utterance carries its own tag naming someone else).
2. Speech tags (explicit / anaphoric). For each utterance the narration next to it is searched in a
   fixed order: between its pieces, right after it, right before it (same paragraph). A verb of
   communication (lemma in the lexicon) with a subject gives the speaker: a name (explicit) or a
   pronoun / noun phrase resolved through the `mentions` layer, or, where that has no link, locally:
   the narrator for "I", else the most recent gender-compatible character, preferring the
   conversation's participants and subjects of recent narration (anaphoric). Failing a speech verb,
   the subject of a narration sentence adjacent to the quote in the same paragraph ("Anna sighed.").
3. Conversation (implicit). Consecutive quote turns form a conversation. Untagged turns are filled by
   turn-taking: the addressee named by a vocative in the previous turn answers; A, B, A, B parity
   from tagged turns on either side; a new paragraph means a new speaker; otherwise the other
   participant, or the most recently mentioned other character. A vocative inside the quote names
   the addressee, never the speaker. In first-person novels the narrator is a character and speaks.
4. Addressees: vocatives, else the other participant of the conversation.
5. Confidence: the accuracy of the rule that decided, measured on development novels
   (`fabula/models/attribution_calibration.json`, refitted by `scripts/train_attribution.py`).

Everything is a constant number of passes over tokens and quotes: linear in the document.
"""
from .core import Attributor

__all__ = ["Attributor"]
