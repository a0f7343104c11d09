"""量化考核 from a folded state (a live console's or a replay's): the same
``console.domain.kpi.compute_kpis`` the backend runs, over the state's cases, named and with
the 责任区 taken from the state's reference as the backend takes them from its database — so a
shift log gives the backend's numbers for any period it covers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.domain.kpi import compute_kpis, kpi_cases
from console.geo.grid import UnitGrid
from console.geo.responsibility import supervisor_cells
from console.state import CityState

_NAMED = {
    "department": "departments",
    "user": "users",
    "street": "streets",
    "community": "communities",
}


def _responsibility(state: CityState, by: str) -> dict[str, set[str]] | None:
    """The supervisors' 责任区 cells from the state's reference (only ``by='user'`` needs them)."""
    if by != "user":
        return None
    return supervisor_cells(state.reference.get("supervisor_areas", []), UnitGrid.load())


def _enforcement(state: CityState) -> list[dict[str, Any]]:
    """The enforcement cases the state holds (its live records: a case leaves the consoles a
    day after it closes, ``console.server.enforcement.RETIRE_AFTER``, so 执法 timeliness from
    a state counts the cases decided or late since then, as the backend's for a recent period)."""
    return [dict(r) for r in state.records.get("enforcement", {}).values()]


def state_kpis(state: CityState, start: datetime, end: datetime, by: str) -> list[dict[str, Any]]:
    """The rows of ``GET /api/v1/kpis`` for [start, end) computed from ``state``."""
    listed = state.reference.get(_NAMED.get(by, ""), [])
    names = {x.get("id") or x.get("code"): x["name"] for x in listed}
    return compute_kpis(
        list(state.cases.values()),
        start,
        end,
        by,
        names=names,
        supervisor_grids=_responsibility(state, by),
        enforcement=_enforcement(state),
    )


def state_kpi_cases(
    state: CityState, start: datetime, end: datetime, by: str, key: str, indicator: str, part: str
) -> list[str]:
    """The answer of ``GET /api/v1/kpis/cases`` (one cell's case ids) computed from ``state``."""
    return kpi_cases(
        list(state.cases.values()),
        start,
        end,
        by,
        key,
        indicator,
        part,
        supervisor_grids=_responsibility(state, by),
        enforcement=_enforcement(state),
    )
