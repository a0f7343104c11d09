"""People on duty (智能管控): whether a field supervisor (监督员) or an enforcement officer
(执法队员) is at his post, from nothing but his position fixes and his shift.

A person is **在岗** during his shift while he reports from his 责任区 (plus a buffer); he is
**离岗** (off grid) once he has been outside it for longer than a grace period, and **失联**
(silent) once no fix has come for a while. Outside his shift he is **休息** (off shift) and no
rule applies. 在岗率 is the on-duty time over the scheduled time so far today; 巡查覆盖率 the
share of his cells he set foot in during today's shift. Every number here is written up, with
its source or reason, in ``docs/rules/duty.md``.

Pure and numpy-fed: the backend hands each batch of fixes (distance to the area and the cell
reached, computed with the unit grid) and ticks for silence; the tracker answers with alert
signals and tells which people's records are due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .calendar import DEFAULT_PERIODS, WorkCalendar
from .china_time import CST

ON_DUTY = "on_duty"
OFF_GRID = "off_grid"
SILENT = "silent"
OFF_SHIFT = "off_shift"
#: The duty states, in the order a duty panel lists people (the ones needing a look first).
STATES = (OFF_GRID, SILENT, ON_DUTY, OFF_SHIFT)
#: The alert each abnormal state raises (resolved when the state ends).
ALERT_KINDS = {OFF_GRID: "staff_off_grid", SILENT: "staff_silent"}


@dataclass(frozen=True)
class DutyRules:
    #: A person may stand this far outside his 责任区 without being outside it: a street's far
    #: pavement, a corner shop on the border road (a cell is 100 m; GNSS on foot errs 10–30 m).
    buffer_m: float = 100.0
    #: Outside longer than this is 离岗: a walk round a block that crosses the border, a
    #: detour to a case in the next cell, fit in 15 minutes.
    off_grid_after_s: float = 15 * 60.0
    #: No fix for this long in shift is 失联: a phone reports every 30–60 s on foot, so 15
    #: minutes is a dead battery or a terminal switched off, not a tunnel.
    silent_after_s: float = 15 * 60.0
    #: A person's record is re-published at most this often (district seconds) unless his
    #: state changes, and only when his coverage moved by a ``coverage_step`` or his 在岗率
    #: by a percent: 175 people re-published every district minute cost the backend a third
    #: of its time at 60x, and every 5 minutes still saturated it at 360x (measured).
    record_every_s: float = 600.0
    coverage_step: float = 0.05


@dataclass(frozen=True)
class Shift:
    """Daily duty periods (minutes since CST midnight) on working days or on every day."""

    periods: tuple[tuple[int, int], ...]
    every_day: bool

    def _day_on(self, d: date, calendar: WorkCalendar) -> bool:
        return self.every_day or calendar.is_working_day(d)

    def on(self, t: float, calendar: WorkCalendar) -> bool:
        local = datetime.fromtimestamp(t, CST)
        if not self._day_on(local.date(), calendar):
            return False
        m = local.hour * 60 + local.minute + local.second / 60.0
        return any(a <= m < b for a, b in self.periods)

    def overlap_s(self, t0: float, t1: float, calendar: WorkCalendar) -> float:
        """Seconds of ``[t0, t1)`` inside the shift (any span; split at CST midnights)."""
        total = 0.0
        while t0 < t1:
            local = datetime.fromtimestamp(t0, CST)
            midnight = datetime.combine(local.date(), datetime.min.time(), CST)
            end = min(t1, (midnight + timedelta(days=1)).timestamp())
            if self._day_on(local.date(), calendar):
                base = midnight.timestamp()
                for a, b in self.periods:
                    lo, hi = max(t0, base + a * 60), min(end, base + b * 60)
                    total += max(0.0, hi - lo)
            t0 = end
        return total


#: Field supervisors walk in the centre's working hours (the work calendar's periods and
#: working days, ``console.domain.calendar``): the hours the 核实/核查 clocks run, so the one
#: who must answer a task is on his patrol while its clock runs.
SUPERVISOR_SHIFT = Shift(DEFAULT_PERIODS, every_day=False)
#: Enforcement squads keep a stated 错时 roster every day, 07:30–11:30 and 13:30–19:30: street
#: order (占道经营, 乱设摊) peaks at the morning market and the evening rush, which office
#: hours would miss.
OFFICER_SHIFT = Shift(((450, 690), (810, 1170)), every_day=True)


@dataclass
class Area:
    """A person's cells: centres in a local metric frame (x east, y north), half a side."""

    codes: list[str]
    x: np.ndarray
    y: np.ndarray
    half_m: float

    def distance_m(self, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """Distance of each point to the nearest of the cells (0 inside one)."""
        px, py = np.asarray(x, dtype=float)[:, None], np.asarray(y, dtype=float)[:, None]
        dx = np.maximum(np.abs(px - self.x[None, :]) - self.half_m, 0.0)
        dy = np.maximum(np.abs(py - self.y[None, :]) - self.half_m, 0.0)
        if not len(self.x):
            return np.full(px.shape[0], np.inf)
        out: np.ndarray = np.sqrt(dx * dx + dy * dy).min(axis=1)
        return out


@dataclass(frozen=True)
class Signal:
    person_id: str
    kind: str  # an ALERT_KINDS value
    action: str  # raise | clear
    at: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Person:
    id: str
    shift: Shift
    area: Area
    #: Where he is regardless of the shift: ON_DUTY (in his area or within the grace), OFF_GRID
    #: or SILENT; ``state`` is this, or OFF_SHIFT outside the shift.
    presence: str = ON_DUTY
    state: str = OFF_SHIFT
    since: float | None = None
    tracked_from: float | None = None
    last_fix: float | None = None
    last_eval: float | None = None
    out_since: float | None = None
    day: date | None = None
    on_duty_s: float = 0.0
    scheduled_s: float = 0.0
    visited: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    published: tuple[str, int, int | None] | None = None
    published_at: float | None = None

    @property
    def rate(self) -> float | None:
        """在岗率 today so far, None before any scheduled time."""
        return self.on_duty_s / self.scheduled_s if self.scheduled_s > 0 else None

    @property
    def coverage(self) -> float:
        """巡查覆盖率 today: share of his cells visited in shift."""
        return float(self.visited.mean()) if len(self.visited) else 0.0


def visited_hex(visited: np.ndarray) -> str:
    """The visited flags (in the area's code order) as a hex bit string, first cell the most
    significant bit: ~30 characters for a community instead of its cell codes."""
    if not len(visited):
        return ""
    return np.packbits(visited.astype(np.uint8)).tobytes().hex()


def visited_from_hex(text: str, n: int) -> np.ndarray:
    """The flags of ``visited_hex`` back, for ``n`` cells."""
    if n == 0:
        return np.zeros(0, dtype=bool)
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(text), dtype=np.uint8))
    out = np.zeros(n, dtype=bool)
    out[: min(n, len(bits))] = bits[:n].astype(bool)
    return out


def on_duty_rate(on_duty_s: ArrayLike, scheduled_s: ArrayLike) -> float | None:
    """在岗率 of a group (a street's people, a period): summed on-duty time over summed
    scheduled time, so a person with a longer shift weighs more; None with nothing scheduled."""
    sched = float(np.sum(np.asarray(scheduled_s, dtype=float)))
    return float(np.sum(np.asarray(on_duty_s, dtype=float))) / sched if sched > 0 else None


class DutyTracker:
    """Stateful per person; feed fixes in time order (``fixes``) and tick regularly."""

    def __init__(self, calendar: WorkCalendar, rules: DutyRules | None = None):
        self.calendar = calendar
        self.rules = rules or DutyRules()
        self.people: dict[str, Person] = {}

    def add(self, person_id: str, shift: Shift, area: Area, now: float) -> Person:
        p = Person(person_id, shift, area, tracked_from=now)
        p.visited = np.zeros(len(area.codes), dtype=bool)
        self.people[person_id] = p
        self._advance(p, now)
        p.state = self._state(p, now)
        p.since = now
        return p

    def _advance(self, p: Person, t: float) -> None:
        """Accrue scheduled and on-duty time up to ``t`` (a new CST day starts from zero)."""
        day = datetime.fromtimestamp(t, CST).date()
        if p.last_eval is None or p.day != day:
            if p.last_eval is not None and p.day is not None:
                midnight = datetime.combine(day, datetime.min.time(), CST).timestamp()
                self._accrue(p, p.last_eval, min(t, midnight))  # the old day's tail is history
                p.last_eval = midnight
            p.day = day
            p.on_duty_s = p.scheduled_s = 0.0
            p.visited = np.zeros(len(p.area.codes), dtype=bool)
        if p.last_eval is not None and t > p.last_eval:
            self._accrue(p, p.last_eval, t)
        p.last_eval = t if p.last_eval is None else max(p.last_eval, t)

    def _accrue(self, p: Person, t0: float, t1: float) -> None:
        """Scheduled time over ``[t0, t1)``, and on-duty time up to the instant the grace or
        the silence limit runs out within it: the counts do not depend on how often the
        tracker is evaluated."""
        p.scheduled_s += self.shift_s(p, t0, t1)
        if p.presence == ON_DUTY:
            end = min(t1, self._on_duty_until(p))
            if end > t0:
                p.on_duty_s += self.shift_s(p, t0, end)

    def _on_duty_until(self, p: Person) -> float:
        last = p.last_fix if p.last_fix is not None else p.tracked_from
        until = (last if last is not None else -np.inf) + self.rules.silent_after_s
        if p.out_since is not None:
            until = min(until, p.out_since + self.rules.off_grid_after_s)
        return float(until)

    def shift_s(self, p: Person, t0: float, t1: float) -> float:
        return p.shift.overlap_s(t0, t1, self.calendar)

    def _silent(self, p: Person, t: float) -> bool:
        last = p.last_fix if p.last_fix is not None else p.tracked_from
        return last is not None and t - last >= self.rules.silent_after_s

    def _presence(self, p: Person, t: float) -> str:
        if self._silent(p, t):
            return SILENT
        if p.out_since is not None and t - p.out_since >= self.rules.off_grid_after_s:
            return OFF_GRID
        return ON_DUTY

    def _state(self, p: Person, t: float) -> str:
        return p.presence if p.shift.on(t, self.calendar) else OFF_SHIFT

    def _settle(self, p: Person, t: float, out: list[Signal], detail: dict[str, Any]) -> None:
        """Bring presence and state up to ``t`` and signal the alerts that start or end."""
        p.presence = self._presence(p, t)
        new = self._state(p, t)
        if new == p.state:
            return
        old, p.state, p.since = p.state, new, t
        if old in ALERT_KINDS:
            out.append(Signal(p.id, ALERT_KINDS[old], "clear", t, {"state": new}))
        if new in ALERT_KINDS:
            since = p.out_since if new == OFF_GRID else p.last_fix
            out.append(Signal(p.id, ALERT_KINDS[new], "raise", t, {**detail, "since": since}))

    def fixes(
        self, person_id: str, t: ArrayLike, distance_m: ArrayLike, cell_pos: ArrayLike
    ) -> list[Signal]:
        """One person's fixes: time, distance to his area (m) and the position of the cell
        reached in his area's code order (-1 outside it)."""
        p = self.people.get(person_id)
        if p is None:
            return []
        ta = np.asarray(t, dtype=float)
        order = np.argsort(ta, kind="stable")
        ta, dist = ta[order], np.asarray(distance_m, dtype=float)[order]
        pos = np.asarray(cell_pos, dtype=np.int64)[order]
        out: list[Signal] = []
        for ti, di, ci in zip(ta.tolist(), dist.tolist(), pos.tolist(), strict=True):
            if p.last_fix is not None and ti < p.last_fix:
                continue  # a late fix: his state is his latest position
            self._advance(p, ti)
            p.last_fix = ti
            if di > self.rules.buffer_m:
                if p.out_since is None:
                    p.out_since = ti
            else:
                p.out_since = None
            if ci >= 0 and p.shift.on(ti, self.calendar):
                p.visited[ci] = True
            self._settle(p, ti, out, {"distance_m": round(di, 1)})
        return out

    def tick(self, now: float) -> list[Signal]:
        """Time alone: silence, the grace running out, shifts starting and ending."""
        out: list[Signal] = []
        for p in self.people.values():
            if p.last_eval is not None and now < p.last_eval:
                continue
            self._advance(p, now)
            self._settle(p, now, out, {})
        return out

    def record_due(self, p: Person, now: float) -> bool:
        """Whether his record should be published now: his state changed, or (at most every
        ``record_every_s``) his coverage (by a ``coverage_step``) or 在岗率 (by a percent)
        moved."""
        rate = p.rate
        step = int(p.coverage / self.rules.coverage_step + 1e-9)
        key = (p.state, step, None if rate is None else round(rate * 100))
        new_state = p.published is None or key[0] != p.published[0]
        too_soon = p.published_at is not None and now - p.published_at < self.rules.record_every_s
        if not new_state and (key == p.published or too_soon):
            return False
        p.published, p.published_at = key, now
        return True


def kpi_rows(days: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """在岗率 and 巡查覆盖率 over person-days (``person_id``, ``name``, ``street``,
    ``on_duty_s``, ``scheduled_s``, ``visited``, ``cells``), grouped ``by`` "person" or
    "street": summed on-duty over summed scheduled time, and summed visited over summed
    cells (a day of a bigger area weighs more). Rows with the lowest 在岗率 first (None
    last): the drill-down starts where the centre must look."""
    if by not in ("person", "street"):
        raise ValueError(f"by must be person or street, not {by!r}")
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in days:
        key = str(d["person_id"] if by == "person" else d.get("street") or "")
        groups.setdefault(key, []).append(d)
    rows = []
    for key, ds in groups.items():
        on = sum(float(d["on_duty_s"]) for d in ds)
        sched = sum(float(d["scheduled_s"]) for d in ds)
        cells = sum(int(d["cells"]) for d in ds)
        rows.append(
            {
                "key": key,
                "name": ds[0]["name"] if by == "person" else key,
                "street": ds[0].get("street"),
                "people": len({d["person_id"] for d in ds}),
                "days": len(ds),
                "on_duty_s": round(on, 1),
                "scheduled_s": round(sched, 1),
                "on_duty_rate": on_duty_rate([on], [sched]),
                "patrol_coverage": sum(int(d["visited"]) for d in ds) / cells if cells else None,
            }
        )
    rows.sort(key=lambda r: (r["on_duty_rate"] is None, r["on_duty_rate"] or 0.0, r["key"]))
    return rows
