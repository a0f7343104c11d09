"""Vehicle fixes and sensor readings from gateways: validate, store, fan out, apply rules.

A batch is validated item by item: good fixes are stored and published even when some items
in the same batch are bad, and each bad item is reported back with its index and reason, so
a gateway never loses a whole batch to one broken terminal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, defer

from console.domain.alert_rules import sensor_alert
from console.domain.sensor_kinds import reading_error
from console.domain.workflow import Actor

from . import alerts, duty, feed, rivers, sensor_cases
from .context import Context
from .db import Fix, Sensor, Vehicle
from .errors import ApiError
from .inputs import storable_text

# Fixes must lie in a generous box around the district (vehicles do leave it), and within
# a day of district time: older fixes are stored by a backfill tool, not a live gateway.
LON_RANGE = (118.0, 122.5)
LAT_RANGE = (28.5, 32.0)
MAX_AGE_S = 86400.0
MAX_FUTURE_S = 300.0
VEHICLE_KINDS = {
    "overspeed": "vehicle_overspeed",
    "long_stop": "vehicle_long_stop",
    "offline": "vehicle_offline",
    "deviation": "vehicle_deviation",
    "not_working": "vehicle_not_working",
}


#: The feed's kind for a telemetry post's fixes (a ``FixesChange``).
FIXES_KIND = "fixes"
#: Flags are a 64-bit bit field (a terminal's status word); the column is BIGINT.
MAX_FLAGS = 2**63 - 1


def _finite(v) -> bool:
    """A JSON number that is a finite float (an integer like ``10**400`` overflows a float:
    not finite)."""
    if not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _check_fix(f: dict, known: set[str], now_epoch: float) -> str | None:
    vid = f.get("vehicle_id")
    if not isinstance(vid, str) or vid not in known:
        return f"unknown vehicle {str(f.get('vehicle_id'))[:40]!r}"
    for k in ("t", "lon", "lat", "speed_kmh", "heading"):
        if not _finite(f.get(k)):
            return f"{k} must be a finite number"
    flags = f.get("flags", 0)
    if flags is None:
        flags = 0
    if not isinstance(flags, int) or isinstance(flags, bool) or not 0 <= flags <= MAX_FLAGS:
        return f"flags must be an integer from 0 to {MAX_FLAGS}"
    if not (LON_RANGE[0] <= f["lon"] <= LON_RANGE[1] and LAT_RANGE[0] <= f["lat"] <= LAT_RANGE[1]):
        return "position far outside the district"
    if not (0 <= f["speed_kmh"] <= 250):
        return "speed_kmh out of range [0, 250]"
    if not (now_epoch - MAX_AGE_S <= f["t"] <= now_epoch + MAX_FUTURE_S):
        return "fix time more than a day old or in the future"
    return None


def vehicle_status(speed: float, flags: int) -> str:
    if flags & 1:
        return "working"
    return "moving" if speed >= 3 else "stopped"


def ingest_fixes(ctx: Context, s: Session, fixes: list[dict]) -> dict:
    now = ctx.now()
    vehicles = _batch_vehicles(s, fixes)
    good, rejected = [], []
    known = set(vehicles)
    for i, f in enumerate(fixes):
        why = _check_fix(f, known, now.timestamp())
        if why:
            rejected.append({"index": i, "reason": why})
        else:
            good.append(f)
    if not good:
        if rejected:
            raise ApiError(400, "no valid fix in the batch", {"rejected": rejected[:100]})
        return {"accepted": 0, "duplicates": 0, "rejected": []}
    good.sort(key=lambda f: f["t"])
    rows = _new_fixes(
        s,
        [
            {
                "vehicle_id": f["vehicle_id"],
                "t": float(f["t"]),
                "lon": float(f["lon"]),
                "lat": float(f["lat"]),
                "speed_kmh": float(f["speed_kmh"]),
                "heading": float(f["heading"]) % 360.0,
                "flags": int(f.get("flags") or 0),
            }
            for f in good
        ],
    )
    duplicates = len(good) - len(rows)
    if not rows:
        return {"accepted": 0, "duplicates": duplicates, "rejected": rejected[:100]}
    s.execute(_insert_ignoring_duplicates(s), rows)
    cols = {
        k: [r[k] for r in rows]
        for k in ("vehicle_id", "t", "lon", "lat", "speed_kmh", "heading", "flags")
    }
    for r in rows:
        v = vehicles[r["vehicle_id"]]
        if v.last_t is None or r["t"] >= v.last_t:
            v.last_t, v.last_lon, v.last_lat = r["t"], r["lon"], r["lat"]
            v.last_speed, v.last_heading, v.last_flags = r["speed_kmh"], r["heading"], r["flags"]
    feed.append(s, FIXES_KIND, cols, now)
    for v in {r["vehicle_id"] for r in rows}:
        _set_status(
            s, vehicles[v], vehicle_status(vehicles[v].last_speed or 0, vehicles[v].last_flags), now
        )
    signals = ctx.fleet.ingest(
        np.array(cols["vehicle_id"]),
        np.array(cols["t"]),
        np.array(cols["lon"]),
        np.array(cols["lat"]),
        np.array(cols["speed_kmh"]),
        np.array(cols["heading"]),
        np.array(cols["flags"], dtype=np.int64),
    )
    apply_signals(s, signals, now, vehicles)
    duty.on_fixes(ctx, s, cols, now)
    rivers.fold_fixes(s, rows, {v.id: v.vtype for v in vehicles.values()}, now)
    return {"accepted": len(rows), "duplicates": duplicates, "rejected": rejected[:100]}


def _batch_vehicles(s: Session, fixes: list[dict]) -> dict[str, Vehicle]:
    """The vehicles ``fixes`` name (the others are unknown), without their routes: every
    batch read the whole fleet with each route's JSON, which at 2,000 vehicles cost ~70 ms a
    post whatever its size (bench backend_scale). A batch holds at most 5,000 fixes
    (``schemas.Telemetry``), so the IN list stays within SQLite's 32,766 parameters."""
    # Only text a database can hold names a vehicle (a list, a surrogate or a NUL as the id
    # would make the query itself fail); the others are unknown to ``_check_fix``.
    named = sorted({str(f["vehicle_id"]) for f in fixes if storable_text(f.get("vehicle_id"))})
    rows = s.scalars(select(Vehicle).options(defer(Vehicle.route)).where(Vehicle.id.in_(named)))
    return {v.id: v for v in rows}


def _new_fixes(s: Session, rows: list[dict]) -> list[dict]:
    """The fixes of ``rows`` not stored yet: a fix is one (vehicle, t), so a gateway's retried
    batch stores, publishes and feeds the rules each fix once. Writes are serialised
    (``Database.write``), so what this reads is what the insert meets."""
    vids = sorted({r["vehicle_id"] for r in rows})
    stored: set[tuple[str, float]] = {
        (vid, t)
        for vid, t in s.execute(
            select(Fix.vehicle_id, Fix.t).where(
                Fix.vehicle_id.in_(vids), Fix.t >= rows[0]["t"], Fix.t <= rows[-1]["t"]
            )
        )
    }
    out = []
    for r in rows:
        key = (r["vehicle_id"], r["t"])
        if key not in stored:
            stored.add(key)
            out.append(r)
    return out


def _insert_ignoring_duplicates(s: Session):
    """INSERT … ON CONFLICT DO NOTHING on the (vehicle, t) unique index, in the dialect of
    ``s``: the index, not only ``_new_fixes``, keeps a fix single if two processes race."""
    dialect = s.get_bind().dialect.name
    ins = pg_insert(Fix) if dialect == "postgresql" else sqlite_insert(Fix)
    return ins.on_conflict_do_nothing(index_elements=["vehicle_id", "t"])


def _set_status(s: Session, v: Vehicle, status: str, now: datetime) -> None:
    if v.status != status:
        v.status = status
        feed.append(s, "vehicle", {"vehicle": vehicle_wire(v)}, now)


def apply_signals(
    s: Session, signals, now: datetime, vehicles: dict[str, Vehicle] | None = None
) -> None:
    """Turn rule signals into alert raises and clears (and the offline status)."""
    for sig in signals:
        kind = VEHICLE_KINDS.get(sig.kind, sig.kind)
        at = datetime.fromtimestamp(sig.at, UTC) if _finite(sig.at) else now
        if sig.action == "raise":
            alerts.raise_alert(s, at, kind, "vehicle", sig.vehicle_id, dict(sig.detail or {}))
        else:
            alerts.clear_alert(s, at, kind, "vehicle", sig.vehicle_id)
        if kind == "vehicle_offline" and sig.action == "raise":
            v = (vehicles or {}).get(sig.vehicle_id) or s.get(Vehicle, sig.vehicle_id)
            if v is not None:
                _set_status(s, v, "offline", now)


def tick(ctx: Context, s: Session, now: datetime) -> None:
    apply_signals(s, ctx.fleet.tick(now.timestamp()), now)


def vehicle_wire(v: Vehicle) -> dict:
    return {
        "id": v.id,
        "plate": v.plate,
        "type": v.vtype,
        "department_id": v.department_id,
        "status": v.status,
        "last_fix": None
        if v.last_t is None
        else {
            "t": v.last_t,
            "lon": v.last_lon,
            "lat": v.last_lat,
            "speed_kmh": v.last_speed,
            "heading": v.last_heading,
            "flags": v.last_flags,
        },
    }


def _check_reading(r: dict, sensor: Sensor | None, now_epoch: float) -> str | None:
    """Why a reading is refused, or None: an unknown sensor, a value its kind cannot report
    (``sensor_kinds.reading_error``: not a number, NaN, infinite, out of range), or a time
    outside the window a live gateway posts in (as for fixes)."""
    if sensor is None:
        return f"unknown sensor {str(r.get('sensor_id'))[:40]!r}"
    if not _finite(r.get("t")):
        return "t must be a finite number"
    if not (now_epoch - MAX_AGE_S <= r["t"] <= now_epoch + MAX_FUTURE_S):
        return "reading time more than a day old or in the future"
    return reading_error(sensor.kind, r.get("value"))


def ingest_readings(ctx: Context, s: Session, gateway: Actor, readings: list[dict]) -> dict:
    """Store readings, bring the sensors' alerts in line, and file a case for a breach of a
    sensor without an open one (``sensor_cases``; ``cases_filed`` lists them). A reading
    older than the sensor's last is counted as ``stale`` and changes nothing."""
    now = ctx.now()
    sensors = {x.id: x for x in s.scalars(select(Sensor)).all()}
    accepted, stale, rejected, filed = 0, 0, [], []
    for i, r in enumerate(readings):
        sid = r.get("sensor_id")
        sensor = sensors.get(sid) if isinstance(sid, str) else None
        why = _check_reading(r, sensor, now.timestamp())
        if why or sensor is None:
            rejected.append({"index": i, "reason": why})
            continue
        if sensor.last_t is not None and r["t"] < sensor.last_t:
            # Older than what the sensor last said (a retried or late batch): the sensor's
            # state is its latest reading, so an old breach files nothing and an old normal
            # reading lets no case pass 核查.
            stale += 1
            continue
        sensor.last_value, sensor.last_t = float(r["value"]), float(r["t"])
        kind = sensor_alert(sensor.kind, sensor.last_value)
        detail = {"sensor_kind": sensor.kind, "value": sensor.last_value, "name": sensor.name}
        alerts.reconcile_subject(
            s, now, "sensor", sensor.id, {"sensor_threshold"}, {kind} if kind else set(), detail
        )
        feed.append(s, "sensor", {"sensor": sensor_wire(sensor)}, now)
        case_id = sensor_cases.file_breach(ctx, s, gateway, sensor)
        if case_id is not None:
            filed.append(case_id)
        accepted += 1
    if not accepted and not stale and rejected:
        raise ApiError(400, "no valid reading in the batch", {"rejected": rejected[:100]})
    return {"accepted": accepted, "stale": stale, "rejected": rejected[:100], "cases_filed": filed}


def sensor_wire(x: Sensor) -> dict:
    return {
        "id": x.id,
        "kind": x.kind,
        "name": x.name,
        "lon": x.lon,
        "lat": x.lat,
        "grid_code": x.grid_code,
        "last_value": x.last_value,
        "last_t": x.last_t,
    }


def track(s: Session, vehicle_id: str, t0: float, t1: float, limit: int = 50_000) -> dict:
    if s.get(Vehicle, vehicle_id) is None:
        raise ApiError(404, f"no vehicle {vehicle_id!r}")
    rows = s.execute(
        select(Fix.t, Fix.lon, Fix.lat, Fix.speed_kmh, Fix.heading, Fix.flags)
        .where(Fix.vehicle_id == vehicle_id, Fix.t >= t0, Fix.t < t1)
        .order_by(Fix.t)
        .limit(limit)
    ).all()
    cols: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in range(6)]
    return {
        "vehicle_id": vehicle_id,
        **{
            k: list(c)
            for k, c in zip(("t", "lon", "lat", "speed_kmh", "heading", "flags"), cols, strict=True)
        },
    }
