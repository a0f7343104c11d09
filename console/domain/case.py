"""A case and what one action does to it: the single implementation of the closed loop.

``apply_action`` is a pure function from (case, action, actor, time) to (new case, event). The
backend calls it inside a transaction and stores the result; KPIs and replay read the events
it recorded. Each event records the stage it ended, that stage's deadline and whether it was
met, so every on-time indicator is a count over events and never needs the clock again.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from . import callback, coop, field_tasks
from .calendar import WorkCalendar, epoch_us
from .china_time import CST
from .limits import DISPOSE, Limit, TimeLimits
from .sla import LightThresholds
from .sla import light as light_for
from .workflow import (
    Action,
    Actor,
    BadActionParams,
    CaseFacts,
    ForbiddenAction,
    InvalidTransition,
    Role,
    Source,
    State,
    check_action,
    stage_for,
)
from .workflow_rules import WorkflowRules

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
    #: How to reach a citizen reporter (name, phone, email), for 回访; never in public views.
    reporter_contact: dict[str, str] | None = None
    grid_code: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    department_id: str | None = None
    departments: list[str] = field(default_factory=list)
    verified: bool = False
    # The running stage clock: which stage, since when, its limit (approved extensions
    # included), and minutes of its clock during which the case was parked (缓办: the clock
    # stands still); None when no clock runs. An extension request does not stop the clock.
    stage: str | None = None
    stage_started_at: datetime | None = None
    stage_limit_minutes: float | None = None
    stage_clock: str = "working"
    paused_minutes: float = 0.0
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
    # 缓办: the due date (CST calendar date, ISO) while parked, and a department's request
    # waiting for the centre's decision.
    park_due_date: str | None = None
    park_request_due_date: str | None = None
    # The supervisor an open 核实/核查 task is addressed to (console.domain.field_tasks), and
    # the 回访 of a public report: its last answer and the attempts made (console.domain.callback).
    assignee: str | None = None
    satisfaction: str | None = None
    callback_attempts: int = 0
    # 部门协作 (console.domain.coop): the 协办 tasks beside the 主办 (``department_id``), and
    # the ownership dispute a return raised (pending, then the 值班长's decision).
    assists: list[dict[str, Any]] = field(default_factory=list)
    dispute: dict[str, Any] | None = None

    # ---- clock -----------------------------------------------------------------------------
    def _limit(self) -> Limit | None:
        if self.stage is None or self.stage_limit_minutes is None:
            return None
        return Limit(self.stage_limit_minutes, self.stage_clock)

    def used_fraction(
        self, now: datetime, calendar: WorkCalendar, limits: TimeLimits
    ) -> float | None:
        """Share of the current stage's limit used at ``now`` (time parked does not count)."""
        used = self.used_minutes(now, calendar, limits)
        limit = self._limit()
        if used is None or limit is None or limit.minutes <= 0:
            return None
        return used / limit.minutes

    def used_minutes(
        self, now: datetime, calendar: WorkCalendar, limits: TimeLimits
    ) -> float | None:
        """Minutes of the current stage's clock used at ``now``; None when no clock runs."""
        limit = self._limit()
        if limit is None or self.stage_started_at is None:
            return None
        used = limits.elapsed(calendar, self.stage_started_at, now, limit) - self.paused_minutes
        return max(used, 0.0)

    def deadline(self, calendar: WorkCalendar, limits: TimeLimits) -> datetime | None:
        """When the current stage's limit (with approved extensions) runs out."""
        limit = self._limit()
        if limit is None or self.stage_started_at is None:
            return None
        return limits.deadline(
            calendar, self.stage_started_at, limit, extra_minutes=self.paused_minutes
        )

    def light_times(
        self, calendar: WorkCalendar, limits: TimeLimits
    ) -> tuple[datetime, datetime] | None:
        """(when the light turns yellow, when it turns red) for the running clock, or None
        when no clock runs.

        Red begins once a second of the clock's own time has passed beyond the limit (used >
        100 %): for a working-time limit that runs out at 12:00 that is 14:00:01, not 12:00:01,
        because no working time passes over lunch and the case is still on time.
        """
        limit = self._limit()
        if limit is None or self.stage_started_at is None:
            return None
        yellow_minutes, red_minutes = light_minutes(limit.minutes)
        yellow, red = Limit(yellow_minutes, limit.clock), Limit(red_minutes, limit.clock)
        start, paused = self.stage_started_at, self.paused_minutes
        return (
            limits.deadline(calendar, start, yellow, extra_minutes=paused),
            limits.deadline(calendar, start, red, extra_minutes=paused),
        )

    def next_light_change(
        self, calendar: WorkCalendar, limits: TimeLimits, now: datetime
    ) -> datetime | None:
        """When the light next changes colour, or a parked case's 缓办 due date passes (None
        once red, or when nothing will change)."""
        times = self.light_times(calendar, limits)
        if times is None:
            passes = self.park_due_passes()
            return passes if passes is not None and passes > now else None
        return next((t for t in times if t > now), None)

    def park_due_passes(self) -> datetime | None:
        """The instant a parked case's 缓办 due date has passed (the next day's 00:00 CST)."""
        if self.state != State.PARKED.value or not self.park_due_date:
            return None
        day = date.fromisoformat(self.park_due_date) + timedelta(days=1)
        return datetime.combine(day, time(0, 0), CST).astimezone(UTC)

    def park_overdue(self, now: datetime) -> bool:
        """Parked past its 缓办 due date: the centre must resume it or decide again."""
        passes = self.park_due_passes()
        return passes is not None and now >= passes

    def facts(
        self,
        at: datetime,
        calendar: WorkCalendar,
        limits: TimeLimits,
        rules: WorkflowRules | None = None,
    ) -> CaseFacts:
        """What the workflow's rules need to know about this case at ``at``."""
        rules = rules or WorkflowRules.default()
        used = self.used_fraction(at, calendar, limits)
        return CaseFacts(
            state=self.state,
            department_id=self.department_id,
            source=self.source,
            extension_pending=self.extension_pending_hours is not None,
            park_request_pending=self.park_request_due_date is not None,
            limit_used_up=used is not None and used >= 1.0,
            extensions_used_up=self.extension_count >= rules.max_extensions,
            assist_departments=coop.open_assist_departments(self.assists),
            dispute_pending=coop.dispute_pending(self.dispute),
            bound_department=coop.bound_department(self.dispute),
        )

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
        if now is not None and calendar is not None and limits is not None:
            d["deadline"] = iso(self.deadline(calendar, limits))
            d["light"] = self.light(now, calendar, limits)
            d["stockpiled"] = self.stockpiled(now, limits)
            d["park_overdue"] = self.park_overdue(now)
        else:
            d.setdefault("deadline", None)
            d.setdefault("light", None)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Case:
        kw = {k: v for k, v in d.items() if k in _FIELD_NAMES}
        kw["lon"] = d["location"]["lon"]
        kw["lat"] = d["location"]["lat"]
        for name in _TIME_FIELDS:
            kw[name] = parse_time(kw.get(name))
        return cls(**kw)


_FIELD_NAMES = frozenset(f.name for f in fields(Case))
_TIME_FIELDS = tuple(f.name for f in fields(Case) if f.name.endswith("_at"))
#: Keys ``from_dict`` cannot do without (the fields without a default; lon/lat are in location).
_REQUIRED_KEYS = frozenset(
    f.name for f in fields(Case) if f.default is MISSING and f.default_factory is MISSING
) - {"lon", "lat"}
#: Below this many documents ``light_times_of`` reads each one through ``Case``: measured on
#: the project's 2-core machine under load, ~30 µs a document that way, and ~0.7–0.9 ms for the batch's few
#: dozen array operations whatever their length, the two meeting at about 32 documents.
_BATCH_FROM = 32


def light_minutes(limit_minutes: Any) -> tuple[Any, Any]:
    """The minutes of a stage's clock after which its light turns yellow and red, for a limit
    (a number, or a numpy array of them): the one place the light's boundaries become times
    (``Case.light_times`` and ``light_times_of``). Red begins a second past the limit (see
    ``Case.light_times``)."""
    return (
        limit_minutes * LIGHT_THRESHOLDS.yellow,
        limit_minutes * LIGHT_THRESHOLDS.red + 1 / 60,
    )


def case_light_times(
    d: Mapping[str, Any], calendar: WorkCalendar, limits: TimeLimits
) -> tuple[float, float]:
    """``Case.from_dict(d).light_times(...)`` as epoch seconds (yellow, red); NaN when no clock
    runs (parked, closed, void) or the domain cannot read the document (no crash)."""
    try:
        times = Case.from_dict(d).light_times(calendar, limits)
    except (KeyError, TypeError, ValueError):
        return math.nan, math.nan
    if times is None:
        return math.nan, math.nan
    return times[0].timestamp(), times[1].timestamp()


class _Unsure(Exception):
    """A document the batch does not read on its own: ``case_light_times`` decides it."""


def _clock_row(d: Mapping[str, Any]) -> tuple[int, float, float, str] | None:
    """(start µs, limit minutes, paused minutes, clock) of a readable document's running
    clock, None when no clock runs; raises _Unsure for anything ``from_dict`` might refuse or
    read otherwise, so the batch never decides a document the domain would not."""
    try:
        loc = d["location"]
        loc["lon"], loc["lat"]  # from_dict reads both: a KeyError there is unsure
        times = {}
        for name in _TIME_FIELDS:
            v = d.get(name)
            if v is not None:
                if not isinstance(v, str):
                    raise _Unsure
                times[name] = parse_time(v)
    except (KeyError, TypeError, ValueError):
        raise _Unsure from None
    if not d.keys() >= _REQUIRED_KEYS:
        raise _Unsure
    start, minutes = times.get("stage_started_at"), d.get("stage_limit_minutes")
    if d.get("stage") is None or minutes is None or start is None:
        return None
    paused, clock = d.get("paused_minutes", 0.0), d.get("stage_clock", "working")
    if not (isinstance(minutes, int | float) and isinstance(paused, int | float)):
        raise _Unsure
    if not isinstance(clock, str):
        raise _Unsure
    return epoch_us(start), float(minutes), float(paused), clock


def light_times_of(
    docs: Sequence[Mapping[str, Any]], calendar: WorkCalendar, limits: TimeLimits
) -> tuple[np.ndarray, np.ndarray]:
    """``case_light_times`` for many documents at once (a bootstrap of 50,000 cases), as two
    arrays of epoch seconds: no ``Case`` per document, and the working-time arithmetic done
    per clock over arrays (``WorkCalendar.add_working_minutes_us``) on the minutes that
    ``light_minutes`` gives, the rule ``Case.light_times`` uses. Equal to it to the
    microsecond (tests/test_state.py checks random histories and calendars)."""
    if len(docs) >= _BATCH_FROM:
        return light_times_batch(docs, calendar, limits)
    yellow, red = np.full(len(docs), math.nan), np.full(len(docs), math.nan)
    for i, d in enumerate(docs):
        yellow[i], red[i] = case_light_times(d, calendar, limits)
    return yellow, red


def light_times_batch(
    docs: Sequence[Mapping[str, Any]], calendar: WorkCalendar, limits: TimeLimits
) -> tuple[np.ndarray, np.ndarray]:
    """``light_times_of`` by the batch whatever the number of documents."""
    n = len(docs)
    yellow, red = np.full(n, math.nan), np.full(n, math.nan)
    rows: list[int] = []
    cols: list[tuple[int, float, float, str]] = []
    for i, d in enumerate(docs):
        try:
            c = _clock_row(d)
        except _Unsure:
            yellow[i], red[i] = case_light_times(d, calendar, limits)
            continue
        if c is not None:
            rows.append(i)
            cols.append(c)
    if not rows:
        return yellow, red
    at = np.asarray(rows, dtype=np.int64)
    start = np.fromiter((c[0] for c in cols), np.int64, len(cols))
    minutes = np.fromiter((c[1] for c in cols), np.float64, len(cols))
    paused = np.fromiter((c[2] for c in cols), np.float64, len(cols))
    clocks = np.array([c[3] for c in cols], dtype=object)
    y_min, r_min = light_minutes(minutes)
    with np.errstate(invalid="ignore", over="ignore"):
        y_total, r_total = y_min + paused, r_min + paused
        # What Limit() and add_working_minutes refuse (ValueError): no light, as the domain.
        ok = np.ones(len(cols), dtype=bool)
        for m in (y_min, r_min, y_total, r_total):
            ok &= np.isfinite(m) & (m >= 0)
    for name in np.unique(clocks[ok]):
        try:
            clock = limits.clock(calendar, str(name))
        except ValueError:
            continue  # a clock the configuration does not name: no light
        sel = ok & (clocks == name)
        dest = at[sel]
        yellow[dest] = _seconds(clock.add_working_minutes_us(start[sel], y_total[sel]))
        red[dest] = _seconds(clock.add_working_minutes_us(start[sel], r_total[sel]))
    return yellow, red


def _seconds(us: np.ndarray) -> np.ndarray:
    """Epoch microseconds as ``datetime.timestamp()`` gives them: exact int/int division,
    which numpy's float division matches while the microseconds fit a double (2**53 µs, the
    year 2255); later instants (months parked on a 3-minute calendar) go through Python."""
    out = us / 1e6
    big = np.abs(us) >= 2**53
    if big.any():
        out[big] = [u / 1_000_000 for u in us[big].tolist()]
    return out


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
    photos_after: list[str] | None = None,
    reporter_contact: dict[str, str] | None = None,
) -> Case:
    """A freshly reported case with its creating ``report`` event and its accept clock running.

    A 自处理 report (source ``self``) is a field supervisor's on-the-spot fix: it needs the
    supervisor's role and photos before (``photos``) and after (``photos_after``) the fix,
    which its report event records apart (docs/rules/workflow.md).
    """
    Source(source)  # raises ValueError for an unknown source
    _check_urgency(urgency, limits)
    data: dict[str, Any] = {"source": source}
    if Source(source) == Source.SELF:
        if role != Role.SUPERVISOR.value:
            raise ForbiddenAction("a 自处理 report comes from the field supervisor who fixed it")
        if not photos or not photos_after:
            raise BadActionParams(
                "a 自处理 report needs photos before and after the fix",
                {"photos": len(photos or []), "photos_after": len(photos_after or [])},
            )
        data["photos_before"], data["photos_after"] = list(photos), list(photos_after)
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
        photos=list(photos or []) + list(photos_after or []),
        reporter=reporter.user_id,
        reporter_contact=dict(reporter_contact) if reporter_contact else None,
        grid_code=grid_code,
        street_code=street_code,
        community_code=community_code,
        verified=Source(source) in (Source.SUPERVISOR, Source.SELF),
        updated_at=at,
        component_code=component_code,
        component_owner=component_owner,
    )
    case.events.append(_event(case, Action.REPORT.value, reporter, role, at, None, note, data))
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
    rules: WorkflowRules | None = None,
) -> tuple[Case, dict[str, Any]]:
    """Take one action on a copy of ``case``; return the new case and the event recorded.

    Raises ``WorkflowError`` subclasses (403 role, 422 transition, 400 parameters). The input
    case is never modified, so a refused action leaves nothing half-done.
    """
    rules = rules or WorkflowRules.default()
    params = dict(params or {})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadActionParams(f"note longer than {MAX_NOTE} characters")
    t, role = check_action(action, actor, params, note, case.facts(at, calendar, limits, rules))
    action = t.action
    new = copy.deepcopy(case)
    from_state = new.state
    data: dict[str, Any] = {}

    # What the action ends: the running stage, met or missed.
    ended_stage, ended_deadline, on_time = None, None, None
    if new.stage is not None and t.target is not None:
        ended_stage = new.stage
        dl = new.deadline(calendar, limits)
        ended_deadline = iso(dl)
        used = new.used_fraction(at, calendar, limits)
        on_time = None if used is None else used <= 1.0

    if action in (Action.ACCEPT, Action.REGISTER):
        corrections = _correct(new, params, limits)
        if corrections:
            data["corrections"] = corrections
    elif action in (Action.DISPATCH, Action.REDISPATCH, Action.ARBITRATE):
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
    elif action == Action.SEND_BACK:
        data["department_id"] = new.department_id
        new.department_id = None  # back to the centre: nobody handles it until re-dispatched
    elif action == Action.REQUEST_EXTENSION:
        hours = _extension_hours(new, params.get("hours"), limits, rules)
        data["hours"] = hours
        new.extension_pending_hours = hours
    elif action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION):
        hours = new.extension_pending_hours or 0.0
        data["hours"] = hours
        new.extension_pending_hours = None
        if action == Action.APPROVE_EXTENSION:
            new.extension_count += 1
            new.extension_hours += hours
            if new.stage_limit_minutes is not None:
                new.stage_limit_minutes += hours * 60.0
    elif action == Action.REQUEST_PARK:
        new.park_request_due_date = data["due_date"] = _due_date(params["due_date"], at, rules)
    elif action == Action.DENY_PARK:
        data["due_date"] = new.park_request_due_date
        new.park_request_due_date = None
    elif action in (Action.PARK, Action.APPROVE_PARK):
        due = params.get("due_date") or new.park_request_due_date
        new.park_due_date = data["due_date"] = _due_date(due, at, rules)
        data["clock"] = _clock_snapshot(new, at, calendar, limits)
        new.parked_at = at
    elif action == Action.RESUME:
        data["parked_minutes"] = (
            round((at - new.parked_at).total_seconds() / 60.0, 1) if new.parked_at else None
        )
        new.parked_at = None
        new.park_due_date = None
    elif action in (Action.CLOSE, Action.CLOSE_SELF):
        new.closed_at = at
    coop.apply(new, action, actor, at, calendar, limits, params, note, data)

    if t.target is not None:
        new.state = t.target.value
        # A request waits on the state it was made in: leaving that state ends it.
        new.extension_pending_hours = None
        new.park_request_due_date = None
        _start_stage(new, at, limits)
        if action == Action.RESUME:
            data.update(_restore_parked_clock(new, at, calendar, limits))
    new.assignee = field_tasks.next_assignee(action, new.state, case.assignee, actor, params, data)
    if action == Action.CALLBACK:
        new.satisfaction, new.callback_attempts = callback.record(
            new.source, new.satisfaction, new.callback_attempts, params, data
        )
    new.version += 1
    new.updated_at = at
    ev = _event(new, action.value, actor, role.value, at, from_state, note, data)
    ev["stage"], ev["stage_deadline"], ev["on_time"] = ended_stage, ended_deadline, on_time
    new.events.append(ev)
    return new, ev


def _check_urgency(urgency: str, limits: TimeLimits) -> str:
    if urgency not in limits.urgency_levels:
        raise BadActionParams(
            f"unknown urgency {urgency!r}", {"allowed": sorted(limits.urgency_levels)}
        )
    return urgency


def _hours(v: Any) -> float:
    try:
        hours = float(v)
    except (TypeError, ValueError):
        raise BadActionParams("hours must be a number") from None
    if not (0 < hours <= MAX_EXTENSION_HOURS):
        raise BadActionParams(f"hours must be in (0, {MAX_EXTENSION_HOURS}]")
    return hours


def _extension_hours(case: Case, v: Any, limits: TimeLimits, rules: WorkflowRules) -> float:
    """The hours asked for, within the caps of ``rules`` (422 beyond them): per request, and
    all extensions of the case together as a share of its base disposal limit."""
    hours = _hours(v)
    if hours > rules.max_extension_hours:
        raise InvalidTransition(
            f"an extension is at most {rules.max_extension_hours:g} h per request",
            {"hours": hours, "max_hours": rules.max_extension_hours},
        )
    base_h = limits.stage_limit(DISPOSE, case.category_code, case.urgency).minutes / 60.0
    cap = base_h * rules.max_extension_total_factor
    if case.extension_hours + hours > cap + 1e-9:
        raise InvalidTransition(
            f"extensions of this case may total at most {cap:g} h"
            f" ({case.extension_hours:g} h already approved)",
            {"hours": hours, "approved_hours": case.extension_hours, "max_total_hours": cap},
        )
    return hours


def _due_date(v: Any, at: datetime, rules: WorkflowRules) -> str:
    """A 缓办 due date: an ISO calendar date (CST) after today, at most the rules' horizon."""
    try:
        due = date.fromisoformat(str(v))
    except ValueError:
        raise BadActionParams("due_date must be a date, YYYY-MM-DD") from None
    today = at.astimezone(CST).date()
    latest = today + timedelta(days=rules.max_park_days_ahead)
    if not (today < due <= latest):
        raise BadActionParams(
            f"due_date must be after {today.isoformat()} and at most {latest.isoformat()}",
            {"due_date": due.isoformat(), "latest": latest.isoformat()},
        )
    return due.isoformat()


def _clock_snapshot(
    case: Case, at: datetime, calendar: WorkCalendar, limits: TimeLimits
) -> dict[str, Any] | None:
    """The running stage's clock as it stops for 缓办, recorded on the parking event so that
    resuming continues it (remaining time and approved extensions kept)."""
    used = case.used_minutes(at, calendar, limits)
    if used is None or case.stage_limit_minutes is None:
        return None
    return {
        "stage": case.stage,
        "started_at": iso(case.stage_started_at),
        "limit_minutes": case.stage_limit_minutes,
        "clock": case.stage_clock,
        "paused_minutes": case.paused_minutes,
        "used_minutes": round(used, 3),
        "remaining_minutes": round(case.stage_limit_minutes - used, 3),
    }


def _restore_parked_clock(
    case: Case, at: datetime, calendar: WorkCalendar, limits: TimeLimits
) -> dict[str, Any]:
    """Continue the stage clock the last parking stopped: same start and limit (extensions
    included), the parked time added to the time the clock stood still. A case parked
    without a snapshot (older histories) keeps the fresh clock ``_start_stage`` gave it."""
    parked = next((e for e in reversed(case.events) if e["to_state"] == State.PARKED.value), None)
    snap = (parked or {}).get("data", {}).get("clock")
    if parked is None or not snap or snap.get("stage") != case.stage:
        return {}
    limit = Limit(float(snap["limit_minutes"]), str(snap["clock"]))
    parked_at = parse_time(parked["at"])
    assert parked_at is not None
    case.stage_started_at = parse_time(snap["started_at"])
    case.stage_limit_minutes = limit.minutes
    case.stage_clock = limit.clock
    case.paused_minutes = float(snap["paused_minutes"]) + limits.elapsed(
        calendar, parked_at, at, limit
    )
    used = case.used_minutes(at, calendar, limits) or 0.0
    return {"remaining_minutes": round(limit.minutes - used, 3)}


def _correct(case: Case, params: dict[str, Any], limits: TimeLimits) -> dict[str, list[Any]]:
    """Apply 受理/立案 corrections of category, urgency and location; return what changed as
    {field: [old, new]}. The server checks the category exists and locates the point (grid,
    community, street) before it gets here; a moved case loses an address given for the old
    point unless a new one comes with it."""
    changes: dict[str, list[Any]] = {}

    def put(name: str, value: Any) -> None:
        old = getattr(case, name)
        if value != old:
            changes[name] = [old, value]
            setattr(case, name, value)

    if params.get("category_code"):
        put("category_code", str(params["category_code"]))
    if params.get("urgency"):
        put("urgency", _check_urgency(str(params["urgency"]), limits))
    loc = params.get("location")
    if loc:
        try:
            lon, lat = float(loc["lon"]), float(loc["lat"])
            codes = {k: str(loc[k]) for k in ("grid_code", "community_code", "street_code")}
        except (KeyError, TypeError, ValueError):
            raise BadActionParams(
                "a corrected location needs lon, lat and the grid it lies in"
            ) from None
        if (lon, lat) != (case.lon, case.lat):
            changes["location"] = [[case.lon, case.lat], [lon, lat]]
            case.lon, case.lat = lon, lat
            for k, v in codes.items():
                put(k, v)
            if "address" not in params:
                put("address", "")
    if params.get("address") is not None:
        put("address", str(params["address"]).strip()[:300])
    return changes
