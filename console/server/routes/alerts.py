"""Alerts: the open list, a group's members, one alert, the daily digest, and
acknowledge/resolve by the command centre (idempotent per ``Idempotency-Key``);
``console.server.alerts`` raises, escalates, groups and stores them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from console.domain.alert_digest import digest
from console.domain.china_time import CST

from .. import alerts, auth, idempotency
from ..errors import ApiError
from ..inputs import parse_day
from ..schemas import AlertAck
from .deps import CENTRE_ROLES, Ctx, IdemKey, Reader, Who

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


@router.get("")
def list_alerts(p: Reader, ctx: Ctx, group: Annotated[str | None, Query(max_length=32)] = None):
    """The open alerts; with ``group``, every member of that group in any state."""
    with ctx.db.read() as s:
        if group is not None:
            return {"alerts": alerts.members(s, group)}
        return {"alerts": alerts.open_alerts(s)}


@router.get("/digest")
def alert_digest(
    p: Reader, ctx: Ctx, date_: Annotated[str | None, Query(alias="date", max_length=10)] = None
):
    """Counts of the alerts of one China-time day (default: today in district time)."""
    if date_ is None:
        day = ctx.now().astimezone(CST).date()
    else:
        try:
            day = parse_day(date_, "date")
        except ValueError as e:
            raise ApiError(400, str(e), {"date": date_}) from None
    t0 = datetime.combine(day, time(0), CST)
    t1 = t0 + timedelta(days=1)
    with ctx.db.read() as s:
        docs = alerts.alive_between(s, t0, t1)
    return {"date": day.isoformat(), **digest(docs, t0, t1)}


@router.get("/{alert_id}")
def get_alert(alert_id: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return alerts.get(s, alert_id[:32])


@router.post("/{alert_id}/ack")
def ack_alert(alert_id: str, p: Who, ctx: Ctx, body: AlertAck | None = None, key: IdemKey = None):
    # The body (a comment) is optional: a bare POST acknowledges.
    auth.require_roles(p, CENTRE_ROLES, "acknowledging alerts")
    comment = body.comment if body else ""
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "ack", "alert": alert_id, "comment": comment},
        lambda s: alerts.acknowledge(s, alert_id[:32], p.id, p.roles, comment, ctx.now()),
    )


@router.post("/{alert_id}/resolve")
def resolve_alert(alert_id: str, p: Who, ctx: Ctx, key: IdemKey = None):
    auth.require_roles(p, CENTRE_ROLES, "resolving alerts")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "resolve", "alert": alert_id},
        lambda s: alerts.resolve(s, alert_id[:32], p.id, ctx.now()),
    )
