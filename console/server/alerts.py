"""Alerts: raise (debounced, flood-grouped), change level, acknowledge, resolve, escalate;
each step is a feed change and a line of the alert's ``history``.

One open alert per subject and kind: the unique ``open_key`` column makes a second raise of
the same condition a no-op, and resolving clears the key so the next episode opens a new one.
A burst of one kind folds into a group alert (``FloodRule``): the members stay alerts of their
own (on the feed, in the snapshot, ``GET /api/v1/alerts?group=``), the group row carries the
count and is what the console shows, sounds and acknowledges.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from console.domain.alert_rules import (
    LEVEL_RANK,
    SEVERITY_RANK,
    SUPERVISE,
    SUPERVISE_ACK_ROLES,
    EscalationRule,
    FloodRule,
)
from console.domain.alert_rules import severity as severity_of
from console.domain.case import iso

from . import feed
from .db import AlertRow, Counter, as_utc
from .errors import ApiError

OPEN_STATES = ("raised", "acknowledged")
GROUP = "group"  # subject_type of a group alert
#: The flood rule the backend applies (the defaults in ``console.domain.alert_rules``).
FLOOD = FloodRule()


def next_id(s: Session, name: str) -> int:
    """Increment a named counter inside the current write transaction."""
    row = s.get(Counter, name, with_for_update=True)
    if row is None:
        row = Counter(name=name, value=0)
        s.add(row)
    row.value += 1
    s.flush()
    return row.value


def _utc(t: datetime | None) -> datetime | None:
    return None if t is None else as_utc(t)


def to_wire(a: AlertRow) -> dict:
    return {
        "id": a.id,
        "kind": a.kind,
        "severity": a.severity,
        "subject_type": a.subject_type,
        "subject_id": a.subject_id,
        "state": a.state,
        "raised_at": iso(_utc(a.raised_at)),
        "acked_at": iso(_utc(a.acked_at)),
        "acked_by": a.acked_by,
        "ack_comment": a.ack_comment,
        "resolved_at": iso(_utc(a.resolved_at)),
        "resolved_by": a.resolved_by,
        "escalated": a.escalated,
        "escalated_at": iso(_utc(a.escalated_at)),
        "detail": a.detail or {},
        "level": a.level,
        "level_at": iso(_utc(a.level_at)),
        "group_id": a.group_id,
        "history": list(a.history or ()),
    }


def _step(a: AlertRow, now: datetime, step: str, **kw: object) -> None:
    """Append one line to the alert's history (a new list: JSON columns track assignment)."""
    entry = {"at": iso(_utc(now)), "step": step, **{k: v for k, v in kw.items() if v is not None}}
    a.history = [*(a.history or ()), entry]


def emit(s: Session, a: AlertRow, now: datetime) -> None:
    """Put the alert's current form on the feed (a step that changes no group count)."""
    feed.append(s, "alert", {"alert": to_wire(a)}, now)


#: What a group counts of one member: (state, severity, level) while open, None otherwise.
Snap = tuple[str, str, str | None] | None


def _snap(a: AlertRow) -> Snap:
    return (a.state, a.severity, a.level) if a.state in OPEN_STATES else None


@contextlib.contextmanager
def _changing(s: Session, a: AlertRow, now: datetime, publish: bool = True) -> Iterator[None]:
    """Around a change of an alert's state, severity or level: emit it, and move its group's
    counts by the difference (incremental: a join or a step costs the same in a group of 5
    or of 500). ``publish=False`` when the caller changes many members and publishes once."""
    before = _snap(a)
    yield
    emit(s, a, now)
    if a.group_id:
        g = s.get(AlertRow, a.group_id)
        if g is not None and g.state != "resolved":
            _count(g, before, _snap(a))
            if publish:
                _publish(s, g, now)


def open_key(subject_type: str, subject_id: str, kind: str) -> str:
    return f"{subject_type}:{subject_id}:{kind}"


def raise_alert(
    s: Session,
    now: datetime,
    kind: str,
    subject_type: str,
    subject_id: str,
    detail: dict | None = None,
    level: str | None = None,
) -> AlertRow | None:
    """Open an alert unless one is already open for this subject and kind; a burst of its
    kind folds it into a group (``FLOOD``)."""
    key = open_key(subject_type, subject_id, kind)
    if s.scalar(select(AlertRow.id).where(AlertRow.open_key == key)) is not None:
        return None
    sev = severity_of(kind, level)
    a = AlertRow(
        id=f"A{next_id(s, 'alert'):08d}",
        kind=kind,
        severity=sev,
        subject_type=subject_type,
        subject_id=subject_id,
        state="raised",
        open_key=key,
        raised_at=now,
        detail=detail or {},
        ack_comment="",
        escalated=False,
        level=level,
        level_at=now,
        history=[],
    )
    _step(a, now, "raised", level=level, severity=sev)
    s.add(a)
    s.flush()
    _fold_flood(s, a, now)
    emit(s, a, now)
    return a


# ---- flood groups ---------------------------------------------------------------------------
def _fold_flood(s: Session, a: AlertRow, now: datetime, rule: FloodRule = FLOOD) -> None:
    """Fold ``a`` into its kind's group when a burst is under way (see ``FloodRule``)."""
    since = rule.since(now)
    recent = s.scalars(  # at most ``burst`` rows: the cost does not grow with the flood
        select(AlertRow.id)
        .where(
            AlertRow.kind == a.kind,
            AlertRow.raised_at >= since,
            AlertRow.subject_type != GROUP,
            AlertRow.id != a.id,
        )
        .limit(rule.burst)
    ).all()
    if not rule.folds(len(recent)):
        return
    group = s.scalar(
        select(AlertRow)
        .where(
            AlertRow.subject_type == GROUP,
            AlertRow.kind == a.kind,
            AlertRow.open_key.is_not(None),
            AlertRow.raised_at >= since,  # a group collects for one window from its opening
        )
        .order_by(AlertRow.raised_at.desc())
        .limit(1)
    )
    members = [a]
    if group is None:
        group = _new_group(s, a.kind, now)
        members += s.scalars(  # the burst so far, where nobody has acknowledged it yet
            select(AlertRow).where(
                AlertRow.kind == a.kind,
                AlertRow.raised_at >= since,
                AlertRow.subject_type != GROUP,
                AlertRow.state == "raised",
                AlertRow.group_id.is_(None),
                AlertRow.id != a.id,
            )
        ).all()
    for m in members:
        m.group_id = group.id
        _step(m, now, "grouped", group=group.id)
        _count(group, None, _snap(m), joined=True)
        if m is not a:
            emit(s, m, now)
    _publish(s, group, now)


def _new_group(s: Session, kind: str, now: datetime) -> AlertRow:
    gid = f"A{next_id(s, 'alert'):08d}"
    g = AlertRow(
        id=gid,
        kind=kind,
        severity="info",
        subject_type=GROUP,
        subject_id=gid,
        state="raised",
        open_key=f"{GROUP}:{gid}",
        raised_at=now,
        detail={"count": 0, "open": 0, "unacknowledged": 0, "by_level": {}, "by_severity": {}},
        ack_comment="",
        escalated=False,
        level_at=now,
        history=[],
    )
    _step(g, now, "raised")
    s.add(g)
    s.flush()
    return g


def _count(g: AlertRow, before: Snap, after: Snap, joined: bool = False) -> None:
    """Move a group's counts from one member's ``before`` to its ``after`` (a new dict: JSON
    columns track assignment). Counts are of open members, except ``count`` (all members)."""
    d = dict(g.detail)
    d["count"] += joined
    for snap, sign in ((before, -1), (after, 1)):
        if snap is None:
            continue
        state, severity, level = snap
        d["open"] += sign
        d["unacknowledged"] += sign * (state == "raised")
        for key, value in (("by_severity", severity), ("by_level", level)):
            if value:
                counts = dict(d[key])
                counts[value] = counts.get(value, 0) + sign
                d[key] = {k: v for k, v in counts.items() if v}
    g.detail = d


def _publish(s: Session, g: AlertRow, now: datetime) -> None:
    """A group's severity, level and state from its counts, on the feed; it resolves once no
    member is open."""
    d = g.detail
    if d["open"] <= 0:
        _resolve(s, g, now, None)
        return
    severity = max(d["by_severity"], key=lambda v: SEVERITY_RANK.get(v, 0))
    level = max(d["by_level"], key=lambda v: LEVEL_RANK.get(v, 0), default=None)
    if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(g.severity, 0) and d["count"] > 1:
        _step(g, now, "level", severity=severity, level=level)
    g.severity, g.level = severity, level
    g.state = "raised" if d["unacknowledged"] else "acknowledged"
    emit(s, g, now)


def members(s: Session, group_id: str) -> list[dict]:
    """Every alert folded into a group, in any state (nothing a flood folds is lost)."""
    rows = s.scalars(
        select(AlertRow).where(AlertRow.group_id == group_id).order_by(AlertRow.raised_at)
    ).all()
    return [to_wire(a) for a in rows]


# ---- levels ---------------------------------------------------------------------------------
def set_level(s: Session, a: AlertRow, now: datetime, level: str) -> None:
    """Move an open alert to ``level``. Up re-opens it for acknowledgement (a new fact: the
    previous acknowledgement stays in the history) and restarts the shift-lead escalation;
    down (an approved extension took the case back to yellow) only records the step."""
    if level == a.level:
        return
    up = LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(a.level or "", 0)
    with _changing(s, a, now):
        previous = a.level
        a.level, a.level_at = level, now
        a.severity = severity_of(a.kind, level)
        if up:
            a.state = "raised"
            a.acked_at, a.acked_by, a.ack_comment = None, None, ""
            a.escalated, a.escalated_at = False, None
        _step(a, now, "level", level=level, severity=a.severity, previous=previous)


def _resolve(s: Session, a: AlertRow, now: datetime, by: str | None, publish: bool = True) -> None:
    with _changing(s, a, now, publish):
        a.state = "resolved"
        a.open_key = None
        a.resolved_at = now
        a.resolved_by = by
        a.next_level_at = None
        _step(a, now, "resolved", by=by)


def clear_alert(s: Session, now: datetime, kind: str, subject_type: str, subject_id: str) -> bool:
    """Auto-resolve the open alert of this subject and kind: its condition cleared."""
    a = s.scalar(
        select(AlertRow).where(AlertRow.open_key == open_key(subject_type, subject_id, kind))
    )
    if a is None:
        return False
    _resolve(s, a, now, None)
    return True


def reconcile_subject(
    s: Session,
    now: datetime,
    subject_type: str,
    subject_id: str,
    kinds: set[str],
    wanted: set[str],
    detail: dict,
) -> None:
    """Make the open alerts among ``kinds`` for one subject equal ``wanted``."""
    for kind in kinds - wanted:
        clear_alert(s, now, kind, subject_type, subject_id)
    for kind in wanted:
        raise_alert(s, now, kind, subject_type, subject_id, detail)


def open_of_subject(s: Session, subject_type: str, subject_id: str) -> list[AlertRow]:
    """The open alerts of one subject (one indexed query)."""
    return list(
        s.scalars(
            select(AlertRow).where(
                AlertRow.subject_type == subject_type,
                AlertRow.subject_id == subject_id,
                AlertRow.open_key.is_not(None),
            )
        ).all()
    )


# ---- operators ------------------------------------------------------------------------------
def _get(s: Session, alert_id: str) -> AlertRow:
    a = s.get(AlertRow, alert_id, with_for_update=True)
    if a is None:
        raise ApiError(404, f"no alert {alert_id!r}")
    return a


def get(s: Session, alert_id: str) -> dict:
    a = s.get(AlertRow, alert_id)
    if a is None:
        raise ApiError(404, f"no alert {alert_id!r}")
    return to_wire(a)


def _may_ack(a: AlertRow, roles: Iterable[str]) -> bool:
    return a.level != SUPERVISE or bool(SUPERVISE_ACK_ROLES & set(roles))


def _ack(a: AlertRow, user: str, comment: str, now: datetime) -> None:
    a.state = "acknowledged"
    a.acked_at = now
    a.acked_by = user
    a.ack_comment = comment
    _step(a, now, "acknowledged", by=user, comment=comment or None, level=a.level)


def acknowledge(
    s: Session, alert_id: str, user: str, roles: Iterable[str], comment: str, now: datetime
) -> dict:
    """Acknowledge one alert, or a group and every member the caller may acknowledge (an
    alert at 督办 needs the shift lead: ``SUPERVISE_ACK_ROLES``)."""
    roles = set(roles)
    a = _get(s, alert_id)
    if a.state == "resolved":
        raise ApiError(422, "alert already resolved", {"alert": to_wire(a)}, code="alert_resolved")
    if a.subject_type == GROUP:
        for m in s.scalars(
            select(AlertRow).where(AlertRow.group_id == a.id, AlertRow.state == "raised")
        ).all():
            if _may_ack(m, roles):
                with _changing(s, m, now, publish=False):
                    _ack(m, user, comment, now)
        if a.acked_at is None:
            a.acked_at, a.acked_by, a.ack_comment = now, user, comment
            _step(a, now, "acknowledged", by=user, comment=comment or None)
        _publish(s, a, now)
        return to_wire(a)
    if not _may_ack(a, roles):
        raise ApiError(
            403,
            "acknowledging 督办 needs one of the roles " + str(sorted(SUPERVISE_ACK_ROLES)),
            {"roles": sorted(SUPERVISE_ACK_ROLES)},
            code="supervise_needs_shift_lead",
        )
    if a.state == "acknowledged":
        return to_wire(a)  # acknowledging twice (two consoles at once) is harmless
    with _changing(s, a, now):
        _ack(a, user, comment, now)
    return to_wire(a)


def resolve(s: Session, alert_id: str, user: str, now: datetime) -> dict:
    """Resolve by hand; a group resolves with every open member."""
    a = _get(s, alert_id)
    if a.state == "resolved":
        return to_wire(a)
    if a.subject_type == GROUP:
        for m in s.scalars(
            select(AlertRow).where(AlertRow.group_id == a.id, AlertRow.open_key.is_not(None))
        ).all():
            _resolve(s, m, now, user, publish=False)
        if a.state != "resolved":
            _resolve(s, a, now, user)
        return to_wire(a)
    _resolve(s, a, now, user)
    return to_wire(a)


def escalate_due(s: Session, now: datetime, rule: EscalationRule) -> int:
    """Escalate to the shift lead the alerts ``rule`` says are due (unacknowledged at a
    critical level for ``after_minutes``; groups escalate through their members)."""
    rows = s.scalars(
        select(AlertRow).where(
            AlertRow.state == rule.state,
            AlertRow.severity == rule.severity,
            AlertRow.escalated.is_(False),
            AlertRow.subject_type != GROUP,
            AlertRow.level_at <= rule.cutoff(now),
        )
    ).all()
    for a in rows:
        a.escalated = True
        a.escalated_at = now
        _step(a, now, "escalated", level=a.level)
        emit(s, a, now)
    return len(rows)


def open_alerts(s: Session) -> list[dict]:
    rows = s.scalars(
        select(AlertRow).where(AlertRow.state.in_(OPEN_STATES)).order_by(AlertRow.raised_at)
    ).all()
    return [to_wire(a) for a in rows]


def alive_between(s: Session, t0: datetime, t1: datetime) -> list[dict]:
    """Every alert open at some instant of [t0, t1) (raised before t1, not resolved before
    t0): what a digest of the period counts from, each step by its own instant."""
    rows = s.scalars(
        select(AlertRow)
        .where(
            AlertRow.raised_at < t1,
            or_(AlertRow.resolved_at.is_(None), AlertRow.resolved_at >= t0),
        )
        .order_by(AlertRow.raised_at)
    ).all()
    return [to_wire(a) for a in rows]
