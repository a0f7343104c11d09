"""CityState: what the console knows about the district, as a pure fold of change batches.

No Qt and no I/O: the live source, the replay and the tests feed it the same batches, so the
map, the queues and the alerts pane show the same thing for the same record. Each ``apply``
returns a ``Diff`` naming what moved, so views refresh only that.

- **Cases**: the latest version of each (an older version arriving late never wins), plus
  arrays the map and the queues need (position, state, major class; category, department,
  source, grid and address as int32 codes for the queue's sort keys) and, per case, the instants
  its SLA light turns yellow and red, so ``case_lights(t)`` gives every light at any instant by
  one vectorised comparison (the domain clock is consulted once per case version, not per frame;
  a batch of versions, a bootstrap's 50,000, in one array computation: ``light_times_of``).
  Strings and numbers that repeat across cases (states, users, grid codes, limits) are held
  once, not once per parsed document.
- **Vehicles** in numpy: last fix (t, lon, lat, speed, heading, flags), status; **trails** as a
  ring buffer of the last ``trail_points`` fixes per vehicle, in time order.
- **Alerts** (open and acknowledged; resolved ones leave) and **sensors**.
- **Records** of the centre's other systems (``console.domain.records``): the newest document
  of each (type, id) while it is live.
- **Retention**: at each new hour of the district clock, finished cases that
  ``console.domain.retention`` no longer keeps leave (``Diff.cases_evicted``), so a console
  that runs for months holds the live picture, not the district's history.

After a bootstrap at seq S, changes with seq <= S are already in the snapshot: they only add
trail points. That makes a resumed stream (log at L < S, then changes L+1..) exact.

``digest()`` is a stable hash of the state (no wall-clock or derived-at-now values), used to
prove that folding a shift log gives what the live console held. ``checkpoint()`` /
``from_checkpoint()`` save and restore the state exactly, for replay seeks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import DTypeLike

from console.domain import records
from console.domain.alert_rules import louder
from console.domain.calendar import WorkCalendar
from console.domain.callback import callback_open
from console.domain.case import light_times_of, parse_time
from console.domain.china_time import CST
from console.domain.coop import dispute_pending
from console.domain.documents import (
    AlertDoc,
    CaseDoc,
    Change,
    FixesChange,
    RecordDoc,
    SensorDoc,
    Snapshot,
    VehicleDoc,
    WallFocusDoc,
)
from console.domain.field_units import is_person, is_sanitation
from console.domain.limits import TimeLimits
from console.domain.queues import NO_QUEUE, QUEUE_CODE, queue_of
from console.domain.retention import retained
from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW
from console.domain.workflow import TERMINAL_STATES, State
from console.text_columns import COMPACT_FACTOR, COMPACT_FLOOR, TextCodes

STATE_NAMES = tuple(s.value for s in State)
STATE_CODE = {name: i for i, name in enumerate(STATE_NAMES)}
_FINISHED_CODES = [STATE_CODE[s.value] for s in TERMINAL_STATES]
VEHICLE_STATUSES = ("unknown", "working", "moving", "stopped", "offline")
VEHICLE_STATUS_CODE = {name: i for i, name in enumerate(VEHICLE_STATUSES)}
FixField = Literal["t", "lon", "lat", "speed_kmh", "heading", "flags"]
FIX_FIELDS: tuple[FixField, ...] = ("t", "lon", "lat", "speed_kmh", "heading", "flags")
CHECKPOINT_VERSION = 3  # 3: + case columns; 2: numeric columns as base64 arrays; 1: lists
#: Case fields kept as int32 codes into ``CityState.case_values(name)`` (column name: field),
#: for the queue's sort keys; rebuilt from the documents, never checkpointed.
#: Case and event fields whose values repeat across cases (a handful of states, sources,
#: users, grid cells...): a document parsed off the wire holds its own copy of each string
#: (json memoises keys, not values), ~50-60 bytes apiece, so the fold shares one copy.
SHARED_CASE_FIELDS = (
    "source", "category_code", "state", "urgency", "reporter", "grid_code", "street_code",
    "community_code", "department_id", "stage", "stage_clock", "light", "component_owner",
)  # fmt: skip
SHARED_EVENT_FIELDS = ("action", "user", "role", "from_state", "to_state", "stage")
#: Instants that recur within one document (each case's are its own).
CASE_INSTANTS = ("created_at", "updated_at", "stage_started_at", "deadline", "parked_at")
EVENT_INSTANTS = ("at", "stage_deadline")
#: Minutes and hours that repeat across cases (limits, 0.0 parked): 24 bytes each otherwise.
SHARED_NUMBER_FIELDS = ("stage_limit_minutes", "paused_minutes", "extension_hours")
#: At most this many distinct shared strings, and as many numbers (a grid of ~10,000 cells, a
#: few thousand users and departments): beyond it new values are not shared, so hostile input
#: cannot grow the tables.
MAX_SHARED_STRINGS = 65_536
CODED_FIELDS = {
    "category": "category_code",
    "department": "department_id",
    "source": "source",
    "grid": "grid_code",
    "address": "address",
}


@dataclass
class Diff:
    """What one batch changed. ``reset``: everything may have changed (a bootstrap)."""

    reset: bool = False
    cases: set[str] = field(default_factory=set)
    vehicles: set[str] = field(default_factory=set)
    alerts: set[str] = field(default_factory=set)
    alerts_raised: set[str] = field(default_factory=set)
    sensors: set[str] = field(default_factory=set)
    records: set[tuple[str, str]] = field(default_factory=set)  # (type, id)
    fixes: int = 0
    changes: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    # Open alerts that climbed a level or a severity (a late case to red or 督办; a group
    # whose worst member got louder): the alerts pane sounds for them as for new ones.
    alerts_escalated: set[str] = field(default_factory=set)
    # A subject thrown to the video wall arrived (``CityState.wall_focus`` holds it).
    wall_focus: bool = False
    # Finished cases that left the live picture (``console.domain.retention``; also in
    # ``cases``), and how case rows were renumbered: ``case_rows[old] = new`` (-1: left). Views
    # keyed by case row remap their keys with it before reading the state again.
    cases_evicted: set[str] = field(default_factory=set)
    case_rows: np.ndarray | None = None

    def merge(self, other: Diff) -> Diff:
        """Fold ``other`` (a later batch) into this one, for a consumer that fell behind."""
        self.reset |= other.reset
        for name in (
            "cases",
            "vehicles",
            "alerts",
            "alerts_raised",
            "sensors",
            "alerts_escalated",
            "records",
        ):
            getattr(self, name).update(getattr(other, name))
        self.fixes += other.fixes
        self.changes += other.changes
        self.wall_focus |= other.wall_focus
        self.cases_evicted.update(other.cases_evicted)
        if other.case_rows is not None:
            self.case_rows = compose_rows(self.case_rows, other.case_rows)
        if self.first_seq is None:
            self.first_seq = other.first_seq
        if other.last_seq is not None:
            self.last_seq = other.last_seq
        return self

    def __bool__(self) -> bool:
        return bool(
            self.reset
            or self.cases
            or self.vehicles
            or self.alerts
            or self.sensors
            or self.records
            or self.fixes
            or self.changes
        )


class _Columns:
    """Growable parallel numpy columns addressed by row; ids map to rows."""

    def __init__(self, dtypes: dict[str, tuple[DTypeLike, float]], capacity: int = 64):
        self._spec = dtypes
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.cols = {k: np.full(capacity, fill, dtype=dt) for k, (dt, fill) in dtypes.items()}

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, id_: str) -> int:
        i = self.index.get(id_)
        if i is None:
            i = len(self.ids)
            if i == len(next(iter(self.cols.values()))):
                self._grow(max(64, 2 * i))
            self.ids.append(id_)
            self.index[id_] = i
        return i

    def _grow(self, capacity: int) -> None:
        for k, (dt, fill) in self._spec.items():
            old = self.cols[k]
            new = np.full(capacity, fill, dtype=dt)
            new[: len(old)] = old
            self.cols[k] = new

    def view(self, name: str) -> np.ndarray:
        return self.cols[name][: len(self.ids)]

    def drop(self, ids: Iterable[str]) -> np.ndarray:
        """Remove ``ids``, keeping the others in order; returns ``new_row[old_row]`` (-1 for
        a removed row), the remap for anyone holding rows."""
        keep = np.ones(len(self.ids), dtype=bool)
        keep[[self.index[i] for i in ids]] = False
        remap = np.where(keep, np.cumsum(keep) - 1, -1).astype(np.int64)
        n = int(keep.sum())
        for k, a in self.cols.items():
            a[:n] = a[: len(keep)][keep]
            a[n : len(keep)] = self._spec[k][1]
        self.ids = [i for i, k in zip(self.ids, keep, strict=True) if k]
        self.index = {i: r for r, i in enumerate(self.ids)}
        return remap

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.cols.values())

    def copy(self) -> _Columns:
        new = _Columns(self._spec, capacity=0)
        new.ids, new.index = list(self.ids), dict(self.index)
        new.cols = {k: a.copy() for k, a in self.cols.items()}
        return new


class CityState:
    def __init__(self, trail_points: int = 512):
        self.trail_points = trail_points
        self.seq = 0
        self.bootstrap_seq = 0
        self.bootstrap_id: int | None = None
        self.log_seq = 0  # the last change applied, of any kind: where a fold continues
        self.ts: str | None = None  # backend time of the last change applied
        self.reference: dict[str, Any] = {}
        self.calendar = WorkCalendar.default()
        self.limits = TimeLimits.default()
        self.cases: dict[str, CaseDoc] = {}
        self._case_cols = _Columns(
            {
                "lon": (np.float64, math.nan),
                "lat": (np.float64, math.nan),
                "state": (np.int8, -1),
                "major": (np.int16, 0),
                "queue": (np.int8, NO_QUEUE),
                "yellow_at": (np.float64, math.nan),
                "red_at": (np.float64, math.nan),
                **{name: (np.int32, -1) for name in CODED_FIELDS},
            }
        )
        self._case_codes = {name: TextCodes() for name in CODED_FIELDS}
        self._strings: dict[str, str] = {}  # SHARED_CASE_FIELDS' values: one copy each
        self._numbers: dict[float, float] = {}  # SHARED_NUMBER_FIELDS' values
        self._veh = _Columns(
            {
                **{k: (np.float64, math.nan) for k in FIX_FIELDS if k != "flags"},
                "flags": (np.int64, 0),
                "status": (np.int8, 0),
            }
        )
        self.vehicles: dict[str, VehicleDoc] = {}  # the wire form without last_fix
        self._trail = np.full((0, trail_points, 3), math.nan)  # (vehicle, slot, t/lon/lat)
        self._trail_n = np.zeros(0, dtype=np.int64)  # fixes ever written per vehicle
        self.alerts: dict[str, AlertDoc] = {}
        self.sensors: dict[str, SensorDoc] = {}
        self.records: dict[str, dict[str, RecordDoc]] = {}  # type -> id -> live document
        # The last subject thrown to the wall (not in snapshots, digests or checkpoints: a
        # wall shows a throw when it arrives, for its seconds, and never again).
        self.wall_focus: WallFocusDoc | None = None

    def clear(self) -> None:
        """Empty, in place: views holding this object follow (a fresh bootstrap in a replay)."""
        CityState.__init__(self, self.trail_points)

    def copy(self, into: CityState | None = None) -> CityState:
        """An independent copy (~2 ms), for a replay's seek cache: containers and arrays are
        copied, the documents in them shared — the fold replaces a document, never edits it.
        ``into``: an earlier copy nobody uses any more, whose trail rings (25 MB at 2,000
        vehicles) are overwritten rather than allocated again: a fresh 25 MB is ~6,000 page
        faults, 50-90 ms on the GUI thread, where a copy into memory already mapped is 1-4 ms."""
        rings = into._trail if into is not None else None
        new = object.__new__(CityState) if into is None else into
        new.__dict__.update(self.__dict__)
        new.cases, new.vehicles = dict(self.cases), dict(self.vehicles)
        new.alerts, new.sensors = dict(self.alerts), dict(self.sensors)
        new.records = {t: dict(docs) for t, docs in self.records.items()}
        new._case_cols, new._veh = self._case_cols.copy(), self._veh.copy()
        new._case_codes = {k: v.copy() for k, v in self._case_codes.items()}
        if rings is not None and rings.shape == self._trail.shape:
            np.copyto(rings, self._trail)
            new._trail = rings
        else:
            new._trail = self._trail.copy()
        new._trail_n = self._trail_n.copy()
        return new

    def copy_bytes(self) -> int:
        """Roughly what a ``copy()`` holds of its own (its containers and arrays; the
        documents it shares are not counted): a seek cache's budget counts copies by it."""
        containers = (self.cases, self.vehicles, self.alerts, self.sensors, self.records)
        own = sum(sys.getsizeof(c) for c in (*containers, *self.records.values()))
        for cols in (self._case_cols, self._veh):
            own += cols.nbytes() + sys.getsizeof(cols.ids) + sys.getsizeof(cols.index)
        own += sum(codes.nbytes() for codes in self._case_codes.values())
        return own + self._trail.nbytes + self._trail_n.nbytes

    def replace_with(self, other: CityState) -> None:
        """Take ``other``'s contents, in place (a move: ``other`` must not be used after).
        A replay seek builds the state at the instant aside and swaps it in, so the widgets,
        which hold this object, show it without being rebuilt."""
        self.__dict__.clear()
        self.__dict__.update(other.__dict__)

    # ---- feeding ---------------------------------------------------------------------------
    def bootstrap(
        self,
        snapshot: Snapshot,
        reference: dict[str, Any] | None = None,
        bootstrap_id: int | None = None,
    ) -> Diff:
        """Replace cases, vehicles and alerts by a snapshot, and sensors by the reference's
        (the snapshot has none); trails are kept.
        ``bootstrap_id`` (the shift log's) lets a replay resume from a checkpoint exactly."""
        self.cases.clear()
        keep_trail, keep_n, keep_ids = self._trail, self._trail_n, list(self._veh.ids)
        self._case_cols = _Columns(self._case_cols._spec)
        self._veh = _Columns(self._veh._spec)
        self.vehicles.clear()
        self._trail = np.full((0, self.trail_points, 3), math.nan)
        self._trail_n = np.zeros(0, dtype=np.int64)
        self._grow_rings(len(keep_ids))
        for vid in keep_ids:  # same rows as before, so the kept trails line up
            self._vehicle_row(vid)
        self._trail[: len(keep_ids)] = keep_trail[: len(keep_ids)]
        self._trail_n[: len(keep_ids)] = keep_n[: len(keep_ids)]
        self.alerts.clear()
        self.sensors.clear()
        self.records.clear()
        self.set_reference(reference or self.reference)
        self._put_cases(snapshot.get("cases") or ())
        for v in snapshot.get("vehicles") or ():
            self._put_vehicle(v)
        for a in snapshot.get("alerts") or ():
            if a.get("state") != "resolved":
                self.alerts[a["id"]] = a
        for r in snapshot.get("records") or ():
            try:
                records.check(r)  # a snapshot is not split like a page: one bad record is skipped
            except records.BadRecord:
                continue
            self._put_record(r)
        self.seq = self.bootstrap_seq = int(snapshot.get("seq") or 0)
        self.bootstrap_id = bootstrap_id
        self.ts = snapshot.get("server_time") or self.ts
        return Diff(reset=True, first_seq=self.seq, last_seq=self.seq)

    def set_reference(self, reference: dict[str, Any]) -> None:
        """Districts, vehicles, sensors, the work calendar and time limits from the backend."""
        self.reference = reference
        if reference.get("work_calendar"):
            self.calendar = WorkCalendar.from_dict(reference["work_calendar"])
        if reference.get("time_limits"):
            self.limits = TimeLimits.from_dict(reference["time_limits"])
        fleet = reference.get("vehicles") or ()
        self._grow_rings(len(self._veh) + sum(v["id"] not in self._veh.index for v in fleet))
        for v in fleet:
            if v["id"] not in self.vehicles:
                self._put_vehicle(
                    {
                        "id": v["id"],
                        "plate": v.get("plate"),
                        "type": v.get("type"),
                        "department_id": v.get("department_id"),
                    }
                )
        for x in reference.get("sensors") or ():
            self.sensors.setdefault(x["id"], x)

    def apply(self, changes: Iterable[Change]) -> Diff:
        """Fold well-formed changes (``console.sync.validate`` checked them) in seq order."""
        d = Diff()
        # Fixes wait here and go in together (``_fixes``): nothing but a vehicle change reads
        # or writes what they write (trails, last positions), so they are folded before one.
        # Case versions too (``_put_cases`` takes the newest of each): only the eviction at a
        # new hour reads cases, so they are put before it.
        fixes: list[tuple[FixesChange, bool]] = []
        cases: list[CaseDoc] = []
        for ch in changes:
            seq = ch["seq"]
            self.log_seq = max(self.log_seq, seq)
            d.changes += 1
            d.first_seq = seq if d.first_seq is None else d.first_seq
            d.last_seq = seq
            if seq > self.seq and self.ts and ch["ts"][:13] != self.ts[:13]:
                d.cases.update(self._put_cases(cases))
                cases = []
                self._new_hour(ch["ts"], d)
            if ch["kind"] == "fixes":
                fixes.append((ch, seq > self.seq))
                d.fixes += len(ch["t"])
            elif seq <= self.seq:
                continue  # already in the snapshot this state was bootstrapped from
            elif ch["kind"] == "case":
                cases.append(ch["case"])
            elif ch["kind"] == "vehicle":
                self._fixes(fixes, d)
                fixes = []
                self._put_vehicle(ch["vehicle"])
                d.vehicles.add(ch["vehicle"]["id"])
            elif ch["kind"] == "alert":
                a = ch["alert"]
                if a["state"] == "resolved":
                    self.alerts.pop(a["id"], None)
                else:
                    old = self.alerts.get(a["id"])
                    if old is None:
                        d.alerts_raised.add(a["id"])
                    elif louder(old, a):
                        d.alerts_escalated.add(a["id"])
                    self.alerts[a["id"]] = a
                d.alerts.add(a["id"])
            elif ch["kind"] == "sensor":
                self.sensors[ch["sensor"]["id"]] = ch["sensor"]
                d.sensors.add(ch["sensor"]["id"])
            elif ch["kind"] == "wall_focus":
                self.wall_focus = ch["wall_focus"]
                d.wall_focus = True
            elif ch["kind"] == "record":
                d.records.add(self._put_record(ch["record"]))
            if seq > self.seq:
                self.seq = seq
                self.ts = ch["ts"]
        self._fixes(fixes, d)
        d.cases.update(self._put_cases(cases))
        return d

    def _put_record(self, r: RecordDoc) -> tuple[str, str]:
        key = (r["type"], r["id"])
        if r.get("live", True):
            self.records.setdefault(key[0], {})[key[1]] = r
        else:
            docs = self.records.get(key[0], {})
            docs.pop(key[1], None)
            if not docs:
                self.records.pop(key[0], None)
        return key

    def records_of(self, type_: str) -> dict[str, RecordDoc]:
        """The live records of ``type_`` by id (empty if none): what its widgets show."""
        return self.records.get(type_, {})

    # ---- cases -----------------------------------------------------------------------------
    def _put_cases(self, docs: Iterable[CaseDoc]) -> list[str]:
        """Take the documents newer than the versions held (an older version arriving late
        never wins); returns the ids taken. The lights' instants are computed for all of them
        at once (``light_times_of``: a bootstrap's 50,000 cases in one batch)."""
        fresh: dict[str, CaseDoc] = {}
        for doc in docs:
            old = fresh.get(doc["id"]) or self.cases.get(doc["id"])
            if old is None or old.get("version", 0) < doc.get("version", 0):
                fresh[doc["id"]] = doc
        if not fresh:
            return []
        taken = list(fresh.values())
        for doc in taken:
            self._share_values(doc)
        rows = np.fromiter((self._case_cols.row(cid) for cid in fresh), np.int64, len(fresh))
        self.cases.update(fresh)
        c = self._case_cols.cols
        c["lon"][rows] = [doc["location"]["lon"] for doc in taken]
        c["lat"][rows] = [doc["location"]["lat"] for doc in taken]
        c["state"][rows] = [STATE_CODE.get(doc.get("state", ""), -1) for doc in taken]
        c["major"][rows] = [_major(doc) for doc in taken]
        c["queue"][rows] = [_queue_code(doc) for doc in taken]
        c["yellow_at"][rows], c["red_at"][rows] = light_times_of(taken, self.calendar, self.limits)
        self._code_cases(rows, taken)
        return list(fresh)

    def _share_values(self, doc: CaseDoc) -> None:
        """Replace repeated values by the one copy held (equal values: the document reads
        the same, it just stops holding its own copies): strings that repeat across cases
        from one table, numbers of minutes from another, and the instants that recur within
        the document (a stage starts when the case is updated, at its last event) from a
        table of its own."""
        table, numbers = self._strings, self._numbers
        room = len(table) < MAX_SHARED_STRINGS
        share = table.setdefault if room else table.get
        share_number = numbers.setdefault if len(numbers) < MAX_SHARED_STRINGS else numbers.get
        instants_seen: dict[str, str] = {}
        share_instant = instants_seen.setdefault
        whole = cast(dict[str, Any], doc)
        events = whole.get("events")
        parts: list[tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]] = [
            (whole, SHARED_CASE_FIELDS, CASE_INSTANTS)
        ]
        if isinstance(events, list):
            parts += [
                (e, SHARED_EVENT_FIELDS, EVENT_INSTANTS) for e in events if isinstance(e, dict)
            ]
        for part, fields, instants in parts:
            for keys, shared in ((fields, share), (instants, share_instant)):
                for k in keys:
                    v = part.get(k)
                    if type(v) is str:
                        one = shared(v, v)
                        if one is not v:
                            part[k] = one
        for k in SHARED_NUMBER_FIELDS:
            v = whole.get(k)
            if type(v) is float and (v != 0.0 or math.copysign(1.0, v) > 0):  # keep -0.0
                number = share_number(v, v)
                if number is not v:
                    whole[k] = number

    def _code_cases(self, rows: np.ndarray, docs: list[CaseDoc]) -> None:
        for name, key in CODED_FIELDS.items():
            values = [doc.get(key) for doc in docs]
            self._case_cols.cols[name][rows] = self._case_codes[name].codes(values)

    def _recode(self, name: str) -> None:
        """Drop the values no case holds any more (evicted cases' addresses would otherwise
        pile up over months): a new TextCodes, so a view caching by the old one sees it."""
        col = self._case_cols.view(name)
        live, col[:] = np.unique(col, return_inverse=True)
        old = self._case_codes[name].values
        self._case_codes[name] = TextCodes([old[c] for c in live])

    def _new_hour(self, ts: str, d: Diff) -> None:
        """The district clock entered a new hour: finished cases the retention rule no longer
        keeps leave, as of that hour's start. Tied to the changes' times, not to when they
        are folded, so a live console and the replay of its log drop the same cases at the
        same change (and a console that has run for months holds what a fresh one would,
        give or take the hour)."""
        try:
            t, last = parse_time(ts), parse_time(self.ts)
        except (TypeError, ValueError):
            return
        if t is None or last is None:
            return
        hour = t.replace(minute=0, second=0, microsecond=0)
        if hour > last:
            self.evict(hour, d)

    def evict(self, now: datetime, d: Diff | None = None) -> set[str]:
        """Drop the finished cases ``console.domain.retention`` no longer keeps at ``now``."""
        states = self._case_cols.view("state")
        finished = np.flatnonzero(np.isin(states, _FINISHED_CODES))
        ids = self._case_cols.ids
        gone = {ids[r] for r in finished if not retained(self.cases[ids[r]], now)}
        if not gone:
            return gone
        remap = self._case_cols.drop(gone)
        for cid in gone:
            del self.cases[cid]
        for name, codes in self._case_codes.items():
            if len(codes) > COMPACT_FACTOR * max(len(self._case_cols), COMPACT_FLOOR):
                self._recode(name)
        if d is not None:
            d.cases |= gone
            d.cases_evicted |= gone
            d.case_rows = compose_rows(d.case_rows, remap)
        return gone

    def clock_of(self, doc: CaseDoc) -> WorkCalendar:
        """The calendar the case's running stage counts on (its ``stage_clock``: the centre's
        7×24, the field shifts, working time, wall time), for countdowns in that clock's
        minutes; the work calendar for a clock the reference does not name."""
        try:
            return self.limits.clock(self.calendar, doc.get("stage_clock") or "working")
        except ValueError:
            return self.calendar

    def uncovered_years(self, now: float) -> list[int]:
        """Years from the district date at ``now`` (epoch s) to 30 days later that the work
        calendar holds no holiday notice for: their working days would be plain Monday–Friday,
        so the console says so instead of computing deadlines silently on a guess."""
        day = datetime.fromtimestamp(now, UTC).astimezone(CST).date()
        return self.calendar.uncovered_years(day)

    def case_ids(self) -> list[str]:
        return self._case_cols.ids

    def case_row(self, case_id: str) -> int | None:
        return self._case_cols.index.get(case_id)

    def case_arrays(self) -> dict[str, np.ndarray]:
        """Row-aligned with ``case_ids()``: lon, lat, state (index into STATE_NAMES), major
        (category major class), queue (index into ``domain.queues.QUEUE_KEYS``, NO_QUEUE for
        closed/void), yellow_at, red_at. Views, not copies: read, never write."""
        return {k: self._case_cols.view(k) for k in self._case_cols.cols}

    def case_values(self, name: str) -> list[str | None]:
        """The values the codes in ``case_arrays()[name]`` stand for (``name`` in
        CODED_FIELDS): ``case_values(name)[code]``. Append-only; read, never write."""
        return self._case_codes[name].values

    def case_lights(self, at: float | datetime) -> np.ndarray:
        """Every case's light (GREEN/YELLOW/RED, NO_LIGHT when no clock runs) at ``at``."""
        t = at.timestamp() if isinstance(at, datetime) else float(at)
        y, r = self._case_cols.view("yellow_at"), self._case_cols.view("red_at")
        out = np.full(len(y), GREEN, dtype=np.int8)
        out[t >= y] = YELLOW
        out[t >= r] = RED
        out[np.isnan(y)] = NO_LIGHT
        return out

    # ---- vehicles --------------------------------------------------------------------------
    def _vehicle_row(self, vid: str) -> int:
        i = self._veh.row(vid)
        if i >= len(self._trail):
            self._grow_rings(max(16, 2 * len(self._trail)))
        return i

    def _grow_rings(self, rows: int) -> None:
        """Trail rings for ``rows`` vehicles (a reference's fleet sizes them once: grown by
        doubling while a 2,000-vehicle reference was read, they were ~50 MB allocated, filled
        and copied in steps, ~50 ms of the window's first picture)."""
        if rows <= len(self._trail):
            return
        trail = np.full((rows, self.trail_points, 3), math.nan)
        trail[: len(self._trail)] = self._trail
        n = np.zeros(rows, dtype=np.int64)
        n[: len(self._trail_n)] = self._trail_n
        self._trail, self._trail_n = trail, n

    def _put_vehicle(self, v: VehicleDoc) -> None:
        i = self._vehicle_row(v["id"])
        info = v.copy()
        info.pop("last_fix", None)
        self.vehicles[v["id"]] = {**self.vehicles.get(v["id"], {"id": v["id"]}), **info}
        self._veh.cols["status"][i] = VEHICLE_STATUS_CODE.get(v.get("status", ""), 0)
        fix = v.get("last_fix")
        if isinstance(fix, dict) and not (fix.get("t", -math.inf) < self._veh.cols["t"][i]):
            for k in FIX_FIELDS:
                self._veh.cols[k][i] = fix.get(k) or 0
            self._trail_push(
                np.array([i]), np.array([fix["t"]]), np.array([fix["lon"]]), np.array([fix["lat"]])
            )

    def _fixes(self, batch: list[tuple[FixesChange, bool]], d: Diff) -> None:
        """Fold a run of fixes changes, each with whether it is newer than the snapshot
        (``fresh``), in one pass of numpy: the trails and last positions that folding them one
        change at a time gives (a replay folds ~1,000 of them per seek; per change, a dozen
        numpy calls each). Fixes are finite (``console.sync.validate``), which is what lets
        the comparisons below stand for the one-at-a-time ones:

        - a fix joins its vehicle's trail when it is newer than the newest point already there,
          i.e. than every fix of that vehicle in the changes before its own (and the trail);
        - a fresh change moves a vehicle's last position to its latest fix unless that is
          older than the position held, so the last of the latest fixes wins.
        """
        chs = [(ch, fresh) for ch, fresh in batch if len(ch["t"])]
        if not chs:
            return
        sizes = [len(ch["t"]) for ch, _ in chs]
        n = sum(sizes)
        ids = [v for ch, _ in chs for v in ch["vehicle_id"]]
        for v in dict.fromkeys(ids):  # new vehicles get rows in the order they came
            self._vehicle_row(v)
        rows = np.fromiter(map(self._veh.index.__getitem__, ids), np.int64, n)
        cols = {
            k: np.concatenate([np.asarray(ch[k], dtype=np.float64) for ch, _ in chs])
            for k in ("t", "lon", "lat")
        }
        which = np.repeat(np.arange(len(chs)), sizes)  # the change each fix came in
        order = np.lexsort((cols["t"], which, rows))  # by vehicle, change, then time
        rows, which = rows[order], which[order]
        t, lon, lat = (cols[k][order] for k in ("t", "lon", "lat"))
        # One group per vehicle and change; its latest fix is its last.
        group_end = np.r_[(rows[1:] != rows[:-1]) | (which[1:] != which[:-1]), True]
        ends = np.flatnonzero(group_end)
        starts = np.r_[0, ends[:-1] + 1]
        g_rows, g_t = rows[ends], t[ends]
        newest = self._trail_newest(g_rows)
        newest[np.isnan(newest)] = -math.inf  # a NaN point is older than any fix
        # Per group: the newest of the trail and the vehicle's groups before it.
        before = np.empty(len(ends))
        vehicle_starts = np.r_[0, np.flatnonzero(g_rows[1:] != g_rows[:-1]) + 1, len(ends)]
        for a, b in zip(vehicle_starts[:-1], vehicle_starts[1:], strict=True):
            before[a:b] = np.maximum.accumulate(np.r_[newest[a], g_t[a : b - 1]])
        keep = t > np.repeat(before, ends - starts + 1)
        self._trail_write(rows[keep], t[keep], lon[keep], lat[keep])

        fresh = np.fromiter((f for _, f in chs), bool, len(chs))[which[ends]]
        if fresh.any():
            cand = np.flatnonzero(fresh)  # each fresh change's latest fix per vehicle
            by = np.lexsort((cand, g_t[cand], g_rows[cand]))  # the last of the latest last
            cand = cand[by]
            last = np.r_[g_rows[cand][1:] != g_rows[cand][:-1], True]
            win = cand[last]
            r = g_rows[win]
            held = self._veh.cols["t"][r]
            newer = ~(g_t[win] < np.where(np.isnan(held), -math.inf, held))
            r, win = r[newer], win[newer]
            changes = which[ends[win]]
            at = (order[ends[win]] - np.cumsum([0, *sizes])[changes]).tolist()
            picked = [chs[c][0] for c in changes.tolist()]  # each winner's change
            for k in FIX_FIELDS:
                self._veh.cols[k][r] = np.array(
                    [ch[k][i] for ch, i in zip(picked, at, strict=True)]
                )
            d.vehicles.update(self._veh.ids[i] for i in r)

    def _trail_push(
        self, rows: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> None:
        """Append fixes (sorted by vehicle, then time) to the rings; a fix older than the
        vehicle's newest trail point is dropped from the trail (the log still has it)."""
        keep = ~(t <= self._trail_newest(rows))
        self._trail_write(rows[keep], t[keep], lon[keep], lat[keep])

    def _trail_write(
        self, rows: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray
    ) -> None:
        """Append fixes (sorted by vehicle, then time, each newer than its trail) to the rings:
        of a vehicle's fixes here, only the last ``trail_points`` land."""
        cap = self.trail_points
        if not len(rows):
            return
        starts = np.r_[0, np.flatnonzero(rows[1:] != rows[:-1]) + 1]
        counts = np.diff(np.r_[starts, len(rows)])
        rank = np.arange(len(rows)) - np.repeat(starts, counts)
        base = self._trail_n[rows]
        slot = (base + rank) % cap
        # Only the last ``cap`` fixes of a vehicle in this batch can survive in its ring.
        live = rank >= np.repeat(counts, counts) - cap
        self._trail[rows[live], slot[live]] = np.stack((t, lon, lat), axis=1)[live]
        self._trail_n[rows[starts]] += counts

    def _trail_newest(self, rows: np.ndarray) -> np.ndarray:
        """The time of each row's newest trail point (-inf: none yet). Of ``rows`` only: a
        bootstrap pushes its 2,000 vehicles' last fixes one by one, and reading every ring's
        newest for each made that quadratic (~60 ms of the first picture)."""
        n = self._trail_n[rows]
        newest = self._trail[rows, (n - 1) % self.trail_points, 0]
        return np.where(n > 0, newest, -math.inf)

    def vehicle_ids(self) -> list[str]:
        return self._veh.ids

    def vehicle_row(self, vehicle_id: str) -> int | None:
        return self._veh.index.get(vehicle_id)

    def sanitation_rows(self) -> np.ndarray:
        """The rows of the sanitation fleet (``field_units.is_sanitation``): what the fleet
        panel, its counters and KPIs count, people and patrols being vehicles too."""
        return np.flatnonzero(self._type_mask(is_sanitation))

    def person_rows(self) -> np.ndarray:
        """The rows of people (supervisors, officers, patrols on foot): the staff layer's."""
        return np.flatnonzero(self._type_mask(is_person))

    def _type_mask(self, test: Callable[[str | None], bool]) -> np.ndarray:
        ids = self._veh.ids
        kinds = (self.vehicles[v].get("type") if v in self.vehicles else None for v in ids)
        return np.fromiter(map(test, kinds), dtype=bool, count=len(ids))

    def vehicle_arrays(self) -> dict[str, np.ndarray]:
        """Row-aligned with ``vehicle_ids()``: t, lon, lat, speed_kmh, heading, flags, status
        (index into VEHICLE_STATUSES). Views: read, never write."""
        return {k: self._veh.view(k) for k in self._veh.cols}

    def trail(self, vehicle_id: str) -> np.ndarray:
        """One vehicle's trail points in time order, shape (n, 3): t, lon, lat."""
        i = self._veh.index.get(vehicle_id)
        if i is None:
            return np.empty((0, 3))
        return self.trails(np.array([i]), -math.inf)[0]

    def trails(self, rows: np.ndarray, since: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """The trail points of vehicle ``rows`` at or after ``since`` (one time, or one per
        row): (points (n, 3) t/lon/lat, owner row of each), grouped by row, in time order.
        Reads only the end of each ring that holds them: a map tick wants the few fixes
        since each of 2,000 vehicles' last drawn one, not 2,000 whole rings."""
        cap = self.trail_points
        rows = np.asarray(rows, dtype=np.int64)
        since = np.broadcast_to(np.asarray(since, dtype=float), rows.shape)
        n = self._trail_n[rows]
        held = np.minimum(n, cap)
        k = np.minimum(held, 8)  # fixes read from the end of each ring: grown until enough
        while True:
            oldest = self._trail[rows, (n - k) % cap, 0]
            more = (k < held) & (oldest > since)  # (times in a ring only rise)
            if not more.any():
                break
            k = np.where(more, np.minimum(4 * k, held), k)
        owner = np.repeat(rows, k)
        pos = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
        pts = self._trail[owner, (np.repeat(n - k, k) + pos) % cap]
        ok = pts[:, 0] >= np.repeat(since, k)  # (NaN, a slot never written, is not)
        return pts[ok], owner[ok]

    def _ordered_trails(self, rows: np.ndarray) -> Iterator[np.ndarray]:
        """The rings of ``rows``, each oldest first (a ring not yet full ends in NaN), as
        (k, cap, 3) blocks of ``GATHER_ROWS`` rings, in order."""
        cap = self.trail_points
        for lo in range(0, len(rows), GATHER_ROWS):
            part = rows[lo : lo + GATHER_ROWS]
            n = self._trail_n[part]
            start = np.where(n > cap, n % cap, 0)
            idx = (start[:, None] + np.arange(cap)[None, :]) % cap
            yield self._trail[part[:, None], idx]

    def trails_connect(
        self, since: float | None = None, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All trails (of ``rows``, default every vehicle) as one polyline for a single
        pyqtgraph item: (lon, lat, t, connect), where ``connect[k]`` says whether point k
        joins point k+1 (not across vehicles). ``since`` (epoch s) drops older points."""
        rows = np.arange(len(self._veh)) if rows is None else np.asarray(rows, dtype=np.int64)
        pts, owner = self.trails(rows, -math.inf if since is None else since)
        connect = np.r_[owner[1:] == owner[:-1], False]
        return pts[:, 1], pts[:, 2], pts[:, 0], connect

    # ---- summaries -------------------------------------------------------------------------
    def digest(self) -> str:
        """A stable hash of the state (insensitive to row order and to the wall clock)."""
        h = hashlib.sha256()
        h.update(f"seq={self.seq}|boot={self.bootstrap_seq}|".encode())
        for cid in sorted(self.cases):
            h.update(f"c{cid}:{self.cases[cid].get('version')}|".encode())
        ids = self._veh.ids
        order = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
        h.update("|".join(ids[i] for i in order).encode())
        for k in self._veh.cols:
            h.update(np.ascontiguousarray(self._veh.view(k)[order]).tobytes())
        for rings in self._ordered_trails(order):
            h.update(rings.data)  # (a gather's result is contiguous: read, not copied)
        for aid in sorted(self.alerts):
            h.update(json.dumps(self.alerts[aid], sort_keys=True).encode())
        for sid in sorted(self.sensors):
            h.update(json.dumps(self.sensors[sid], sort_keys=True, default=str).encode())
        for t in sorted(self.records):
            for rid in sorted(self.records[t]):
                h.update(json.dumps(self.records[t][rid], sort_keys=True).encode())
        return h.hexdigest()

    def counts(self) -> dict[str, int]:
        states = self._case_cols.view("state")
        out = {name: int((states == i).sum()) for i, name in enumerate(STATE_NAMES)}
        out["alerts"] = len(self.alerts)
        out["vehicles"] = len(self.sanitation_rows())
        return out

    def memory_bytes(self) -> dict[str, int]:
        """Approximate bytes held, by part (case documents measured deeply)."""
        return {
            "cases": _deep_size(self.cases) + self._case_cols.nbytes(),
            "vehicles": self._veh.nbytes() + _deep_size(self.vehicles),
            "trails": self._trail.nbytes + self._trail_n.nbytes,
            "alerts": _deep_size(self.alerts),
            "sensors": _deep_size(self.sensors),
            "records": _deep_size(self.records),
        }

    # ---- checkpoints -----------------------------------------------------------------------
    def checkpoint(self) -> dict[str, Any]:
        """A dump of plain values from which ``from_checkpoint`` rebuilds this exact state
        (numeric columns as raw bytes, see ``_pack``; the reference is not included: it lives
        in the log's bootstraps). ``strings`` and
        ``numbers`` are the shared values' tables: a form that keeps object identities
        (``console.store.checkpoint_form``'s compact one) reads the documents back sharing
        them and says so with ``values_shared``, and they are not shared again."""
        rows = np.arange(len(self._veh))
        return {
            "version": CHECKPOINT_VERSION,
            "seq": self.seq,
            "bootstrap_seq": self.bootstrap_seq,
            "bootstrap_id": self.bootstrap_id,
            "log_seq": self.log_seq,
            "ts": self.ts,
            "cases": list(self.cases.values()),
            "case_ids": list(self._case_cols.ids),
            "case_cols": {
                k: _pack(self._case_cols.view(k))
                for k in self._case_cols.cols
                if k not in CODED_FIELDS
            },
            "vehicle_ids": list(self._veh.ids),
            "vehicles": [self.vehicles.get(v, {"id": v}) for v in self._veh.ids],
            "trail_points": self.trail_points,
            "vehicle_cols": {k: _pack(self._veh.view(k)) for k in self._veh.cols},
            "trail_n": _pack(self._trail_n[rows]),
            "trails": _pack_rows(self._trail, rows),
            "alerts": list(self.alerts.values()),
            "sensors": list(self.sensors.values()),
            "records": [r for docs in self.records.values() for r in docs.values()],
            "strings": list(self._strings),
            "numbers": list(self._numbers),
        }

    @classmethod
    def from_checkpoint(
        cls, cp: dict[str, Any], reference: dict[str, Any] | None = None
    ) -> CityState:
        if cp.get("version") not in (1, 2, CHECKPOINT_VERSION):
            raise ValueError(f"checkpoint version {cp.get('version')!r} is not supported")
        s = cls(trail_points=cp["trail_points"])
        trails = _unpack(cp["trails"], np.float64).reshape(-1, s.trail_points, 3)
        if reference:
            s.set_reference(reference)
        for vid, info in zip(cp["vehicle_ids"], cp["vehicles"], strict=True):
            s._vehicle_row(vid)
            s.vehicles[vid] = info
        n = len(cp["vehicle_ids"])
        for k, values in cp["vehicle_cols"].items():
            s._veh.cols[k][:n] = _unpack(values, s._veh.cols[k].dtype)
        s._trail[:n] = trails
        s._trail_n[:n] = _unpack(cp["trail_n"], np.int64)
        s.vehicles = dict(zip(cp["vehicle_ids"], cp["vehicles"], strict=True))
        if "case_cols" in cp:  # the lights' instants as computed then: no domain clock run
            s.cases = {doc["id"]: doc for doc in cp["cases"]}
            if cp.get("values_shared"):  # read back sharing them, as they were written
                s._strings = {v: v for v in cp.get("strings", ())}
                s._numbers = {v: v for v in cp.get("numbers", ())}
            else:
                for doc in cp["cases"]:
                    s._share_values(doc)
            for cid in cp["case_ids"]:
                s._case_cols.row(cid)
            n = len(cp["case_ids"])
            for k, values in cp["case_cols"].items():
                s._case_cols.cols[k][:n] = _unpack(values, s._case_cols.cols[k].dtype)
            s._code_cases(np.arange(n), [s.cases[cid] for cid in cp["case_ids"]])
        else:
            s._put_cases(cp["cases"])
        s.alerts = {a["id"]: a for a in cp["alerts"]}
        s.sensors = {x["id"]: x for x in cp["sensors"]}  # replaces the reference's
        for r in cp.get("records", ()):  # none in checkpoints made before records
            s._put_record(r)
        s.seq, s.bootstrap_seq, s.ts = cp["seq"], cp["bootstrap_seq"], cp["ts"]
        s.bootstrap_id, s.log_seq = cp["bootstrap_id"], cp["log_seq"]
        return s


def compose_rows(first: np.ndarray | None, then: np.ndarray) -> np.ndarray:
    """The row remap of ``first`` followed by ``then`` (both ``new[old]``, -1: removed)."""
    if first is None:
        return then
    return np.where(first >= 0, then[np.maximum(first, 0)], -1)


#: Trail rings read whole (a digest, a checkpoint) are gathered this many rows at a time:
#: numpy holds the GIL through one gather, and all 2,000 vehicles' rings at once (25 MB) kept
#: the GUI thread waiting ~30 ms behind the checkpoint writer's thread; 128 rows are ~1.6 MB,
#: ~1 ms, and the GIL changes hands between them.
GATHER_ROWS = 128


def _pack(a: np.ndarray) -> dict[str, Any]:
    """A numeric array as its little-endian bytes: exact (NaN included), and what the compact
    checkpoint form stores as they are (``console.store.checkpoint_form``; its JSON form turns
    them into base64 text). Base64 here cost the live writer ~2x 25 MB of GIL-held encoding
    and decoding per checkpoint at 2,000 vehicles."""
    a = np.ascontiguousarray(a)
    le = a.astype(a.dtype.newbyteorder("<"), copy=False)
    return {"dtype": le.dtype.str, "shape": list(a.shape), "raw": le.tobytes()}


def _pack_rows(a: np.ndarray, rows: np.ndarray) -> dict[str, Any]:
    """``_pack(a[rows])``, gathered ``GATHER_ROWS`` rows at a time into the bytes it returns:
    the trail rings' one 25 MB gather and its copy to bytes held the GIL ~30 ms in the
    checkpoint writer's thread while the GUI thread waited for it (``bench gui --stacks``)."""
    le = a.dtype.newbyteorder("<")
    raw = bytearray(len(rows) * a[0:1].nbytes)
    out = np.frombuffer(raw, dtype=le).reshape((len(rows), *a.shape[1:]))
    for lo in range(0, len(rows), GATHER_ROWS):
        out[lo : lo + GATHER_ROWS] = a[rows[lo : lo + GATHER_ROWS]]
    return {"dtype": le.str, "shape": list(out.shape), "raw": raw}


def _unpack(v: Any, dtype: DTypeLike) -> np.ndarray:
    """``_pack``'s form (its bytes as base64 text, or as they are: ``raw``, in a compact
    checkpoint), or version 1's nested lists with None for NaN."""
    if isinstance(v, dict):
        data = v["raw"] if "raw" in v else base64.b64decode(v["b64"])
        raw = np.frombuffer(data, dtype=np.dtype(v["dtype"]))
        return raw.reshape(v["shape"]).astype(dtype)
    a = np.array(v, dtype=object)
    if np.dtype(dtype).kind == "f":
        a = np.where(a == None, np.nan, a)  # noqa: E711 (elementwise)
    return a.astype(dtype)


def _deep_size(o: object, seen: set[int] | None = None) -> int:
    seen = set() if seen is None else seen
    if id(o) in seen:
        return 0
    seen.add(id(o))
    size = sys.getsizeof(o)
    if isinstance(o, dict):
        size += sum(_deep_size(k, seen) + _deep_size(v, seen) for k, v in o.items())
    elif isinstance(o, list | tuple | set):
        size += sum(_deep_size(x, seen) for x in o)
    return size


def _major(doc: CaseDoc) -> int:
    """The category's major class (its first two digits), 0 when the code has none."""
    code = str(doc.get("category_code") or "")
    return int(code[:2]) if code[:2].isdigit() else 0


def _queue_code(doc: CaseDoc) -> int:
    disputed = dispute_pending(doc.get("dispute"))
    q = queue_of(str(doc.get("state")), doc.get("stage"), _callback_due(doc), disputed)
    return NO_QUEUE if q is None else QUEUE_CODE[q]


def _callback_due(doc: CaseDoc) -> bool:
    """Whether a closed public report still waits for its 回访 (its queue is 待回访)."""
    return callback_open(
        str(doc.get("source") or ""),
        str(doc.get("state") or ""),
        doc.get("satisfaction"),
        int(doc.get("callback_attempts") or 0),
    )
