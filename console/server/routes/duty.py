"""People on duty: 在岗率 and 巡查覆盖率 over a period (``console.server.duty``), per street
or per person, and one person's days: the KPI's drill-down (street → people → days).

The live duty state of each person is not here: it is the ``duty`` records
(``GET /api/v1/records?type=duty`` and the feed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from console.domain.china_time import CST, days_of
from console.domain.kpi import definitions

from .. import duty
from ..context import Context
from ..errors import ApiError
from .deps import Ctx, From, Reader, To, parse_time

router = APIRouter(prefix="/api/v1/duty", tags=["duty"])
Code = Annotated[str | None, Query(min_length=1, max_length=32)]
#: A period longer than this is refused: the KPI reads one row per person-day.
MAX_DAYS = 400


def _days(ctx: Context, from_: str | None, to: str | None) -> tuple[date, date]:
    """The CST days from ``from`` to the instant ``to`` (exclusive; default: today so far,
    back 30 days)."""
    now = ctx.now()
    start = parse_time(from_, "from") or now - timedelta(days=30)
    end = parse_time(to, "to") or now + timedelta(seconds=1)
    if end <= start:
        raise ApiError(400, "to must be after from")
    first, last = days_of(start, end)
    if (last - first).days > MAX_DAYS:
        raise ApiError(422, f"a period of at most {MAX_DAYS} days")
    return first, last


def _iso(d: date) -> str:
    return datetime.combine(d, datetime.min.time(), CST).isoformat()


@router.get("/kpis")
def duty_kpis(
    p: Reader,
    ctx: Ctx,
    by: Literal["street", "person"] = "street",
    street: Code = None,
    from_: From = None,
    to: To = None,
):
    """Rows of 在岗率 / 巡查覆盖率, lowest 在岗率 first; ``street`` narrows to its people."""
    first, last = _days(ctx, from_, to)
    with ctx.db.read() as s:
        rows = duty.kpis(s, first, last, by, street)
    defs = definitions()
    return {
        "from": _iso(first),
        "to": _iso(last + timedelta(days=1)),
        "by": by,
        "street": street,
        "rows": rows,
        "definitions": {k: defs[k] for k in ("on_duty_rate", "patrol_coverage")},
    }


@router.get("/kpis/days")
def duty_days(
    p: Reader,
    ctx: Ctx,
    person: Annotated[str, Query(min_length=1, max_length=32)],
    from_: From = None,
    to: To = None,
):
    """One person's days in the period (404 for an id that is no person's)."""
    first, last = _days(ctx, from_, to)
    if ctx.duty.tracker is None or person not in ctx.duty.units:
        raise ApiError(404, f"no person {person!r} on duty rosters")
    with ctx.db.read() as s:
        days = duty.days_of(s, person, first, last)
    return {
        "from": _iso(first),
        "to": _iso(last + timedelta(days=1)),
        "person": person,
        "days": days,
    }
