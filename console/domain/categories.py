"""The category catalog: components (部件) and matters (事件/事项) from ``categories.tsv``.

A case is classified by a matter. In the default scheme (GB/T 47678.5-2026) every component
has a matter "<component> abnormal" with the same 5-digit code (01001 供水井盖 /
01001 供水井盖异常), and the matters 06xxx–10xxx have no component. So a code names one matter,
and at most one component: ``get(code)`` and ``code in catalog`` answer for matters, and
``get(code, kind="component")`` reaches the map's component layer.

The TSV calls matters ``event``; the catalog says ``matter`` (事项), the term of the current
scheme, so that "event" stays free for case events.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from resources import resource_path

DEFAULT_SCHEME = "GB/T 47678.5-2026"
KINDS = ("component", "matter")
_TSV_KIND = {"component": "component", "event": "matter"}


@dataclass(frozen=True)
class Category:
    code: str
    kind: str  # "component" | "matter"
    major_code: str
    major_name_zh: str
    name_zh: str
    name_en: str
    scheme: str


@functools.cache
def _rows() -> tuple[Category, ...]:
    with open(resource_path("categories.tsv"), encoding="utf-8", newline="") as f:
        return tuple(
            Category(
                code=r["minor_code"],
                kind=_TSV_KIND[r["kind"]],
                major_code=r["major_code"],
                major_name_zh=r["major_name_zh"],
                name_zh=r["minor_name_zh"],
                name_en=r["minor_name_en"],
                scheme=r["scheme"],
            )
            for r in csv.DictReader(f, delimiter="\t")
        )


class CategoryCatalog:
    """The categories of one scheme, in file order."""

    def __init__(self, categories: list[Category], scheme: str):
        self.scheme = scheme
        self._by_kind: dict[str, dict[str, Category]] = {k: {} for k in KINDS}
        for c in categories:
            table = self._by_kind[c.kind]
            if c.code in table:
                raise ValueError(f"{scheme}: duplicate {c.kind} code {c.code}")
            table[c.code] = c

    @classmethod
    def load(cls, scheme: str = DEFAULT_SCHEME) -> CategoryCatalog:
        """The catalog of ``scheme`` from the shipped TSV, loaded once per scheme."""
        return _load(scheme)

    @staticmethod
    def schemes() -> list[str]:
        """The schemes present in the shipped TSV, sorted."""
        return sorted({c.scheme for c in _rows()})

    def get(self, code: str, kind: str = "matter") -> Category:
        """The category of ``kind`` with ``code``; KeyError if there is none."""
        return self._by_kind[kind][code]

    def __contains__(self, code: object) -> bool:
        """Whether ``code`` is a matter code, i.e. a valid classification for a case."""
        return code in self._by_kind["matter"]

    def __iter__(self) -> Iterator[Category]:
        """Every category: components first, then matters."""
        for kind in KINDS:
            yield from self._by_kind[kind].values()

    def __len__(self) -> int:
        return sum(len(t) for t in self._by_kind.values())

    def of_kind(self, kind: str) -> list[Category]:
        return list(self._by_kind[kind].values())

    def by_major(self, kind: str = "matter") -> dict[str, list[Category]]:
        """Categories of ``kind`` grouped by major code (大类), in file order."""
        out: dict[str, list[Category]] = {}
        for c in self._by_kind[kind].values():
            out.setdefault(c.major_code, []).append(c)
        return out

    def to_list(self) -> list[dict[str, Any]]:
        """Every category as a plain dict, for the /reference endpoint."""
        return [asdict(c) for c in self]


@functools.cache
def _load(scheme: str) -> CategoryCatalog:
    rows = [c for c in _rows() if c.scheme == scheme]
    if not rows:
        raise ValueError(f"no categories for scheme {scheme!r}; known: {CategoryCatalog.schemes()}")
    return CategoryCatalog(rows, scheme)
