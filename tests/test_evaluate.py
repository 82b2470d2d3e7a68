"""fabula eval: the scoring convention on synthetic gold, the loaders on synthetic files, the CLI shape,
the cache, and (when the corpora are present) the real gold files."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fabula.cli import main
from fabula.document import Document
from fabula.evaluate import cache
from fabula.evaluate.litbank import gold_person_names, load_litbank_quotes, token_offsets
from fabula.evaluate.pdnc import (evaluate_pdnc, gold_cast, load_novel, novel_folders, predicted_quotes,
                                  score_novel_doc)
from fabula.evaluate.scoring import (GoldCharacter, GoldQuote, NameMatcher, PredCharacter, PredQuote,
                                     QuoteScore, assign_quotes, match_names, normalize_name,
                                     score_characters, score_quotes, score_spans)
from fabula.spans import Character, Quote

CORPORA = Path(os.environ.get("FABULA_CORPORA", Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"))


# ---------------------------------------------------------------- assignment of predicted to gold

def test_span_swallowing_two_gold_quotes_is_a_miss():
    gold = [GoldQuote("a", ((10, 20),)), GoldQuote("b", ((30, 40),))]
    assert assign_quotes(gold, [PredQuote(10, 40)]) == [None]


def test_half_overlap_threshold():
    gold = [GoldQuote("a", ((10, 20),))]
    # predicted length 10, overlap 5: exactly half is enough
    assert assign_quotes(gold, [PredQuote(15, 25)]) == [0]
    # predicted length 10, overlap 4: not enough
    assert assign_quotes(gold, [PredQuote(16, 26)]) == [None]
    # no overlap, empty span
    assert assign_quotes(gold, [PredQuote(30, 35), PredQuote(12, 12)]) == [None, None]


def test_assigned_to_the_gold_overlapping_most():
    gold = [GoldQuote("a", ((10, 20),)), GoldQuote("b", ((22, 40),))]
    assert assign_quotes(gold, [PredQuote(18, 40)]) == [1]  # 2 chars of a, 18 of b


def test_gold_quote_split_into_sub_spans():
    # "Sit down," she said. "You look tired."  gold: one quotation, two sub-spans
    gold = [GoldQuote("q", ((1, 9), (23, 38)), speaker=0)]
    pred = [PredQuote(1, 9, speaker=7), PredQuote(23, 38, speaker=8)]
    assert assign_quotes(gold, pred) == [0, 0]
    s = score_quotes(gold, pred, {7: 1, 8: 0})
    # both predictions are assigned; the gold is detected once; the longer piece's speaker counts
    assert (s.assigned, s.detected, s.correct) == (2, 1, 1)
    assert s.precision == 1.0 and s.recall == 1.0 and s.accuracy == 1.0
    # a predicted span covering both sub-spans plus the speech tag between them still counts
    # when the tag is less than half of it
    assert assign_quotes(gold, [PredQuote(1, 38)]) == [0]


def test_out_of_order_pieces_and_overlapping_gold():
    gold = [GoldQuote("a", ((50, 60), (10, 20))), GoldQuote("b", ((15, 25),))]
    assert assign_quotes(gold, [PredQuote(52, 58), PredQuote(21, 25), PredQuote(10, 14)]) == [0, 1, 0]


def test_accuracy_per_type_precision_recall():
    gold = [
        GoldQuote("1", ((0, 10),), speaker=0, type="explicit"),
        GoldQuote("2", ((20, 30),), speaker=1, type="explicit"),
        GoldQuote("3", ((40, 50),), speaker=0, type="anaphoric"),
        GoldQuote("4", ((60, 70),), speaker=1, type="implicit"),
        GoldQuote("5", ((80, 90),), speaker=1, type=None),  # blank type: counted overall only
        GoldQuote("6", ((100, 110),), speaker=None, type="implicit"),  # unknown gold speaker: always wrong
    ]
    pred = [
        PredQuote(0, 10, 100),     # right
        PredQuote(20, 30, 100),    # wrong speaker
        PredQuote(40, 50, None),   # no speaker: wrong
        PredQuote(60, 70, 101),    # right
        PredQuote(80, 90, 101),    # right (blank type)
        PredQuote(100, 110, 101),  # gold speaker unknown
        PredQuote(200, 210, 101),  # no gold: lowers precision
        PredQuote(5, 45, 100),     # swallows narration: a miss
    ]
    s = score_quotes(gold, pred, {100: 0, 101: 1})
    assert s.gold == 6 and s.predicted == 8
    assert s.correct == 3 and s.accuracy == pytest.approx(3 / 6)
    assert s.accuracy_by_type() == {"explicit": 0.5, "anaphoric": 0.0, "implicit": 0.5}
    assert s.precision == pytest.approx(6 / 8)
    assert s.recall == pytest.approx(6 / 6)
    summary = s.summary()
    assert set(summary) == {"accuracy", "accuracy_by_type", "detection_precision", "detection_recall",
                            "addressees"}
    assert summary["addressees"] == {"precision": None, "recall": None, "f1": None}  # no gold addressees


def test_addressees_scored_as_quote_character_pairs():
    gold = [
        GoldQuote("1", ((0, 10),), speaker=0, addressees=(1, 2)),  # a group: two listeners
        GoldQuote("2", ((20, 30),), speaker=1, addressees=(0, 9)),  # 9 is a label (PDNC's _group)
        GoldQuote("3", ((40, 50),), speaker=0, addressees=(1,)),   # undetected: its listener is missed
    ]
    pred = [
        PredQuote(0, 10, 100, addressees=(101, 105)),  # one right, one naming no gold character
        PredQuote(20, 30, 101, addressees=(100, 104)),  # 100 and 104 both name character 0: one pair
        PredQuote(200, 210, 101, addressees=(100,)),    # no gold quotation: not scored
    ]
    s = score_quotes(gold, pred, {100: 0, 101: 1, 102: 2, 104: 0}, labels=frozenset({9}))
    assert (s.addressees_gold, s.addressees_predicted, s.addressees_correct) == (4, 3, 2)
    a = s.summary()["addressees"]
    assert a["precision"] == pytest.approx(2 / 3) and a["recall"] == pytest.approx(2 / 4)
    assert a["f1"] == pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))
    # the counts survive the round trip the parallel evaluation makes
    again = QuoteScore.from_counts(s.counts())
    assert again.addressee_scores() == s.addressee_scores()


def test_no_predictions_score_zero():
    gold = [GoldQuote("1", ((0, 10),), speaker=0, type="explicit")]
    s = score_quotes(gold, [])
    assert (s.accuracy, s.precision, s.recall) == (0.0, 0.0, 0.0)
    assert score_quotes([], []).accuracy == 0.0


def test_type_with_no_gold_is_none():
    s = score_quotes([GoldQuote("1", ((0, 10),), speaker=0, type="explicit")], [PredQuote(0, 10, 1)], {1: 0})
    assert s.accuracy_by_type() == {"explicit": 1.0, "anaphoric": None, "implicit": None}


# ---------------------------------------------------------------- names

BENNETS = [
    GoldCharacter(0, "Elizabeth Bennet", ("Lizzy", "Eliza", "Miss Elizabeth Bennet", "Elizabeth")),
    GoldCharacter(1, "Jane Bennet", ("Jane", "Miss Bennet")),
    GoldCharacter(2, "Mr. Bennet", ()),
    GoldCharacter(3, "Mr. Darcy", ("Darcy", "Fitzwilliam Darcy")),
    GoldCharacter(4, "Hercule Poirot", ()),
    GoldCharacter(5, "Mrs. O'Brien", ()),
    GoldCharacter(9, "_group", ("_group",), pseudo=True),
]


def test_normalize_name():
    assert normalize_name("  Mrs.\nO\u2019Brien ") == "mrs. o'brien"


def test_exact_name_match_case_space_apostrophe():
    assert match_names(["lizzy"], BENNETS) == 0
    assert match_names(["  Jane   BENNET "], BENNETS) == 1
    assert match_names(["Mrs. O\u2019Brien"], BENNETS) == 5


def test_gold_sharing_most_names_wins():
    gold = [GoldCharacter(0, "Jane", ("Miss Bennet",)), GoldCharacter(1, "Miss Bennet", ("Jane Bennet", "Jane B."))]
    assert match_names(["Jane", "Miss Bennet", "Jane Bennet"], gold) == 1
    # a name both list is a tie: it names nobody, unless the word rule settles it
    assert match_names(["Miss Bennet"], gold) is None
    assert match_names(["Jane", "Jane B."], gold) == 1  # tie on exact names; "Jane B." words pick 1


def test_word_rule():
    assert match_names(["Poirot"], BENNETS) == 4            # all words occur in one gold name
    assert match_names(["M. Poirot"], BENNETS) == 4         # titles aside
    assert match_names(["Dr Hercule Poirot"], BENNETS) == 4
    assert match_names(["Bennet"], BENNETS) is None         # in several gold characters' names
    assert match_names(["Mr Bennet"], BENNETS) is None      # "Mr" aside, still just "Bennet"
    assert match_names(["Mr. Bennet"], BENNETS) == 2        # exact match comes first
    assert match_names(["Fitzwilliam"], BENNETS) == 3
    assert match_names(["the"], BENNETS) is None            # nothing left once titles are set aside
    assert match_names(["Lydia"], BENNETS) is None
    assert match_names(["_group"], BENNETS) is None         # PDNC labels are not characters


def test_exact_match_beats_word_rule():
    gold = [GoldCharacter(0, "Emma", ()), GoldCharacter(1, "Emma Woodhouse's father", ("Mr. Woodhouse",))]
    assert match_names(["Emma"], gold) == 0


def test_character_score():
    gold = [GoldCharacter(0, "Elizabeth Bennet", ("Lizzy",)), GoldCharacter(1, "Jane Bennet", ("Jane",)),
            GoldCharacter(2, "Mr. Collins", ()), GoldCharacter(3, "_group", (), pseudo=True)]
    quotes = [GoldQuote(str(i), ((i * 10, i * 10 + 5),), speaker=s) for i, s in
              enumerate([0] * 6 + [1] * 5 + [2] * 4 + [3] * 9)]
    pred = [PredCharacter(0, ("Lizzy", "Jane")),            # merge: names two gold characters
            PredCharacter(1, ("Elizabeth Bennet",)),        # finds Elizabeth
            PredCharacter(2, ("Bennet",)),                  # ambiguous: spurious
            PredCharacter(3, ("Collins",)),                 # found, but he speaks only 4 times
            PredCharacter(4, ("Wickham",))]                 # spurious
    s = score_characters(gold, quotes, pred)
    assert s.speaking == 2  # Elizabeth and Jane; _group is no character
    assert s.found == 1
    # no gold gender given: nothing to judge
    assert s.summary() == {"recall_speaking": 0.5, "merge_error_rate": 0.2, "spurious": 2, "gender_accuracy": 0.0}


def test_character_gender_accuracy_counts_found_speaking_characters_only():
    gold = [GoldCharacter(0, "Elizabeth Bennet", ("Lizzy",), "she"), GoldCharacter(1, "Jane Bennet", ("Jane",), "she"),
            GoldCharacter(2, "Mr. Collins", (), "he"), GoldCharacter(3, "Kitty", (), "unknown")]
    quotes = [GoldQuote(str(i), ((i * 10, i * 10 + 5),), speaker=s) for i, s in
              enumerate([0] * 5 + [1] * 5 + [2] * 5 + [3] * 5)]
    pred = [PredCharacter(0, ("Lizzy",), "she"), PredCharacter(1, ("Jane",), "he"),
            PredCharacter(2, ("Collins",), "he"), PredCharacter(3, ("Kitty",), "she")]
    s = score_characters(gold, quotes, pred)
    assert (s.gendered, s.gender_right) == (3, 2)  # Kitty's gold gender is unknown: not judged
    assert s.summary()["gender_accuracy"] == pytest.approx(2 / 3)


def test_score_spans():
    s = score_spans({(0, 5), (10, 15), (20, 25)}, {(0, 5), (10, 14)})
    assert (s.precision, s.recall) == (0.5, pytest.approx(1 / 3))
    assert s.f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert score_spans(set(), set()).f1 == 0.0


# ---------------------------------------------------------------- a synthetic PDNC folder

STORY = (
    'The Lighthouse\n\n'
    'Mara climbed the stairs. "The lamp is out," said Mara. "Fetch the oil."\n\n'
    'Old Tom shrugged. "It was out last night too  "\n\n'
    '"Then we fetch it together," she said.\n'
)


def _quote_row(qid, text, spans, speaker, qtype, addressees="[]"):
    subs = [STORY[s:e] for s, e in spans]
    return [qid, " ".join(subs), repr(subs), repr([list(x) for x in spans]), speaker, addressees, qtype,
            "", "[]", "[]", "[]"]


def _write_pdnc(root: Path, name: str = "Lighthouse", crlf: bool = True) -> Path:
    import csv
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "novel_text.txt").write_text(STORY, encoding="utf-8", newline="")
    q1a = STORY.index("The lamp is out,")
    q1b = STORY.index("Fetch the oil.")
    q2 = STORY.index("It was out")
    q3 = STORY.index("Then we fetch")
    rows = [
        # sub-spans listed out of order
        _quote_row("Q0", None, [(q1b, q1b + len("Fetch the oil.")), (q1a, q1a + len("The lamp is out,"))],
                   "Mara", "Explicit", "['Tom']"),
        # an em-dash lost upstream: the span ends in spaces
        _quote_row("Q1", None, [(q2, q2 + len("It was out last night too  "))], "Old Tom", "Implicit"),
        _quote_row("Q2", None, [(q3, q3 + len("Then we fetch it together,"))], "Mara", "nan"),
    ]
    with (folder / "quotation_info.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_ALL)
        w.writerow(["quoteID", "quoteText", "subQuotationList", "quoteByteSpans", "speaker", "addressees",
                    "quoteType", "referringExpression", "mentionTextsList", "mentionSpansList",
                    "mentionEntitiesList"])
        w.writerows(rows)
    with (folder / "character_info.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Character ID", "Main Name", "Aliases", "Gender", "Category"])
        w.writerow([0, "Mara", "{'Mara'}", "F", "major"])
        w.writerow([1, "Tom", "['Old Tom', 'Tom']", "M", "intermediate"])
        w.writerow([2, "_group", "['_group']", "X", "minor"])
    return folder


def test_load_synthetic_pdnc(tmp_path):
    folder = _write_pdnc(tmp_path)
    novel = load_novel(folder)
    assert [c.name for c in novel.characters] == ["Mara", "Tom", "_group"]
    assert novel.characters[1].aliases == ("Old Tom",)
    assert novel.characters[2].pseudo
    q0, q1, q2 = novel.quotes
    assert [STORY[s:e] for s, e in q0.spans] == ["The lamp is out,", "Fetch the oil."]  # sorted, trimmed
    assert (q0.speaker, q0.addressees, q0.type) == (0, (1,), "explicit")
    assert (q1.speaker, q1.type) == (1, "implicit")  # speaker given by alias
    assert STORY[slice(*q1.spans[0])] == "It was out last night too"  # trimmed
    assert q2.type is None
    cast = gold_cast(novel.characters)
    # names and aliases, nothing else: the gold gender is not given away
    assert [(m.name, m.aliases, m.gender) for m in cast] == [("Mara", (), "unknown"), ("Tom", ("Old Tom",), "unknown")]


def test_doc_without_quotes_scores_zero(tmp_path):
    novel = load_novel(_write_pdnc(tmp_path))
    s = score_novel_doc(novel, Document(text=STORY))
    assert (s.gold, s.accuracy, s.precision, s.recall) == (3, 0.0, 0.0, 0.0)


def test_doc_quotes_scored_through_character_names(tmp_path):
    novel = load_novel(_write_pdnc(tmp_path))
    q = novel.quotes
    quotes = (Quote(q[0].spans[0][0] - 1, q[0].spans[0][1] + 1, speaker=5),  # with its quotation marks
              Quote(*q[1].spans[0], speaker=6), Quote(*q[2].spans[0], speaker=5))
    chars = (Character(5, "Mara"), Character(6, "Old Tom"))
    doc = Document(text=STORY, layers={"quotes": quotes, "characters": chars})
    assert len(predicted_quotes(doc)) == 3
    s = score_novel_doc(novel, doc)
    assert (s.detected, s.correct, s.accuracy) == (3, 3, 1.0)
    assert s.accuracy_by_type() == {"explicit": 1.0, "anaphoric": None, "implicit": 1.0}


def test_novel_folders(tmp_path):
    _write_pdnc(tmp_path, "B")
    _write_pdnc(tmp_path, "A")
    (tmp_path / "notes").mkdir()
    assert [p.name for p in novel_folders(tmp_path)] == ["A", "B"]
    assert [p.name for p in novel_folders(tmp_path, ["b"])] == ["B"]
    assert [p.name for p in novel_folders(tmp_path / "A")] == ["A"]


def test_cli_json_shape(tmp_path, monkeypatch, capsys):
    _write_pdnc(tmp_path / "corpus")
    monkeypatch.setenv("FABULA_CACHE", str(tmp_path / "cache"))
    assert main(["eval", "pdnc", str(tmp_path / "corpus"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    keys = {"accuracy", "accuracy_by_type", "detection_precision", "detection_recall", "addressees"}
    assert set(out) == keys | {"novels"}
    assert set(out["accuracy_by_type"]) == {"explicit", "anaphoric", "implicit"}
    assert set(out["addressees"]) == {"precision", "recall", "f1"}
    assert set(out["novels"]) == {"Lighthouse"} and set(out["novels"]["Lighthouse"]) == keys
    assert any((tmp_path / "cache").rglob("*.json.gz"))

    assert main(["eval", "pdnc", str(tmp_path / "corpus"), "--cast", "gold", "--novels", "Lighthouse",
                 "--json", "--no-cache"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == keys | {"novels"}

    assert main(["eval", "characters", str(tmp_path / "corpus"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"recall_speaking", "merge_error_rate", "spurious", "gender_accuracy", "novels"}
    assert set(out["novels"]["Lighthouse"]) == {"recall_speaking", "merge_error_rate", "spurious", "gender_accuracy"}

    assert main(["eval", "pdnc", str(tmp_path / "corpus")]) == 0
    table = capsys.readouterr().out
    assert "Lighthouse" in table and "ALL" in table
    assert "addr.prec" in table and "addr.rec" in table  # the fixture marks an addressee


def test_cli_bad_dir(tmp_path, capsys):
    assert main(["eval", "pdnc", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fabula: error:") and err.count("\n") == 1
    assert main(["eval", "pdnc", str(tmp_path)]) == 2  # a folder with no novels in it
    assert main(["eval", "litbank-entities", str(tmp_path)]) == 2
    assert main(["eval"]) == 2


# ---------------------------------------------------------------- cache

def test_cache_roundtrip_and_resume(tmp_path, monkeypatch):
    monkeypatch.setenv("FABULA_CACHE", str(tmp_path))
    doc, cached = cache.language_doc(STORY)
    assert not cached and doc.has("tokens")
    again, cached = cache.language_doc(STORY)
    assert cached
    assert again.text == doc.text and again.source_map == doc.source_map
    for name in doc.layers:
        assert again.layers[name] == doc.layers[name], name
    assert cache.entry_path(STORY, "en_core_web_sm").is_file()
    assert cache.entry_path(STORY, "other_model") != cache.entry_path(STORY, "en_core_web_sm")
    # a damaged entry is rebuilt, not an error
    cache.entry_path(STORY, "en_core_web_sm").write_bytes(b"not gzip")
    _, cached = cache.language_doc(STORY)
    assert not cached
    # without the cache nothing is read
    _, cached = cache.language_doc(STORY, use_cache=False)
    assert not cached


# ---------------------------------------------------------------- LitBank, synthetic

def _write_litbank(root: Path) -> Path:
    text = 'Mr. Holmes nodded .\n" Come in , Watson , " said Holmes .\n'
    for layer in ("entities/brat", "coref/brat", "quotations/tsv"):
        (root / layer).mkdir(parents=True)
    (root / "entities/brat/w.txt").write_text(text)
    (root / "coref/brat/w.txt").write_text(text)

    def at(s):
        return text.index(s)
    ent = [("T1", "PER", at("Mr. Holmes"), at("Mr. Holmes") + 10, "Mr. Holmes"),
           ("T2", "PER", at("Holmes"), at("Holmes") + 6, "Holmes"),          # nested, also a name
           ("T3", "PER", at("Watson"), at("Watson") + 6, "Watson"),
           ("T4", "PER", at("Holmes ."), at("Holmes .") + 6, "Holmes"),
           ("T5", "FAC", 0, 3, "Mr.")]
    (root / "entities/brat/w.ann").write_text("".join(f"{i}\t{l} {s} {e}\t{t}\n" for i, l, s, e, t in ent))
    coref = [("T1", "PROP_PER", *ent[0][2:]), ("T2", "PROP_PER", *ent[1][2:]), ("T3", "NOM_PER", *ent[2][2:]),
             ("T4", "PROP_PER", *ent[3][2:]),
             ("T10", "Sherlock_Holmes-0", *ent[0][2:]), ("T11", "Sherlock_Holmes-0", *ent[3][2:]),
             ("T12", "Watson-1", *ent[2][2:])]
    (root / "coref/brat/w.ann").write_text("".join(f"{i}\t{l} {s} {e}\t{t}\n" for i, l, s, e, t in coref)
                                           + "R1\tcop Arg1:T1 Arg2:T2\n")
    (root / "quotations/tsv/w.ann").write_text('QUOTE\tQ1\t1\t0\t1\t6\t" Come in , Watson , "\n'
                                               'ATTRIB\tQ1\tSherlock_Holmes-0\n')
    return root


def test_litbank_synthetic(tmp_path):
    root = _write_litbank(tmp_path)
    text = (root / "entities/brat/w.txt").read_text()
    gold = gold_person_names(root, "w")
    assert sorted(text[s:e] for s, e in gold) == ["Holmes", "Holmes", "Mr. Holmes"]  # Watson is NOM here
    offsets = token_offsets(text)
    assert text[slice(*offsets[1][3])] == ","
    text2, chars, quotes = load_litbank_quotes(root, "w")
    assert text2 == text
    (q,) = quotes
    assert text[slice(*q.spans[0])] == '" Come in , Watson , "'
    holmes = chars[q.speaker]
    assert holmes.name == "Sherlock Holmes" and set(holmes.aliases) == {"Mr. Holmes", "Holmes"}
    assert NameMatcher(chars).match(["Holmes"]) == q.speaker


# ---------------------------------------------------------------- the real corpora (skipped when absent)

def _corpus(sub: str) -> Path:
    path = CORPORA / sub
    if not path.is_dir():
        pytest.skip(f"corpus not found at {path} (set FABULA_CORPORA)")
    return path


def test_pdnc_gold_loads_every_novel():
    import csv
    root = _corpus("pdnc-dev")
    with (root / "novels.csv").open(newline="") as fh:
        expected = {r["folder"]: r for r in csv.DictReader(fh)}
    for folder in novel_folders(root):
        novel = load_novel(folder)
        exp = expected[folder.name]
        assert len(novel.quotes) == int(exp["quotes"]), folder.name
        for t in ("explicit", "anaphoric", "implicit"):
            assert sum(q.type == t for q in novel.quotes) == int(exp[t]), (folder.name, t)
        assert novel.unknown_speakers == 0, folder.name
        assert all(q.spans for q in novel.quotes)
        assert gold_cast(novel.characters)


def test_litbank_gold_loads():
    root = _corpus("litbank")
    from fabula.evaluate.litbank import works
    names = works(root)
    total = sum(len(gold_person_names(root, w)) for w in names)
    assert len(names) == 97 and total > 1000
    _, chars, quotes = load_litbank_quotes(root, "110_tess_of_the_durbervilles_a_pure_woman_brat")
    assert quotes and all(q.speaker is not None for q in quotes)


def test_pdnc_smoke_on_one_small_novel(tmp_path, monkeypatch):
    root = _corpus("pdnc-dev")
    if not os.environ.get("FABULA_EVAL_SMOKE"):
        pytest.skip("set FABULA_EVAL_SMOKE=1 to run the pipeline over a real novel (~20 s without cache)")
    result = evaluate_pdnc(root, novels=["DaisyMiller"])
    assert set(result["novels"]) == {"DaisyMiller"}
    assert 0.0 <= result["accuracy"] <= 1.0


def test_parallel_novels_match_serial(tmp_path, monkeypatch):
    _write_pdnc(tmp_path / "corpus", "One")
    _write_pdnc(tmp_path / "corpus", "Two")
    monkeypatch.setenv("FABULA_CACHE", str(tmp_path / "cache"))
    serial = evaluate_pdnc(tmp_path / "corpus", counts=True)
    parallel = evaluate_pdnc(tmp_path / "corpus", jobs=2, counts=True)
    assert serial == parallel
    assert list(parallel["novels"]) == ["One", "Two"]
    assert parallel["counts"]["gold"] == 6


def test_litbank_cli_json_shape(tmp_path, monkeypatch, capsys):
    root = _write_litbank(tmp_path / "litbank")
    monkeypatch.setenv("FABULA_CACHE", str(tmp_path / "cache"))
    assert main(["eval", "litbank-entities", str(root), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"per_f1", "per_precision", "per_recall"}
    assert main(["eval", "litbank-quotes", str(tmp_path), "--json"]) == 0  # finds litbank/ inside
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"accuracy", "detection_precision", "detection_recall", "works"}
    assert set(out["works"]) == {"w"}


def test_confidence_calibration_bins():
    from fabula.evaluate.scoring import GoldQuote, PredQuote, score_quotes
    gold = [GoldQuote(f"Q{i}", ((i * 10, i * 10 + 5),), 1, (), "implicit") for i in range(4)]
    pred = [PredQuote(0, 5, 7, 0.95), PredQuote(10, 15, 7, 0.92), PredQuote(20, 25, 8, 0.15),
            PredQuote(30, 35, 7, 0.12)]
    score = score_quotes(gold, pred, {7: 1, 8: 2})
    rel = score.reliability()
    assert [b["quotes"] for b in rel["bins"]] == [2, 2]
    assert [b["accuracy"] for b in rel["bins"]] == [0.5, 1.0]
    assert abs(rel["ece"] - (2 * abs(0.5 - 0.135) + 2 * abs(1.0 - 0.935)) / 4) < 1e-9
