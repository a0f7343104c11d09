"""Text columns of a table kept as numpy, row by row: codes, sort ranks and search texts.

A queue of 100,000 cases cannot build a string per row each time the operator sorts or types
a letter (issue 14: 305–392 ms a sort, 804 ms the first search). Rows here are CityState case
rows.

- ``TextCodes``: values interned to integer codes, so CityState keeps a case's category,
  department, source, grid and address as int32 columns (a sort by them is one argsort of
  each distinct value's rank, whatever the number of rows).

The table model sets the texts of the rows a ``Diff`` names, remaps them when cases are
evicted (``Diff.case_rows``), and asks:

- ``RankedTexts.keys(rows)``: each row's text as its rank in text order (ties equal), so a
  sort is one integer argsort. Texts are interned to integer codes; the ranks are recomputed
  only when a text never seen before appears (a new id, a new address), by merging the new
  texts into the sorted list.
- ``SearchTexts.find(needle, rows)`` / ``contains``: the rows whose text contains the needle
  (any case): one C-level search of the texts joined, jumping row to row where the needle is
  rare, else one C-level substring test per row, over texts built once; ``lowered`` lowers a
  column of them in one C-level pass.

Python's ``str`` order (code points) is numpy's for unicode arrays, so ``keys`` orders rows
exactly as an argsort of their texts did.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import repeat
from operator import itemgetter

import numpy as np

#: A first build of more texts than this goes through numpy (one sort); fewer, through the
#: dict (numpy's fixed costs are not worth it for a handful).
NUMPY_FROM = 64
#: The longest texts a first build puts in a numpy array (ids and ISO times are < 64; a
#: column of longer texts takes the dict path rather than an array of n × its longest).
MAX_NUMPY_CHARS = 256
#: Texts no row holds any more are dropped once they outnumber the rows' by this factor (ids
#: of evicted cases would otherwise pile up over months).
COMPACT_FACTOR = 2
COMPACT_FLOOR = 1024  # below this many texts, never (a compaction costs a sort)


def _remapped(values: np.ndarray, remap: np.ndarray, fill: int) -> np.ndarray:
    """``values`` (by old row) moved to new rows (``remap[old] = new``, -1: gone)."""
    out = np.full(int((remap >= 0).sum()), fill, dtype=values.dtype)
    n = min(len(values), len(remap))
    new = remap[:n]
    keep = new >= 0
    out[new[keep]] = values[:n][keep]
    return out


class TextCodes:
    """Values (strings, or None) interned to integer codes, 0, 1, 2... in order of arrival.
    Append-only, so a code never changes meaning while rows hold it."""

    def __init__(self, values: Sequence[str | None] = ()) -> None:
        self.values: list[str | None] = list(values)
        self._code = {v: i for i, v in enumerate(self.values)}

    def __len__(self) -> int:
        return len(self.values)

    def codes(self, values: Sequence[object]) -> list[int]:
        """The code of each value; a value that is neither a string nor None (a malformed
        document) is taken as its ``str``."""
        code = self._code
        out = [code.get(v, -1) if isinstance(v, str | None) else -1 for v in values]
        if -1 in out:
            for i, c in enumerate(out):
                if c == -1:
                    v = values[i]
                    key = v if isinstance(v, str | None) else str(v)
                    c = code.get(key, -1)
                    if c == -1:
                        c = code[key] = len(self.values)
                        self.values.append(key)
                    out[i] = c
        return out

    def copy(self) -> TextCodes:
        return TextCodes(self.values)

    def nbytes(self) -> int:
        """The list and the dict (the texts are shared with whoever handed them in)."""
        return sys.getsizeof(self.values) + sys.getsizeof(self._code)


class RankedTexts:
    """One text per row as an integer code, and each code's rank in text order."""

    def __init__(self) -> None:
        self.codes = np.empty(0, dtype=np.int32)  # by row; -1: no text set
        self._code: dict[str, int] = {}
        self._texts: list[str] = []
        self._sorted: list[str] = []
        self._new: list[str] = []  # texts not yet in ``_sorted``
        self._rank: np.ndarray | None = np.empty(0, dtype=np.int32)
        # A first build's distinct texts, sorted, until a later set needs them as Python
        # objects (the first sort by a column pays for numpy's unique and nothing more).
        self._distinct: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.codes)

    def _materialize(self) -> None:
        if self._distinct is not None:
            self._texts = self._distinct.tolist()
            self._sorted = list(self._texts)  # its own list: new texts go to _texts alone
            self._code = {t: i for i, t in enumerate(self._texts)}
            self._distinct = None

    def set(self, rows: np.ndarray | Sequence[int], texts: Sequence[str]) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(self) and len(texts) > NUMPY_FROM and self._fits_numpy(texts):
            self._first(rows, texts)
            return
        self._materialize()
        if len(rows) and rows.max() >= len(self.codes):
            grown = np.full(int(rows.max()) + 1, -1, dtype=np.int32)
            grown[: len(self.codes)] = self.codes
            self.codes = grown
        code = self._code
        codes = [code.get(t) for t in texts]
        if None in codes:
            for i, c in enumerate(codes):
                if c is None:
                    t = texts[i]
                    c = code.get(t)
                    if c is None:
                        c = code[t] = len(self._texts)
                        self._texts.append(t)
                        self._new.append(t)
                        self._rank = None
                    codes[i] = c
        self.codes[rows] = np.asarray(codes, dtype=np.int32)

    @staticmethod
    def _fits_numpy(texts: Sequence[str]) -> bool:
        """Whether numpy's fixed-width strings hold these texts as they are: not too long
        (the array is n × the longest), no NUL (numpy drops a trailing one)."""
        longest = max(map(len, texts))
        return longest <= MAX_NUMPY_CHARS and "\0" not in "".join(texts)  # C-level checks

    def _first(self, rows: np.ndarray, texts: Sequence[str]) -> None:
        """The first texts (a column built over 100,000 rows): one numpy sort gives the codes
        already in text order, ~3× faster than a dict and a sort in Python."""
        # np.unique(return_inverse) took 120 ms on 100,000 ISO times; a stable argsort and a
        # pass over the sorted texts take 50 (numpy 2.4).
        arr = np.array(texts, dtype=str)
        order = np.argsort(arr, kind="stable")
        ordered = arr[order]
        first = np.ones(len(arr), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        codes = np.empty(len(arr), dtype=np.int32)
        codes[order] = np.cumsum(first) - 1
        distinct = ordered[first]
        self._distinct, self._new = distinct, []
        self._rank = np.arange(len(distinct), dtype=np.int32)
        self.codes = np.full(int(rows.max()) + 1, -1, dtype=np.int32)
        self.codes[rows] = codes

    def remap(self, remap: np.ndarray) -> None:
        """Rows renumbered (``remap[old] = new``, -1: gone)."""
        self.codes = _remapped(self.codes, remap, -1)
        held = len(self._texts) if self._distinct is None else len(self._distinct)
        if held > COMPACT_FACTOR * max(len(self.codes), COMPACT_FLOOR):
            self._materialize()
            self._compact()

    def keys(self, rows: np.ndarray) -> np.ndarray:
        """Each row's rank in text order (rows must have a text set)."""
        if self._rank is None:  # (a first build's ranks are never None: nothing to do)
            # Timsort merges the new tail into the sorted run: 64 new ids into 100,000 sort
            # in ~2.5 ms (a sort from scratch: ~30 ms).
            self._sorted += self._new
            self._sorted.sort()
            self._new = []
            rank = np.empty(len(self._texts), dtype=np.int32)
            code = self._code
            rank[np.fromiter((code[t] for t in self._sorted), np.int64, len(self._sorted))] = (
                np.arange(len(self._sorted), dtype=np.int32)
            )
            self._rank = rank
        out: np.ndarray = self._rank[self.codes[rows]]
        return out

    def _compact(self) -> None:
        live, codes = np.unique(self.codes[self.codes >= 0], return_inverse=True)
        texts = [self._texts[c] for c in live]
        self.codes[self.codes >= 0] = codes
        self._texts = texts
        self._code = {t: i for i, t in enumerate(texts)}
        self._sorted, self._new, self._rank = sorted(texts), [], None


class SearchTexts:
    """One search text per row, kept lower-cased (a search is in any case).

    A needle is first looked for in all the texts joined (C-level substring search over one
    string, built once per change of the texts): where it occurs in few rows (a rare word,
    a needle no text holds), those rows are found by jumping from one occurrence to the next
    row's start, with no test per row at all; where it is common, each asked row is tested by
    a C-level map (no Python loop per row). Either way the answer is the per-row test's."""

    def __init__(self) -> None:
        self._texts: list[str] = []
        self._joined: str | None = None  # the texts joined by NUL, while they stand
        self._starts = array("q")  # where each row's text starts in _joined, then its end

    def __len__(self) -> int:
        return len(self._texts)

    def set(self, rows: np.ndarray | Sequence[int], texts: Sequence[str]) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        if not self._texts and np.array_equal(rows, np.arange(len(rows))):
            # The first build, every row in order: lowered at once, joined as a by-product.
            self._texts, joined = _lowered_joined(list(texts))
            self._index(joined)
            return
        self._joined = None
        top = int(rows.max())
        if top >= len(self._texts):
            self._texts.extend([""] * (top + 1 - len(self._texts)))
        for r, t in zip(rows.tolist(), texts, strict=True):
            self._texts[r] = t.lower()

    def remap(self, remap: np.ndarray) -> None:
        """Rows renumbered (``remap[old] = new``, -1: gone)."""
        n = len(self._texts)
        kept = np.flatnonzero(remap[:n] >= 0)
        texts = [""] * int((remap >= 0).sum())
        for new, t in zip(remap[kept].tolist(), picked(self._texts, kept), strict=True):
            texts[new] = t
        self._texts, self._joined = texts, None

    def contains(self, needle: str, rows: np.ndarray) -> np.ndarray:
        """Per row of ``rows``, whether its text contains ``needle`` (any case)."""
        needle = needle.lower()
        if needle and "\0" not in needle and len(rows):
            # Past this many rows holding it, a test per asked row is cheaper than a jump per
            # holding row (a find, a bisect and an append: about four tests' worth).
            holding = self._rows_holding(needle, len(rows) // 4 + 16)
            if holding is not None:
                hit = np.zeros(len(self._texts), dtype=bool)
                hit[holding] = True
                out: np.ndarray = hit[rows]
                return out
        texts = picked(self._texts, rows)
        return np.fromiter(map(str.__contains__, texts, repeat(needle)), bool, len(rows))

    def find(self, needle: str, rows: np.ndarray) -> np.ndarray:
        """The rows (in their order) whose text contains ``needle`` (any case)."""
        out: np.ndarray = rows[self.contains(needle, rows)]
        return out

    def _index(self, joined: str | None) -> None:
        """The texts joined by NUL (``joined`` if the caller has it) and each one's start."""
        self._joined = "\0".join(self._texts) if joined is None else joined
        ends = np.cumsum(np.fromiter(map(len, self._texts), np.int64, len(self._texts)) + 1)
        self._starts = array("q", [0])
        self._starts.frombytes(ends.tobytes())

    def _rows_holding(self, needle: str, most: int) -> list[int] | None:
        """Every row whose text holds ``needle`` (no NUL in it: an occurrence in the joined
        texts lies within one row's), or None past ``most`` such rows."""
        if self._joined is None:
            self._index(None)
        assert self._joined is not None
        starts, find = self._starts, self._joined.find
        rows: list[int] = []
        at = find(needle)
        while at >= 0:
            if len(rows) == most:
                return None
            row = bisect_right(starts, at) - 1
            rows.append(row)
            at = find(needle, starts[row + 1])
        return rows


def lowered(texts: list[str]) -> list[str]:
    """``[t.lower() for t in texts]`` in one C-level pass (``_lowered_joined``)."""
    return _lowered_joined(texts)[0]


def _lowered_joined(texts: list[str]) -> tuple[list[str], str | None]:
    """``[t.lower() for t in texts]``, and those joined by NUL when that came for free.

    For a column of 100,000 texts: one ``lower`` of the texts joined (NUL is neither cased nor
    case-ignorable, so each text's Greek final sigma is decided within it, as alone), and no
    copies at all when lowering changes nothing (ids, Chinese descriptions: the list itself is
    returned). A text holding a NUL makes it a lowering per text (a split would cut it)."""
    joined = "\0".join(texts)
    low = joined.lower()
    if low == joined:
        return texts, joined
    if joined.count("\0") != len(texts) - 1:
        return [t.lower() for t in texts], None
    return low.split("\0"), low


def picked(items: list[str], rows: np.ndarray) -> Sequence[str]:
    """``[items[r] for r in rows]`` at C speed."""
    if len(rows) == len(items) and np.array_equal(rows, np.arange(len(rows))):
        return items
    if len(rows) == 0:
        return ()
    if len(rows) == 1:
        return (items[int(rows[0])],)
    out: tuple[str, ...] = itemgetter(*rows.tolist())(items)
    return out
