"""A cast given by the user (CSV or JSON): names, aliases, optional gender."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .read.decode import decode, read_bytes

_GENDERS = {"m": "he", "male": "he", "he": "he", "man": "he", "f": "she", "female": "she", "she": "she",
            "woman": "she", "x": "they", "they": "they", "nonbinary": "they", "non-binary": "they",
            "u": "unknown", "unknown": "unknown", "": "unknown"}
_KNOWN_COLUMNS = {"name", "aliases", "gender"}


@dataclass(frozen=True)
class CastMember:
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) + tuple(a for a in self.aliases if a != self.name)


def read_cast(path: str | Path) -> tuple[CastMember, ...]:
    p = Path(path)
    text, _ = decode(read_bytes(p), str(p))
    if p.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if isinstance(data, dict):
            data = data.get("characters", data.get("cast"))
        if not isinstance(data, list):
            raise InputError(f"{p}: a JSON cast is a list of {{name, aliases, gender}} objects")
        rows = data
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise InputError(f"{p}: the CSV cast has no header row")
        fields = {(f or "").strip().lower() for f in reader.fieldnames}
        unknown = fields - _KNOWN_COLUMNS
        if "name" not in fields:
            raise InputError(f"{p}: the CSV cast needs a 'name' column")
        if unknown:
            raise InputError(f"{p}: unknown cast column(s) {', '.join(sorted(unknown))}; "
                             f"use name, aliases (separated by ';'), gender")
        rows = [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]
    return parse_cast_rows(rows, str(p))


def parse_cast_rows(rows: list, name: str = "cast") -> tuple[CastMember, ...]:
    members: list[CastMember] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, 1):
        if isinstance(row, str):
            row = {"name": row}
        if not isinstance(row, dict):
            raise InputError(f"{name}: entry {i} is not an object with a name")
        unknown = set(row) - _KNOWN_COLUMNS
        if unknown:
            raise InputError(f"{name}: entry {i} has unknown field(s) {', '.join(sorted(unknown))}")
        main = str(row.get("name") or "").strip()
        if not main:
            raise InputError(f"{name}: entry {i} has no name")
        aliases = row.get("aliases") or ()
        if isinstance(aliases, str):
            aliases = [a for a in aliases.replace("|", ";").split(";")]
        aliases = tuple(dict.fromkeys(str(a).strip() for a in aliases if str(a).strip()))
        gender_raw = str(row.get("gender") or "").strip().lower()
        if gender_raw not in _GENDERS:
            raise InputError(f"{name}: entry {i} ({main}) has unknown gender '{gender_raw}'; "
                             f"use M, F, X or leave it empty")
        key = main.casefold()
        if key in seen:
            raise InputError(f"{name}: '{main}' is listed twice (entries {seen[key]} and {i})")
        seen[key] = i
        members.append(CastMember(main, aliases, _GENDERS[gender_raw]))
    if not members:
        raise InputError(f"{name}: the cast is empty")
    return tuple(members)
