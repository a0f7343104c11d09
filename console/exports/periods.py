"""The period an export dialog offers first: the shift the centre is in.

The project defines no shift roster (the desks' calendar is "7x24 or in shifts",
``resources/time_limits.json``), and the handover report and ``console.domain.retention`` speak
of a 12-hour shift; so a shift here is 08:00-20:00 or 20:00-08:00 Hangzhou time, the common
两班倒 pattern of a 24-hour centre (a project decision, not a rule with a source). "The last
shift" is the one under way: from its start until now, which is what an operator asked for a
track or the cases "of my shift" means; the dialog lets them change either end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.domain.china_time import CST

SHIFT_HOURS = 12
SHIFT_STARTS = (8, 20)  # Hangzhou hours


def shift_start(now: float) -> datetime:
    """The start (UTC) of the shift under way at ``now`` (epoch seconds)."""
    local = datetime.fromtimestamp(now, CST)
    starts = [
        local.replace(hour=h, minute=0, second=0, microsecond=0) + timedelta(days=d)
        for d in (-1, 0)
        for h in SHIFT_STARTS
    ]
    return max(s for s in starts if s <= local).astimezone(UTC)


def current_shift(now: float) -> tuple[datetime, datetime]:
    """(the shift's start, now), both UTC."""
    return shift_start(now), datetime.fromtimestamp(now, UTC)
