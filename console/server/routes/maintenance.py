"""养护: work orders (plan, list, read, act), plan types, the 养护 KPIs with their orders, and
the 部件 a click asks about (state, open orders, open cases) and state reports
(``console.server.maintenance`` holds the rules' application). Writes are idempotent per
``Idempotency-Key``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field, StrictInt

from console.domain import maintenance as m
from console.domain.case import iso

from .. import idempotency, maintenance
from ..schemas import Strict, Text
from .deps import Ctx, From, IdemKey, Reader, To, Who
from .kpis import _window

router = APIRouter(prefix="/api/v1", tags=["maintenance"])

Code = Annotated[str, Field(min_length=1, max_length=32)]
OrderState = Literal["planned", "dispatched", "working", "accepting", "done", "cancelled"]


class NewOrder(Strict):
    plan: Annotated[str, Field(min_length=1, max_length=40)]
    components: Annotated[list[Code], Field(min_length=1, max_length=m.MAX_COMPONENTS)]
    note: Annotated[str, Field(max_length=m.MAX_NOTE)] = ""


class OrderAction(Strict):
    action: Literal["dispatch", "start", "finish", "accept", "reject", "cancel"]
    expected_version: StrictInt | None = None
    note: Annotated[str, Field(max_length=m.MAX_NOTE)] = ""
    #: finish: the components the crew found faulty → damaged / missing / disabled.
    findings: (
        Annotated[
            dict[Code, Literal["damaged", "missing", "disabled"]],
            Field(max_length=m.MAX_COMPONENTS),
        ]
        | None
    ) = None


class StateReport(Strict):
    state: Literal["normal", "damaged", "missing", "disabled"]
    note: Text = ""


@router.get("/maintenance/plans")
def plans(p: Reader):
    return {
        "plans": [
            {
                "id": t.id,
                "name": t.name_zh,
                "name_en": t.name_en,
                "categories": list(t.categories),
                "interval_days": t.interval_days,
                "work_hours": t.work_hours,
                "basis": t.basis,
            }
            for t in m.PLAN_TYPES.values()
        ],
        "dispatch_hours": m.DISPATCH_HOURS,
        "accept_hours": m.ACCEPT_HOURS,
    }


@router.post("/maintenance/orders")
def create_order(body: NewOrder, p: Who, ctx: Ctx, key: IdemKey = None):
    data = body.model_dump(mode="json")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "work_order", **data},
        lambda s: maintenance.create(ctx, s, p.actor, data),
    )


@router.get("/maintenance/orders")
def list_orders(
    p: Reader,
    ctx: Ctx,
    state: OrderState | None = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
):
    with ctx.db.read() as s:
        return {"orders": maintenance.list_orders(s, state, department)}


@router.get("/maintenance/orders/{order_id}")
def get_order(order_id: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return maintenance.get_order(s, order_id[:64])


@router.post("/maintenance/orders/{order_id}/actions")
def order_action(order_id: str, body: OrderAction, p: Who, ctx: Ctx, key: IdemKey = None):
    data = body.model_dump(mode="json")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "work_order_action", "order": order_id, **data},
        lambda s: maintenance.act(ctx, s, p.actor, order_id[:64], data),
    )


@router.get("/maintenance/kpis")
def kpis(p: Reader, ctx: Ctx, from_: From = None, to: To = None):
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        rows = maintenance.kpis(s, start, end)
    return {"from": iso(start), "to": iso(end), "rows": rows}


@router.get("/maintenance/kpis/orders")
def kpi_orders(
    p: Reader,
    ctx: Ctx,
    department: Annotated[str, Query(min_length=1, max_length=64)],
    indicator: Annotated[str, Query(max_length=64)],
    part: Literal["numerator", "denominator"] = "denominator",
    from_: From = None,
    to: To = None,
):
    start, end = _window(ctx, from_, to)
    with ctx.db.read() as s:
        ids = maintenance.kpi_orders(s, start, end, department, indicator, part)
    return {"orders": ids}


@router.get("/assets/{code}")
def component(code: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return maintenance.component_detail(ctx, s, code[:64])


@router.post("/assets/{code}/state")
def report_state(code: str, body: StateReport, p: Who, ctx: Ctx, key: IdemKey = None):
    data = body.model_dump(mode="json")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "asset_state", "code": code, **data},
        lambda s: maintenance.report_state(ctx, s, p.actor, code[:64], data),
    )
