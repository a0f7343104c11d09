"""``GET /api/v1/reference``: the slow-changing facts a console bootstraps from, with an ETag.

Built once per backend process and cached as bytes: it carries the unit grid (~12k cells)
and routes, so rebuilding it per request would cost more than every other read together.
"""

from __future__ import annotations

import hashlib
import json
import threading

from shapely.geometry import mapping
from sqlalchemy import select

from . import components
from .context import Context
from .db import Department, Sensor, User, Vehicle
from .supervisors import areas as supervisor_areas
from .telemetry import sensor_wire

_lock = threading.Lock()


def _payload(ctx: Context) -> dict:
    with ctx.db.read() as s:
        departments = [
            {"id": d.id, "name": d.name, "kind": d.kind}
            for d in s.scalars(select(Department).order_by(Department.id))
        ]
        users = [
            {"id": u.id, "name": u.name, "roles": u.roles, "department_id": u.department_id}
            for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
        ]
        vehicles = [
            {
                "id": v.id,
                "plate": v.plate,
                "terminal_id": v.terminal_id,
                "type": v.vtype,
                "department_id": v.department_id,
                "route": v.route,
            }
            for v in s.scalars(select(Vehicle).order_by(Vehicle.id))
        ]
        sensors = [sensor_wire(x) for x in s.scalars(select(Sensor).order_by(Sensor.id))]
        roster = supervisor_areas(s)
    return {
        "district": {
            "adcode": ctx.district.adcode,
            "name": ctx.district.name,
            "bounds": list(ctx.district.bounds),
            "boundary": mapping(ctx.district.polygon),
        },
        "departments": departments,
        "users": users,
        "categories": ctx.catalog.to_list(),
        "routing": ctx.routing.to_list(),
        "components": components.describe(ctx),
        "time_limits": ctx.limits.to_dict(),
        "work_calendar": ctx.calendar.to_dict(),
        "streets": [{"code": st.code, "name": st.name} for st in ctx.grid.streets],
        "communities": [
            {"code": c.code, "name": c.name, "street_code": c.street_code}
            for c in ctx.grid.communities
        ],
        "grid": ctx.grid.to_compact(),
        "vehicles": vehicles,
        "sensors": sensors,
        # Each supervisor's 责任区 (community or cell code → user id): who gets 核实/核查 tasks.
        "supervisor_areas": roster,
    }


def build(ctx: Context) -> tuple[bytes, str]:
    """The reference document as JSON bytes and its ETag (cached on the context)."""
    with _lock:
        if ctx.reference_cache is None:
            body = json.dumps(_payload(ctx), ensure_ascii=False, separators=(",", ":")).encode()
            ctx.reference_cache = (body, hashlib.sha256(body).hexdigest()[:32])
        return ctx.reference_cache
