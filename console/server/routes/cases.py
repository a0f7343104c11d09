"""Cases through the closed loop: report, list, read, act (``console.server.cases`` holds the
rules' application and storage). The writes are idempotent per ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from .. import cases, idempotency
from ..errors import ApiError
from ..inputs import parse_day
from ..schemas import CaseAction, NewCase
from .deps import Ctx, From, IdemKey, Reader, To, Who, parse_time

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post("")
def create_case(body: NewCase, p: Who, ctx: Ctx, key: IdemKey = None):
    # Whoever may report (``report_role`` picks the role the report is made in, or 403).
    role = cases.report_role(p.actor)
    data = body.model_dump(mode="json")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "create", **data},
        lambda s: cases.create(ctx, s, p.actor, role, data),
    )


@router.get("")
def list_cases(
    p: Reader,
    ctx: Ctx,
    state: Annotated[list[str] | None, Query(max_length=12)] = None,
    category: Annotated[str | None, Query(max_length=8)] = None,
    street: Annotated[str | None, Query(max_length=16)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    source: Annotated[str | None, Query(max_length=16)] = None,
    light: Annotated[str | None, Query(max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    from_: From = None,
    to: To = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
):
    f = {
        "state": state,
        "category": category,
        "street": street,
        "department": department,
        "source": source,
        "light": light,
        "q": q,
        "from": parse_time(from_, "from"),
        "to": parse_time(to, "to"),
    }
    with ctx.db.read() as s:
        out = cases.list_cases(ctx, s, f, page, min(page_size, ctx.settings.max_page))
    out["cases"] = [cases.for_reader(p.roles, d) for d in out["cases"]]
    return out


@router.get("/hourly")
def hourly(p: Reader, ctx: Ctx, day: Annotated[str, Query(max_length=10)]):
    # Cases created per hour of one China-time day (YYYY-MM-DD), for the wall's trend scene.
    try:
        d = parse_day(day, "day")
    except ValueError as e:
        raise ApiError(400, str(e), {"day": day}) from None
    with ctx.db.read() as s:
        return {"day": d.isoformat(), "created": cases.hourly_created(s, d)}


@router.get("/{case_id}")
def get_case(case_id: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return cases.for_reader(p.roles, cases.get(ctx, s, case_id[:64]))


@router.post("/{case_id}/actions")
def case_action(case_id: str, body: CaseAction, p: Who, ctx: Ctx, key: IdemKey = None):
    # Any signed-in caller; the workflow decides whether the caller's roles allow the action.
    data = body.model_dump(mode="json")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "action", "case": case_id, **data},
        lambda s: cases.for_reader(p.roles, cases.act(ctx, s, p.actor, case_id[:64], data)),
    )
