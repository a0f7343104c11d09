"""The daily alert digest from a shift log, for a console with no backend (a replay): the
same numbers as ``GET /api/v1/alerts/digest`` (``console.domain.alert_digest``), over what
the log holds — the alerts of its bootstraps' snapshots and its alert changes, the latest
document of each. A log holds what its console received, so a digest of a day it covers
only in part counts only that part."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from console.domain.alert_digest import digest
from console.domain.china_time import CST
from console.domain.documents import AlertDoc
from console.store.shiftlog import ShiftLog

PAGE = 5000


def log_digest(shiftlog: ShiftLog, day: date) -> dict[str, Any]:
    """The digest of one China-time day from ``shiftlog``."""
    docs: dict[str, AlertDoc] = {}
    for b in shiftlog.bootstraps():
        snapshot, _ref = shiftlog.bootstrap(b["id"])
        for a in snapshot.get("alerts") or ():
            docs.setdefault(a["id"], a)
    after = 0
    while page := shiftlog.changes(after, limit=PAGE, kind="alert"):
        for ch in page:
            if ch["kind"] == "alert":
                docs[ch["alert"]["id"]] = ch["alert"]
        after = page[-1]["seq"]
    t0 = datetime.combine(day, time(0), CST)
    return {"date": day.isoformat(), **digest(docs.values(), t0, t0 + timedelta(days=1))}
