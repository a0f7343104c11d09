"""China Standard Time, the one time zone of the district.

Case numbers, working hours, the work calendar, SLA deadlines and every time a person reads or
types are Hangzhou clock time: UTC+8 all year (China has kept no daylight saving time since
1991), so a fixed offset is exact and needs no tz database on the operator's machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

CST = timezone(timedelta(hours=8))


def day_start(day: date) -> datetime:
    """00:00 China time of ``day``, aware."""
    return datetime.combine(day, time(), CST)


def days_of(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last China days the window [start, end) touches."""
    return start.astimezone(CST).date(), (end - timedelta(microseconds=1)).astimezone(CST).date()


def per_hour(epochs: Iterable[float], start: float, hours: int = 24) -> list[int]:
    """How many of ``epochs`` (seconds) fall in each of the ``hours`` hours from ``start``: the
    trend curves of the wall, from a console's state or from the backend's rows alike."""
    counts = [0] * hours
    for t in epochs:
        i = (t - start) // 3600
        if 0 <= i < hours:
            counts[int(i)] += 1
    return counts
