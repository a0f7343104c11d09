"""智慧河道 on the backend: the river patrols and water sensors of the district, and each
segment's patrol state as a record (``river_segment``) folded from the patrols' fixes.

The rules (segments, bins, the 80 % share, the required interval) are
``console.domain.rivers``'; this module only reads fixes and writes records. A patrol is a row
of ``vehicles`` with a river patrol type (``console.domain.field_units``) reporting on the
ordinary telemetry path, so its trail, the shift log and replay need nothing more; what is new
is ``fold_fixes``, called by ``telemetry.ingest_fixes`` in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import rivers
from console.domain.china_time import day_start
from console.domain.field_units import RIVER_PATROL_BOAT, RIVER_PATROL_FOOT
from console.domain.sensor_kinds import SENSOR_KINDS
from console.geo.grid import UnitGrid

from . import records
from .db import Fix, Sensor, Vehicle

log = logging.getLogger(__name__)

PATROL_TYPES = rivers.PATROL_TYPES
#: The demo's river patrols: (id, type, name, the segments of its beat in order). Boats on the
#: canals wide enough for a patrol boat (京杭大运河 70 m, 贴沙河 45 m, 上塘河 30 m as drawn);
#: patrollers on foot along the narrow city canals and the 钱塘江 embankment (江堤), where a
#: boat would meet the tidal bore (涌潮) and barge traffic.
PATROLS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("RP01", RIVER_PATROL_FOOT, "中河巡河员 孙立", ("ZH01",)),
    ("RP02", RIVER_PATROL_FOOT, "东河巡河员 钱芳", ("DH01",)),
    ("RP03", RIVER_PATROL_FOOT, "江堤巡河员 赵刚", ("QT01", "QT02", "QT03")),
    ("RP04", RIVER_PATROL_FOOT, "江堤巡河员 周敏", ("QT04", "QT05", "QT06")),
    ("RP05", RIVER_PATROL_FOOT, "江堤巡河员 吴涛", ("QT07", "QT08", "QT09")),
    ("RB01", RIVER_PATROL_BOAT, "运河巡查船01", ("YH01", "YH02", "YH03")),
    ("RB02", RIVER_PATROL_BOAT, "贴沙河巡查船02", ("TS01", "TS02", "TS03")),
    ("RB03", RIVER_PATROL_BOAT, "上塘河巡查船03", ("ST01", "ST02", "ST03", "ST04")),
]
#: The demo's water sensors: (id, kind, segment, where along it as a share of its length).
#: Level gauges mid-segment; the two quality probes of a canal at different segments, or 30 %
#: and 70 % along one (two sensors never share a point: a case's location finds its sensor).
SENSORS: list[tuple[str, str, str, float]] = [
    ("RS01", "river_level", "YH02", 0.5),
    ("RS02", "river_level", "ZH01", 0.5),
    ("RS03", "river_level", "TS02", 0.5),
    ("RS04", "river_level", "ST02", 0.5),
    ("RS05", "dissolved_oxygen", "YH01", 0.3),
    ("RS06", "dissolved_oxygen", "ZH01", 0.3),
    ("RS07", "dissolved_oxygen", "DH01", 0.3),
    ("RS08", "dissolved_oxygen", "TS01", 0.3),
    ("RS09", "ammonia_nitrogen", "YH03", 0.7),
    ("RS10", "ammonia_nitrogen", "ZH01", 0.7),
    ("RS11", "ammonia_nitrogen", "DH01", 0.7),
    ("RS12", "ammonia_nitrogen", "ST03", 0.7),
]


def beat(segment_ids: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """A patrol's beat: its segments' lines joined end to end (they are consecutive)."""
    segs = rivers.by_id()
    lon = np.concatenate([segs[i].lon for i in segment_ids])
    lat = np.concatenate([segs[i].lat for i in segment_ids])
    return lon, lat


def add_missing(s: Session, grid: UnitGrid) -> list[str]:
    """Add the river patrols and water sensors the database lacks (a new one, or one made
    before rivers existed); their ids."""
    added = []
    have = set(s.scalars(select(Vehicle.id).where(Vehicle.id.in_([p[0] for p in PATROLS]))))
    for n, (vid, vtype, name, seg_ids) in enumerate(PATROLS, start=1):
        if vid in have:
            continue
        lon, lat = beat(seg_ids)
        s.add(
            Vehicle(
                id=vid,
                # The 1441 range of IoT SIM numbers: apart from the sanitation fleet's 1440.
                terminal_id=f"1441{n:07d}",
                plate=name,
                vtype=vtype,
                department_id=rivers.RIVER_DEPARTMENT,
                route={
                    "lon": [round(float(x), 6) for x in lon],
                    "lat": [round(float(y), 6) for y in lat],
                    "name": "、".join(seg_ids),
                },
                status="unknown",
                last_flags=0,
            )
        )
        added.append(vid)
    have = set(s.scalars(select(Sensor.id).where(Sensor.id.in_([x[0] for x in SENSORS]))))
    segs = rivers.by_id()
    for sid, kind, seg_id, share in SENSORS:
        if sid in have:
            continue
        seg = segs[seg_id]
        blon, blat = rivers.bin_points(seg)
        i = int(round(share * (blon.size - 1)))
        at_lon, at_lat = float(blon[i]), float(blat[i])
        s.add(
            Sensor(
                id=sid,
                kind=kind,
                name=f"{seg.name_zh}{SENSOR_KINDS[kind].name_zh}监测",
                lon=at_lon,
                lat=at_lat,
                grid_code=grid.cell_code(at_lon, at_lat),
            )
        )
        added.append(sid)
    if added:
        s.flush()
        log.info("added river patrols and sensors: %s", ", ".join(added))
    return added


def ensure_records(s: Session, now: datetime) -> int:
    """Give every segment its record (unpatrolled) if it has none: the map and the river
    panel show every segment from the start; how many were added."""
    day = rivers.china_day(now.timestamp())
    n = 0
    for seg in rivers.segments():
        if records.get(s, rivers.RECORD_TYPE, seg.id) is None:
            records.put(s, rivers.segment_doc(seg, day, 0.0, None, None, {}, day), now)
            n += 1
    return n


#: (database, segment) → the last patrol time this process folded the segment at: a batch a
#: moment later skips the segment without reading its record. A cache only (another process's
#: folds are seen through the record); a new day's first fixes may wait ``UPDATE_EVERY_S``
#: like any others.
_folded: dict[tuple[str, str], float] = {}


def fold_fixes(s: Session, fixes: list[dict], types: dict[str, str], now: datetime) -> list[str]:
    """Fold newly stored ``fixes`` (dicts with vehicle_id, t, lon, lat; ``types`` by vehicle
    id) into the records of the segments patrol units were on; the ids of the records put.

    A segment's record is refreshed when a patrol fix on it is ``UPDATE_EVERY_S`` newer than
    the last it counted, or falls on a later day: the stored patrol fixes near the segment
    since the last counted (since the day's start on a new day) mark their bins in the day's
    mask the record carries (one indexed query over minutes of fixes, not the whole day's).
    Fixes older than the last counted (a late batch) fold nothing."""
    patrol = [f for f in fixes if types.get(f["vehicle_id"]) in PATROL_TYPES]
    if not patrol:
        return []
    m = rivers.matcher()
    seg, _ = m.match([f["lon"] for f in patrol], [f["lat"] for f in patrol])
    put = []
    for k in sorted(set(seg[seg >= 0].tolist())):
        t_new = max(f["t"] for f, j in zip(patrol, seg, strict=True) if j == k)
        sg = m.segments[k]
        key = (str(s.get_bind().engine.url), sg.id)
        folded = _folded.get(key)
        if folded is not None and 0 <= t_new - folded < rivers.UPDATE_EVERY_S:
            continue  # folded a moment ago (by this process): not even a read
        doc = records.get(s, rivers.RECORD_TYPE, sg.id)
        last = doc.get("last_patrol_t") if doc else None
        day = rivers.china_day(t_new)
        if last is not None and (
            t_new < last or (rivers.china_day(last) == day and t_new - last < rivers.UPDATE_EVERY_S)
        ):
            continue
        if doc is not None and last is not None and doc.get("day") == day:
            t0, mask = float(last), int(str(doc.get("bins") or "0"), 16)
        else:  # the day's first fold
            t0, mask = day_start_epoch(day), 0
        mask, last_t, unit = _mark(s, sg, mask, t0, t_new)
        coverage = rivers.coverage_of(mask, rivers.segment_matcher(sg.id).bins[0])
        days = dict((doc or {}).get("days") or {})
        days[day] = coverage
        since = str((doc or {}).get("since") or day)
        records.put(s, rivers.segment_doc(sg, day, coverage, last_t, unit, days, since, mask), now)
        _folded[key] = last_t
        put.append(sg.id)
    return put


def day_start_epoch(day: str) -> float:
    """00:00 China time of ``day`` (``YYYY-MM-DD``) as epoch seconds."""
    return day_start(datetime.fromisoformat(day).date()).astimezone(UTC).timestamp()


def _mark(
    s: Session, sg: rivers.Segment, mask: int, t0: float, until: float
) -> tuple[int, float, str]:
    """``mask`` with the bins of the segment passed by stored patrol fixes in [t0, until],
    the last of those fixes' time and unit."""
    m = rivers.segment_matcher(sg.id)
    pad = 0.001  # ~100 m: more than MATCH_M, so every fix that can match is read
    ids = list(s.scalars(select(Vehicle.id).where(Vehicle.vtype.in_(PATROL_TYPES))))
    rows = [
        (str(vid), float(t), float(lon), float(lat))
        for vid, t, lon, lat in s.execute(
            select(Fix.vehicle_id, Fix.t, Fix.lon, Fix.lat).where(
                Fix.vehicle_id.in_(ids),
                Fix.t >= t0,
                Fix.t <= until,
                Fix.lon.between(float(sg.lon.min()) - pad, float(sg.lon.max()) + pad),
                Fix.lat.between(float(sg.lat.min()) - pad, float(sg.lat.max()) + pad),
            )
        )
    ]
    seg, bins = m.match([r[2] for r in rows], [r[3] for r in rows])
    on = seg == 0
    unit, last_t, _, _ = max((r for r, ok in zip(rows, on, strict=True) if ok), key=lambda r: r[1])
    return rivers.mark(mask, bins[on].tolist()), last_t, unit
