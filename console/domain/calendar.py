"""The working-time clock: time limits count only working hours on working days.

Working periods default to 08:00–12:00 and 14:00–18:00 China Standard Time; working days are
Monday–Friday adjusted by the State Council's per-year holiday schedule (days off, and
weekends worked in exchange), shipped in ``resources/work_calendar.tsv`` and editable.
Arithmetic walks whole days, never minutes, so a limit of weeks costs a few dozen steps.
"""

from __future__ import annotations

import csv
import functools
from datetime import UTC, date, datetime, time, timedelta, timezone

from .resources import resource_path

CST = timezone(timedelta(hours=8))
DEFAULT_PERIODS: tuple[tuple[int, int], ...] = ((480, 720), (840, 1080))
_MAX_DAYS = 366 * 20  # a guard against limits no calendar can satisfy


class WorkCalendar:
    """Working periods (minutes since local midnight) on working days, in CST."""

    tz = CST

    def __init__(
        self,
        periods: tuple[tuple[int, int], ...] = DEFAULT_PERIODS,
        holidays: set[date] | frozenset[date] = frozenset(),
        workdays: set[date] | frozenset[date] = frozenset(),
    ):
        periods = tuple(sorted((int(a), int(b)) for a, b in periods))
        prev = 0
        for a, b in periods:
            if not (prev <= a < b <= 1440):
                raise ValueError(
                    f"working periods must be ordered, disjoint and within a day: {periods}"
                )
            prev = b
        if not periods:
            raise ValueError("at least one working period is needed")
        self.periods = periods
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)

    @classmethod
    @functools.cache
    def default(cls) -> WorkCalendar:
        holidays, workdays = set(), set()
        with open(resource_path("work_calendar.tsv"), encoding="utf-8") as f:
            rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
            for row in rows:
                d = date.fromisoformat(row["date"])
                (holidays if row["kind"] == "holiday" else workdays).add(d)
        return cls(DEFAULT_PERIODS, holidays, workdays)

    @property
    def minutes_per_day(self) -> int:
        return sum(b - a for a, b in self.periods)

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    @staticmethod
    def _local(t: datetime) -> datetime:
        if t.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return t.astimezone(CST)

    @staticmethod
    def _at(d: date, minute: float) -> datetime:
        return datetime.combine(d, time(), CST) + timedelta(minutes=minute)

    @staticmethod
    def _minute_of(t: datetime) -> float:
        return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant when ``minutes`` of working time have passed since ``start``."""
        if minutes < 0:
            raise ValueError("minutes must be >= 0")
        local = self._local(start)
        d, m = local.date(), self._minute_of(local)
        remaining = float(minutes)
        for _ in range(_MAX_DAYS):
            if self.is_working_day(d):
                for a, b in self.periods:
                    # The end of a period still belongs to it when nothing is left to add,
                    # so add(add(t, a), 0) == add(t, a) at a period's end too.
                    if m > b or (m == b and remaining > 0):
                        continue
                    begin = max(m, a)
                    if begin + remaining <= b:
                        return self._at(d, begin + remaining).astimezone(UTC)
                    remaining -= b - begin
                    m = b
            d += timedelta(days=1)
            m = 0.0
        raise ValueError("no working time within 20 years")

    def next_working_instant(self, t: datetime) -> datetime:
        return self.add_working_minutes(t, 0.0)

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes in [a, b); 0 when b <= a."""
        if b <= a:
            return 0.0
        la, lb = self._local(a), self._local(b)
        d, end_d = la.date(), lb.date()
        total = 0.0
        while d <= end_d:
            if self.is_working_day(d):
                lo = self._minute_of(la) if d == la.date() else 0.0
                hi = self._minute_of(lb) if d == end_d else 1440.0
                for p0, p1 in self.periods:
                    total += max(0.0, min(hi, p1) - max(lo, p0))
            d += timedelta(days=1)
        return total

    def to_dict(self) -> dict:
        return {
            "timezone": "+08:00",
            "periods": [list(p) for p in self.periods],
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
        }

    @classmethod
    def from_dict(cls, d: dict) -> WorkCalendar:
        return cls(
            tuple(tuple(p) for p in d["periods"]),
            {date.fromisoformat(x) for x in d["holidays"]},
            {date.fromisoformat(x) for x in d["workdays"]},
        )
