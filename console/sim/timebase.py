"""When a simulated district day starts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from console.domain.calendar import WorkCalendar
from console.domain.china_time import CST


def simulation_start(calendar: WorkCalendar, speed: float, now: datetime | None = None) -> datetime:
    """08:00 (CST) of today if it is a working day, else of the latest working day.

    A compressed demo then always shows a working day with SLA clocks running, whatever the
    hour the demo is started. (At speed 1 the caller may prefer real time instead.)
    """
    day = (now or datetime.now(UTC)).astimezone(CST).date()
    for _ in range(30):
        if calendar.is_working_day(day):
            break
        day -= timedelta(days=1)
    return datetime.combine(day, time(8, 0), CST)
