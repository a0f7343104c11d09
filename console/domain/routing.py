"""Dispatch routing: which department a case normally goes to, and why.

One rule for the backend, the simulator and the console's dispatch dialog:

1. a case that names a 部件 (``component_code``) goes to that component's **owner** (the
   产权/维护单位 recorded in the inventory): a 通信井盖 owned by 移动 goes to 移动, a hydrant to the
   water company that maintains it. Manhole regulations put the duty on the owner ("窨井盖由产权
   单位负责检查、维修、养护"), so the owner is the right addressee whenever it is known;
2. otherwise the **matter's routing line** in ``resources/routing.tsv`` decides: one line per
   5-digit category code of GB/T 47678.5 (components and matters share codes), each naming a
   department id or ``street`` and the basis (law, national document or stated reason) for it;
3. ``street`` means the street office (街道办事处) of the case's own street (属地管理).

The table is published in ``/reference`` (``routing``) so a console routes with the backend's
table, not with whatever file it shipped with. See docs/rules/routing.md.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from resources import resource_path

#: The routing target that stands for the street office of the case's street.
STREET = "street"
#: Why a department was suggested: the component's owner, or the matter's routing line.
BY_OWNER = "component_owner"
BY_MATTER = "matter"


def street_department_id(street_code: str) -> str:
    """The department id of a street office (街道办事处)."""
    return f"street-{street_code}"


@dataclass(frozen=True)
class RouteLine:
    code: str  # 5-digit category code
    name_zh: str
    department: str  # a department id, or STREET
    basis: str  # the source or stated reason


@dataclass(frozen=True)
class Routed:
    """A suggested department and why: ``reason`` is BY_OWNER or BY_MATTER; ``basis`` the
    routing line's source (empty for an owner)."""

    department_id: str | None
    reason: str
    basis: str


class RoutingTable:
    """The routing lines by category code."""

    def __init__(self, lines: Iterable[RouteLine]):
        self._by_code: dict[str, RouteLine] = {}
        for line in lines:
            if line.code in self._by_code:
                raise ValueError(f"duplicate routing line for {line.code}")
            self._by_code[line.code] = line

    @classmethod
    def load(cls) -> RoutingTable:
        """The shipped table (``resources/routing.tsv``), loaded once."""
        return _load()

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> RoutingTable:
        """A table from its published form (``/reference`` ``routing``)."""
        return cls(
            RouteLine(
                code=str(r["code"]),
                name_zh=str(r.get("name_zh", "")),
                department=str(r["department"]),
                basis=str(r.get("basis", "")),
            )
            for r in rows
        )

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> RouteLine | None:
        return self._by_code.get(code)

    def departments(self) -> set[str]:
        """Every department id a line names (``street`` excluded)."""
        return {x.department for x in self._by_code.values() if x.department != STREET}

    def to_list(self) -> list[dict[str, str]]:
        return [asdict(x) for x in self._by_code.values()]

    def route(
        self, category_code: str, street_code: str | None, component_owner: str | None = None
    ) -> Routed:
        """Where a case of ``category_code`` located in ``street_code`` goes (see the module
        docstring). A ``street`` line without a street, or a code without a line, gives no
        department (the dispatcher chooses)."""
        if component_owner:
            return Routed(component_owner, BY_OWNER, "")
        line = self._by_code.get(category_code)
        if line is None:
            return Routed(None, BY_MATTER, "")
        if line.department == STREET:
            dept = street_department_id(street_code) if street_code else None
            return Routed(dept, BY_MATTER, line.basis)
        return Routed(line.department, BY_MATTER, line.basis)


@functools.cache
def _load() -> RoutingTable:
    with open(resource_path("routing.tsv"), encoding="utf-8", newline="") as f:
        return RoutingTable(
            RouteLine(r["code"], r["name_zh"], r["department"], r["basis"])
            for r in csv.DictReader(f, delimiter="\t")
        )
