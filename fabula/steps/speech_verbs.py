"""Verbs of communication that head a speech tag ("she said", "murmured the host", "Anna sighed").

`SPEECH_LEMMAS` is matched against spaCy lemmas; `is_speech_word` matches a raw word form (said,
says, saying, cried, ...) when no lemmas are at hand (the quote step runs before the language pass).
"""
from __future__ import annotations

# Verbs that introduce or tag direct speech.
SPEECH_LEMMAS = frozenset("""
say ask answer reply respond rejoin retort return cry exclaim shout yell scream shriek call bellow roar
holler whisper murmur mutter mumble mouth breathe hiss sigh groan moan whimper whine sob wail weep laugh
chuckle giggle snicker titter snort scoff sneer jeer growl snarl grunt snap bark squeak squeal gasp pant
stammer stutter splutter sputter falter blurt gabble babble prattle chatter drawl lisp croak rasp
sing chant hum purr coo trill chirp pipe intone declare announce proclaim state remark observe comment
note add continue go pursue resume begin start interrupt interpose interject put protest object argue
insist maintain assert affirm claim contend admit confess concede acknowledge agree allow grant
explain suggest propose hint venture offer urge beg plead implore entreat beseech pray demand command
order bid instruct direct warn caution advise counsel threaten promise vow swear assure reassure
inquire enquire query question wonder muse reflect ponder think repeat echo recite quote read
tell inform report relate recount mention remind concur correct persist press prompt encourage
console comfort soothe tease joke jest banter mock taunt rally chaff scold chide reprove rebuke
reproach upbraid complain grumble grouse fret lament mourn bewail apologize apologise thank greet
hail welcome salute introduce conclude finish end close summarize sum explode storm rage fume thunder
boom blaze flare burst gush rave rant bawl howl bleat pronounce reason plead cajole coax wheedle
counter parry deny dispute contradict reiterate stress emphasize emphasise concede volunteer
speak talk address accost rejoice exult marvel assent opine grin smile nod shrug frown scowl pout beam sniff
""".split())

# Particles that follow a speech verb in a tag ("cried out", "put in", "went on", "spoke up").
SPEECH_PARTICLES = frozenset({"in", "out", "up", "on", "forth"})

# Of those, verbs that tag speech only in narration next to a quote ("Anna sighed. 'You never listen.'"),
# not as reporting verbs on their own: used for a weaker cue.
GESTURE_LEMMAS = frozenset("grin smile nod shrug frown scowl pout beam sniff laugh sigh".split())

_IRREGULAR = {
    "say": ("said", "says", "saith", "sayeth", "saying"),
    "tell": ("told",), "speak": ("spoke", "spoken"), "begin": ("began", "begun"),
    "go": ("went", "goes", "gone"), "think": ("thought",), "read": ("read",), "swear": ("swore", "sworn"),
    "bid": ("bade", "bidden"), "sing": ("sang", "sung"), "weep": ("wept",), "put": ("put",),
    "burst": ("burst",), "breathe": ("breathed",), "cry": ("cried", "cries"), "reply": ("replied", "replies"),
    "query": ("queried", "queries"), "hurry": (), "pray": ("prayed",), "return": ("returned",),
}


def _forms(lemma: str) -> set[str]:
    forms = {lemma}
    forms.update(_IRREGULAR.get(lemma, ()))
    if lemma.endswith("e"):
        forms.update({lemma + "d", lemma + "s", lemma[:-1] + "ing"})
    elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms.update({lemma[:-1] + "ied", lemma[:-1] + "ies", lemma + "ing"})
    else:
        ends_sh = lemma.endswith(("s", "sh", "ch", "x", "z"))
        forms.update({lemma + "ed", lemma + ("es" if ends_sh else "s"), lemma + "ing"})
        # snap -> snapped, sob -> sobbed (consonant-vowel-consonant endings)
        if (len(lemma) >= 3 and lemma[-1] in "bdgklmnprt" and lemma[-2] in "aeiou"
                and lemma[-3] not in "aeiou"):
            forms.update({lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"})
    return forms


SPEECH_FORMS = frozenset(f for lemma in SPEECH_LEMMAS for f in _forms(lemma))
# Forms so common in plain narration that, alone, they say nothing about speech.
_WEAK_FORMS = frozenset({"go", "went", "goes", "gone", "going", "put", "read", "end", "ended", "close",
                         "closed", "start", "started", "begin", "began", "return", "returned", "note",
                         "think", "thought", "call", "called", "pipe", "speak", "talk", "address",
                         "finish", "finished", "order", "state", "question", "close", "offer"})


def is_speech_lemma(lemma: str) -> bool:
    return lemma.lower() in SPEECH_LEMMAS


def is_speech_word(word: str, strict: bool = False) -> bool:
    w = word.lower()
    if strict and w in _WEAK_FORMS:
        return False
    return w in SPEECH_FORMS
