"""A cast given by the user: CSV or JSON, checked with clear one-line errors."""
import json

import pytest

from fabula.cast import read_cast
from fabula.cli import main
from fabula.errors import InputError


def test_csv_cast_with_aliases_and_gender(tmp_path):
    f = tmp_path / "cast.csv"
    f.write_text("name,aliases,gender\nMara Quill,Mara;Miss Quill,F\nTobias Quill,Papa;Tobias,M\nElias Brandt,,\n")
    cast = read_cast(f)
    assert [c.name for c in cast] == ["Mara Quill", "Tobias Quill", "Elias Brandt"]
    assert cast[0].aliases == ("Mara", "Miss Quill") and cast[0].gender == "she"
    assert cast[1].gender == "he" and cast[2].gender == "unknown"


def test_json_cast(tmp_path):
    f = tmp_path / "cast.json"
    f.write_text(json.dumps([{"name": "Kamado Tanjirou", "aliases": ["Tanjiro"], "gender": "M"}, "Nezuko"]))
    cast = read_cast(f)
    assert cast[0].names == ("Kamado Tanjirou", "Tanjiro") and cast[1].name == "Nezuko"


@pytest.mark.parametrize("content,needle", [
    ("name,nickname\nMara,M\n", "unknown cast column(s) nickname"),
    ("name,aliases\nMara,\nmara,\n", "listed twice"),
    ("aliases\nMara\n", "needs a 'name' column"),
    ("name,gender\nMara,purple\n", "unknown gender"),
    ("name\n", "the cast is empty"),
    ('[{"name": "Mara", "age": 30}]', "unknown field(s) age"),
    ('{"cast": 5}', "a JSON cast is a list"),
    ("[{]", "not valid JSON"),
])
def test_bad_cast_files(tmp_path, content, needle):
    f = tmp_path / ("cast.json" if content.lstrip().startswith(("[", "{")) else "cast.csv")
    f.write_text(content)
    with pytest.raises(InputError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        read_cast(f)


def test_cli_cast_fixes_the_characters(sample_path, tmp_path, capsys):
    cast = tmp_path / "cast.csv"
    cast.write_text("name,aliases,gender\nMara Quill,Mara,F\nTobias Quill,Tobias;Papa,M\nElias Brandt,Mr. Brandt,M\n"
                    "Ada Brandt,Ada,F\n")
    out = tmp_path / "o.json"
    assert main(["analyze", str(sample_path), "-o", str(out), "-q", "--cast", str(cast)]) == 0
    data = json.loads(out.read_text())
    assert [c["name"] for c in data["characters"]][:4] == ["Mara Quill", "Tobias Quill", "Elias Brandt", "Ada Brandt"]
    ids = {c["id"] for c in data["characters"]}
    assert all(q["speaker"] in ids for q in data["quotes"] if q["speaker"] is not None)


def test_cli_bad_cast_is_a_one_line_error(sample_path, tmp_path, capsys):
    cast = tmp_path / "cast.csv"
    cast.write_text("name,role\nMara,keeper\n")
    code = main(["analyze", str(sample_path), "-o", str(tmp_path / "o.json"), "--cast", str(cast)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "unknown cast column" in err
    assert not (tmp_path / "o.json").exists()
