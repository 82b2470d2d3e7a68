"""Exact, faster stand-ins for spaCy's `attribute_ruler` (built from that pipe's own patterns) and for
the per-token loop of its rule `lemmatizer` (FastLemmatizer, below).

spaCy's AttributeRuler runs a Matcher over every token and then, for each match, builds a Span and
sets the attributes from Python; with en_core_web_sm's 179 patterns (tag -> POS/morphology maps, word +
tag -> lemma, a few dependency and two-token patterns) that costs about as much as the parser. The result
of a single-token pattern depends only on the token's own values of the attributes the patterns test,
so it is worked out once per distinct combination of those values and remembered; the few multi-token
patterns are checked only where their first token's condition holds.

Same semantics as spaCy's component:
- every pattern is matched against the doc as the earlier pipes left it (no match sees another's edits);
- matches are applied in pattern order (later patterns overwrite earlier ones, attribute by attribute)
  onto the token at the pattern's `index` in the matched span;
- token conditions: exact values, IN / NOT_IN (on string ids, "" being 0) and REGEX (`re.search` on the
  attribute's string), as spaCy's Matcher evaluates them.
Patterns using anything else (operators such as OP, other predicates, extension attributes, attributes
outside the supported set) make `build` return None, and the caller keeps spaCy's own component.
"""
from __future__ import annotations

import math
import re
from itertools import product
from operator import itemgetter

# Token attributes whose Doc.to_array value is the value spaCy's Matcher compares (Token.get_struct_attr).
_STRING_ATTRS = ("ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "TAG", "DEP", "LEMMA")
# Attributes the component may set; written back with Doc.from_array (plain struct stores, no HEAD).
_SETTABLE = ("POS", "TAG", "DEP", "LEMMA", "MORPH")

FACTORY = "fabula_fast_attribute_ruler"
_MEMO_LIMIT = 500_000  # distinct token rows remembered (a novel has tens of thousands)
_MAX_KEYS = 1_000  # index entries one condition may make from its IN tests' values (see FastAttributeRuler)


class _Unsupported(Exception):
    pass


def _attr_id(name) -> int:
    from spacy.attrs import IDS

    if not isinstance(name, str):
        raise _Unsupported(name)
    key = name.upper()
    if key == "TEXT":
        key = "ORTH"
    if key in _STRING_ATTRS or (key.startswith(("IS_", "LIKE_")) and key in IDS and IDS[key] < 64):
        return IDS[key]
    raise _Unsupported(name)


def _condition(attr: int, value, strings):
    """One (attr, test) pair, test(value_id, strings) -> bool, mirroring spaCy's Matcher."""
    from spacy.strings import get_string_id

    if isinstance(value, bool):
        want = int(value)
        return attr, ("eq", want)
    if isinstance(value, str):
        return attr, ("eq", strings.add(value))
    if isinstance(value, int):
        return attr, ("eq", value)
    if isinstance(value, dict) and len(value) == 1:
        (op, arg), = value.items()
        if op in ("IN", "NOT_IN") and isinstance(arg, (list, tuple)) and all(isinstance(v, (str, int)) for v in arg):
            return attr, (op.lower(), frozenset(get_string_id(v) for v in arg))
        if op == "REGEX" and isinstance(arg, str):
            return attr, ("regex", re.compile(arg))
    raise _Unsupported(value)


class FastAttributeRuler:
    """Callable pipe component; see the module docstring."""

    def __init__(self, ruler, vocab) -> None:
        import numpy
        from spacy.attrs import IDS

        self.vocab = vocab
        strings = vocab.strings
        specs: list[tuple] = []  # distinct token conditions, each a tuple of (column, kind, arg)
        spec_index: dict = {}
        in_attrs: list[int] = []

        def column(attr: int) -> int:
            if attr not in in_attrs:
                in_attrs.append(attr)
            return in_attrs.index(attr)

        def spec_id(token_spec: dict) -> int:
            conds = []
            for key, value in token_spec.items():
                attr, (kind, arg) = _condition(_attr_id(key), value, strings)
                conds.append((attr, kind, arg))
            key = tuple(sorted(conds, key=repr))
            if key not in spec_index:
                spec_index[key] = len(specs)
                specs.append(key)
            return spec_index[key]

        settable = {IDS[a] for a in _SETTABLE}
        n_patterns = len(ruler.attrs)
        single: list[list[int]] = []  # per spec: pattern numbers whose one-token pattern is this spec
        multi: list[tuple[int, tuple[int, ...], int]] = []  # (pattern number, spec ids, target offset)
        for number in range(n_patterns):
            attrs = ruler.attrs[number]
            if not all(isinstance(a, int) and a in settable for a in attrs):
                raise _Unsupported(attrs)
            index = ruler.indices[number]
            _, alternatives = ruler.matcher.get(str(number))
            for pattern in alternatives:
                if not pattern or not all(isinstance(t, dict) for t in pattern):
                    raise _Unsupported(pattern)
                ids = tuple(spec_id(t) for t in pattern)
                target = index if index >= 0 else len(pattern) + index
                if not 0 <= target < len(pattern):
                    raise _Unsupported(index)  # spaCy raises E1001 at match time
                if len(pattern) == 1:
                    while len(single) <= ids[0]:
                        single.append([])
                    single[ids[0]].append(number)
                else:
                    multi.append((number, ids, target))
        while len(single) < len(specs):
            single.append([])
        self._specs = [tuple((column(attr), kind, arg) for attr, kind, arg in spec) for spec in specs]
        self._in_attrs = list(in_attrs)
        self._single = [tuple(sorted(set(s))) for s in single]
        self._multi = multi
        multi_specs = {i for _, ids, _ in multi for i in ids}
        # Index the conditions by their exact-value and IN tests so a new token is checked against few of
        # them: [(getter of the columns, {values: [(spec id, remaining tests)]})], an IN test entered under
        # each value it allows (while the combinations stay few); conditions without either are always checked.
        indexed: dict = {}
        self._unindexed: list = []
        for sid, spec in enumerate(self._specs):
            if not self._single[sid] and sid not in multi_specs:
                continue
            keyed = [c for c in spec if c[1] in ("eq", "in")]
            if math.prod(len(arg) for _, kind, arg in keyed if kind == "in") > _MAX_KEYS:
                keyed = [c for c in keyed if c[1] == "eq"]
            keyed.sort(key=lambda c: c[0])
            rest = tuple(c for c in spec if c not in keyed)
            entry = (sid, rest, sid in multi_specs)
            if keyed:
                table = indexed.setdefault(tuple(col for col, _, _ in keyed), {})
                for values in product(*((arg,) if kind == "eq" else sorted(arg) for _, kind, arg in keyed)):
                    # as itemgetter(*cols) gives them: a tuple, or the value itself for one column
                    table.setdefault(values if len(values) > 1 else values[0], []).append(entry)
            else:
                self._unindexed.append(entry)
        self._indexed = [(itemgetter(*cols), table) for cols, table in indexed.items()]
        self._searched: dict = {}  # (regex, string id) -> whether it matches, for _holds
        self._attrs = [dict(a) for a in ruler.attrs]
        out = []
        for a in self._attrs:
            for k in a:
                if k not in out:
                    out.append(k)
        self._out_attrs = out
        self._out_col = {a: i for i, a in enumerate(out)}
        self._by_numbers: dict = {}
        # Distinct rows of the tested attributes -> class number; per class: (numbers, holds) as
        # _classify gives them, and the values the one-token patterns set (mask and values per column).
        self._by_key: dict = {}
        self._classes: list = []
        self._class_mask = numpy.zeros((0, len(self._out_attrs)), dtype=bool)  # classes x output columns
        self._class_values = numpy.zeros((0, len(self._out_attrs)), dtype=numpy.uint64)
        self._pending: list = []  # new classes' output values, not yet in the arrays

    # -- per distinct token ------------------------------------------------------------------------
    def _holds(self, spec, row) -> bool:
        for col, kind, arg in spec:
            value = row[col]
            if kind == "eq":
                if value != arg:
                    return False
            elif kind == "in":
                if value not in arg:
                    return False
            elif kind == "not_in":
                if value in arg:
                    return False
            else:  # regex; the same few patterns test every new token, so each answer is remembered
                found = self._searched.get((arg, value))
                if found is None:
                    found = self._searched[arg, value] = bool(arg.search(self.vocab.strings[value]))
                if not found:
                    return False
        return True

    def _classify(self, row):
        """(pattern numbers of the one-token patterns that match, set of multi-token spec ids that hold)."""
        candidates = list(self._unindexed)
        for values_of, table in self._indexed:
            hit = table.get(values_of(row))
            if hit:
                candidates.extend(hit)
        numbers: set[int] = set()
        holds = []
        for sid, rest, in_multi in candidates:
            if rest and not self._holds(rest, row):
                continue
            numbers.update(self._single[sid])
            if in_multi:
                holds.append(sid)
        return tuple(sorted(numbers)), frozenset(holds)

    def _assignment(self, numbers: tuple[int, ...]):
        """Final values per output column after applying the patterns in order (None: untouched)."""
        got = self._by_numbers.get(numbers)
        if got is None:
            values: list = [None] * len(self._out_attrs)
            for number in numbers:
                for attr, value in self._attrs[number].items():
                    values[self._out_col[attr]] = value
            got = self._by_numbers[numbers] = tuple(values)
        return got

    def _new_class(self, row) -> int:
        """Number a new distinct token row's class: what the one-token patterns set on it (a value per
        output column, or none) and which multi-token pattern conditions it meets. Its row of the class
        arrays is written by _sync."""
        numbers, holds = self._classify(row)
        values = self._assignment(numbers)
        self._classes.append((numbers, holds))
        self._pending.append(values)
        return len(self._classes) - 1

    def _sync(self) -> None:
        """Write the pending classes' rows into the class arrays (grown by doubling)."""
        import numpy

        pending = self._pending
        if not pending:
            return
        end = len(self._classes)
        start = end - len(pending)
        m = len(self._out_attrs)
        if end > len(self._class_mask):
            size = max(256, 2 * end)
            mask = numpy.zeros((size, m), dtype=bool)
            vals = numpy.zeros((size, m), dtype=numpy.uint64)
            mask[:start] = self._class_mask[:start]
            vals[:start] = self._class_values[:start]
            self._class_mask, self._class_values = mask, vals
        self._class_mask[start:end] = [[v is not None for v in values] for values in pending]
        self._class_values[start:end] = [[0 if v is None else v for v in values] for values in pending]
        self._pending = []

    def __call__(self, doc):
        import numpy

        n = len(doc)
        if n == 0 or not self._out_attrs:
            return doc
        rows = numpy.ascontiguousarray(doc.to_array(self._in_attrs).reshape(n, -1))
        keys = rows.view(numpy.dtype((numpy.void, rows.dtype.itemsize * rows.shape[1]))).ravel().tolist()
        by_key = self._by_key
        classes = [by_key.get(key) for key in keys]
        if None in classes:
            if len(by_key) + n >= _MEMO_LIMIT:
                self._forget()
                by_key = self._by_key
                classes = [None] * n
            for i in [i for i, c in enumerate(classes) if c is None]:
                got = by_key.get(keys[i])
                if got is None:
                    got = by_key[keys[i]] = self._new_class(rows[i].tolist())
                classes[i] = got
            self._sync()
        extra: dict[int, list[int]] = {}
        if self._multi:
            info = self._classes
            holds = [info[c][1] for c in classes]  # per token, the multi-token conditions it meets
            marked = [i for i, h in enumerate(holds) if h]
            if marked:
                for number, ids, target in self._multi:
                    length, first = len(ids), ids[0]
                    for start in marked:
                        if first in holds[start] and start + length <= n \
                                and all(ids[k] in holds[start + k] for k in range(1, length)):
                            extra.setdefault(start + target, []).append(number)
        index = numpy.array(classes, dtype=numpy.intp)
        mask = self._class_mask[index]
        if not extra and not mask.any():
            return doc
        out = numpy.ascontiguousarray(doc.to_array(self._out_attrs).reshape(n, -1))
        numpy.copyto(out, self._class_values[index], where=mask)
        changed = bool(mask.any())
        for i, numbers in extra.items():
            numbers = tuple(sorted(set(self._classes[classes[i]][0]).union(numbers)))
            for col, value in enumerate(self._assignment(numbers)):
                if value is not None:
                    out[i, col] = value
                    changed = True
        if changed:
            doc.from_array(self._out_attrs, out)
        return doc

    def _forget(self) -> None:
        self._by_key = {}
        self._searched = {}
        self._classes = []
        self._pending = []


def build(ruler, vocab) -> FastAttributeRuler | None:
    """The fast equivalent of an AttributeRuler, or None when its patterns use unsupported features."""
    try:
        return FastAttributeRuler(ruler, vocab)
    except _Unsupported:
        return None


class FastLemmatizer:
    """spaCy's rule/lookup Lemmatizer with its per-token Python loop replaced by array reads and writes.

    spaCy's Lemmatizer.__call__ sets `token.lemma_ = self.lemmatize(token)[0]` for every token without
    a lemma (or every token with overwrite). In "rule" mode that result depends only on the token's
    text, POS and morphology (rule_lemmatize caches on exactly (orth, pos, morph)), in "lookup" mode on
    its text; so it is computed once per (orth, pos, morph) by the lemmatizer's own `lemmatize`, then
    remembered. Only for spaCy's own __call__/rule_lemmatize/lookup_lemmatize (see `build_lemmatizer`)."""

    def __init__(self, lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self._memo: dict = {}
        # spaCy's rule_lemmatize tests `form in index` on the lemma_index lists (57,528 nouns): a linear
        # scan per candidate form, ~0.1 ms a word. The same membership test on a set gives the same answer.
        self._index_sets: dict = {}  # univ_pos -> (the list it was built from, its frozenset)
        self._lemmatize = self._rule_lemmatize if lemmatizer.mode == "rule" else lemmatizer.lemmatize

    def _index(self, index):
        """`index` as a set when it is a list of strings (same `in` answers), else unchanged."""
        if not isinstance(index, list):
            return index
        got = self._index_sets.get(id(index))
        if got is None or got[0] is not index:
            members = frozenset(index) if all(type(v) is str for v in index) else index
            got = self._index_sets[id(index)] = (index, members)
        return got[1]

    def _rule_lemmatize(self, token) -> list:
        """spaCy's Lemmatizer.rule_lemmatize (3.8), line for line, except that the index lookup is a set."""
        lemmatizer = self.lemmatizer
        cache_key = (token.orth, token.pos, token.morph.key)
        if cache_key in lemmatizer.cache:
            return lemmatizer.cache[cache_key]
        string = token.text
        univ_pos = token.pos_.lower()
        if univ_pos in ("", "eol", "space"):
            return lemmatizer.rule_lemmatize(token)  # spaCy's own (it warns about a missing POS)
        if lemmatizer.is_base_form(token):
            return [string.lower()]
        lookups = lemmatizer.lookups
        index_table = lookups.get_table("lemma_index", {})
        exc_table = lookups.get_table("lemma_exc", {})
        rules_table = lookups.get_table("lemma_rules", {})
        if not any((index_table.get(univ_pos), exc_table.get(univ_pos), rules_table.get(univ_pos))):
            if univ_pos == "propn":
                return [string]
            else:
                return [string.lower()]
        index = self._index(index_table.get(univ_pos, {}))
        exceptions = exc_table.get(univ_pos, {})
        rules = rules_table.get(univ_pos, {})
        orig = string
        string = string.lower()
        forms = []
        oov_forms = []
        for old, new in rules:
            if string.endswith(old):
                form = string[: len(string) - len(old)] + new
                if not form:
                    pass
                elif form in index or not form.isalpha():
                    forms.append(form)
                else:
                    oov_forms.append(form)
        forms = list(dict.fromkeys(forms))
        for form in exceptions.get(string, []):
            if form not in forms:
                forms.insert(0, form)
        if not forms:
            forms.extend(oov_forms)
        if not forms:
            forms.append(orig)
        lemmatizer.cache[cache_key] = forms
        return forms

    def __call__(self, doc):
        import numpy
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        lemmatizer = self.lemmatizer
        if not lemmatizer._validated or not len(doc):
            return lemmatizer(doc)  # the first call checks the tables
        strings = doc.vocab.strings
        overwrite = lemmatizer.overwrite
        memo = self._memo
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not overwrite:
                lemmas.append(lemma)
                continue
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                value = memo[key] = strings.add(self._lemmatize(doc[i])[0])
            lemmas.append(value)
        doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64))
        return doc


def build_lemmatizer(lemmatizer) -> FastLemmatizer | None:
    """The fast wrapper, or None unless `lemmatizer` runs spaCy's own per-token code in rule/lookup mode."""
    from spacy.pipeline import Lemmatizer

    kind = type(lemmatizer)
    if not isinstance(lemmatizer, Lemmatizer) or lemmatizer.mode not in ("rule", "lookup") \
            or kind.__call__ is not Lemmatizer.__call__ \
            or kind.rule_lemmatize is not Lemmatizer.rule_lemmatize \
            or kind.lookup_lemmatize is not Lemmatizer.lookup_lemmatize \
            or not hasattr(lemmatizer, "_validated"):
        return None
    return FastLemmatizer(lemmatizer)


def install(nlp) -> list[str]:
    """Put the fast components in place of `nlp`'s attribute_ruler and lemmatizer (same positions).

    Returns the names of the pipes replaced (none when their settings are not supported)."""
    replaced = []
    if "attribute_ruler" in nlp.pipe_names:
        fast = build(nlp.get_pipe("attribute_ruler"), nlp.vocab)
        if fast is not None:
            _swap(nlp, "attribute_ruler", fast)
            replaced.append("attribute_ruler")
    if "lemmatizer" in nlp.pipe_names:
        fast = build_lemmatizer(nlp.get_pipe("lemmatizer"))
        if fast is not None:
            _swap(nlp, "lemmatizer", fast)
            replaced.append("lemmatizer")
    return replaced


def _swap(nlp, name: str, component) -> None:
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=_make)
    _PENDING.append(component)
    try:
        nlp.add_pipe(FACTORY, name=f"fast_{name}", after=name)
    finally:
        _PENDING.clear()
    nlp.remove_pipe(name)


_PENDING: list = []


def _make(nlp, name):
    return _PENDING[-1]
