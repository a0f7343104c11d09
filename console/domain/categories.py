"""The category catalog: components (部件) and events/matters (事件) from ``categories.tsv``.

In the default scheme (GB/T 47678.5-2026) a component and the matter "that component
abnormal" share one 5-digit code (01001 供水井盖 / 01001 供水井盖异常). A case is always
classified by a matter, so ``get(code)`` and ``in`` look up matters; components are kept
for the map's component layer.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from .resources import resource_path

DEFAULT_SCHEME = "GB/T 47678.5-2026"


@dataclass(frozen=True)
class Category:
    code: str
    kind: str  # "component" | "event"
    major_code: str
    major_name_zh: str
    name_zh: str
    name_en: str
    scheme: str


class CategoryCatalog:
    def __init__(self, rows: list[Category], scheme: str):
        self.scheme = scheme
        self.events = {c.code: c for c in rows if c.kind == "event"}
        self.components = {c.code: c for c in rows if c.kind == "component"}

    @classmethod
    @functools.cache
    def load(cls, scheme: str = DEFAULT_SCHEME) -> CategoryCatalog:
        with open(resource_path("categories.tsv"), encoding="utf-8") as f:
            rows = [
                Category(
                    r["minor_code"],
                    r["kind"],
                    r["major_code"],
                    r["major_name_zh"],
                    r["minor_name_zh"],
                    r["minor_name_en"],
                    r["scheme"],
                )
                for r in csv.DictReader(f, delimiter="\t")
                if r["scheme"] == scheme
            ]
        if not rows:
            raise ValueError(f"no categories for scheme {scheme!r}")
        return cls(rows, scheme)

    @staticmethod
    def schemes() -> list[str]:
        with open(resource_path("categories.tsv"), encoding="utf-8") as f:
            return sorted({r["scheme"] for r in csv.DictReader(f, delimiter="\t")})

    def get(self, code: str) -> Category:
        return self.events[code]

    def __contains__(self, code: object) -> bool:
        return code in self.events

    def __iter__(self) -> Iterator[Category]:
        return iter(self.events.values())

    def __len__(self) -> int:
        return len(self.events)

    def by_major(self) -> dict[str, list[Category]]:
        out: dict[str, list[Category]] = {}
        for c in self.events.values():
            out.setdefault(c.major_code, []).append(c)
        return out

    def to_list(self) -> list[dict]:
        return [asdict(c) for c in self.events.values()] + [
            asdict(c) for c in self.components.values()
        ]
