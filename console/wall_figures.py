"""The video wall's numbers, computed from the CityState a wall folds (no Qt, no I/O).

Each function reads the state at a district instant ``now`` (epoch seconds) and returns plain
numbers, so the same figures come out of a live wall and of a replayed shift log. "Today" is
the China-time calendar day of ``now`` (the centre's working day, ``domain.china_time``).
Counts are what the state holds: a wall started mid-day holds the snapshot's cases (the
backend's open cases and today's), so closed cases of earlier days are absent and the
"same day last week" curve is only drawn when the state really holds cases of that day.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from console.domain.case import parse_time
from console.domain.china_time import CST, per_hour
from console.domain.china_time import day_start as china_day_start
from console.domain.queues import NO_QUEUE
from console.domain.sla import RED, minutes_left
from console.geo.grid import UnitGrid
from console.state import VEHICLE_STATUS_CODE, CityState

#: The case flow of the day, in the order of the closed loop (数字化城管 "六步闭环": 信息收集
#: 上报, 案件建立, 任务派遣, 任务处理, 处理反馈/核查, 核查结案; GB/T 30428.1).
FLOW_STAGES = ("reported", "registered", "dispatched", "handled", "checking", "closed")
#: Where an open case waits, by its state: the stage it has not yet passed.
WAITING_AT = {
    "reported": "reported",
    "accepted": "reported",
    "verifying": "reported",
    "returned": "registered",
    "registered": "registered",
    "dispatched": "dispatched",
    "handled": "handled",
    "checking": "checking",
    "checked": "checking",
}
#: The states that count a case as having passed each stage (its events' ``to_state``).
_REACHES = {
    "registered": {"registered"},
    "dispatched": {"dispatched"},
    "handled": {"handled"},
    "checking": {"checking", "checked"},
    "closed": {"closed"},
}
#: Fleet coverage looks at the last hour of trails: a sweeper's round of a grid takes about
#: that long, so a cell not passed in an hour is one the fleet is not keeping up with.
COVERAGE_WINDOW_S = 3600.0


def day_start(now: float) -> float:
    """Epoch seconds of 00:00 China time of the day holding ``now``."""
    return china_day_start(datetime.fromtimestamp(now, CST).date()).timestamp()


def _t(iso: str | None) -> float:
    t = parse_time(iso) if iso else None
    return math.nan if t is None else t.timestamp()


#: Per state, per case: (version, created, ((stage, instant), ...)) of its events, read once
#: per version: the wall refreshes its counters every few seconds over thousands of cases, and
#: parsing every event's time each time cost ~30 ms per 1,000 cases (``bench wall_soak``).
_TIMES: weakref.WeakKeyDictionary[CityState, dict[str, tuple[object, float, tuple]]] = (
    weakref.WeakKeyDictionary()
)


def _stage_times(state: CityState) -> dict[str, tuple[object, float, tuple]]:
    """Each case's creation instant and the flow stages its events reached, with when."""
    cache = _TIMES.setdefault(state, {})
    if len(cache) > 2 * len(state.cases) + 64:  # cases the state let go of
        for cid in cache.keys() - state.cases.keys():
            del cache[cid]
    for cid, doc in state.cases.items():
        version = doc.get("version")
        hit = cache.get(cid)
        if hit is None or hit[0] != version:
            stages = tuple(
                (stage, _t(ev.get("at")))
                for ev in doc.get("events") or ()
                for stage, states in _REACHES.items()
                if ev.get("to_state") in states
            )
            cache[cid] = (version, _t(doc.get("created_at")), stages)
    return cache


def _reached(times: tuple, t0: float, t1: float) -> set[str]:
    """The flow stages passed in [t0, t1), of one case's ``_stage_times``."""
    return {stage for stage, at in times if t0 <= at < t1}


@dataclass
class Counters:
    """The map scene's live counters."""

    reported: int = 0  # cases created today
    registered: int = 0  # 立案 today
    closed: int = 0  # 结案 today
    overdue: int = 0  # open cases whose light is red now
    open: int = 0
    working: int = 0
    idle: int = 0  # moving or stopped, not working
    offline: int = 0


def counters(state: CityState, now: float) -> Counters:
    t0 = day_start(now)
    c = Counters()
    times = _stage_times(state)
    for cid in state.cases:
        _v, created, stages = times[cid]
        if t0 <= created < now + 1:
            c.reported += 1
        passed = _reached(stages, t0, now + 1)
        c.registered += "registered" in passed
        c.closed += "closed" in passed
    a = state.case_arrays()
    open_ = a["queue"] != NO_QUEUE
    c.open = int(open_.sum())
    c.overdue = int((state.case_lights(now)[open_] == RED).sum())
    status = state.vehicle_arrays()["status"]
    c.working = int((status == VEHICLE_STATUS_CODE["working"]).sum())
    c.offline = int((status == VEHICLE_STATUS_CODE["offline"]).sum())
    c.idle = len(status) - c.working - c.offline
    return c


@dataclass
class Flow:
    """Today's funnel: how many cases passed each stage today, and the open cases waiting
    at each stage now (and how many of those are overdue)."""

    passed: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    parked: int = 0


def flow(state: CityState, now: float) -> Flow:
    t0 = day_start(now)
    f = Flow(
        passed=dict.fromkeys(FLOW_STAGES, 0),
        waiting=dict.fromkeys(FLOW_STAGES, 0),
        overdue=dict.fromkeys(FLOW_STAGES, 0),
    )
    lights = state.case_lights(now)
    times = _stage_times(state)
    for cid, doc in state.cases.items():
        _v, created, stages = times[cid]
        if t0 <= created < now + 1:
            f.passed["reported"] += 1
        for stage in _reached(stages, t0, now + 1):
            f.passed[stage] += 1
        st = doc.get("state")
        if st == "parked":
            f.parked += 1
        at = WAITING_AT.get(str(st))
        if at is not None:
            f.waiting[at] += 1
            row = state.case_row(cid)
            if row is not None and lights[row] == RED:
                f.overdue[at] += 1
    return f


@dataclass(frozen=True)
class Waiting:
    """An open case waiting at a flow stage, for the flow scene's "who waits longest"."""

    case_id: str
    stage: str  # the flow stage it waits at (``WAITING_AT``)
    category_code: str
    grid_code: str
    since: float  # epoch s it entered its current stage (NaN: not known)
    minutes_left: float | None  # on the stage's own clock until red; < 0: overdue by that much


def longest_waiting(state: CityState, now: float, per_stage: int = 3) -> dict[str, list[Waiting]]:
    """For each stage an open case can wait at (every flow stage but 结案), the ``per_stage``
    cases that are furthest past their stage's deadline: most overdue first, then those with
    the least time left, then (no clock running, e.g. a case waiting to be accepted outside
    the centre's clock) the longest waiting. Minutes are on the stage's own clock (working
    minutes for a department's disposal), as the desks' countdowns count them."""
    red_at = state.case_arrays()["red_at"]
    out: dict[str, list[Waiting]] = {stage: [] for stage in FLOW_STAGES[:-1]}
    for cid, doc in state.cases.items():
        at = WAITING_AT.get(str(doc.get("state")))
        row = state.case_row(cid)
        if at is None or row is None:
            continue
        events = doc.get("events") or ()
        since = _t(doc.get("stage_started_at") or (events[-1].get("at") if events else None))
        out[at].append(
            Waiting(
                case_id=cid,
                stage=at,
                category_code=str(doc.get("category_code") or ""),
                grid_code=str(doc.get("grid_code") or ""),
                since=since,
                minutes_left=minutes_left(state.clock_of(doc), now, float(red_at[row])),
            )
        )

    def urgency(w: Waiting) -> tuple[bool, float, float, str]:
        since = w.since if math.isfinite(w.since) else math.inf
        return (w.minutes_left is None, w.minutes_left or 0.0, since, w.case_id)

    return {stage: sorted(ws, key=urgency)[:per_stage] for stage, ws in out.items()}


def hourly(state: CityState, now: float) -> tuple[list[int], list[int] | None]:
    """Cases created per hour (24 bins) today up to ``now``, and on the same weekday a week
    earlier as far as the state holds it: None when it holds no case created that day (a live
    wall asks the backend for that day, ``GET /api/v1/cases/hourly``: finished cases leave
    the state after a day, ``console.domain.retention``)."""
    t0 = day_start(now)
    week = t0 - 7 * 86400
    created = [_t(d.get("created_at")) for d in state.cases.values()]
    today = per_hour((t for t in created if t <= now), t0)
    last = per_hour(created, week)
    return today, (last if sum(last) else None)


def last_week_day(now: float) -> str:
    """The China-time date (YYYY-MM-DD) of the same weekday a week before ``now``."""
    return (datetime.fromtimestamp(now, UTC).astimezone(CST) - timedelta(days=7)).date().isoformat()


def top_today(state: CityState, now: float, key: str, n: int = 8) -> list[tuple[str, int]]:
    """The ``n`` most frequent values of a case field (``category_code``, ``grid_code``) among
    today's cases, most frequent first."""
    t0 = day_start(now)
    counts = Counter(
        str(d.get(key))
        for d in state.cases.values()
        if d.get(key) and t0 <= _t(d.get("created_at")) <= now
    )
    return counts.most_common(n)


@dataclass
class Fleet:
    by_status: dict[str, int]
    coverage: float  # share of the district's grid cells a vehicle passed in the last hour
    cells_passed: int
    cells: int
    incidents: list[str]  # ids of open alerts about a vehicle, loudest first


def fleet(state: CityState, now: float) -> Fleet:
    fleet_rows = state.sanitation_rows()  # people and patrols are not the fleet
    status = state.vehicle_arrays()["status"][fleet_rows]
    by_status = {name: int((status == code).sum()) for name, code in VEHICLE_STATUS_CODE.items()}
    lon, lat, _t_, _c = state.trails_connect(since=now - COVERAGE_WINDOW_S, rows=fleet_rows)
    fleet_ids = {state.vehicle_ids()[i] for i in fleet_rows}
    grid = UnitGrid.load()
    cells = grid.lookup(lon, lat) if len(lon) else np.empty(0, dtype=np.int64)
    passed = int(len(np.unique(cells[cells >= 0])))
    severity = {"critical": 0, "warning": 1, "info": 2}
    incidents = sorted(
        (
            a
            for a in state.alerts.values()
            if a.get("subject_type") == "vehicle" and a.get("subject_id") in fleet_ids
        ),
        key=lambda a: (severity.get(str(a.get("severity")), 3), str(a.get("raised_at") or "")),
    )
    return Fleet(
        by_status=by_status,
        coverage=passed / len(grid) if len(grid) else 0.0,
        cells_passed=passed,
        cells=len(grid),
        incidents=[a["id"] for a in incidents],
    )


def hour_label(now: float) -> str:
    """``HH:MM`` of ``now`` in China time, for the scenes' headers."""
    return (datetime.fromtimestamp(now, UTC).astimezone(CST)).strftime("%H:%M")


def today_range(now: float) -> tuple[datetime, datetime]:
    """Today's 00:00 and ``now`` as aware datetimes (the KPI request's ``from``/``to``)."""
    t0 = datetime.fromtimestamp(day_start(now), UTC)
    return t0, max(datetime.fromtimestamp(now, UTC), t0 + timedelta(minutes=1))
