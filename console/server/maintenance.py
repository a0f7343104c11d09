"""养护 on the backend: work orders and the states of 部件, kept as records.

A work order is a ``work_order`` record (``console.domain.maintenance`` holds its rules); a
component that is not 正常 has an ``asset_state`` record (id: its 16-digit code), and one that
is 正常 again has its record turned not live, so consoles hold only the few faulty ones, never
the ~93,000 components. Both reach consoles, shift logs and replay through ``records.put`` in
the same transaction as the write, so the feed and the stored documents never disagree.

No table of its own: the records table holds every order (``live`` while open, and for a day
after it is done or cancelled so the desks see the day's finished work; then
``RETIRE_AFTER`` turns it not live), and the KPIs read it by type and ``updated_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from console.domain import maintenance as m
from console.domain.case import iso
from console.domain.china_time import CST
from console.domain.workflow import TERMINAL_STATES, Actor

from . import records
from .context import Context
from .db import CaseRow, Department, RecordRow
from .errors import ApiError

#: A done or cancelled order stays on the consoles this long after its last event.
RETIRE_AFTER = timedelta(days=1)
#: Who may report a component's state besides its owner: the centre's desks.
REPORT_ROLES = frozenset({"operator", "shift_lead", "dispatcher"})


def _refused(e: m.OrderError) -> ApiError:
    return ApiError(e.status, e.message, e.details, code=e.code)


def _component(ctx: Context, code: str, unknown: int = 404) -> dict[str, Any]:
    """The inventory document of ``code``: 400 for a malformed code, ``unknown`` (404 for a
    path, 400 for a body's list) for one the inventory does not hold."""
    try:
        i = ctx.components.find(code)
    except ValueError as e:
        raise ApiError(400, str(e), code="bad_component_code") from None
    if i is None:
        raise ApiError(unknown, f"no component {code!r}", code="unknown_component")
    return ctx.components.doc(i)


def _open_orders(s: Session) -> list[dict]:
    return [d for d in records.live_docs(s, m.WORK_ORDER) if d["state"] in m.OPEN_STATES]


def _next_id(s: Session, now: datetime) -> str:
    """``WO`` + the China-time date + a 4-digit serial of the day (the case ids' pattern)."""
    prefix = f"WO{now.astimezone(CST):%Y%m%d}"
    n = s.scalar(
        select(func.count())
        .select_from(RecordRow)
        .where(RecordRow.type == m.WORK_ORDER, RecordRow.id.like(f"{prefix}%"))
    )
    return f"{prefix}{int(n or 0) + 1:04d}"


def create(ctx: Context, s: Session, actor: Actor, body: dict) -> dict:
    """Plan an order (the centre's 派遣员 / 值班长): the components must exist, be of the plan
    type's categories, share one owner and be on no other open order (409)."""
    role = next((r for r in ("shift_lead", "dispatcher") if r in actor.roles), None)
    if role is None:
        raise ApiError(403, "planning needs the dispatcher or shift lead role")
    docs = [_component(ctx, c, unknown=400) for c in body["components"]]
    busy = {c: o["id"] for o in _open_orders(s) for c in o["components"]}
    taken = [c for c in body["components"] if c in busy]
    if taken:
        raise ApiError(
            409,
            f"{taken[0]} is on open order {busy[taken[0]]}",
            {"component": taken[0], "order": busy[taken[0]]},
            code="component_busy",
        )
    now = ctx.now()
    try:
        order = m.new_order(
            _next_id(s, now), body["plan"], docs, now, actor.user_id, role, body.get("note", "")
        )
    except m.OrderError as e:
        raise _refused(e) from None
    retire(s, now)
    return records.put(s, order, now)


def act(ctx: Context, s: Session, actor: Actor, order_id: str, body: dict) -> dict:
    """One action on an order (``maintenance.TRANSITIONS``), its components' states following
    (维修中 in 施工; the crew's findings or 正常 once finished)."""
    order = records.get(s, m.WORK_ORDER, order_id)
    if order is None:
        raise ApiError(404, f"no work order {order_id!r}")
    expected = body.get("expected_version")
    if expected is not None and expected != order["version"]:
        raise ApiError(
            409,
            f"order {order_id} is at version {order['version']}, not {expected}",
            {"version": order["version"]},
            code="version_conflict",
        )
    now = ctx.now()
    try:
        new = m.apply(
            order,
            body["action"],
            now,
            actor.user_id,
            actor.roles,
            actor.department_id,
            body.get("note", ""),
            body.get("findings"),
        )
    except m.OrderError as e:
        raise _refused(e) from None
    new.pop("live", None)
    out = records.put(s, new, now)
    for code, state in m.component_states(new).items():
        _put_state(ctx, s, code, state, now, actor.user_id, new["id"], "")
    return out


def _put_state(
    ctx: Context,
    s: Session,
    code: str,
    state: str,
    now: datetime,
    user_id: str,
    order_id: str | None,
    note: str,
) -> dict | None:
    """Store a component's state as its record (not live when 正常); a 正常 component with no
    record gets none (no change for a state that did not change)."""
    old = records.get(s, m.ASSET_STATE, code)
    was = old["state"] if old is not None and old.get("live") else m.NORMAL
    if state == was and (state == m.NORMAL or old is None or old.get("order_id") == order_id):
        return None  # unchanged (a 验收 after the finish that set it): no change to send
    comp = _component(ctx, code)
    doc = {
        "type": m.ASSET_STATE,
        "id": code,
        "state": state,
        "category_code": comp["category_code"],
        "owner_department_id": comp["owner_department_id"],
        "location": comp["location"],
        "since": iso(now),
        "by": user_id,
        "order_id": order_id,
        "note": note,
    }
    return records.put(s, doc, now, live=state != m.NORMAL)


def report_state(ctx: Context, s: Session, actor: Actor, code: str, body: dict) -> dict:
    """A component's state reported by its owner's users or the centre (损坏, 缺失, 停用, or
    正常 again). 维修中 belongs to work orders: a component in 施工 is refused (409)."""
    comp = _component(ctx, code)
    owner = comp["owner_department_id"]
    if not (actor.roles & REPORT_ROLES or actor.department_id == owner):
        raise ApiError(403, f"only {owner} or the centre may report this component's state")
    state = body["state"]
    if state not in m.REPORTABLE:
        raise ApiError(400, f"a reported state is one of {sorted(m.REPORTABLE)}", code="bad_state")
    old = records.get(s, m.ASSET_STATE, code)
    if old is not None and old.get("live") and old["state"] == m.REPAIRING:
        raise ApiError(
            409,
            f"{code} is in 施工 on order {old.get('order_id')}",
            {"order": old.get("order_id")},
            code="component_in_work",
        )
    now = ctx.now()
    out = _put_state(ctx, s, code, state, now, actor.user_id, None, body.get("note", ""))
    if out is None:  # unchanged: the stored record, or a normal component's plain answer
        out = records.get(s, m.ASSET_STATE, code) or {
            "type": m.ASSET_STATE,
            "id": code,
            "state": m.NORMAL,
            "live": False,
        }
    return out


def retire(s: Session, now: datetime) -> int:
    """Turn done and cancelled orders not live a day after their last event; how many."""
    n = 0
    for d in list(records.live_docs(s, m.WORK_ORDER)):
        if d["state"] not in m.OPEN_STATES:
            last = datetime.fromisoformat(d["events"][-1]["at"])
            if now - last > RETIRE_AFTER:
                d.pop("live", None)
                records.put(s, d, now, live=False)
                n += 1
    return n


def list_orders(s: Session, state: str | None, department: str | None) -> list[dict]:
    """The live orders (open, and those finished within a day), newest first."""
    out = [
        d
        for d in records.live_docs(s, m.WORK_ORDER)
        if (state is None or d["state"] == state)
        and (department is None or d["department_id"] == department)
    ]
    return sorted(out, key=lambda d: d["id"], reverse=True)


def get_order(s: Session, order_id: str) -> dict:
    d = records.get(s, m.WORK_ORDER, order_id)
    if d is None:
        raise ApiError(404, f"no work order {order_id!r}")
    return d


def component_detail(ctx: Context, s: Session, code: str) -> dict:
    """A component: its inventory document, its state, its open orders and open cases."""
    comp = _component(ctx, code)
    st = records.get(s, m.ASSET_STATE, code)
    orders = [
        {"id": o["id"], "plan": o["plan"], "state": o["state"], "due_at": o.get("due_at")}
        for o in _open_orders(s)
        if code in o["components"]
    ]
    rows = s.scalars(
        select(CaseRow).where(
            CaseRow.category_code == comp["category_code"],
            CaseRow.state.not_in([t.value for t in TERMINAL_STATES]),
        )
    ).all()
    cases = [
        {"id": r.id, "state": r.state, "department_id": r.department_id}
        for r in rows
        if r.doc.get("component_code") == code
    ]
    return {
        **comp,
        "state": st["state"] if st is not None and st.get("live") else m.NORMAL,
        "state_since": st.get("since") if st is not None and st.get("live") else None,
        "orders": orders,
        "cases": cases,
    }


def _orders_touching(s: Session, start: datetime) -> Iterable[dict]:
    """Every order that can count in a window starting at ``start``: live, or changed since."""
    q = select(RecordRow.doc).where(
        RecordRow.type == m.WORK_ORDER, or_(RecordRow.live.is_(True), RecordRow.updated_at >= start)
    )
    return s.scalars(q).all()


def kpis(s: Session, start: datetime, end: datetime) -> list[dict]:
    names = {d.id: d.name for d in s.scalars(select(Department)).all()}
    return m.maintenance_kpis(_orders_touching(s, start), start, end, names)


def kpi_orders(
    s: Session, start: datetime, end: datetime, department: str, indicator: str, part: str
) -> list[str]:
    try:
        return m.kpi_orders(_orders_touching(s, start), start, end, department, indicator, part)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
