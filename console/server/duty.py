"""People on duty on the backend: the duty rules (``console.domain.duty``) fed from the fixes
of supervisors and officers as they arrive, and ticked for silence and shift changes.

A 离岗 or 失联 episode is a vehicle alert on the person's position unit (raised and resolved
by the rules); each person's duty state is a record (type ``duty``) published when it
changes, at most once a district minute otherwise, so consoles, shift logs and replay see the
same thing. Rules and their reasons: docs/rules/duty.md.

The tracker lives in the backend's memory like the vehicle rules (``FleetRules``); it is
rebuilt at start from the position units and resumes today's counters from their records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from console.domain import duty as rules
from console.domain.calendar import WorkCalendar
from console.domain.china_time import CST
from console.domain.field_units import OFFICER, SUPERVISOR, is_person
from console.geo import responsibility
from console.geo.grid import UnitGrid

from . import alerts, records, supervisors
from .db import DutyDay, Vehicle

if TYPE_CHECKING:
    from .context import Context

RECORD_TYPE = "duty"
#: How often time alone is looked at (district seconds): a 15-minute limit is seen within it.
TICK_EVERY_S = 20.0
SHIFTS = {SUPERVISOR: rules.SUPERVISOR_SHIFT, OFFICER: rules.OFFICER_SHIFT}


@dataclass
class Unit:
    """A person's position unit as the duty rules need it."""

    id: str
    kind: str
    name: str
    user_id: str | None
    street: str | None
    area_codes: list[str]
    cells: np.ndarray  # grid indices, ascending (= cell-code order)


class DutyBoard:
    """The duty tracker of one backend process and the units it tracks."""

    def __init__(self) -> None:
        self.tracker: rules.DutyTracker | None = None
        self.units: dict[str, Unit] = {}
        self.grid: UnitGrid | None = None
        self._ticked = -float("inf")

    def load(self, s: Session, grid: UnitGrid, calendar: WorkCalendar, now: datetime) -> None:
        """Track every person's position unit, resuming today's counters from his record, and
        publish everyone's record (``s`` writes)."""
        self.grid = grid
        self.tracker = rules.DutyTracker(calendar)
        self.units = {}
        t = now.timestamp()
        today = now.astimezone(CST).date().isoformat()
        half = grid.cell_m / 2
        roster = supervisors.supervisor_cells(s, grid)
        for v in s.scalars(select(Vehicle).order_by(Vehicle.id)):
            if not is_person(v.vtype) or v.vtype not in SHIFTS:
                continue
            assignment = v.route or {}
            user_id = assignment.get("user_id")
            codes = [str(c) for c in assignment.get("area") or []]
            if v.vtype == SUPERVISOR and user_id in roster:
                # His 责任区 as the roster has it now (cells moved between supervisors too).
                codes = responsibility.area_codes(grid, roster[user_id])
            cells = responsibility.area_cells(grid, codes)
            unit = Unit(v.id, v.vtype, v.plate, user_id, assignment.get("street"), codes, cells)
            self.units[v.id] = unit
            x, y = grid.frame.to_xy(grid.lon[cells], grid.lat[cells])
            area = rules.Area([str(grid.codes[i]) for i in cells], x, y, half)
            p = self.tracker.add(v.id, SHIFTS[v.vtype], area, t)
            doc = records.get(s, RECORD_TYPE, v.id)
            if doc and doc.get("day") == today:
                p.on_duty_s = float(doc.get("on_duty_s") or 0.0)
                p.scheduled_s = float(doc.get("scheduled_s") or 0.0)
                p.visited = rules.visited_from_hex(doc.get("visited") or "", len(cells))
        self._publish(s, set(self.units), now)  # the snapshot holds everyone from the start

    def on_fixes(self, s: Session, cols: dict[str, list], now: datetime) -> None:
        """The rules over one stored batch of fixes (columns as the feed carries them)."""
        tr, grid = self.tracker, self.grid
        if tr is None or grid is None or not self.units:
            return
        vid = np.asarray(cols["vehicle_id"])
        mine = np.isin(vid, list(self.units))
        if not mine.any():
            return
        vid = vid[mine]
        t = np.asarray(cols["t"], dtype=float)[mine]
        lon = np.asarray(cols["lon"], dtype=float)[mine]
        lat = np.asarray(cols["lat"], dtype=float)[mine]
        cell = grid.lookup(lon, lat)
        x, y = grid.frame.to_xy(lon, lat)
        signals = []
        for person in np.unique(vid):
            u = self.units[str(person)]
            k = vid == person
            dist = tr.people[u.id].area.distance_m(x[k], y[k])
            signals += tr.fixes(u.id, t[k], dist, self._positions(u, cell[k]))
        self._apply(s, signals, now)
        self._publish(s, {str(p) for p in np.unique(vid)}, now)

    @staticmethod
    def _positions(u: Unit, cell: np.ndarray) -> np.ndarray:
        """Each fix's cell as a position in the unit's cells (-1 outside them)."""
        if not len(u.cells):
            return np.full(len(cell), -1)
        j = np.clip(np.searchsorted(u.cells, cell), 0, len(u.cells) - 1)
        return np.where(u.cells[j] == cell, j, -1)

    def tick(self, s: Session, now: datetime) -> None:
        """Silence, grace and shift changes, at most every ``TICK_EVERY_S`` district
        seconds: their limits are minutes, and the backend ticks every real second."""
        if self.tracker is None or now.timestamp() - self._ticked < TICK_EVERY_S:
            return
        self._ticked = now.timestamp()
        self._apply(s, self.tracker.tick(now.timestamp()), now)
        self._publish(s, set(self.units), now)

    def _apply(self, s: Session, signals: list[rules.Signal], now: datetime) -> None:
        for sig in signals:
            at = datetime.fromtimestamp(sig.at, UTC)
            if sig.action == "raise":
                u = self.units[sig.person_id]
                detail = {**sig.detail, "name": u.name, "person_type": u.kind}
                alerts.raise_alert(s, at, sig.kind, "vehicle", sig.person_id, detail)
            else:
                alerts.clear_alert(s, at, sig.kind, "vehicle", sig.person_id)

    def _publish(self, s: Session, ids: set[str], now: datetime) -> None:
        tr = self.tracker
        assert tr is not None
        t = now.timestamp()
        for pid in sorted(ids):
            p = tr.people[pid]
            if tr.record_due(p, t):
                doc = records.put(s, self.record(pid), now)
                _store_day(s, doc, int(p.visited.sum()))

    def record(self, pid: str) -> dict[str, Any]:
        """A person's duty record (docs/rules/duty.md "Records and replay")."""
        tr = self.tracker
        assert tr is not None
        p, u = tr.people[pid], self.units[pid]
        rate = p.rate
        return {
            "type": RECORD_TYPE,
            "id": pid,
            "person_type": u.kind,
            "name": u.name,
            "user_id": u.user_id,
            "street": u.street,
            "area": u.area_codes,
            "state": p.state,
            "since": p.since,
            "day": p.day.isoformat() if p.day else None,
            "on_duty_s": round(p.on_duty_s, 1),
            "scheduled_s": round(p.scheduled_s, 1),
            "rate": None if rate is None else round(rate, 4),
            "coverage": round(p.coverage, 4),
            "cells": len(u.cells),
            "visited": rules.visited_hex(p.visited),
            "last_fix": p.last_fix,
        }


def _store_day(s: Session, doc: dict[str, Any], visited: int) -> None:
    """Today's totals of a record's person, for the KPIs over any period: one UPDATE, and an
    INSERT the first time in a day (no SELECT per person)."""
    if not doc.get("day"):
        return
    values = {
        "person_type": doc["person_type"],
        "name": doc["name"][:64],
        "street": doc["street"],
        "on_duty_s": doc["on_duty_s"],
        "scheduled_s": doc["scheduled_s"],
        "visited": visited,
        "cells": doc["cells"],
    }
    key = (DutyDay.person_id == doc["id"], DutyDay.day == doc["day"])
    done = cast(CursorResult[Any], s.execute(update(DutyDay).where(*key).values(**values)))
    if done.rowcount == 0:
        s.add(DutyDay(person_id=doc["id"], day=doc["day"], **values))


def kpis(s: Session, first: date, last: date, by: str, street: str | None = None) -> list[dict]:
    """在岗率 and 巡查覆盖率 per person or street over the CST days ``first``..``last``
    (``street``: only its people, the drill-down from a street's row)."""
    return rules.kpi_rows(days_in(s, first, last, street), by)


def days_in(s: Session, first: date, last: date, street: str | None = None) -> list[dict]:
    """Every person-day of the CST days ``first``..``last`` (of ``street``'s people only)."""
    q = select(DutyDay).where(DutyDay.day >= first.isoformat(), DutyDay.day <= last.isoformat())
    if street is not None:
        q = q.where(DutyDay.street == street)
    return [_day_dict(r) for r in s.scalars(q)]


def days_of(s: Session, person_id: str, first: date, last: date) -> list[dict]:
    """One person's days in the period (the drill-down's last level), oldest first."""
    q = (
        select(DutyDay)
        .where(
            DutyDay.person_id == person_id,
            DutyDay.day >= first.isoformat(),
            DutyDay.day <= last.isoformat(),
        )
        .order_by(DutyDay.day)
    )
    out = []
    for r in s.scalars(q):
        d = _day_dict(r)
        d["on_duty_rate"] = rules.on_duty_rate([r.on_duty_s], [r.scheduled_s])
        d["patrol_coverage"] = r.visited / r.cells if r.cells else None
        out.append(d)
    return out


def _day_dict(r: DutyDay) -> dict[str, Any]:
    return {
        "person_id": r.person_id,
        "day": r.day,
        "person_type": r.person_type,
        "name": r.name,
        "street": r.street,
        "on_duty_s": r.on_duty_s,
        "scheduled_s": r.scheduled_s,
        "visited": r.visited,
        "cells": r.cells,
    }


def on_fixes(ctx: Context, s: Session, cols: dict[str, list], now: datetime) -> None:
    ctx.duty.on_fixes(s, cols, now)


def tick(ctx: Context, s: Session, now: datetime) -> None:
    ctx.duty.tick(s, now)
