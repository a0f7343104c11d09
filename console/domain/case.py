"""A case and what one action does to it: the single implementation of the closed loop.

``apply_action`` is a pure function from (case, action, actor, time) to (new case, event). The
backend calls it inside a transaction and stores the result; KPIs and replay read the events
it recorded. Each event records the stage it ended, that stage's deadline and whether it was
met, so every on-time indicator is a count over events and never needs the clock again.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from .calendar import WorkCalendar
from .limits import Limit, TimeLimits
from .sla import LightThresholds
from .sla import light as light_for
from .workflow import (
    Action,
    Actor,
    BadActionParams,
    Source,
    State,
    check_action,
    stage_for,
)

MAX_NOTE = 2000
LIGHT_THRESHOLDS = LightThresholds()
MAX_EXTENSION_HOURS = 24 * 30


def iso(t: datetime | None) -> str | None:
    """ISO 8601 in UTC, the wire form of every timestamp."""
    return None if t is None else t.astimezone(UTC).isoformat()


def parse_time(s: str | datetime | None) -> datetime | None:
    if s is None or isinstance(s, datetime):
        return s
    t = datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass
class Case:
    """A case as stored and sent on the wire (``to_dict``). Times are tz-aware UTC."""

    id: str
    source: str
    category_code: str
    lon: float
    lat: float
    created_at: datetime
    state: str = State.REPORTED.value
    version: int = 1
    urgency: str = "normal"
    address: str = ""
    description: str = ""
    photos: list[str] = field(default_factory=list)
    reporter: str | None = None
    grid_code: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    department_id: str | None = None
    departments: list[str] = field(default_factory=list)
    verified: bool = False
    # The running stage clock: which stage, since when, its limit, and working minutes during
    # which the clock was stopped (extension requests pending); None when no clock runs.
    stage: str | None = None
    stage_started_at: datetime | None = None
    stage_limit_minutes: float | None = None
    stage_clock: str = "working"
    paused_minutes: float = 0.0
    paused_since: datetime | None = None
    extension_pending_hours: float | None = None
    rework_count: int = 0
    extension_count: int = 0
    extension_hours: float = 0.0
    return_count: int = 0
    dispatch_count: int = 0
    parked_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    # The 部件 the case is about (16-digit code, see console.domain.components) and the
    # department that owns it, which dispatch routing follows (console.domain.routing).
    component_code: str | None = None
    component_owner: str | None = None

    # ---- clock -----------------------------------------------------------------------------
    @property
    def clock_paused(self) -> bool:
        return self.paused_since is not None

    def _limit(self) -> Limit | None:
        if self.stage is None or self.stage_limit_minutes is None:
            return None
        return Limit(self.stage_limit_minutes, self.stage_clock)

    def used_fraction(
        self, now: datetime, calendar: WorkCalendar, limits: TimeLimits
    ) -> float | None:
        """Share of the current stage's limit used at ``now`` (clock stopped while paused)."""
        limit = self._limit()
        if limit is None or self.stage_started_at is None or limit.minutes <= 0:
            return None
        end = self.paused_since or now
        used = limits.elapsed(calendar, self.stage_started_at, end, limit) - self.paused_minutes
        return max(used, 0.0) / limit.minutes

    def deadline(
        self, calendar: WorkCalendar, limits: TimeLimits, now: datetime | None = None
    ) -> datetime | None:
        """When the current stage's limit runs out; while the clock is stopped, the deadline
        it would have if the clock restarted ``now``."""
        limit = self._limit()
        if limit is None or self.stage_started_at is None:
            return None
        paused = self.paused_minutes
        if self.paused_since is not None and now is not None:
            paused += limits.elapsed(calendar, self.paused_since, now, limit)
        return limits.deadline(calendar, self.stage_started_at, limit, extra_minutes=paused)

    def light_times(
        self, calendar: WorkCalendar, limits: TimeLimits
    ) -> tuple[datetime, datetime] | None:
        """(when the light turns yellow, when it turns red) for the running clock, or None
        when no clock runs or it is stopped.

        Red begins once a second of the clock's own time has passed beyond the limit (used >
        100 %): for a working-time limit that runs out at 12:00 that is 14:00:01, not 12:00:01,
        because no working time passes over lunch and the case is still on time.
        """
        limit = self._limit()
        if limit is None or self.stage_started_at is None or self.clock_paused:
            return None
        yellow = Limit(limit.minutes * LIGHT_THRESHOLDS.yellow, limit.clock)
        red = Limit(limit.minutes * LIGHT_THRESHOLDS.red + 1 / 60, limit.clock)
        start, paused = self.stage_started_at, self.paused_minutes
        return (
            limits.deadline(calendar, start, yellow, extra_minutes=paused),
            limits.deadline(calendar, start, red, extra_minutes=paused),
        )

    def next_light_change(
        self, calendar: WorkCalendar, limits: TimeLimits, now: datetime
    ) -> datetime | None:
        """When the light next changes colour (None once red, or while no clock runs)."""
        times = self.light_times(calendar, limits)
        if times is None:
            return None
        return next((t for t in times if t > now), None)

    def light(self, now: datetime, calendar: WorkCalendar, limits: TimeLimits) -> str | None:
        used = self.used_fraction(now, calendar, limits)
        return None if used is None else light_for(used)

    def stockpiled(self, now: datetime, limits: TimeLimits) -> bool:
        """积存: parked for longer than the stockpile threshold (calendar days)."""
        return (
            self.parked_at is not None
            and (now - self.parked_at).total_seconds() > limits.stockpile_days * 86400
        )

    # ---- wire form -------------------------------------------------------------------------
    def to_dict(
        self,
        now: datetime | None = None,
        calendar: WorkCalendar | None = None,
        limits: TimeLimits | None = None,
    ) -> dict[str, Any]:
        """The JSON form (``console.domain.documents.CaseDoc``); with a clock it includes the
        derived ``deadline``, ``light`` and ``stockpiled``."""
        d: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            d[f.name] = iso(v) if isinstance(v, datetime) else copy.deepcopy(v)
        d.pop("lon")
        d.pop("lat")
        d["location"] = {"lon": self.lon, "lat": self.lat}
        d["clock_paused"] = self.clock_paused
        if now is not None and calendar is not None and limits is not None:
            d["deadline"] = iso(self.deadline(calendar, limits, now))
            d["light"] = self.light(now, calendar, limits)
            d["stockpiled"] = self.stockpiled(now, limits)
        else:
            d.setdefault("deadline", None)
            d.setdefault("light", None)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Case:
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["lon"] = d["location"]["lon"]
        kw["lat"] = d["location"]["lat"]
        for f in fields(cls):
            if f.name.endswith("_at") or f.name in ("paused_since",):
                kw[f.name] = parse_time(kw.get(f.name))
        return cls(**kw)


def _event(
    case: Case,
    action: str,
    actor: Actor,
    role: str,
    at: datetime,
    from_state: str | None,
    note: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "n": len(case.events) + 1,
        "action": action,
        "user": actor.user_id,
        "role": role,
        "at": iso(at),
        "from_state": from_state,
        "to_state": case.state,
        "note": note,
        "data": data,
        "stage": None,
        "stage_deadline": None,
        "on_time": None,
    }


def _start_stage(case: Case, at: datetime, limits: TimeLimits) -> None:
    """Start the clock of the stage the case now waits for (or stop it: parked, closed)."""
    stage = stage_for(State(case.state), case.source, case.verified)
    case.stage = stage
    case.paused_minutes = 0.0
    case.paused_since = None
    if stage is None:
        case.stage_started_at = None
        case.stage_limit_minutes = None
        return
    limit = limits.stage_limit(stage, case.category_code, case.urgency)
    case.stage_started_at = at
    case.stage_limit_minutes = limit.minutes
    case.stage_clock = limit.clock


def new_case(
    case_id: str,
    *,
    source: str,
    category_code: str,
    lon: float,
    lat: float,
    reporter: Actor,
    role: str,
    at: datetime,
    limits: TimeLimits,
    urgency: str = "normal",
    address: str = "",
    description: str = "",
    photos: list[str] | None = None,
    grid_code: str | None = None,
    street_code: str | None = None,
    community_code: str | None = None,
    note: str = "",
    component_code: str | None = None,
    component_owner: str | None = None,
) -> Case:
    """A freshly reported case with its creating ``report`` event and its accept clock running."""
    Source(source)  # raises ValueError for an unknown source
    if urgency not in limits.urgency_levels:
        raise BadActionParams(
            f"unknown urgency {urgency!r}", {"allowed": sorted(limits.urgency_levels)}
        )
    case = Case(
        id=case_id,
        source=source,
        category_code=category_code,
        lon=lon,
        lat=lat,
        created_at=at,
        urgency=urgency,
        address=address,
        description=description,
        photos=list(photos or []),
        reporter=reporter.user_id,
        grid_code=grid_code,
        street_code=street_code,
        community_code=community_code,
        verified=Source(source) in (Source.SUPERVISOR, Source.SELF),
        updated_at=at,
        component_code=component_code,
        component_owner=component_owner,
    )
    case.events.append(
        _event(case, Action.REPORT.value, reporter, role, at, None, note, {"source": source})
    )
    _start_stage(case, at, limits)
    return case


def apply_action(
    case: Case,
    action: str,
    actor: Actor,
    at: datetime,
    calendar: WorkCalendar,
    limits: TimeLimits,
    *,
    note: str = "",
    params: dict[str, Any] | None = None,
) -> tuple[Case, dict[str, Any]]:
    """Take one action on a copy of ``case``; return the new case and the event recorded.

    Raises ``WorkflowError`` subclasses (403 role, 422 transition, 400 parameters). The input
    case is never modified, so a refused action leaves nothing half-done.
    """
    params = dict(params or {})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadActionParams(f"note longer than {MAX_NOTE} characters")
    t, role = check_action(
        case.state,
        action,
        actor,
        params,
        note,
        case.department_id,
        case.extension_pending_hours is not None,
    )
    action = t.action
    new = copy.deepcopy(case)
    from_state = new.state
    data: dict[str, Any] = {}

    # What the action ends: the running stage, met or missed.
    ended_stage, ended_deadline, on_time = None, None, None
    if new.stage is not None and t.target is not None:
        ended_stage = new.stage
        dl = new.deadline(calendar, limits, at)
        ended_deadline = iso(dl)
        used = new.used_fraction(at, calendar, limits)
        on_time = None if used is None else used <= 1.0

    if action in (Action.DISPATCH, Action.REDISPATCH):
        dept = str(params["department_id"])
        data["department_id"] = dept
        new.department_id = dept
        new.dispatch_count += 1
        if dept not in new.departments:
            new.departments.append(dept)
    elif action == Action.VERIFIED:
        new.verified = True
        data["valid"] = bool(params.get("valid", True))
    elif action == Action.CHECK_FAIL:
        new.rework_count += 1
    elif action == Action.RETURN:
        new.return_count += 1
        data["department_id"] = new.department_id
    elif action == Action.REQUEST_EXTENSION:
        hours = _hours(params.get("hours"))
        data["hours"] = hours
        new.extension_pending_hours = hours
        new.paused_since = at
    elif action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION):
        hours = new.extension_pending_hours or 0.0
        data["hours"] = hours
        limit = new._limit()
        if limit is not None and new.paused_since is not None:
            new.paused_minutes += limits.elapsed(calendar, new.paused_since, at, limit)
        new.paused_since = None
        new.extension_pending_hours = None
        if action == Action.APPROVE_EXTENSION:
            new.extension_count += 1
            new.extension_hours += hours
            if new.stage_limit_minutes is not None:
                new.stage_limit_minutes += hours * 60.0
    elif action == Action.PARK:
        new.parked_at = at
    elif action == Action.RESUME:
        data["parked_minutes"] = (
            round((at - new.parked_at).total_seconds() / 60.0, 1) if new.parked_at else None
        )
        new.parked_at = None
    elif action == Action.CLOSE:
        new.closed_at = at

    if t.target is not None:
        new.state = t.target.value
        _start_stage(new, at, limits)
    new.version += 1
    new.updated_at = at
    ev = _event(new, action.value, actor, role.value, at, from_state, note, data)
    ev["stage"], ev["stage_deadline"], ev["on_time"] = ended_stage, ended_deadline, on_time
    new.events.append(ev)
    return new, ev


def _hours(v: Any) -> float:
    try:
        hours = float(v)
    except (TypeError, ValueError):
        raise BadActionParams("hours must be a number") from None
    if not (0 < hours <= MAX_EXTENSION_HOURS):
        raise BadActionParams(f"hours must be in (0, {MAX_EXTENSION_HOURS}]")
    return hours
