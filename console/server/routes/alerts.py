"""Alerts: the open list, and acknowledge/resolve by the command centre (idempotent per
``Idempotency-Key``); ``console.server.alerts`` raises, escalates and stores them."""

from __future__ import annotations

from fastapi import APIRouter

from .. import alerts, auth, idempotency
from ..schemas import AlertAck
from .deps import CENTRE_ROLES, Ctx, IdemKey, Reader, Who

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


@router.get("")
def list_alerts(p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return {"alerts": alerts.open_alerts(s)}


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
        lambda s: alerts.acknowledge(s, alert_id[:32], p.id, comment, ctx.now()),
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
