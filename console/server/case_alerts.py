"""The one alert of a late case: raised when its stage turns late, moved through its levels
(yellow → red → 督办) on the same row, resolved when the case leaves the late condition (a new
stage, closed, parked). The rules are ``console.domain.alert_rules``; this module applies
them to the stored case and alert rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.alert_rules import (
    CASE_KINDS,
    RED,
    SUPERVISE,
    can_supervise,
    case_alert,
    next_level,
    supervise_recheck,
)
from console.domain.case import Case

from . import alerts
from .context import Context
from .db import AlertRow, CaseRow


def reconcile_case(s: Session, now: datetime, doc: Mapping[str, Any]) -> None:
    """Bring the case's alert in line with its document (called on every case write)."""
    want = case_alert(doc)
    detail = {
        "stage": doc.get("stage"),
        "deadline": doc.get("deadline"),
        "department_id": doc.get("department_id"),
    }
    kept = False
    for a in alerts.open_of_subject(s, "case", doc["id"]):
        if a.kind not in CASE_KINDS:
            continue
        same = want is not None and a.kind == want.kind and a.detail.get("stage") == want.stage
        if not same or kept or want is None:
            alerts.clear_alert(s, now, a.kind, "case", doc["id"])
            continue
        kept = True
        if a.detail != detail:
            a.detail = detail  # emitted with the level change, or on its own below
            if a.level == next_level(a.level, want.level):
                alerts.emit(s, a, now)
        alerts.set_level(s, a, now, next_level(a.level, want.level))
        _schedule(a, now)
    if want is not None and not kept:
        a_new = alerts.raise_alert(s, now, want.kind, "case", doc["id"], detail, level=want.level)
        if a_new is not None:
            _schedule(a_new, now)


def _schedule(a: AlertRow, now: datetime) -> None:
    """A red alert of a kind that can reach 督办 is looked at by the next tick (which knows
    the used share and sets the following look); other levels need no look."""
    if can_supervise(a.kind) and a.level == RED:
        if a.next_level_at is None:
            a.next_level_at = now
    else:
        a.next_level_at = None


def supervise_due(ctx: Context, s: Session, now: datetime) -> int:
    """督办 for the red case alerts whose look is due and whose case has used
    ``SUPERVISE_AT_USED`` of its limit; the others are looked at again no sooner than they
    could be due (``supervise_recheck``). One indexed query per tick."""
    rows = s.scalars(
        select(AlertRow)
        .where(AlertRow.next_level_at <= now, AlertRow.open_key.is_not(None))
        .with_for_update()
    ).all()
    n = 0
    for a in rows:
        row = s.get(CaseRow, a.subject_id)
        case = Case.from_dict(row.doc) if row is not None else None
        used = None if case is None else case.used_fraction(now, ctx.calendar, ctx.limits)
        if case is None or used is None or not case.stage_limit_minutes or a.level != RED:
            a.next_level_at = None
            continue
        wait = supervise_recheck(used, case.stage_limit_minutes)
        if wait is None:
            a.next_level_at = None
            alerts.set_level(s, a, now, SUPERVISE)
            n += 1
        else:
            a.next_level_at = now + wait
    return n
