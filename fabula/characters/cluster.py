"""Grouping name forms into characters.

A form is (title, key): the title as a key ("mr", "miss", None) and the folded name words. Full names
(two words or more) found characters first; then titled one-word forms attach by surname or given
name when exactly one compatible character fits (gender and marital status from titles and from the
pronouns that follow each form); then bare one-word forms attach to the one character they fit.
A form that fits several characters stays ambiguous: its mentions are resolved in context, and it is
not listed among any character's aliases.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .names import given_forms, given_gender, person_nouns, same_given, title_gender, title_marital

# Titles followed by a given name rather than a surname ("Sir Walter", "Aunt Polly", "Lady Catherine").
GIVEN_TITLES = frozenset({"sir", "lady", "lord", "dame", "aunt", "auntie", "aunty", "uncle", "father", "sister",
                          "brother", "mother", "cousin", "prince", "princess", "king", "queen", "master",
                          "don", "dona", "donna", "grandma", "granny", "grandpa", "saint"})

Form = tuple  # (title or None, key tuple)
# Civil titles that also go with a given name ("Miss Elizabeth", "Master Philip", "Madame Olga").
_GIVEN_OK = frozenset({"miss", "master", "madam", "madame", "mademoiselle", "mlle", "mme", "signorina", "fraulein",
                       "senorita", "dona", "donna", "don"})


@dataclass
class Char:
    id: int = -1
    forms: Counter = field(default_factory=Counter)
    given: set = field(default_factory=set)
    surnames: set = field(default_factory=set)
    singles: set = field(default_factory=set)
    title_votes: Counter = field(default_factory=Counter)  # he / she
    marital: set = field(default_factory=set)
    votes: Counter = field(default_factory=Counter)  # pronoun votes he / she / they
    ranks: int = 0  # mentions with a military rank
    seed: object = None  # the CastMember this character comes from
    fixed_gender: str | None = None
    # a cast's names that describe rather than name ("Little Charles", "The Late Mr. Darcy"): without the
    # describing word they are another character's name, so they claim a mention only when no one else does
    described: set = field(default_factory=set)
    # a cast member's given names as the cast writes them (its reversed forms are for matching only)
    cast_given: set = field(default_factory=set)

    @property
    def gender(self) -> str:
        if self.fixed_gender and self.fixed_gender != "unknown":
            return self.fixed_gender
        he, she, they = self.votes["he"], self.votes["she"], self.votes["they"]
        tot = he + she
        if self.title_votes:
            g, n = self.title_votes.most_common(1)[0]
            # A title says it; for a cast member, unless a stray one ("Auntie Tibby" once) meets many pronouns of
            # the other gender (a discovered character's forms are still being merged: "Mrs. Newland Archer")
            other = she if g == "he" else he
            stray = self.seed is not None and other >= max(10, 4 * n) and other >= 0.8 * tot
            if n > sum(self.title_votes.values()) - n and not stray:
                return g
        if self.ranks and not (she >= 5 and she >= 0.8 * tot):
            # General, Colonel, Captain: men in most fiction, unless a given name or the pronouns clearly
            # say otherwise (a few "she"s near "General Tilney" are the heroine's)
            return self._name_gender() or "he"
        if tot < 4 or max(he, she) < 0.8 * tot:
            named = self._name_gender()
            if named:
                return named
        if tot >= 10 and max(he, she) >= 0.62 * tot:
            return "he" if he > she else "she"
        if tot >= 2:
            if he >= 0.7 * tot:
                return "he"
            if she >= 0.7 * tot:
                return "she"
        elif tot == 1 and they == 0:
            return "he" if he else "she"
        if they >= 3 and they > tot:
            return "they"
        return "unknown"

    @property
    def noble(self) -> bool:
        """Named at least once with a title of rank ("Lady Catherine", "Sir Walter")."""
        return any(t in NOBLE for (t, _) in self.forms if t)

    @property
    def has_full_name(self) -> bool:
        return any(len(k) >= 2 for (_, k) in self.forms)

    @property
    def full_name_uses(self) -> int:
        """How often the character is named with two words or more ("Henry Tilney", "Mr. Henry Tilney")."""
        return sum(n for (_, k), n in self.forms.items() if len(k) >= 2)

    def _name_gender(self) -> str | None:
        """The gender the given names carry, when they agree."""
        lex = {given_gender(w) for w in (self.cast_given or self.given)} - {None}
        return next(iter(lex)) if len(lex) == 1 else None

    def add(self, form: Form, count: int, votes: Counter | None = None) -> None:
        title, key = form
        self.forms[form] += count
        if form in self.described:
            return
        g = title_gender(title)
        if g != "unknown":
            self.title_votes[g] += count
        m = title_marital(title)
        if m:
            self.marital.add(m)
        if title in MILITARY:
            self.ranks += count
        if votes:
            self.votes.update(votes)
        if len(key) >= 2:
            if not (title_marital(title) == "married" and given_gender(key[0]) == "he"):
                self.given.add(key[0])  # not the husband's name in "Mrs. John Dashwood"
            self.surnames.add(key[-1])
        elif title is None:
            self.singles.add(key[0])
            self.given.add(key[0])
        elif title in GIVEN_TITLES:
            self.given.add(key[0])
        else:
            self.surnames.add(key[0])


# how many times more often a bare name word must be used one way (surname or given name) than the other
# to be read that way without asking the scene
_ONE_SIDED = 5

NOBLE = frozenset({"sir", "lord", "lady", "dame", "duke", "duchess", "count", "countess", "baron", "baroness",
                   "earl", "marquis", "marquess", "marchioness", "viscount", "prince", "princess", "king", "queen"})
MILITARY = frozenset({"captain", "capt", "colonel", "col", "general", "gen", "major", "lieutenant", "lieut", "lt",
                      "sergeant", "sgt", "corporal", "private", "admiral", "commander", "commodore", "ensign"})
CIVIL = frozenset({"mr", "mister", "mrs", "missus", "miss", "ms", "master"})


def noun_gender(name: str) -> str | None:
    """The gender of the person noun a descriptive cast name rests on ("The Waiter", "The Duke of X",
    "A Lady in the Group")."""
    words = [w.strip(".,'").lower() for w in name.split()]
    head = next((words[k - 1] for k in range(1, len(words)) if words[k] in ("with", "in", "of")), words[-1])
    g = person_nouns().get(head)
    if g is None and head.endswith("man") and len(head) >= 7:  # ferryman, policeman, washerwoman
        g = "she" if head.endswith("woman") else "he"
    return g if g in ("he", "she") else None


def _describes(name: str, nf) -> bool:
    """A single name after a describing word: "Little Charles", "The Late Mr. Darcy"."""
    from .mentions import NAME_ADJECTIVES
    lead = [w.lower() for w in name.split()[:2]]
    return len(nf.key) == 1 and (lead[0] in NAME_ADJECTIVES or lead == ["the", "late"])


def compatible(c: Char, title: str | None, votes: Counter | None = None) -> bool:
    if c.seed is not None:
        # a cast member's aliases may span a life ("Miss Lucas", "Mrs. Collins"): only gender counts
        g = title_gender(title)
        return g == "unknown" or c.gender not in ("he", "she") or g == c.gender
    if title in CIVIL and c.noble:
        return False  # Sir Walter Elliot is never "Mr. Elliot": that is another Elliot
    g = title_gender(title)
    cg = c.gender
    if g != "unknown" and cg in ("he", "she") and g != cg:
        return False
    m = title_marital(title)
    if m and c.marital and m not in c.marital:
        return False
    if votes:
        he, she = votes["he"], votes["she"]
        if he + she >= 3 and cg in ("he", "she"):
            vg = "he" if he >= 0.8 * (he + she) else "she" if she >= 0.8 * (he + she) else None
            if vg and vg != cg:
                return False
    return True


def _given_match(word: str, c: Char, reverse_ok: bool = True) -> bool:
    """The word is the character's given name, or a familiar form of it ("Lizzy" for Elizabeth).

    The other direction (a formal name for a character known by a familiar one: "Mary" for "Minnie")
    only when `reverse_ok`."""
    if word in c.given:
        return True
    formal = given_forms(word) - {word}
    if any(g in formal for g in c.given):
        return True
    if reverse_ok:
        return any(word in (given_forms(g) - {g}) for g in c.given)
    return False


# Titles that may name the same person with the same surname ("Mr. Kemp" / "Dr. Kemp").
_TITLE_GROUP = {"mr": "civ", "mister": "civ", "m": "civ", "monsieur": "civ", "herr": "civ", "signor": "civ",
                "senor": "civ", "mynheer": "civ", "dr": "*", "doctor": "*", "prof": "*", "professor": "*",
                "capt": "captain", "col": "colonel", "gen": "general", "lieut": "lieutenant", "lt": "lieutenant",
                "sgt": "sergeant", "rev": "reverend", "mrs": "mrs", "missus": "mrs", "madame": "mrs",
                "mme": "mrs", "frau": "mrs", "signora": "mrs", "senora": "mrs", "miss": "miss", "mlle": "miss",
                "mademoiselle": "miss", "fraulein": "miss", "signorina": "miss", "senorita": "miss"}


def titles_agree(a: str, b: str) -> bool:
    ga, gb = _TITLE_GROUP.get(a, a), _TITLE_GROUP.get(b, b)
    if ga == gb or "*" in (ga, gb):
        return True
    return False


class Clusterer:
    """Builds characters from counted forms. `seeds` (CastMember) become the first characters.

    With `closed=True` no character beyond the seeds is created (a cast given by the user).
    """

    def __init__(self, seeds=(), closed: bool = False, sisters: frozenset = frozenset(),
                 addressed: frozenset = frozenset()):
        from .names import parse_name
        self.chars: list[Char] = []
        self.closed = closed
        self.sisters = sisters  # surnames the text names with a plural "the Miss Schlegels"
        self.addressed = addressed  # forms used only to address someone ('"You missed it, Mr. Brandt."')
        self.form_char: dict[Form, int] = {}
        self.ambiguous: dict[Form, tuple[int, ...]] = {}
        self.forms: Counter = Counter()
        for member in seeds:
            c = Char(id=len(self.chars), seed=member, fixed_gender=getattr(member, "gender", None))
            parsed = [(nm, parse_name(nm)) for nm in member.names]
            parsed = [(nm, nf) for nm, nf in parsed if nf.words]
            plain = {w for nm, nf in parsed if not _describes(nm, nf) for w in nf.key}
            c.described = {(nf.title, nf.key) for nm, nf in parsed if _describes(nm, nf) and nf.key[0] not in plain}
            # A cast may give names without a gender ("names and aliases, nothing else"): its own titles
            # say it when they agree ("Mr. Darcy"), its given names when the pronouns do not settle it.
            said = {title_gender(nf.title) for _, nf in parsed} - {"unknown"} or \
                {noun_gender(nm) for nm, _ in parsed} - {None}
            if len(said) == 1 and c.fixed_gender in (None, "unknown"):
                c.fixed_gender = said.pop()
            c.cast_given = {nf.key[0] for _, nf in parsed
                            if nf.title is None and len(nf.key) >= 2 or nf.title in GIVEN_TITLES}
            for _, nf in parsed:
                c.add((nf.title, nf.key), 0)
                # family-name-first and given-name-first orders are the same person
                if len(nf.key) >= 2:
                    c.add((nf.title, tuple(reversed(nf.key))), 0)
            self.chars.append(c)

    def described_by(self, form: Form) -> int | None:
        """The cast member whose describing name this is ("Little Charles"), for a mention that has the
        describing word too."""
        found = [c.id for c in self.chars if form in c.described]
        return found[0] if len(found) == 1 else None

    # ---- matching
    def _full_matches(self, title, key) -> list[int]:
        out = []
        wife = title_marital(title) == "married"
        for c in self.chars:
            ts = [t for (t, k) in c.forms if k == key]
            if c.seed is not None and title in ts:
                out.append(c.id)  # the user's own alias
                continue
            if not ts or not compatible(c, title) or self._spouse(c, wife, ts):
                continue
            out.append(c.id)
        if out:
            return out
        # same surname, given names that are familiar forms of each other ("Lizzy Bennet")
        for c in self.chars:
            for (t, k) in c.forms:
                if len(k) == len(key) >= 2 and k[-1] == key[-1] and same_given(k[0], key[0]) \
                        and k[1:-1] == key[1:-1] and compatible(c, title) and t == title:
                    out.append(c.id)
                    break
        if out:
            return out
        # a longer or shorter full name with the same first and last words ("Mary Ann Evans" / "Mary Evans")
        for c in self.chars:
            for (_, k) in c.forms:
                if len(k) >= 2 and k[0] == key[0] and k[-1] == key[-1] and compatible(c, title) \
                        and not self._spouse(c, wife, [t for (t, k2) in c.forms if k2 == k]):
                    out.append(c.id)
                    break
        return out

    @staticmethod
    def _spouse(c: Char, wife: bool, ts: list) -> bool:
        """"Mrs. Lovell Mingott" is Lovell Mingott's wife: a married woman's title and the bare full name
        (`ts`: the titles the character has with that name) are two people unless the character is
        already known under that title."""
        if c.seed is not None:
            return False
        married = [title_marital(t) == "married" for t in ts]
        return wife != any(married) and (wife or all(married))

    def _word_matches(self, title, word, votes) -> list[int]:
        exact = [c.id for c in self.chars
                 if ((title, (word,)) in c.forms or (title is None and word in c.singles))
                 and (c.seed is not None and (title, (word,)) in c.forms or compatible(c, title, votes))]
        named = [cid for cid in exact if (title, (word,)) not in self.chars[cid].described]
        if named:
            return named
        return self._loose_word_matches(title, word, votes) or exact

    def _loose_word_matches(self, title, word, votes) -> list[int]:
        """The characters a titled or bare single name fits other than by an exact form: a given name,
        a surname, a familiar form."""
        n_bare = self.forms.get((title, (word,)), 0)
        given = [c.id for c in self.chars if word in c.given and compatible(c, title, votes)]
        if not given:
            given = [c.id for c in self.chars if _given_match(word, c, n_bare <= 3) and compatible(c, title, votes)]
            if n_bare > 3:
                # a familiar name the book uses often ("Kitty") is not its formal name's noble bearer
                # ("Lady Catherine"): a peer is called by title and formal name, not a nickname
                given = [cid for cid in given if self.chars[cid].seed is not None
                         or not self.chars[cid].noble]
        if title in NOBLE:
            # "Sir Henry" is not Henry Crawford: a title of rank goes with someone who bears one
            given = [cid for cid in given if self.chars[cid].seed is not None
                     or self.chars[cid].noble]
        if title is not None and title not in GIVEN_TITLES and title not in _GIVEN_OK:
            # Mr., Mrs., Colonel go with a surname ("Colonel Fitzwilliam" is not Fitzwilliam Darcy), except
            # a servant's "Mr. Philip" for the one man mostly called Philip
            n_form = self.forms.get((title, (word,)), 0)
            given = [cid for cid in given if title_gender(title) == "he" and self.chars[cid].gender == "he"
                     and self.forms.get((None, (word,)), 0) >= 5 * max(1, n_form)
                     and self.chars[cid].has_full_name]
            if len(given) != 1 or any(word in c.surnames for c in self.chars):
                given = []
        sur = [c.id for c in self.chars if word in c.surnames and compatible(c, title, votes)]
        if title is not None:
            # a character already called by another title with this surname is another person
            # ("Captain Tilney", "General Tilney", "Miss Tilney"); for a found character a rank in a
            # full name counts too ("Mr. Tilney" is not "Captain Frederick Tilney")
            def fits(c):
                others = [t for (t, k) in c.forms if t and (k == (word,) or c.seed is None and k[-1] == word
                                                            and t in MILITARY)]
                return not others or any(titles_agree(title, t) for t in others)
            sur = [cid for cid in sur if fits(self.chars[cid])]
        if title is not None and title not in GIVEN_TITLES and self.forms:
            # "Mr. Morland" is not "James Morland" when James is mostly called "James": the titled
            # surname then usually names his father (or her mother). A full name that is only an
            # occasional introduction ("Fitzwilliam Darcy" beside "Mr. Darcy") does attach, unless the
            # bare given name is what the book mostly calls that person ("Paul", once "Paul Wilcox" and
            # never "Wilcox"; Cyril Fielding is mostly "Fielding").
            n_form = self.forms.get((title, (word,)), 0)
            # ...unless the father is named otherwise ("General Tilney"), this man is also written with the
            # same title and his given name ("Mr. Henry Tilney"), and every other man of the name has a
            # rank ("Captain Frederick Tilney"): then "Mr. Tilney" is he
            elder = word in self._ranked_surnames
            if title_marital(title) != "unmarried":
                sur = [cid for cid in sur if self.chars[cid].seed is not None
                       or self._given_alone(self.chars[cid])
                       <= min(0.5 * n_form, 2 * self._other_uses(self.chars[cid], word))
                       or elder and self._titled_full(self.chars[cid], title, word) > 0
                       and self._others_ranked(self.chars[cid], word)
                       or self._surname_man(self.chars[cid], title, word)
                       # spoken only to someone present: the man of the name in the scene, not his father
                       or (title, (word,)) in self.addressed and not self.closed]
            # "Mr. John Knightley", written out again and again, is how the book tells John from the
            # "Mr. Knightley" it names many times more often: two men (one "Mr. Thomas Marvel" among many
            # "Mr. Marvel"s, or a one-off introduction, is the same man). So for "Miss Lucy Steele" and the
            # eldest sister, "Miss Steele"; not for a wife's own given name ("Mrs. Rachel Lynde").
            if title_marital(title) != "married":
                sur = [cid for cid in sur if self.chars[cid].seed is not None
                       or not (3 <= (full := self._titled_full(self.chars[cid], title, word)) and n_form > 8 * full)]
            if not sur and title == "mr" and not self.closed:
                sur = self._eldest_son(word)
            if title == "miss" and word in self.sisters:
                # several unmarried sisters ("the Miss Schlegels"): "Miss Schlegel" alone is the eldest, as
                # "Miss Bennet" is Jane, not the one the book calls "Miss Helen Schlegel"
                sur = [cid for cid in sur if self.chars[cid].seed is not None
                       or not self._titled_full(self.chars[cid], title, word)]
            if title_marital(title) == "married":
                # "Mrs. Whitby" is Eleanor Whitby's mother unless Eleanor is herself called Mrs.
                sur = [cid for cid in sur if self.chars[cid].seed is not None
                       or "married" in self.chars[cid].marital
                       or not self.chars[cid].has_full_name]
            tg = title_gender(title)
            if tg == "she":
                # a woman's title goes to a full name only when that person is known to be a woman
                # ("Mrs. Struthers" is not "Lemuel Struthers" of unknown gender)
                sur = [cid for cid in sur if self.chars[cid].seed is not None or self.chars[cid].gender == "she"
                       or not self.chars[cid].has_full_name]
        if title == "lady" and not given and self.forms:
            # "Lady Otway" with a surname is a titled wife, not "Cassandra Otway", who is never called Lady
            sur = [cid for cid in sur if self.chars[cid].seed is not None
                   or self.chars[cid].noble or not self.chars[cid].has_full_name]
        if title is None and self.forms:
            # a bare surname names a man rather than a wife known only as "Mrs. Wickham": the man of
            # that name if there is one, else, when its pronouns say "he" ("Braddocks said... he"), her
            # husband as a character of his own; a housekeeper called "Hill" followed by "she" stays hers
            wives = [cid for cid in sur if self.chars[cid].seed is None and self._wife_only(self.chars[cid])]
            if wives:
                rest = [cid for cid in sur if cid not in wives]
                if rest or votes and votes["he"] > votes["she"]:
                    sur = rest
        if len(given) > 1 and title is None:
            # one full name that clearly dominates the others sharing the given name takes it
            weight = {cid: self.chars[cid].full_name_uses for cid in given}
            top = max(given, key=lambda cid: weight[cid])
            # but two men, each named in full again and again, are two people (a woman may be one
            # person under a maiden and a married name): the scene decides between them
            rivals = [o for o in given if o != top and weight[o] >= 3
                      and self.chars[o].gender == self.chars[top].gender == "he"]
            if weight[top] >= 2 and not rivals and all(weight[top] >= 3 * weight[o] for o in given if o != top):
                given = [top]
        if title is None and self.forms:
            # a frequent bare given name does not attach to a full name seen once ("Mary" and "Lady Mary Grierson")
            n_form = self.forms.get((None, (word,)), 0)
            given = [cid for cid in given if self.chars[cid].seed is not None or n_form < 10
                     or self.chars[cid].full_name_uses >= 2
                     or any(self._surname_uses.get(sn, 0) >= 3 for sn in self.chars[cid].surnames)]
        if title is None and given and sur and not set(given) & set(sur):
            # "Fitzwilliam": a given name here, a surname there; the book's own usage decides when it
            # is one-sided ("Colonel Fitzwilliam" two dozen times, "Mr. Fitzwilliam Darcy" once)
            # (a title that goes with a given name, "Aunt Norris", counts for the given name)
            as_given = sum(self._given_name_uses(self.chars[cid], word) for cid in given)
            as_sur = sum(self._surname_name_uses(self.chars[cid], word) for cid in sur)
            if as_sur >= _ONE_SIDED * max(1, as_given):
                return sur
            if as_given >= _ONE_SIDED * max(1, as_sur):
                return given
            return sorted(set(given) | set(sur))
        if title in GIVEN_TITLES:
            first, second = given, sur
        elif title is not None:
            first, second = sur, given
        else:
            first, second = given, sur
        if len(first) == 1:
            return first
        if first:
            return first
        return second

    def _by_votes(self, options: list[int], votes: Counter) -> tuple[int, ...]:
        """The options an ambiguous name keeps: those of the gender its pronouns clearly favour.

        A bare "Archer" followed mostly by "he" is Newland Archer, not Mrs. Archer, even where she was
        mentioned last; the bound is softer than `compatible`'s because it only chooses among options."""
        he, she = votes["he"], votes["she"]
        if he + she < 6 or max(he, she) < 2 * min(he, she):
            return tuple(options)
        g = "he" if he > she else "she"
        kept = [cid for cid in options if self.chars[cid].gender in (g, "unknown")]
        return tuple(kept) if kept else tuple(options)

    @staticmethod
    def _wife_only(c: Char) -> bool:
        """Named only as a married woman by her husband's surname ("Mrs. Braddocks")."""
        return bool(c.forms) and all(t is not None and len(k) == 1 and title_marital(t) == "married"
                                     and title_gender(t) == "she" for (t, k) in c.forms)

    @staticmethod
    def _titled_full(c: Char, title: str, surname: str) -> int:
        """How often a character is named by this title with a given name and this surname."""
        return sum(n for (t, k), n in c.forms.items() if t == title and len(k) >= 2 and k[-1] == surname)

    @staticmethod
    def _given_name_uses(c: Char, word: str) -> int:
        """How often a character is named with this word as given name: in a full name or after a title
        that goes with one ("Aunt Norris")."""
        return sum(n for (t, k), n in c.forms.items() if k[0] == word and (len(k) >= 2 or t in GIVEN_TITLES))

    @staticmethod
    def _surname_name_uses(c: Char, word: str) -> int:
        """How often a character is named with this word as surname: in a full name or after a title
        ("Colonel Fitzwilliam")."""
        return sum(n for (t, k), n in c.forms.items()
                   if k[-1] == word and (len(k) >= 2 or t is not None and t not in GIVEN_TITLES))

    def _others_ranked(self, c: Char, surname: str) -> bool:
        """Is every other man of this surname named with a rank ("Captain", "Sir")?"""
        return all(o.noble or o.ranks for o in self.chars
                   if o is not c and surname in o.surnames and o.gender == "he")

    def _other_uses(self, c: Char, surname: str) -> int:
        """How often a character is named other than by the bare given name: full names, bare surname."""
        return c.full_name_uses + self.forms.get((None, (surname,)), 0)

    def _surname_man(self, c: Char, title: str, surname: str) -> bool:
        """The narrator calls this man by his bare surname more than by his given name ("Archer" 513
        times, "Newland" 102; "Thorpe" 43, "John" 23) and no other man of the name has a full name:
        "Mr. Archer" is he, not a father of his own. (James, mostly "James" and only 24 times "Morland",
        leaves "Mr. Morland" to his father.)"""
        if title_gender(title) != "he" or c.gender != "he" or not c.has_full_name:
            return False
        if self.forms.get((None, (surname,)), 0) < max(10, 1.5 * self._given_alone(c)):
            return False
        return not any(o is not c and surname in o.surnames and o.gender == "he" and o.full_name_uses >= 2
                       for o in self.chars)

    def _eldest_son(self, surname: str) -> list[int]:
        """'Mr. Bertram' where the father is 'Sir Thomas Bertram' and one son is 'Mr. Edmund Bertram': the
        son the book never calls Mr. with his given name, the heir, as the eldest daughter is 'Miss Bennet'."""
        men = [c for c in self.chars if surname in c.surnames and c.gender == "he" and c.has_full_name
               and c.seed is None]
        if not any(c.noble for c in men):
            return []
        heirs = [c.id for c in men if not c.noble and not c.ranks
                 and not any(t == "mr" and k[0] in c.given and k[0] != surname for (t, k) in c.forms)]
        return heirs if len(heirs) == 1 else []

    def _given_alone(self, c: Char) -> int:
        firsts = {k[0] for (t, k) in c.forms if len(k) >= 2}
        return sum(self.forms.get((None, (g,)), 0) for g in firsts)

    def _new_char(self, form, count, votes) -> None:
        """A character of its own for a name form no existing character takes."""
        c = Char(id=len(self.chars))
        c.add(form, count, votes)
        self.chars.append(c)
        self.form_char[form] = c.id

    def run(self, forms: Counter, votes: dict) -> None:
        """forms: Counter of (title, key) -> occurrences; votes: form -> Counter of pronoun votes."""
        self.forms = forms
        self._surname_uses = Counter()
        # surnames named with a rank again and again ("General Tilney"): the father is named otherwise
        self._ranked_surnames = {k[0] for (t, k), n in forms.items()
                                 if len(k) == 1 and (t in MILITARY or t in NOBLE) and n >= 3}
        for (t, k), n in forms.items():
            if len(k) == 1 and t is not None and t not in GIVEN_TITLES:
                self._surname_uses[k[0]] += n
        multi = sorted((f for f in forms if len(f[1]) >= 2), key=lambda f: (-len(f[1]), -forms[f]))
        for f in multi:
            title, key = f
            v = votes.get(f, Counter()) + votes.get((None, (key[0],)), Counter())
            m = self._full_matches(title, key)
            if len(m) == 1:
                self.chars[m[0]].add(f, forms[f], votes.get(f))
                self.form_char[f] = m[0]
            elif len(m) > 1:
                self.ambiguous[f] = tuple(m)
            elif not self.closed:
                self._new_char(f, forms[f], v)
            else:
                # a cast: "Miss Elizabeth Bennet" is Elizabeth when only her given name is listed
                for word in (key[0], key[-1]):
                    m = self._word_matches(title, word, v)
                    if len(m) == 1:
                        self.form_char[f] = m[0]
                        break
        singles = [f for f in forms if len(f[1]) == 1]
        titled = sorted((f for f in singles if f[0] is not None), key=lambda f: -forms[f])
        # unmarried and neutral titles first, so "Mrs. X" meets daughters already marked "Miss"
        titled.sort(key=lambda f: title_marital(f[0]) == "married")
        bare = sorted((f for f in singles if f[0] is None), key=lambda f: -forms[f])
        for f in titled + bare:
            title, key = f
            v = votes.get(f, Counter())
            m = self._word_matches(title, key[0], v)
            if len(m) == 1:
                self.chars[m[0]].add(f, forms[f], v)
                self.form_char[f] = m[0]
            elif len(m) > 1:
                if title is not None and not self.closed and forms[f] >= 3:
                    self._new_char(f, forms[f], v)
                else:
                    self.ambiguous[f] = self._by_votes(m, v)
            elif not self.closed:
                self._new_char(f, forms[f], v)
