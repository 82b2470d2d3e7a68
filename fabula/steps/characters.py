"""The characters step: person mentions (names, nouns, pronouns), the characters, and links between them.

Layers produced:
- `mentions`: Mention(start, end, kind="name"|"noun"|"pronoun", character=id or None), in text order.
  Names include their title ("Mr. Bennet") and honorific suffix ("Tanjirou-san"), never a possessive 's.
  Inside quotations "I"/"me" (the speaker) and "you" (the addressee) are pronoun mentions left unlinked.
- `characters`: Character(id, name, aliases, gender, mentions, quotes=0, category); the attribution
  step fills `quotes`. With a cast given
  (`settings.cast`) the characters are the cast, ids in cast order; an AO3 work's Characters tags seed
  the list when no cast is given.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

from ..characters import mentions as M
from ..characters.cluster import GIVEN_TITLES, Clusterer
from ..characters.coref import Item, resolve
from ..characters.names import KIN, clean_tag_name, person_nouns
from ..document import Document
from ..spans import Character, Mention

_THIRD = {"he": "he", "him": "he", "his": "he", "himself": "he",
          "she": "she", "her": "she", "hers": "she", "herself": "she"}


def _candidates(doc: Document):
    quotes = doc.layer("quotes") if doc.has("quotes") else ()
    tv = M.TokenView(doc.text, doc.tokens, doc.sentences, quotes)
    cands = M.find_candidates(tv)
    common = M.common_words(tv)
    M.strip_initial_words(cands, common)
    M.score_candidates(tv, cands)
    return tv, cands, common


def name_spans(doc: Document) -> set[tuple[int, int]]:
    """Person-name spans only (the LitBank-style named-person layer), for evaluation."""
    tv, cands, common = _candidates(doc)
    ok = M.accept(cands, common)
    names = [c for c in cands if M.is_name(c, ok)]
    names += [c for c in M.propagate(tv, cands, ok, common) if M.is_name(c, ok)]
    out = {(tv.tokens[c.s].start, c.out_end or c.end_char or tv.tokens[c.e - 1].end) for c in names}
    out |= {(tv.tokens[i].start, tv.tokens[i].end) for i in M.deity_mentions(tv)}
    return out


def _seeds(doc: Document, settings):
    cast = tuple(getattr(settings, "cast", ()) or ())
    if cast:
        return cast, True
    tags = doc.metadata.tags.get("characters") if doc.metadata and doc.metadata.tags else None
    if tags:
        from ..cast import CastMember
        seen = set()
        seeds = []
        for tag in tags:
            name = clean_tag_name(tag)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                seeds.append(CastMember(name))
        return tuple(seeds), False
    return (), False


def _form(c) -> tuple:
    return (c.title, c.key)


def _surname_shown(c) -> tuple:
    """The surname a name mention shows ("Musgrove" in "Charles Musgrove" or "Mrs Musgrove"), if any."""
    if len(c.key) >= 2 or c.title is not None and c.title not in GIVEN_TITLES:
        return (c.key[-1],)
    return ()


def _pronoun_votes(tv, names) -> dict:
    """For each name form, the third-person pronouns that follow its subject mentions."""
    return _votes_after(tv, ((c.e, _form(c)) for c in names))


def _votes_after(tv, spans) -> dict:
    """For each key, the third-person pronouns that follow its subject mentions: (end token, key) pairs."""
    votes: dict = defaultdict(Counter)
    lower = tv.lower
    toks = tv.tokens
    n = len(toks)
    people = person_nouns()
    for end, key in spans:
        last = end - 1
        if toks[last].dep not in ("nsubj", "nsubjpass"):
            continue
        sent = tv.sent[last]
        quoted = tv.in_quote[last]
        limit = min(n, end + 40)
        for j in range(end, limit):
            if tv.sent[j] > sent + 1:
                break
            if tv.in_quote[j] != quoted:
                continue
            w = lower[j]
            if w in _THIRD:
                dep = toks[j].dep
                if tv.sent[j] == sent:
                    # an object pronoun of the name's own sentence is someone else ("Mara leaned on the
                    # rail beside him"), and a reflexive binds to its nearest subject, perhaps another
                    if dep not in ("nsubj", "nsubjpass", "poss") or w.endswith("self"):
                        continue
                elif dep not in ("nsubj", "nsubjpass", "poss"):
                    break
                votes[key][_THIRD[w]] += 1
                break
            if toks[j].tag in ("NNP",) and j > end and tv.sent[j] == sent and toks[j].dep in ("nsubj", "dobj"):
                break  # another person in between
            if w in people and toks[j].dep not in ("compound", "poss"):
                break  # "Mara watched the stranger eat. He ...": the pronoun may be the stranger's
    return votes


def _is_group(tv, c, known_words) -> bool:
    last = c.key[-1]
    if c.the:
        return True
    if c.title is not None and c.title not in ("miss", "mr", "mrs", "messrs", "misses") and not last.endswith("s"):
        return False
    if last.endswith("s") and len(last) > 3:
        n = known_words.get(last, 0)
        if known_words.get(last[:-1], 0) > n or last.endswith("es") and known_words.get(last[:-2], 0) > n:
            return True
    return False


_VOCATIVE_BEFORE = frozenset({",", '"', "\u201c", "'", "\u2018"})
_VOCATIVE_AFTER = frozenset({",", ".", "!", "?", ";", '"', "\u201d", "'", "\u2019", "-", "--", "\u2014"})


def _addressed_forms(tv, names) -> frozenset:
    """The name forms used only inside quotations to address someone ('"You missed it, Mr. Brandt."')."""
    uses, vocative = Counter(), Counter()
    for c in names:
        f = _form(c)
        uses[f] += 1
        if tv.in_quote[c.s] and c.s > 0 and tv.words[c.s - 1] in _VOCATIVE_BEFORE \
                and c.e < len(tv.words) and tv.words[c.e] in _VOCATIVE_AFTER:
            vocative[f] += 1
    return frozenset(f for f, n in uses.items() if vocative[f] == n)


def _named_descriptions(tv, items, noun_heads: dict[int, str]) -> dict[int, int]:
    """For each described character ("the chairman"), the named character the text says it is: by an
    apposition ("Mr. Buttons, the chairman"; "the courier, Eugenio") or a copula ("Eugenio is our
    courier"; "the chairman was Mr. Buttons"), when every such link names the same character."""
    by_head: dict[str, list[int]] = defaultdict(list)
    for cid, head in noun_heads.items():
        by_head[head].append(cid)
    name_of: dict[int, int] = {}
    for it in items:
        if it.kind == "name" and it.char is not None:
            for i in range(it.s, it.e):
                name_of[i] = it.char
    toks = tv.tokens
    links: dict[int, Counter] = defaultdict(Counter)
    for j, w in enumerate(tv.lower):
        owners = by_head.get(w)
        if not owners or len(owners) != 1 or toks[j].pos != "NOUN" or w in KIN:
            continue  # a kin noun names a relation, one person per family ("his mother's son")
        t = toks[j]
        name_at = []
        if t.dep == "appos" and t.head in name_of:
            name_at = [t.head]
        elif t.dep in ("attr", "nsubj") and toks[t.head].lemma == "be":
            other = "nsubj" if t.dep == "attr" else "attr"
            name_at = [k for k in range(max(0, t.head - 6), min(len(toks), t.head + 6))
                       if toks[k].head == t.head and toks[k].dep == other and k in name_of][:1]
        if not name_at:
            name_at = [k for k in range(max(0, j - 6), min(len(toks), j + 6))
                       if toks[k].head == j and toks[k].dep == "appos" and k in name_of][:1]
        named = name_of[name_at[0]] if name_at else None
        if named is not None and named not in noun_heads and not any(
                tv.in_quote[k] != tv.in_quote[j] for k in range(min(j, *name_at), max(j, *name_at) + 1)):
            links[owners[0]][named] += 1
    return {cid: next(iter(c)) for cid, c in links.items() if len(c) == 1}


def _display(ch, surface: dict) -> str:
    if ch.seed is not None:
        return ch.seed.name
    forms = ch.forms
    full = [f for f in forms if f[0] is None and len(f[1]) >= 2 and forms[f] > 0]
    if full:
        f = max(full, key=lambda f: (forms[f] >= 2, len(f[1]) == 2, forms[f]))
        return surface[f]
    f = max((f for f in forms if forms[f] > 0), key=lambda f: (forms[f], len(f[1])))
    return surface[f]


class Characters:
    name = "characters"
    needs = frozenset({"tokens", "entities", "sentences", "paragraphs"})
    produces = frozenset({"mentions", "characters"})

    def run(self, doc: Document, settings) -> dict[str, tuple]:
        tv, cands, common = _candidates(doc)
        seeds, closed = _seeds(doc, settings)
        ok = M.accept(cands, common)
        names = [c for c in cands if M.is_name(c, ok)]
        names += [c for c in M.propagate(tv, cands, ok, common) if M.is_name(c, ok)]
        names.sort(key=lambda c: c.s)
        if seeds:
            probe = Clusterer(seeds, closed=True)
            seed_keys = set()
            from ..characters.names import not_names, titles
            skip = not_names() | frozenset(titles())
            for ch in probe.chars:
                for (_, key) in ch.forms:
                    seed_keys.add(key)
                    seed_keys.update((w,) for w in key if w.strip(".") not in skip)
            names_set = {id(c) for c in names}
            # a cast name is a name wherever it appears, whatever the evidence
            names += [c for c in cands if id(c) not in names_set and c.key in seed_keys]
            names += M.propagate(tv, names + [c for c in cands if id(c) not in names_set], seed_keys, force=True)
            names.sort(key=lambda c: c.s)
        # A family or group named in the plural ("the Bennets", "Miss Bennets") is a name mention but
        # not a character.
        known_words = Counter(w for c in names for w in c.key)
        groups = [c for c in names if _is_group(tv, c, known_words)]
        sisters = Counter(c.key[-1][:-1] if c.title == "miss" else c.key[-1] for c in groups
                          if c.title in ("miss", "misses") and c.key[-1].endswith("s") == (c.title == "miss"))
        if groups:
            gset = {id(c) for c in groups}
            names = [c for c in names if id(c) not in gset]
        forms = Counter(_form(c) for c in names)
        surface_counts: dict = defaultdict(Counter)
        for c in names:
            first = c.name_start - 1 if c.title is not None and (c.name_start > c.s or c.name_start > 0 and (
                tv.lower[c.name_start - 1].rstrip(".") == c.title)) else c.name_start
            if first < c.name_start and tv.words[first] == "." and first > c.s:
                first -= 1  # "MR. Thorne" tokenized "MR", ".", "Thorne"
            end = c.end_char or tv.tokens[c.e - 1].end
            shown = " ".join(doc.text[tv.tokens[first].start:end].split())
            if c.suffix and shown.lower().endswith("-" + c.suffix):
                shown = shown[:-len(c.suffix) - 1]
            surface_counts[_form(c)][shown] += 1
        surface = {f: _natural(cnt) for f, cnt in surface_counts.items()}
        votes = _pronoun_votes(tv, names)
        cl = Clusterer(seeds, closed=closed, sisters=frozenset(w for w, n in sisters.items() if n >= 2),
                       addressed=_addressed_forms(tv, names))
        cl.run(forms, votes)

        # items for resolution
        items: list[Item] = []
        taken: set[int] = set()
        for c in names:
            f = _form(c)
            char, options = cl.form_char.get(f), cl.ambiguous.get(f, ())
            if seeds and any(tv.lower[i] in M.NAME_ADJECTIVES for i in range(c.s, c.name_start)):
                # "Little Charles" in the text is the cast's "Little Charles", not the bare "Charles"
                described = cl.described_by(f)
                if described is not None:
                    char, options = described, ()
            it = Item(c.s, c.e, "name", c.e - 1, char=char, options=options,
                      end_char=c.out_end or c.end_char, surname=_surname_shown(c))
            items.append(it)
            taken.update(range(c.s, c.e))
        for c in groups:
            items.append(Item(c.s, c.e, "name", c.e - 1, end_char=c.out_end or c.end_char))
            taken.update(range(c.s, c.e))
        for i in M.deity_mentions(tv):
            if i not in taken:
                items.append(Item(i, i + 1, "name", i))
                taken.add(i)
        for i, cls, num in M.find_pronouns(tv):
            if i in taken:
                continue
            items.append(Item(i, i + 1, "pronoun", i, cls=cls))
        noun_chars = {}
        noun_heads: dict[int, str] = {}
        if not closed:
            from ..characters.cluster import Char
            pn = person_nouns()
            for key, spans in M.find_noun_characters(tv, taken).items():
                ch = Char(id=len(cl.chars))
                g = pn.get(M.noun_head(key), "-")
                ch.fixed_gender = g if g in ("he", "she") else None
                if ch.fixed_gender is None:
                    # "the Professor", "the mariner": the pronouns that follow say which
                    ch.votes.update(_votes_after(tv, ((e, 0) for _, e in spans)).get(0, ()))
                cl.chars.append(ch)
                noun_chars[ch.id] = "the " + " ".join(tv.words[k] for k in range(spans[0][0] + 1, spans[0][1]))
                noun_heads[ch.id] = M.noun_head(key)
                noun_cls = ch.gender if ch.gender in ("he", "she") else "unknown"
                for s, e in spans:
                    items.append(Item(s, e, "noun", e - 1, cls=noun_cls, char=ch.id))
                    taken.update(range(s, e))
        for s, e, h, g in M.find_nouns(tv, taken):
            definite = tv.lower[s] == "the"
            items.append(Item(s, e, "noun", h, cls=g, definite=definite))
        gender = {ch.id: ch.gender for ch in cl.chars}
        totals = Counter()
        for c in names:
            cid = cl.form_char.get(_form(c))
            if cid is not None:
                totals[cid] += 1
        narrator = self._narrator(tv, items, cl, totals)
        if narrator == -1:
            from ..characters.cluster import Char
            ch = Char(id=len(cl.chars))
            cl.chars.append(ch)
            narrator = ch.id
            gender[ch.id] = "unknown"
            self._narrator_name = True
        else:
            self._narrator_name = False
        resolve(tv, items, gender, dict(totals), narrator, {ch.id: frozenset(ch.surnames) for ch in cl.chars})
        # "said Mr. Buttons, the chairman": a described person the book also names is that named character
        for noun_cid, named in _named_descriptions(tv, items, noun_heads).items():
            for it in items:
                if it.char == noun_cid:
                    it.char = named
            del noun_chars[noun_cid]

        # characters: seeds always; discovered ones when at least one name mention links to them
        mention_count = Counter(it.char for it in items if it.char is not None)
        name_count = Counter(it.char for it in items if it.char is not None and it.kind == "name")
        # A person named once, who neither speaks nor is spoken to there and is not referred to again, is
        # mentioned, not a character ("Shakespeare", "Mr. Bragge", a place the tagger took for a person).
        spoke = {cl.form_char.get(_form(c)) for c in names if c.speech}
        keep = [ch for ch in cl.chars if ch.seed is not None or ch.id == narrator or ch.id in noun_chars
                or name_count[ch.id] > 1 or name_count[ch.id] == 1 and (ch.id in spoke or mention_count[ch.id] > 1)]
        seeded = [ch for ch in keep if ch.seed is not None]
        found = sorted((ch for ch in keep if ch.seed is None), key=lambda ch: (-mention_count[ch.id], ch.id))
        order = seeded + found
        new_id = {ch.id: i for i, ch in enumerate(order)}
        top = max((mention_count[ch.id] for ch in order), default=0)
        characters = []
        for ch in order:
            cid = new_id[ch.id]
            if ch.seed is not None:
                name = ch.seed.name
                aliases = list(ch.seed.aliases)
            elif ch.id == narrator and self._narrator_name:
                name, aliases = "Narrator", []
            elif ch.id in noun_chars:
                name, aliases = noun_chars[ch.id], []
            else:
                name = _display(ch, surface)
                aliases = []
            extra = [surface[f] for f, k in ch.forms.most_common() if k > 0 and f in surface]
            if ch.seed is None:
                extra = name_forms(extra)
            for a in extra:
                if a != name and a.casefold() not in {x.casefold() for x in aliases} and a.casefold() != name.casefold():
                    aliases.append(a)
            g = gender.get(ch.id, "unknown")
            if ch.seed is not None and getattr(ch.seed, "gender", "unknown") != "unknown":
                g = ch.seed.gender
            characters.append(Character(cid, name, tuple(aliases), g, mention_count[ch.id], 0,
                                        _category(mention_count[ch.id], top, name_count[ch.id])))
        mentions = []
        toks = tv.tokens
        for it in sorted(items, key=lambda x: (x.s, x.e)):
            cid = new_id.get(it.char) if it.char is not None else None
            mentions.append(Mention(toks[it.s].start, it.end_char or toks[it.e - 1].end, it.kind, cid))
        return {"mentions": tuple(mentions), "characters": tuple(characters)}

    @staticmethod
    def _narrator(tv, items, cl, totals) -> int | None:
        """The narrator of a first-person work: a character, -1 to create one, or None (third person)."""
        first = 0
        narration_words = 0
        for i, w in enumerate(tv.words):
            if tv.in_quote[i]:
                continue
            if w[:1].isalpha():
                narration_words += 1
                if w == "I" or tv.lower[i] in ("me", "my", "myself"):
                    first += 1
        if narration_words < 30 or first < max(2, 0.012 * narration_words):
            return None
        # a narrator is named mostly by others, inside quotations
        quoted = Counter()
        plain = Counter()
        for it in items:
            if it.kind == "name" and it.char is not None:
                if tv.in_quote[it.s]:
                    quoted[it.char] += 1
                else:
                    plain[it.char] += 1
        best = None
        for cid, q in quoted.items():
            p = plain[cid]
            if q >= 3 and q >= 1.5 * p:
                sc = q / (q + 3 * p + 1) * math.log1p(q)  # the narrator is hardly ever named in narration
                if best is None or sc > best[0]:
                    best = (sc, cid)
        return best[1] if best else -1


def _natural(cnt: Counter) -> str:
    """The most usual way a form is written; all-capital spellings only when there is no other."""
    ordered = cnt.most_common()
    for s, _ in ordered:
        if not (s.isupper() and len(s) > 2):
            return s
    return ordered[0][0].title()


def _category(mentions: int, top: int, names: int) -> str:
    if top <= 0:
        return "minor"
    share = mentions / top
    if share >= 0.25 and mentions >= 20:
        return "major"
    if share >= 0.04 and mentions >= 8:
        return "intermediate"
    return "minor"


def name_forms(forms: list[str]) -> list[str]:
    """The surface forms that can stand as a found character's aliases: not a lone role word ("Man"
    for the Invisible Man, seen where the tagger split the name), which as an alias would make every
    "the man said" that character's."""
    nouns = person_nouns()
    return [a for a in forms if " " in a.strip() or a.strip().lower() not in nouns]
