"""KPIs over a time window, grouped as ``by`` says (``console.domain.kpi`` computes them from
the case documents read here; ``by=duty|river`` are counted from time by
``console.domain.kpi_time``), the cases behind any cell (the items, person-days or
segment-days, behind a time-counted one), and those behind a row's callbacks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from console.domain import kpi_time, rivers
from console.domain.case import iso
from console.domain.china_time import days_of
from console.domain.kpi import compute_kpis, definitions, kpi_cases, satisfaction_cases
from console.domain.workflow import TERMINAL_STATES

from .. import duty, records
from ..context import Context
from ..db import CaseRow, Department, EnforcementRow, User
from ..errors import ApiError
from ..schemas import KpiBy
from ..supervisors import supervisor_cells
from .deps import Ctx, From, Reader, To, parse_time

router = APIRouter(prefix="/api/v1", tags=["kpis"])
Key = Annotated[str, Query(min_length=1, max_length=64)]


def _window(ctx: Context, from_: str | None, to: str | None) -> tuple[datetime, datetime]:
    # The last 30 days by default.
    now = ctx.now()
    start = parse_time(from_, "from") or now - timedelta(days=30)
    end = parse_time(to, "to") or now + timedelta(seconds=1)
    if end <= start:
        raise ApiError(400, "to must be after from")
    return start, end


def _docs(s: Session, start: datetime, end: datetime) -> list[dict]:
    """Every case that can count in the window: created before its end and either touched
    since its start or still open (old stuck work counts in 超期未处置 however old; the indexed
    ``state`` column finds it without reading closed history)."""
    still_open = CaseRow.state.not_in([st.value for st in TERMINAL_STATES])
    return [
        r.doc
        for r in s.scalars(
            select(CaseRow).where(
                CaseRow.created_at < end, or_(CaseRow.updated_at >= start, still_open)
            )
        ).all()
    ]


def _enforcement_docs(s: Session, start: datetime, end: datetime) -> list[dict]:
    """Enforcement cases filed before the window's end (执法 timeliness, department rows)."""
    return [r.doc for r in s.scalars(select(EnforcementRow).where(EnforcementRow.created_at < end))]


def _names(s: Session, ctx: Context, by: str) -> dict[str, str]:
    """Row names as ``/reference`` gives them (so a replay names rows alike)."""
    if by == "user":
        return {u.id: u.name for u in s.scalars(select(User)).all()}
    if by == "department":
        return {d.id: d.name for d in s.scalars(select(Department)).all()}
    if by == "street":
        return {st.code: st.name for st in ctx.grid.streets}
    if by == "community":
        return {c.code: c.name for c in ctx.grid.communities}
    return {}


def _time_inputs(s: Session, by: str, start: datetime, end: datetime) -> list[dict]:
    """What a time-counted grouping is counted from: the person-days of the CST days the
    window touches (``duty``: a day counts whole, as stored up to now for today), or the
    river segments' records (``river``)."""
    if by == "duty":
        return duty.days_in(s, *days_of(start, end))
    return list(records.live_docs(s, rivers.RECORD_TYPE))


@router.get("/kpis")
def kpis(p: Reader, ctx: Ctx, by: KpiBy = "department", from_: From = None, to: To = None):
    start, end = _window(ctx, from_, to)
    if by in kpi_time.TIME_BY:
        with ctx.db.read() as s:
            inputs = _time_inputs(s, by, start, end)
            names = _names(s, ctx, "street")
        return _answer(start, end, by, kpi_time.rows(by, inputs, start, end, ctx.now(), names))
    with ctx.db.read() as s:
        docs = _docs(s, start, end)
        names = _names(s, ctx, by)
        cells = supervisor_cells(s, ctx.grid) if by == "user" else None
        enf_docs = _enforcement_docs(s, start, end) if by == "department" else []
    rows = compute_kpis(
        docs, start, end, by, names=names, supervisor_grids=cells, enforcement=enf_docs
    )
    return _answer(start, end, by, rows)


def _answer(start: datetime, end: datetime, by: str, rows: list[dict]) -> dict[str, Any]:
    return {
        "from": iso(start),
        "to": iso(end),
        "by": by,
        "rows": rows,
        "definitions": _definitions(),
    }


def _definitions() -> dict[str, dict[str, Any]]:
    keys = ("zh", "en", "formula", "source", "higher_is_better", "unit", "kinds")
    return {k: {f: d[f] for f in keys} for k, d in definitions().items()}


@router.get("/kpis/cases")
def kpi_case_ids(
    p: Reader,
    ctx: Ctx,
    key: Key,
    indicator: Key,
    part: Key,
    by: KpiBy = "department",
    from_: From = None,
    to: To = None,
):
    """The cases counted in one cell of ``/kpis`` (its numerator or denominator)."""
    _cases_only(by)
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        docs = _docs(s, start, end)
        cells = supervisor_cells(s, ctx.grid) if by == "user" else None
        enf_docs = _enforcement_docs(s, start, end) if by == "department" else []
    try:
        ids = kpi_cases(
            docs, start, end, by, key, indicator, part, supervisor_grids=cells, enforcement=enf_docs
        )
    except ValueError as e:
        raise ApiError(400, str(e)) from e
    return {"from": iso(start), "to": iso(end), "by": by, "key": key, "case_ids": ids}


@router.get("/kpis/satisfaction")
def satisfaction(
    p: Reader,
    ctx: Ctx,
    key: Key,
    by: KpiBy = "department",
    from_: From = None,
    to: To = None,
):
    """The cases behind a KPI row's 回访 counts (answer → case ids)."""
    if by == "user":
        raise ApiError(400, "satisfaction is counted per department or region, not per user")
    _cases_only(by)
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        docs = _docs(s, start, end)
    cases = satisfaction_cases(docs, start, end, by, key)
    return {"from": iso(start), "to": iso(end), "by": by, "key": key, "cases": cases}


def _cases_only(by: str) -> None:
    if by in kpi_time.TIME_BY:
        raise ApiError(
            400, f"by={by} is counted from time, not cases: its cells list /api/v1/kpis/items"
        )


@router.get("/kpis/items")
def kpi_items(
    p: Reader,
    ctx: Ctx,
    key: Key,
    indicator: Key,
    by: KpiBy = "duty",
    from_: From = None,
    to: To = None,
):
    """The items behind one cell of a time-counted ``/kpis`` row (``by=duty``: the 街道's
    person-days; ``by=river``: the 河段's segment-days), the furthest from full first."""
    if by not in kpi_time.TIME_BY:
        raise ApiError(400, f"by={by} is counted from cases: its cells list /api/v1/kpis/cases")
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        inputs = _time_inputs(s, by, start, end)
    try:
        items = kpi_time.items(by, inputs, start, end, ctx.now(), key, indicator)
    except ValueError as e:
        raise ApiError(400, str(e)) from e
    return {"from": iso(start), "to": iso(end), "by": by, "key": key, "items": items}
