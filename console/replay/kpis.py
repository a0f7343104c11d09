"""量化考核 from a folded state (a live console's or a replay's): the same
``console.domain.kpi.compute_kpis`` the backend runs, over the state's cases, named and with
the 责任区 taken from the state's reference as the backend takes them from its database — so a
shift log gives the backend's numbers for any period it covers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.domain import kpi_time, rivers
from console.domain.china_time import days_of
from console.domain.kpi import compute_kpis, kpi_cases
from console.geo.grid import UnitGrid
from console.geo.responsibility import supervisor_cells
from console.kpiboard import LocalUnavailable
from console.state import CityState

_NAMED = {
    "department": "departments",
    "user": "users",
    "street": "streets",
    "community": "communities",
}


def _names(state: CityState, by: str) -> dict[str, str]:
    """Row names as the state's reference gives them (as the backend names its rows)."""
    listed = state.reference.get(_NAMED.get(by, ""), [])
    return {x.get("id") or x.get("code"): x["name"] for x in listed}


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


def _duty_days(state: CityState, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The person-days behind ``by=duty`` from the state's duty records: each record holds
    its person's latest day only, so a period of more than one CST day is the backend's to
    answer (said, not guessed)."""
    first, last = days_of(start, end)
    if first != last:
        raise LocalUnavailable(
            "在岗率 over more than one day is counted by the backend from its stored days; "
            "a shift log holds each person's latest day only"
        )
    records = list(state.records_of("duty").values())  # one C call: safe beside the fold
    return kpi_time.duty_days_of_records(records, first.isoformat(), last.isoformat())


def _time_inputs(state: CityState, by: str, start: datetime, end: datetime) -> list[Any]:
    """What ``by`` (``kpi_time.TIME_BY``) is counted from, as the state holds it."""
    if by == "duty":
        return _duty_days(state, start, end)
    return list(state.records_of(rivers.RECORD_TYPE).values())


def state_kpis(
    state: CityState, start: datetime, end: datetime, by: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The rows of ``GET /api/v1/kpis`` for [start, end) computed from ``state`` (as of
    ``now``, the district time: a river day counts once it has ended; default ``end``)."""
    if by in kpi_time.TIME_BY:
        inputs = _time_inputs(state, by, start, end)
        return kpi_time.rows(by, inputs, start, end, now or end, _names(state, "street"))
    return compute_kpis(
        list(state.cases.values()),
        start,
        end,
        by,
        names=_names(state, by),
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


def state_kpi_items(
    state: CityState,
    start: datetime,
    end: datetime,
    by: str,
    key: str,
    indicator: str,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The answer of ``GET /api/v1/kpis/items`` (one time-counted cell's items) from ``state``."""
    inputs = _time_inputs(state, by, start, end)
    return kpi_time.items(by, inputs, start, end, now or end, key, indicator)


def state_river_kpi(
    state: CityState, start: datetime, end: datetime, now: datetime
) -> dict[str, Any]:
    """The answer of ``GET /api/v1/rivers/kpi`` (河道巡查覆盖率 and its segment-days) computed
    from ``state``'s river_segment records, as of ``now``."""
    return rivers.kpi_body(state.records_of(rivers.RECORD_TYPE).values(), start, end, now)
