"""KPIs over a time window, grouped as ``by`` says (``console.domain.kpi`` computes them
from the case documents read here), and the cases behind a row's callback counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.case import iso
from console.domain.kpi import compute_kpis, satisfaction_cases

from ..context import Context
from ..db import CaseRow, User
from ..errors import ApiError
from ..schemas import KpiBy
from ..supervisors import supervisor_cells
from .deps import Ctx, From, Reader, To, parse_time

router = APIRouter(prefix="/api/v1", tags=["kpis"])


def _window(ctx: Context, from_: str | None, to: str | None) -> tuple[datetime, datetime]:
    # The last 30 days by default.
    now = ctx.now()
    start = parse_time(from_, "from") or now - timedelta(days=30)
    end = parse_time(to, "to") or now + timedelta(seconds=1)
    if end <= start:
        raise ApiError(400, "to must be after from")
    return start, end


def _docs(s: Session, start: datetime, end: datetime) -> list[dict]:
    # A case counts if it was alive in the window: created before its end and updated after
    # its start.
    return [
        r.doc
        for r in s.scalars(
            select(CaseRow).where(CaseRow.updated_at >= start, CaseRow.created_at < end)
        ).all()
    ]


@router.get("/kpis")
def kpis(p: Reader, ctx: Ctx, by: KpiBy = "department", from_: From = None, to: To = None):
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        docs = _docs(s, start, end)
        users = {u.id: {"name": u.name, "roles": u.roles} for u in s.scalars(select(User)).all()}
        cells = supervisor_cells(s, ctx.grid) if by == "user" else None
    rows = compute_kpis(docs, start, end, by, now=ctx.now(), users=users, supervisor_grids=cells)
    return {"from": iso(start), "to": iso(end), "by": by, "rows": rows}


@router.get("/kpis/satisfaction")
def satisfaction(
    p: Reader,
    ctx: Ctx,
    key: Annotated[str, Query(min_length=1, max_length=64)],
    by: KpiBy = "department",
    from_: From = None,
    to: To = None,
):
    """The cases behind a KPI row's 回访 counts (answer → case ids)."""
    if by == "user":
        raise ApiError(400, "satisfaction is counted per department or region, not per user")
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        docs = _docs(s, start, end)
    cases = satisfaction_cases(docs, start, end, by, key)
    return {"from": iso(start), "to": iso(end), "by": by, "key": key, "cases": cases}
