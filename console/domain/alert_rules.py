"""Which alerts a case or sensor should have open, their levels and severities, escalation,
督办 and the flood rate limit. Every rule here is written up in ``docs/rules/alerts.md``.

Alerts are derived state: the backend asks these rules what *should* be open and reconciles
(raise what is missing, change the level of what is open, auto-resolve what cleared), so
identical alerts are debounced to one open alert per subject and kind.

A late case has **one** alert per late stage that climbs through levels (yellow → red → 督办)
on the same row, instead of one alert per colour (the ``case_yellow``/``case_red`` kinds of
older shift logs, still named in ``SEVERITY`` and ``console.labels`` so those logs replay).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .sensor_kinds import breached

#: Severity of kinds that have a single level. ``case_yellow``/``case_red`` are the per-colour
#: kinds of shift logs recorded before the levelled case alerts; nothing raises them now.
SEVERITY = {
    "case_yellow": "warning",
    "case_red": "critical",
    "vehicle_overspeed": "warning",
    "vehicle_long_stop": "warning",
    "vehicle_offline": "warning",
    "vehicle_deviation": "warning",
    "vehicle_not_working": "info",
    "sensor_threshold": "critical",
    # People on duty (console.domain.duty, docs/rules/duty.md): the centre calls the person.
    "staff_off_grid": "warning",
    "staff_silent": "warning",
    # Raised from a Traccar server's events (console.server.traccar.EVENT_ALERTS says why each
    # has its severity); resolved by hand, as Traccar sends no end of them.
    "vehicle_speeding": "warning",
    "vehicle_geofence_enter": "info",
    "vehicle_geofence_exit": "warning",
    "vehicle_alarm": "critical",
}

#: Levels of a case alert, lowest first. ``supervise`` is 督办: the centre's leadership takes
#: the case up with the department.
YELLOW, RED, SUPERVISE = "yellow", "red", "supervise"
LEVELS = (YELLOW, RED, SUPERVISE)
LEVEL_RANK = {lv: i + 1 for i, lv in enumerate(LEVELS)}

#: The three case kinds, by who holds the late stage (``STAGE_KIND``), and their severity per
#: level. Who is late decides who must act, so it decides how loud the alert is:
#: - ``case_disposal``: a 专业部门 past (or near) its disposal limit. The centre can only act by
#:   calling the department, before the limit (yellow: warning) and after it (red: critical);
#:   past half a limit more it becomes 督办 (critical) for the centre's leadership.
#: - ``case_field``: a 监督员's 核实/核查 task past its limit (red only, warning): the operator
#:   chases or reassigns the supervisor; yellow would be noise because the limit (120 min) is
#:   the supervisor's own to use.
#: - ``case_desk``: one of the centre's own desks (受理, 立案, 派遣, 发核实/核查, 结案) past its
#:   limit (red only, info). The desk sees its queue light already; the alert is a record for
#:   the shift lead and the digest, quiet so it cannot drown the other two.
CASE_KIND_SEVERITY: dict[str, dict[str, str]] = {
    "case_disposal": {YELLOW: "warning", RED: "critical", SUPERVISE: "critical"},
    "case_field": {RED: "warning"},
    "case_desk": {RED: "info"},
}
CASE_KINDS = frozenset(CASE_KIND_SEVERITY) | {"case_yellow", "case_red"}
STAGE_KIND = {
    "dispose": "case_disposal",
    "verify": "case_field",
    "check": "case_field",
    "accept": "case_desk",
    "send_verify": "case_desk",
    "register": "case_desk",
    "dispatch": "case_desk",
    "send_check": "case_desk",
    "close": "case_desk",
}

NO_CLOCK_STATES = {"closed", "void", "parked"}
SEVERITY_RANK = {"info": 1, "warning": 2, "critical": 3}

#: 督办 once the disposal stage has used this share of its limit (overdue by half a limit
#: more): the department has had the yellow warning and the red call and still has not
#: finished. Proportional to the matter (2 h road cleaning: 1 h overdue; 15 working days of
#: illegal building: 7.5 working days overdue) and counted on the case's own clock, so it
#: never fires at night for a department on working time. A centre's choice, configurable.
SUPERVISE_AT_USED = 1.5
#: The soonest the backend looks again at a red case that is not yet due for 督办 (minutes).
SUPERVISE_RECHECK_MIN = 1.0


def severity(kind: str, level: str | None = None) -> str:
    """The severity of an alert of ``kind`` at ``level`` (None for kinds without levels)."""
    by_level = CASE_KIND_SEVERITY.get(kind)
    if by_level is not None and level is not None:
        return by_level.get(level, "info")
    return SEVERITY.get(kind, "info")


@dataclass(frozen=True)
class CaseAlert:
    """The alert a case should have open: its kind, level, and the stage it is about (a new
    stage is a new condition: the old alert resolves and, if late, a new one opens)."""

    kind: str
    level: str
    stage: str


def case_alert(case: Mapping[str, Any]) -> CaseAlert | None:
    """The alert ``case`` (a wire document with ``light``) should have, or None.

    No clock (closed, void, parked) → none. The light says yellow or red; the stage
    says which kind, and a kind whose severities start at red ignores yellow. ``supervise`` is
    never returned here: it needs the used share, which the backend's ticker checks
    (``supervise_due``); an open alert already at 督办 stays there while the case is red.
    """
    if case.get("state") in NO_CLOCK_STATES:
        return None
    stage = case.get("stage")
    kind = STAGE_KIND.get(stage or "")
    light = case.get("light")
    if kind is None or light not in (YELLOW, RED) or light not in CASE_KIND_SEVERITY[kind]:
        return None
    return CaseAlert(kind, light, str(stage))


def next_level(open_level: str | None, wanted: str) -> str:
    """The level an open alert takes when its case wants ``wanted``: 督办 is kept while the
    case stays red (the light cannot say 督办); otherwise the light's level, up or down."""
    if open_level == SUPERVISE and wanted == RED:
        return SUPERVISE
    return wanted


def louder(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether an alert document climbed a level or a severity since ``old``."""
    return LEVEL_RANK.get(new.get("level") or "", 0) > LEVEL_RANK.get(
        old.get("level") or "", 0
    ) or SEVERITY_RANK.get(new.get("severity") or "", 0) > SEVERITY_RANK.get(
        old.get("severity") or "", 0
    )


def can_supervise(kind: str) -> bool:
    return SUPERVISE in CASE_KIND_SEVERITY.get(kind, {})


def supervise_recheck(used: float, limit_minutes: float) -> timedelta | None:
    """How long until a red case may reach 督办, from its used share now: None when it is
    due. A lower bound whatever the calendar: the case's clock (working or calendar time)
    never runs faster than real time, so the share cannot reach ``SUPERVISE_AT_USED`` sooner.
    The backend waits this long, looks again, and so steps over nights and weekends."""
    if used >= SUPERVISE_AT_USED:
        return None
    return timedelta(minutes=max(SUPERVISE_RECHECK_MIN, (SUPERVISE_AT_USED - used) * limit_minutes))


#: Who may acknowledge an alert at 督办: the shift lead, the centre's leadership on duty.
#: An operator's acknowledgement would take it out of the leadership's sight.
SUPERVISE_ACK_ROLES = frozenset({"shift_lead"})


@dataclass(frozen=True)
class EscalationRule:
    """A critical alert nobody acknowledged within ``after_minutes`` of district time (since it
    reached its current level) escalates to the shift lead, once per level. The backend
    selects what is due with these fields (one query per tick); 15 minutes is the backend's
    default (``Settings.escalate_after_minutes``), a centre's own choice rather than a
    published limit. This is the *centre* failing to notice; 督办 is the *department* failing
    to finish, so the two are separate steps."""

    after_minutes: float = 15.0
    severity: str = "critical"
    state: str = "raised"  # acknowledging stops the clock

    def cutoff(self, now: datetime) -> datetime:
        """Alerts at their level since this instant or before are due."""
        return now - timedelta(minutes=self.after_minutes)


@dataclass(frozen=True)
class FloodRule:
    """Rate limit per kind: once ``burst`` alerts of one kind were raised within ``window``
    minutes, the next ones of that kind fold into one group alert (a row with a count; the
    members stay alerts of their own, retrievable and acknowledged with the group), and the
    group adopts the open, unacknowledged ones of the burst so far. A group collects while its
    last member joined within ``window``; a later burst opens a new group.

    Five in ten minutes: an operator can take in five separate alarms of one kind; more at
    once have a common cause (a gateway outage takes many vehicles offline; working time
    resuming at 08:00 or 14:00 turns many cases red in the same minute; a rainstorm trips every
    water-level sensor) and one row with a count says so. A centre's choice, configurable."""

    burst: int = 5
    window_minutes: float = 10.0

    def since(self, now: datetime) -> datetime:
        return now - timedelta(minutes=self.window_minutes)

    def folds(self, raised_in_window: int) -> bool:
        """Whether an alert raised after ``raised_in_window`` others of its kind joins a group."""
        return raised_in_window >= self.burst


def sensor_alert(sensor_kind: str, value: float) -> str | None:
    """``sensor_threshold`` while a reading is over its kind's threshold
    (``console.domain.sensor_kinds``)."""
    return "sensor_threshold" if breached(sensor_kind, value) else None
