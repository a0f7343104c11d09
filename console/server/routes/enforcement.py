"""Enforcement cases (行政执法): file, list, read, act; and the 阳光执法 public feed, which
needs no login (``console.server.enforcement`` holds the logic, ``console.domain.enforcement``
the rules). The writes are idempotent per ``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field, StrictBool, StrictInt

from .. import enforcement, idempotency
from ..schemas import Id, Location, Strict, Text
from .deps import Ctx, IdemKey, Reader, Who, parse_time

router = APIRouter(tags=["enforcement"])

Short = Annotated[str, Field(max_length=200)]
Amount = Annotated[StrictInt, Field(ge=0, le=10_000_000_000)]


class Party(Strict):
    kind: Literal["person", "org"]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    id_number: Annotated[str, Field(max_length=18)] = ""
    phone: Annotated[str, Field(max_length=20)] = ""
    address: Short = ""


class NewEnforcement(Strict):
    procedure: Literal["general", "simple"]
    #: The officers with the caller (who is added first): at least two in all (第四十二条).
    officers: Annotated[list[Id], Field(max_length=6)]
    parties: Annotated[list[Party], Field(min_length=1, max_length=10)]
    category_code: Annotated[str | None, Field(max_length=8)] = None
    facts: Text = ""
    location: Location | None = None
    discovered_at: Annotated[str | None, Field(max_length=40)] = None
    from_case_id: Annotated[str | None, Field(max_length=32)] = None


class Penalty(Strict):
    warning: StrictBool = False
    fine: Amount = 0
    confiscation: Amount = 0


class StepParams(Strict):
    penalty: Penalty | None = None
    basis: Annotated[str | None, Field(max_length=500)] = None
    photos: Annotated[list[Id], Field(max_length=20)] | None = None
    waive: StrictBool | None = None
    paid: Amount | None = None


class Step(Strict):
    action: Annotated[str, Field(max_length=32)]
    note: Text = ""
    expected_version: StrictInt | None = None
    params: StepParams = StepParams()


@router.post("/api/v1/enforcement")
def create(body: NewEnforcement, p: Who, ctx: Ctx, key: IdemKey = None):
    data = body.model_dump(mode="json")
    # A lead's discovery time starts the 立案 clock; an escalated case takes its report's.
    data["discovered_at"] = parse_time(data.get("discovered_at"), "discovered_at")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "enforcement", **data},
        lambda s: enforcement.create(ctx, s, p.actor, data),
    )


@router.get("/api/v1/enforcement")
def list_cases(
    p: Reader,
    ctx: Ctx,
    state: Annotated[str | None, Query(max_length=16)] = None,
    case_id: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
):
    # Officers and 法制审核 read the parties in full; every other reader the masked form.
    with ctx.db.read() as s:
        out = enforcement.list_cases(s, state, case_id, page, min(page_size, ctx.settings.max_page))
    out["cases"] = [enforcement.for_reader(p.roles, d) for d in out["cases"]]
    return out


@router.get("/api/v1/enforcement/{case_id}")
def get_case(case_id: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return enforcement.for_reader(p.roles, enforcement.get(s, case_id[:32]))


@router.post("/api/v1/enforcement/{case_id}/actions")
def act(case_id: str, body: Step, p: Who, ctx: Ctx, key: IdemKey = None):
    # Any signed-in caller; the domain's table decides whether the roles allow the step.
    data = body.model_dump(mode="json")
    data["params"] = body.params.model_dump(mode="json", exclude_none=True)
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "enforcement_action", "case": case_id, **data},
        lambda s: enforcement.for_reader(
            p.roles, enforcement.act(ctx, s, p.actor, case_id[:32], data)
        ),
    )


@router.get("/api/v1/public/enforcement")
def public_feed(
    ctx: Ctx,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
):
    # 阳光执法: no login (《行政处罚法》第四十八条 公开); decided cases only, personal data masked.
    with ctx.db.read() as s:
        return enforcement.public_feed(ctx, s, page, page_size)
