"""The daily digest of alerts: what was raised, how loud, when, how fast the centre answered,
which subjects kept alarming, and what escalated. One pure function over alert documents,
so the backend's ``GET /api/v1/alerts/digest`` and a console reading a shift log count alike.

Every step counts by its own instant (raised, level, acknowledged, escalated): an alert
raised yesterday and taken to 督办 today is one 督办 today and no raise. Group alerts (flood
folds) are not alerts of their own: their members are counted, the groups reported apart.
Documents without ``history`` (shift logs from before levelled alerts) count from their
``raised_at``/``acked_at``/``escalated_at`` fields.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .alert_rules import SEVERITY_RANK

TOP_SUBJECTS = 10


def _t(v: object) -> datetime | None:
    if not isinstance(v, str) or not v:
        return None
    try:
        return datetime.fromisoformat(v)
    except ValueError:
        return None


def _steps(a: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The alert's history, or one rebuilt from its fields when it has none (old logs)."""
    h = a.get("history")
    if h:
        return list(h)
    out: list[Mapping[str, Any]] = [
        {"at": a.get("raised_at"), "step": "raised", "severity": a.get("severity")}
    ]
    if a.get("acked_at"):
        out.append({"at": a["acked_at"], "step": "acknowledged", "by": a.get("acked_by")})
    if a.get("escalated_at"):
        out.append({"at": a["escalated_at"], "step": "escalated"})
    return out


def _minutes(xs: list[float]) -> dict[str, Any]:
    if not xs:
        return {"count": 0, "median": None, "max": None}
    return {
        "count": len(xs),
        "median": round(statistics.median(xs), 1),
        "max": round(max(xs), 1),
    }


def digest(docs: Iterable[Mapping[str, Any]], t0: datetime, t1: datetime) -> dict[str, Any]:
    """Counts over [t0, t1) (aware datetimes; the backend passes a CST day). ``per_hour``
    has one slot per hour from ``t0``."""
    hours = max(1, round((t1 - t0).total_seconds() / 3600))
    per_hour = [0] * hours
    by_kind: dict[str, Counter[str]] = {}
    by_severity: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    subjects: Counter[tuple[str, str]] = Counter()
    subject_kinds: dict[tuple[str, str], Counter[str]] = {}
    ack_min: list[float] = []
    ack_by_sev: dict[str, list[float]] = {}
    supervised: list[dict[str, Any]] = []
    escalated = 0
    groups = grouped = 0

    for a in docs:
        kind = str(a.get("kind") or "")
        if a.get("subject_type") == "group":
            raised = _t(a.get("raised_at"))
            groups += raised is not None and t0 <= raised < t1
            continue
        k = by_kind.setdefault(kind, Counter())
        level_since = _t(a.get("raised_at"))
        severity = str(a.get("severity") or "info")
        top = ""  # the loudest severity reached inside the period
        for st in _steps(a):
            at = _t(st.get("at"))
            step = st.get("step")
            if step in ("raised", "level"):
                level_since = at
                severity = str(st.get("severity") or severity)
            if at is None or not t0 <= at < t1:
                continue
            if step in ("raised", "level"):
                if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(top, 0):
                    top = severity
                if st.get("level"):
                    by_level[str(st["level"])] += 1
                    k["level:" + str(st["level"])] += 1
                if st.get("level") == "supervise":
                    supervised.append(
                        {"alert_id": a.get("id"), "subject_id": a.get("subject_id"), "at": st["at"]}
                    )
            if step == "raised":
                k["raised"] += 1
                per_hour[min(hours - 1, int((at - t0).total_seconds() // 3600))] += 1
                key = (str(a.get("subject_type")), str(a.get("subject_id")))
                subjects[key] += 1
                subject_kinds.setdefault(key, Counter())[kind] += 1
            elif step == "acknowledged":
                k["acknowledged"] += 1
                if level_since is not None:
                    m = max(0.0, (at - level_since).total_seconds() / 60)
                    ack_min.append(m)
                    ack_by_sev.setdefault(severity, []).append(m)
            elif step == "escalated":
                escalated += 1
                k["escalated"] += 1
            elif step == "resolved":
                k["resolved"] += 1
            elif step == "grouped":
                grouped += 1
        if top:
            by_severity[top] += 1
            k["severity:" + top] += 1
    return {
        "from": t0.isoformat(),
        "to": t1.isoformat(),
        "raised": sum(c["raised"] for c in by_kind.values()),
        "by_kind": {
            kind: {
                "raised": c["raised"],
                "acknowledged": c["acknowledged"],
                "resolved": c["resolved"],
                "escalated": c["escalated"],
                "by_severity": {s[9:]: n for s, n in c.items() if s.startswith("severity:")},
                "by_level": {s[6:]: n for s, n in c.items() if s.startswith("level:")},
            }
            for kind, c in sorted(by_kind.items())
            if any(c.values())
        },
        "by_severity": dict(by_severity),
        "by_level": dict(by_level),
        "per_hour": per_hour,
        "ack_minutes": {
            **_minutes(ack_min),
            "by_severity": {s: _minutes(xs) for s, xs in sorted(ack_by_sev.items())},
        },
        "top_subjects": [
            {
                "subject_type": st,
                "subject_id": sid,
                "count": n,
                "kinds": dict(subject_kinds[(st, sid)]),
            }
            for (st, sid), n in sorted(subjects.items(), key=lambda kv: (-kv[1], kv[0]))[
                :TOP_SUBJECTS
            ]
        ],
        "escalated": escalated,
        "supervised": supervised,
        "groups": {"count": groups, "grouped": grouped},
    }
