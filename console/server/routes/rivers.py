"""``GET /api/v1/rivers/kpi``: 河道巡查覆盖率 over a window and the segment-days behind it
(``console.domain.rivers.coverage_kpi`` over the ``river_segment`` records; the console
computes the same from its own records, live or replayed)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from console.domain import rivers
from console.domain.case import iso
from console.domain.kpi import definitions

from .. import records
from .deps import Ctx, From, Reader, To
from .kpis import _window

router = APIRouter(prefix="/api/v1", tags=["rivers"])


@router.get("/rivers/kpi")
def river_kpi(p: Reader, ctx: Ctx, from_: From = None, to: To = None):
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        docs = list(records.live_docs(s, rivers.RECORD_TYPE))
    value, rows = rivers.coverage_kpi(docs, start, end, ctx.now())
    return {
        "from": iso(start),
        "to": iso(end),
        "indicator": rivers.KPI_ID,
        "definition": definitions()[rivers.KPI_ID],
        "value": value,
        "numerator": sum(r.patrolled for r in rows),
        "denominator": len(rows),
        "rows": [asdict(r) for r in rows],
    }
