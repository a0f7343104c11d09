"""Alerts: raise (debounced), acknowledge, resolve, escalate; each step is a feed change.

One open alert per subject and kind: the unique ``open_key`` column makes a second raise of
the same condition a no-op, and resolving clears the key so the next episode opens a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.alert_rules import EscalationRule
from console.domain.alert_rules import severity as severity_of
from console.domain.case import iso

from . import feed
from .db import AlertRow, Counter
from .errors import ApiError

OPEN_STATES = ("raised", "acknowledged")


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
    if t is None:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


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
    }


def _emit(s: Session, a: AlertRow, now: datetime) -> None:
    feed.append(s, "alert", {"alert": to_wire(a)}, now)


def open_key(subject_type: str, subject_id: str, kind: str) -> str:
    return f"{subject_type}:{subject_id}:{kind}"


def raise_alert(
    s: Session,
    now: datetime,
    kind: str,
    subject_type: str,
    subject_id: str,
    detail: dict | None = None,
) -> AlertRow | None:
    """Open an alert unless one is already open for this subject and kind."""
    key = open_key(subject_type, subject_id, kind)
    if s.scalar(select(AlertRow.id).where(AlertRow.open_key == key)) is not None:
        return None
    a = AlertRow(
        id=f"A{next_id(s, 'alert'):08d}",
        kind=kind,
        severity=severity_of(kind),
        subject_type=subject_type,
        subject_id=subject_id,
        state="raised",
        open_key=key,
        raised_at=now,
        detail=detail or {},
        ack_comment="",
        escalated=False,
    )
    s.add(a)
    s.flush()
    _emit(s, a, now)
    return a


def _resolve(s: Session, a: AlertRow, now: datetime, by: str | None) -> None:
    a.state = "resolved"
    a.open_key = None
    a.resolved_at = now
    a.resolved_by = by
    _emit(s, a, now)


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


def _get(s: Session, alert_id: str) -> AlertRow:
    a = s.get(AlertRow, alert_id, with_for_update=True)
    if a is None:
        raise ApiError(404, f"no alert {alert_id!r}")
    return a


def acknowledge(s: Session, alert_id: str, user: str, comment: str, now: datetime) -> dict:
    a = _get(s, alert_id)
    if a.state == "resolved":
        raise ApiError(422, "alert already resolved", {"alert": to_wire(a)}, code="alert_resolved")
    if a.state == "acknowledged":
        return to_wire(a)  # acknowledging twice (two consoles at once) is harmless
    a.state = "acknowledged"
    a.acked_at = now
    a.acked_by = user
    a.ack_comment = comment
    _emit(s, a, now)
    return to_wire(a)


def resolve(s: Session, alert_id: str, user: str, now: datetime) -> dict:
    a = _get(s, alert_id)
    if a.state != "resolved":
        _resolve(s, a, now, user)
    return to_wire(a)


def escalate_due(s: Session, now: datetime, rule: EscalationRule) -> int:
    """Escalate the alerts ``rule`` says are due (console.domain.alert_rules)."""
    rows = s.scalars(
        select(AlertRow).where(
            AlertRow.state == rule.state,
            AlertRow.severity == rule.severity,
            AlertRow.escalated.is_(False),
            AlertRow.raised_at <= rule.cutoff(now),
        )
    ).all()
    for a in rows:
        a.escalated = True
        a.escalated_at = now
        _emit(s, a, now)
    return len(rows)


def open_alerts(s: Session) -> list[dict]:
    rows = s.scalars(
        select(AlertRow).where(AlertRow.state.in_(OPEN_STATES)).order_by(AlertRow.raised_at)
    ).all()
    return [to_wire(a) for a in rows]
