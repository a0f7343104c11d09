"""How long a finished case stays in the live picture: one rule for the backend's snapshot and
for every console's fold, so a console that has run for months holds exactly what a freshly
started one would, and its memory stops growing with the district's history.

- An **open** case always stays: it is work.
- A **closed or voided** case stays ``KEEP_FINISHED`` after its last change. Why 24 h: the
  wall's "today" counters (reported, closed today) and the handover report of a 12-hour shift
  need the cases finished since the day (or the shift) began, which are never older than that;
  anything older is history, which the 量化考核 board and the case search ask the backend for.
- A closed **public report still waiting for its 回访** stays up to ``KEEP_CALLBACK`` after
  closing, so the operators' 待回访 worklist is whole. Why 7 days: a callback asks the caller
  about a matter just finished; a week later it asks about one they have half forgotten, and a
  worklist that never sheds its unreachable callers grows without bound (``MAX_ATTEMPTS`` bounds
  the attempts, not the wait between them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .callback import callback_open
from .case import parse_time
from .workflow import TERMINAL_STATES

KEEP_FINISHED = timedelta(hours=24)
KEEP_CALLBACK = timedelta(days=7)
#: The widest window, for a database query that preselects before ``retained`` decides.
KEEP_LONGEST = max(KEEP_FINISHED, KEEP_CALLBACK)
_FINISHED = frozenset(s.value for s in TERMINAL_STATES)


def retained(doc: Mapping[str, Any], now: datetime) -> bool:
    """Whether the case ``doc`` (the wire form) belongs in the live picture at ``now``. A doc
    without a readable ``updated_at`` stays (dropping it would lose something on a guess)."""
    state = str(doc.get("state") or "")
    if state not in _FINISHED:
        return True
    try:
        updated = parse_time(doc.get("updated_at"))
    except (TypeError, ValueError):
        return True
    if updated is None:
        return True
    age = now - updated
    if age <= KEEP_FINISHED:
        return True
    waiting = callback_open(
        str(doc.get("source") or ""),
        state,
        doc.get("satisfaction"),
        int(doc.get("callback_attempts") or 0),
    )
    return waiting and age <= KEEP_CALLBACK
