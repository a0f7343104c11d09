"""The fleet's telemetry in (gateways post fixes and sensor readings) and a vehicle's track
out; ``console.server.telemetry`` validates, stores and raises the alerts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from .. import auth, idempotency, telemetry
from ..schemas import Telemetry
from .deps import Ctx, From, IdemKey, Reader, To, Who, parse_time

router = APIRouter(prefix="/api/v1", tags=["vehicles"])


@router.post("/telemetry")
def post_telemetry(body: Telemetry, p: Who, ctx: Ctx, key: IdemKey = None):
    """Only gateways post; fixes and readings are stored in one transaction. A retried batch
    stores each fix once either way (fixes are unique per vehicle and instant); with an
    ``Idempotency-Key``, as every write of this API takes, it also gets the first answer."""
    auth.require_roles(p, {"gateway"}, "posting telemetry")
    fixes = [f.model_dump() for f in body.fixes]
    readings = [r.model_dump() for r in body.readings]

    def ingest(s: Session) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if fixes:
            out["fixes"] = telemetry.ingest_fixes(ctx, s, fixes)
        if readings:
            out["readings"] = telemetry.ingest_readings(ctx, s, p.actor, readings)
        return out

    return idempotency.run_once(
        ctx, p.id, key, {"op": "telemetry", "fixes": fixes, "readings": readings}, ingest
    )


@router.get("/vehicles/{vehicle_id}/track")
def vehicle_track(vehicle_id: str, p: Reader, ctx: Ctx, from_: From = None, to: To = None):
    # The last hour by default, up to five minutes past now.
    now = ctx.now()
    t0 = parse_time(from_, "from") or now - timedelta(hours=1)
    t1 = parse_time(to, "to") or now + timedelta(minutes=5)
    with ctx.db.read() as s:
        return telemetry.track(s, vehicle_id[:32], t0.timestamp(), t1.timestamp())
