"""Word lists and name normalisation the attribution rules share."""
from __future__ import annotations

import re

PRON_GENDER = {"he": "he", "him": "he", "his": "he", "himself": "he",
                "she": "she", "her": "she", "hers": "she", "herself": "she",
                "they": "they", "them": "they", "i": "i", "me": "i", "we": "we"}
FEMALE_NOUNS = frozenset("""woman women lady ladies girl girls mother aunt sister daughter wife widow
queen duchess countess princess maid maiden mistress miss madam madame mrs nurse niece bride
grandmother granny hostess governess landlady heroine housekeeper baroness marchioness""".split())
MALE_NOUNS = frozenset("""man men gentleman gentlemen boy boys father uncle brother son husband
king duke count prince lord sir master mister mr nephew groom grandfather host landlord hero
butler footman servant fellow chap lad old colonel captain major general doctor professor
clergyman priest vicar rector curate parson inspector sergeant constable waiter baron marquis""".split())
SPEECH_NOUNS = frozenset("""answer reply rejoinder remark exclamation inquiry enquiry question cry whisper
observation response retort comment reproach rejoinder greeting protest salutation word words
explanation reproof assurance advice suggestion entreaty contribution consolation injunction amendment
conclusion ejaculation apology confession objection interruption declaration announcement
murmur saying thought thoughts reasoning language addition supplement""".split())
SUBJ_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
DEFER = "defer"  # a pronoun or noun tag waits until the named speakers are known

TITLE_WORDS = frozenset("mr mrs miss ms dr sir lady lord the m mme mlle madame monsieur captain colonel "
                         "professor mister master old young little poor dear aunt uncle".split())


TITLE_BEFORE = re.compile(r"\b(Mrs|Mr|Miss|Ms|Dr|Sir|Lady|Lord|Madame|Mme|Mlle|Monsieur|Captain|Colonel|"
                           r"Professor|Aunt|Uncle)\.?\s+$")


def norm(s: str) -> str:
    s = s.replace("\u2019", "'").replace(".", " ").casefold()
    return " ".join(re.sub(r"[^\w' -]", " ", s).split())

# a speech verb with a dependent of these kinds is not quoting its subject's words: "was saluted as",
# "offered them", "did not say", "said that he would"
NOT_QUOTING_DEPS = frozenset({"neg", "dobj", "nsubjpass", "auxpass", "ccomp"})
