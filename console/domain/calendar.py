"""The working-time clock: time limits count only working hours on working days.

Working periods default to 08:00–12:00 and 14:00–18:00 China Standard Time (UTC+8 all year,
so a fixed offset needs no tz database). Working days are Monday–Friday, adjusted by the State
Council's yearly schedule: holidays (放假) remove weekdays, adjusted weekends (调休上班) add
Saturdays and Sundays. The schedule ships in ``resources/work_calendar.tsv``; years it does not
list fall back to plain Monday–Friday, and the calendar says so (``uncovered_years``) so the
backend and the console can warn that a year's notice is missing instead of guessing.

The same arithmetic serves the centre's own desks, which are staffed every day (7×24 or in
shifts): a calendar with ``days="all"`` counts its periods on every date, holidays included
(``console.domain.limits`` names the calendars each stage runs on).

``add_working_minutes_us`` is the same arithmetic over numpy arrays (a bootstrap's 50,000
deadlines in one pass), step for step on the same rule data, equal to the microsecond.

Arithmetic is exact and O(log holidays) whatever the span: times are integer microseconds, and
a cumulative count of working days before any date comes from a closed form for weekdays plus
binary searches in the sorted exception lists. Limits of weeks and parked cases of years cost
the same as a limit of minutes, and no rounding accumulates across days.
"""

from __future__ import annotations

import csv
import functools
import math
from bisect import bisect_left
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from console.domain.china_time import CST
from resources import resource_path

DEFAULT_PERIODS: tuple[tuple[int, int], ...] = ((480, 720), (840, 1080))
#: "working": Monday–Friday adjusted by the holiday schedule; "all": every date of the year.
DAYS = ("working", "all")
_US_PER_MIN = 60_000_000
_DAY_MIN = 24 * 60
_DAY_US = _DAY_MIN * _US_PER_MIN
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_CST_US = 8 * 60 * _US_PER_MIN  # CST is UTC+8 all year (no daylight saving)


def _weekdays_before(n: int) -> int:
    """Mondays–Fridays among proleptic ordinals [1, n); ordinal 1 (0001-01-01) is a Monday."""
    weeks, rest = divmod(n - 1, 7)
    return 5 * weeks + min(rest, 5)


class WorkCalendar:
    """Working periods (minutes since local midnight) on working days, in CST.

    ``add_working_minutes`` and ``working_minutes_between`` are inverse to each other: both go
    through F(t), the working microseconds from a fixed origin to t, which is non-decreasing
    and flat outside working time.
    """

    tz = CST

    def __init__(
        self,
        periods: Iterable[tuple[int, int]] = DEFAULT_PERIODS,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        days: str = "working",
        years: Iterable[int] | None = None,
    ):
        """``years`` are the years whose holiday notice the schedule holds; by default every
        year in which it lists a date (a notice always lists some: 元旦, 春节, ...)."""
        if days not in DAYS:
            raise ValueError(f"days must be one of {DAYS}, not {days!r}")
        periods = tuple(sorted((a, b) for a, b in periods))
        if not periods:
            raise ValueError("at least one working period is needed")
        prev = 0
        for a, b in periods:
            if int(a) != a or int(b) != b or not (prev <= a < b <= _DAY_MIN):
                raise ValueError(
                    f"working periods must be whole minutes, ordered, disjoint and within a day: {periods}"
                )
            prev = b
        holidays, workdays = frozenset(holidays), frozenset(workdays)
        both = holidays & workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)}")
        if days == "all" and (holidays or workdays):
            raise ValueError("a calendar of every day has no holidays or adjusted workdays")
        self._days = days
        self._years = frozenset(
            int(y) for y in (years if years is not None else {d.year for d in holidays | workdays})
        )
        self._periods = tuple((int(a), int(b)) for a, b in periods)
        self._holidays = holidays
        self._workdays = workdays
        self._spans_us = tuple((a * _US_PER_MIN, b * _US_PER_MIN) for a, b in self._periods)
        self._day_us = sum(b - a for a, b in self._spans_us)
        # Only the exceptions that change a day's status matter to the counting: holidays that
        # fall on weekends are already off, so they are kept for to_dict() but not counted.
        self._off = sorted(d.toordinal() for d in holidays if d.weekday() < 5)
        self._on = sorted(d.toordinal() for d in workdays if d.weekday() >= 5)
        self._off_set = frozenset(self._off)
        self._on_set = frozenset(self._on)
        self._off_a = np.asarray(self._off, dtype=np.int64)
        self._on_a = np.asarray(self._on, dtype=np.int64)

    @classmethod
    def default(cls) -> WorkCalendar:
        """The shipped calendar (``resources/work_calendar.tsv``), loaded once."""
        return _default_calendar()

    @classmethod
    def every_day(cls, periods: Iterable[tuple[int, int]] = ((0, 1440),)) -> WorkCalendar:
        """Periods counted on every date (default 00:00–24:00: wall-clock time in CST)."""
        return cls(periods, days="all")

    def with_periods(self, periods: Iterable[tuple[int, int]]) -> WorkCalendar:
        """Other periods on the same days (a shift pattern on this calendar's working days)."""
        return WorkCalendar(periods, self._holidays, self._workdays, self._days, self._years)

    @classmethod
    def from_tsv(
        cls, path: str | Path, periods: Iterable[tuple[int, int]] = DEFAULT_PERIODS
    ) -> WorkCalendar:
        """Read a ``date, kind, name, source`` table; ``#`` lines are comments."""
        holidays: set[date] = set()
        workdays: set[date] = set()
        with open(path, encoding="utf-8", newline="") as f:
            lines = (line for line in f if not line.startswith("#"))
            for row in csv.DictReader(lines, delimiter="\t"):
                d = date.fromisoformat(row["date"])
                if row["kind"] == "holiday":
                    holidays.add(d)
                elif row["kind"] == "workday":
                    workdays.add(d)
                else:
                    raise ValueError(f"{path}: unknown kind {row['kind']!r} on {d}")
        return cls(periods, holidays, workdays)

    # ---- configuration -----------------------------------------------------------------------
    @property
    def periods(self) -> tuple[tuple[int, int], ...]:
        return self._periods

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    @property
    def workdays(self) -> frozenset[date]:
        return self._workdays

    @property
    def days(self) -> str:
        return self._days

    @property
    def years(self) -> frozenset[int]:
        """The years whose holiday notice the schedule holds."""
        return self._years

    @property
    def minutes_per_day(self) -> int:
        return self._day_us // _US_PER_MIN

    def uncovered_years(self, start: date, days_ahead: int = 30) -> list[int]:
        """Years from ``start`` to ``days_ahead`` days later whose holiday notice is missing,
        so their working days would be plain Monday–Friday; [] for an every-day calendar.
        30 days ahead: a month's warning before deadlines start to cross into such a year."""
        if self._days == "all":
            return []
        last = start + timedelta(days=days_ahead)
        return [y for y in range(start.year, last.year + 1) if y not in self._years]

    def is_working_day(self, d: date) -> bool:
        return self._is_working_ordinal(d.toordinal())

    # ---- the clock ---------------------------------------------------------------------------
    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The earliest instant by which ``minutes`` of working time have passed since
        ``start``; counting begins at the next working instant, so adding 0 outside working
        time gives the next period start.

        A span that uses up a period exactly ends at the period's end (12:00), not at the next
        start (14:00): a deadline is met at noon. A period's end therefore counts as a working
        instant (its last), and adding 0 there stays there, so additions compose exactly:
        ``add(add(t, a), b) == add(t, a + b)`` for whole minutes a, b >= 0.
        """
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"minutes must be finite and >= 0, not {minutes!r}")
        us = round(minutes * _US_PER_MIN)
        day, t = self._split(start)
        if self._is_working_ordinal(day):
            for a, b in self._spans_us:
                if t > b or (t == b and us > 0):
                    continue
                begin = max(t, a)
                if begin + us <= b:
                    return self._join(day, begin + us)
                us -= b - begin
        # The rest lands in a later working day: the k-th after ``day``, at offset ``rest``
        # into it, with 0 < rest <= a day (or 0 for "the next period start").
        if us == 0:
            k, rest = 1, 0
        else:
            k = (us - 1) // self._day_us + 1
            rest = us - (k - 1) * self._day_us
        target = self._working_days_before(day + 1) + k
        return self._join(self._ordinal_reaching(target, day + 1) - 1, self._offset_in_day(rest))

    def next_working_instant(self, t: datetime) -> datetime:
        """``t`` itself (in UTC) if it is inside a working period or at its end, else the next
        period start."""
        return self.add_working_minutes(t, 0)

    def add_working_minutes_us(self, start_us: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """``add_working_minutes`` over arrays, for ingesting tens of thousands of cases at once:
        ``start_us`` in epoch microseconds (int64), ``minutes`` finite and >= 0 (the caller
        checks); returns epoch microseconds. The same steps on the same rule data (periods,
        exception lists, W(n)), each as an array operation, so the result is the same instant
        to the microsecond (tests/test_state.py checks it against ``Case.light_times``)."""
        start_us = np.asarray(start_us, dtype=np.int64)
        rem = np.rint(np.asarray(minutes, dtype=np.float64) * _US_PER_MIN).astype(np.int64)
        local = start_us + _CST_US
        day = local // _DAY_US + _EPOCH_ORDINAL
        t = local - (day - _EPOCH_ORDINAL) * _DAY_US
        out = np.zeros(len(rem), dtype=np.int64)
        done = np.zeros(len(rem), dtype=bool)
        working = self._is_working_ordinals(day)
        for a, b in self._spans_us:  # the rest of the start's own day, period by period
            live = working & ~done & ~((t > b) | ((t == b) & (rem > 0)))
            begin = np.maximum(t, a)
            fits = live & (begin + rem <= b)
            out[fits] = _join_us(day[fits], (begin + rem)[fits])
            done |= fits
            used = live & ~fits
            rem[used] -= (b - begin)[used]
        late = ~done
        day, rem = day[late], rem[late]
        k = np.where(rem == 0, 1, (rem - 1) // self._day_us + 1)
        rest = np.where(rem == 0, 0, rem - (k - 1) * self._day_us)
        target = self._working_days_before_ordinals(day + 1) + k
        reached = self._ordinals_reaching(target, day + 1) - 1
        out[late] = _join_us(reached, self._offsets_in_day(rest))
        return out

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes in [a, b); 0 when ``b <= a``."""
        # F is non-decreasing, so a negative difference means b <= a.
        return max(self._cumulative_us(b) - self._cumulative_us(a), 0) / _US_PER_MIN

    # ---- (de)serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "timezone": "+08:00",
            "periods": [list(p) for p in self._periods],
            "minutes_per_day": self.minutes_per_day,
            "holidays": sorted(d.isoformat() for d in self._holidays),
            "workdays": sorted(d.isoformat() for d in self._workdays),
            "days": self._days,
            "years": sorted(self._years),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WorkCalendar:
        """Inverse of ``to_dict`` (``minutes_per_day`` is derived and ignored). A document
        from before ``days`` and ``years`` existed (an old shift log) reads as a working-day
        calendar covering the years it lists dates in, which is what it meant."""
        if d.get("timezone", "+08:00") != "+08:00":
            raise ValueError("the working calendar runs in China Standard Time (+08:00)")
        years = d.get("years")
        return cls(
            [tuple(p) for p in d["periods"]],
            {date.fromisoformat(x) for x in d.get("holidays", ())},
            {date.fromisoformat(x) for x in d.get("workdays", ())},
            d.get("days", "working"),
            None if years is None else [int(y) for y in years],
        )

    # ---- internals ---------------------------------------------------------------------------
    def _is_working_ordinal(self, n: int) -> bool:
        if self._days == "all" or n in self._on_set:
            return True
        return (n - 1) % 7 < 5 and n not in self._off_set

    def _working_days_before(self, n: int) -> int:
        """W(n): working days among ordinals [1, n)."""
        if self._days == "all":
            return n - 1
        return _weekdays_before(n) - bisect_left(self._off, n) + bisect_left(self._on, n)

    def _ordinal_reaching(self, target: int, lo: int) -> int:
        """The smallest n with W(n) >= target, given W(lo) < target.

        W is a non-decreasing step function: gallop from a guess of five working days a week,
        then bisect, so a long holiday only costs an extra doubling.
        """
        step = (target - self._working_days_before(lo)) * 7 // 5 + 7
        hi = lo + step
        while self._working_days_before(hi) < target:
            lo, hi = hi + 1, hi + step
            step *= 2
        while lo < hi:
            mid = (lo + hi) // 2
            if self._working_days_before(mid) >= target:
                hi = mid
            else:
                lo = mid + 1
        return lo

    # The same internals over arrays of ordinals, for ``add_working_minutes_us``.
    def _is_working_ordinals(self, n: np.ndarray) -> np.ndarray:
        if self._days == "all":
            return np.ones(n.shape, dtype=bool)
        weekday = (n - 1) % 7 < 5
        return np.isin(n, self._on_a) | (weekday & ~np.isin(n, self._off_a))

    def _working_days_before_ordinals(self, n: np.ndarray) -> np.ndarray:
        if self._days == "all":
            return n - 1
        weeks, rest = np.divmod(n - 1, 7)
        weekdays = 5 * weeks + np.minimum(rest, 5)
        off = np.searchsorted(self._off_a, n, side="left")
        on = np.searchsorted(self._on_a, n, side="left")
        return weekdays - off + on

    def _ordinals_reaching(self, target: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """``_ordinal_reaching`` per element: gallop until W(hi) >= target, then bisect (the
        smallest such ordinal is unique, so any search finds the scalar's answer)."""
        lo = lo.copy()
        step = (target - self._working_days_before_ordinals(lo)) * 7 // 5 + 7
        hi = lo + step
        short = self._working_days_before_ordinals(hi) < target
        while short.any():
            lo[short] = hi[short] + 1
            hi[short] += step[short]
            step[short] *= 2
            short = self._working_days_before_ordinals(hi) < target
        open_ = lo < hi
        while open_.any():
            mid = (lo + hi) // 2
            ok = self._working_days_before_ordinals(mid) >= target
            hi = np.where(open_ & ok, mid, hi)
            lo = np.where(open_ & ~ok, mid + 1, lo)
            open_ = lo < hi
        return lo

    def _offsets_in_day(self, rest: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rest), dtype=np.int64)
        done = np.zeros(len(rest), dtype=bool)
        rest = rest.copy()
        for a, b in self._spans_us:
            fits = ~done & (rest <= b - a)
            out[fits] = a + rest[fits]
            done |= fits
            rest[~done] -= b - a
        if not done.all():
            raise AssertionError("offset beyond the working day")
        return out

    def _within_day_us(self, t: int) -> int:
        """Working microseconds of a working day before local time-of-day ``t``."""
        return sum(min(max(t - a, 0), b - a) for a, b in self._spans_us)

    def _offset_in_day(self, rest: int) -> int:
        """The time of day at which ``rest`` working microseconds of a day have passed."""
        for a, b in self._spans_us:
            if rest <= b - a:
                return a + rest
            rest -= b - a
        raise AssertionError("offset beyond the working day")

    def _cumulative_us(self, t: datetime) -> int:
        day, tod = self._split(t)
        total = self._working_days_before(day) * self._day_us
        if self._is_working_ordinal(day):
            total += self._within_day_us(tod)
        return total

    @staticmethod
    def _split(t: datetime) -> tuple[int, int]:
        """(CST date ordinal, microseconds since CST midnight)."""
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError("datetimes must be timezone-aware")
        local = t.astimezone(CST)
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000
        return local.toordinal(), tod + local.microsecond

    @staticmethod
    def _join(day: int, us: int) -> datetime:
        local = datetime.combine(date.fromordinal(day), time(), CST)
        return (local + timedelta(microseconds=us)).astimezone(UTC)


def _join_us(day: np.ndarray, us: np.ndarray) -> np.ndarray:
    """``WorkCalendar._join`` over arrays, in epoch microseconds."""
    out: np.ndarray = (day - _EPOCH_ORDINAL) * _DAY_US + us - _CST_US
    return out


def epoch_us(t: datetime) -> int:
    """A tz-aware instant as integer microseconds since the epoch (exact)."""
    return (t - _EPOCH) // timedelta(microseconds=1)


@functools.cache
def _default_calendar() -> WorkCalendar:
    return WorkCalendar.from_tsv(resource_path("work_calendar.tsv"))
