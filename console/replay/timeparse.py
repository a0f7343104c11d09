"""Times typed by people: the replay's time box, ``--at`` and ``export --from/--to``.

People in the centre think in Hangzhou clock time; a bare ``HH:MM`` means that time on the day
being looked at (or the day before/after, if that is closer: a night shift crosses midnight).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from console.domain.china_time import CST


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; without a zone it is Hangzhou time. Raises ValueError."""
    t = datetime.fromisoformat(text.strip())
    return t if t.tzinfo else t.replace(tzinfo=CST)


def parse_clock(text: str, near: float) -> float | None:
    """``HH:MM[:SS]`` near the epoch ``near``, or an ISO instant; epoch seconds, None if
    unreadable."""
    text = text.strip()
    try:
        if "T" in text or "-" in text:
            return parse_instant(text).timestamp()
        parts = [int(p) for p in text.split(":")]
        if not 2 <= len(parts) <= 3:
            return None
        h, m, s = (parts + [0])[:3]
        day = datetime.fromtimestamp(near, CST).replace(hour=h, minute=m, second=s, microsecond=0)
    except (ValueError, OverflowError, OSError):
        return None
    options = [(day + timedelta(days=k)).timestamp() for k in (-1, 0, 1)]
    return min(options, key=lambda t: abs(t - near))
