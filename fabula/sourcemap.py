"""Maps offsets in the normalized text back to offsets in the user's own file.

Readers build the normalized text piece by piece; each piece either copies a run of the
decoded source (and so maps back one-to-one) or is inserted by the reader (a newline that
stands for a paragraph break, say) and maps to the nearest source offset before it.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceMap:
    # Parallel, sorted by text offset: a run of the text starting at text_starts[i]
    # maps to source offsets starting at source_starts[i]; copied[i] says whether the
    # run is a verbatim copy (offsets advance together) or inserted (all map to one point).
    text_starts: tuple[int, ...] = ()
    source_starts: tuple[int, ...] = ()
    copied: tuple[bool, ...] = ()
    # What the source offsets count: "characters of the decoded file" or a per-block note.
    unit: str = "char"

    def to_source(self, offset: int) -> int:
        """Source offset for a text offset (a character index into the decoded file)."""
        if not self.text_starts:
            return offset
        i = bisect.bisect_right(self.text_starts, offset) - 1
        if i < 0:
            return self.source_starts[0]
        if self.copied[i]:
            return self.source_starts[i] + (offset - self.text_starts[i])
        return self.source_starts[i]

    def to_json(self) -> dict:
        return {"unit": self.unit, "runs": [[t, s, int(c)] for t, s, c in
                                           zip(self.text_starts, self.source_starts, self.copied)]}

    @classmethod
    def from_json(cls, data: dict | None) -> "SourceMap":
        if not data:
            return cls()
        runs = data.get("runs", [])
        return cls(tuple(r[0] for r in runs), tuple(r[1] for r in runs),
                   tuple(bool(r[2]) for r in runs), data.get("unit", "char"))


class TextBuilder:
    """Accumulates normalized text while recording where each piece came from."""

    def __init__(self, unit: str = "char") -> None:
        self._parts: list[str] = []
        self._length = 0
        self._text_starts: list[int] = []
        self._source_starts: list[int] = []
        self._copied: list[bool] = []
        self._unit = unit

    def __len__(self) -> int:
        return self._length

    def copy(self, piece: str, source_start: int) -> None:
        """Append a piece copied verbatim from the source at source_start."""
        if not piece:
            return
        # Extend the previous run when this piece continues it exactly.
        if (self._copied and self._copied[-1]
                and self._source_starts[-1] + (self._length - self._text_starts[-1]) == source_start):
            pass
        else:
            self._record(source_start, True)
        self._parts.append(piece)
        self._length += len(piece)

    def insert(self, piece: str, source_at: int) -> None:
        """Append text the reader supplies (not in the source); it maps to source_at."""
        if not piece:
            return
        self._record(source_at, False)
        self._parts.append(piece)
        self._length += len(piece)

    def _record(self, source_start: int, copied: bool) -> None:
        if self._text_starts and self._text_starts[-1] == self._length:
            self._source_starts[-1] = source_start
            self._copied[-1] = copied
            return
        self._text_starts.append(self._length)
        self._source_starts.append(source_start)
        self._copied.append(copied)

    def endswith(self, suffix: str) -> bool:
        if not self._parts:
            return False
        tail = "".join(self._parts[-4:])
        return tail.endswith(suffix)

    def text(self) -> str:
        return "".join(self._parts)

    def source_map(self) -> SourceMap:
        return SourceMap(tuple(self._text_starts), tuple(self._source_starts), tuple(self._copied), self._unit)
