"""KPIs over a time window, grouped as ``by`` says (``console.domain.kpi`` computes them
from the case documents read here)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import select

from console.domain.case import iso
from console.domain.kpi import compute_kpis

from ..db import CaseRow, User
from ..errors import ApiError
from ..schemas import KpiBy
from .deps import Ctx, From, Reader, To, parse_time

router = APIRouter(prefix="/api/v1", tags=["kpis"])


@router.get("/kpis")
def kpis(p: Reader, ctx: Ctx, by: KpiBy = "department", from_: From = None, to: To = None):
    # The last 30 days by default. A case counts if it was alive in the window: created before its
    # end and updated after its start.
    now = ctx.now()
    start = parse_time(from_, "from") or now - timedelta(days=30)
    end = parse_time(to, "to") or now + timedelta(seconds=1)
    if end <= start:
        raise ApiError(400, "to must be after from")
    with ctx.db.read() as s:
        docs = [
            r.doc
            for r in s.scalars(
                select(CaseRow).where(CaseRow.updated_at >= start, CaseRow.created_at < end)
            ).all()
        ]
        users = {u.id: {"name": u.name, "roles": u.roles} for u in s.scalars(select(User)).all()}
    rows = compute_kpis(docs, start, end, by, now=now, users=users)
    return {"from": iso(start), "to": iso(end), "by": by, "rows": rows}
