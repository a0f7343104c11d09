"""The working-time clock: State Council schedules, exact inverse arithmetic, speed."""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.china_time import CST

CAL = WorkCalendar.default()
PROPS = settings(max_examples=200, deadline=None)
US = timedelta(microseconds=1)

# Inputs in several zones, across 2024 (no schedule: Mon-Fri), 2025, 2026 and 2027 (none again),
# so year ends, the 2025/2026 holidays and the fallback are all crossed.
ZONES = st.sampled_from(
    [UTC, CST, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=45))]
)
# Period edges (+-1 us) are where off-by-one errors live, so they are drawn on purpose too.
EDGES = st.builds(
    lambda d, minute, us: (
        datetime.combine(d, datetime.min.time(), CST) + timedelta(minutes=minute, microseconds=us)
    ),
    st.dates(min_value=date(2024, 12, 1), max_value=date(2027, 1, 31)),
    st.sampled_from([0, 480, 720, 840, 1080]),
    st.sampled_from([-1, 0, 1]),
)
INSTANTS = st.one_of(
    st.datetimes(min_value=datetime(2024, 12, 1), max_value=datetime(2027, 1, 31), timezones=ZONES),
    EDGES,
)
# Up to ~6 weeks of working time, fractional, with many exact period lengths mixed in.
MINUTES = st.one_of(
    st.floats(min_value=0, max_value=20_000, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 30, 240, 480, 600, 960, 2400, 7200]),
)
INT_MINUTES = st.integers(min_value=0, max_value=20_000)


def cst(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def naive_minutes_between(cal: WorkCalendar, a: datetime, b: datetime) -> float:
    """An obviously correct oracle: walk the days and intersect each working period."""
    a, b = a.astimezone(CST), b.astimezone(CST)
    total = timedelta()
    d = a.date()
    while d <= b.date():
        if cal.is_working_day(d):
            for p0, p1 in cal.periods:
                lo = max(a, datetime.combine(d, datetime.min.time(), CST) + timedelta(minutes=p0))
                hi = min(b, datetime.combine(d, datetime.min.time(), CST) + timedelta(minutes=p1))
                total += max(hi - lo, timedelta())
        d += timedelta(days=1)
    return total / timedelta(minutes=1)


# ---- the shipped schedule ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 1), False),  # 元旦
        (date(2025, 1, 26), True),  # Sunday worked for 春节
        (date(2025, 1, 28), False),
        (date(2025, 2, 4), False),
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # Saturday worked
        (date(2025, 4, 27), True),  # Sunday worked for 劳动节
        (date(2025, 5, 5), False),
        (date(2025, 6, 2), False),  # 端午 Monday
        (date(2025, 9, 28), True),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),
        (date(2026, 1, 2), False),
        (date(2026, 1, 4), True),  # Sunday worked for 元旦
        (date(2026, 2, 14), True),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),
        (date(2026, 4, 6), False),
        (date(2026, 5, 5), False),
        (date(2026, 5, 9), True),
        (date(2026, 6, 19), False),
        (date(2026, 9, 20), True),  # Sunday worked for 国庆
        (date(2026, 9, 25), False),  # 中秋 Friday
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),
        (date(2026, 10, 11), False),  # plain Sunday
        (date(2030, 10, 1), True),  # no schedule for 2030: Monday-Friday
        (date(2030, 10, 5), False),
    ],
)
def test_default_schedule(day, working):
    assert CAL.is_working_day(day) is working


def test_shipped_table_is_consistent():
    # Every adjusted working day is a weekend, and every year has its holidays.
    assert all(d.weekday() >= 5 for d in CAL.workdays)
    assert {d.year for d in CAL.holidays} == {2025, 2026}
    assert len(CAL.holidays) == 61 and len(CAL.workdays) == 11


# ---- concrete examples -------------------------------------------------------------------------
def test_friday_evening_rolls_to_monday():
    assert CAL.add_working_minutes(cst(2026, 11, 27, 17, 30), 60) == cst(2026, 11, 30, 8, 30)


def test_national_day_week_is_skipped():
    assert CAL.add_working_minutes(cst(2026, 9, 30, 17, 0), 120) == cst(2026, 10, 8, 9, 0)


def test_year_end_into_new_year_holiday_and_worked_sunday():
    # Dec 31 (Wed) 17:00: one hour left; Jan 1-3 off; Sunday Jan 4 is worked.
    assert CAL.add_working_minutes(cst(2025, 12, 31, 17, 0), 120) == cst(2026, 1, 4, 9, 0)


def test_results_are_utc_and_inputs_any_zone():
    start_utc = cst(2026, 11, 27, 17, 30).astimezone(UTC)
    end = CAL.add_working_minutes(start_utc, 60)
    assert end.tzinfo == UTC and end == cst(2026, 11, 30, 8, 30)
    assert CAL.next_working_instant(cst(2026, 11, 28, 10, 0)).utcoffset() == timedelta(0)


def test_lunch_and_exact_period_end():
    # 4 h from 08:00 ends at 12:00 (not 14:00): the deadline is met at noon.
    assert CAL.add_working_minutes(cst(2026, 11, 23, 8, 0), 240) == cst(2026, 11, 23, 12, 0)
    assert CAL.add_working_minutes(cst(2026, 11, 23, 11, 0), 61) == cst(2026, 11, 23, 14, 1)
    assert CAL.add_working_minutes(cst(2026, 11, 23, 12, 30), 0) == cst(2026, 11, 23, 14, 0)
    assert CAL.next_working_instant(cst(2026, 11, 23, 9, 15)) == cst(2026, 11, 23, 9, 15)
    assert CAL.next_working_instant(cst(2026, 11, 23, 18, 0, 0, 1)) == cst(2026, 11, 24, 8, 0)
    # A period's end is its last working instant: adding 0 there stays, so additions compose.
    noon = CAL.add_working_minutes(cst(2026, 11, 23, 8, 0), 240)
    assert CAL.add_working_minutes(noon, 0) == noon == cst(2026, 11, 23, 12, 0)
    assert CAL.add_working_minutes(noon, 1) == cst(2026, 11, 23, 14, 1)
    assert CAL.next_working_instant(cst(2026, 9, 30, 23, 0)) == cst(2026, 10, 8, 8, 0)


def test_whole_days_and_between():
    assert CAL.minutes_per_day == 480
    # 60 working days (the 15-day illegal-building limit is 7200 min = 15 days).
    start = cst(2026, 11, 23, 8, 0)
    assert CAL.add_working_minutes(start, 7200) == cst(2026, 12, 11, 18, 0)
    assert CAL.working_minutes_between(start, cst(2026, 12, 11, 18, 0)) == 7200
    assert CAL.working_minutes_between(cst(2026, 11, 23, 12, 0), cst(2026, 11, 23, 14, 0)) == 0
    assert CAL.working_minutes_between(cst(2026, 11, 23, 10), cst(2026, 11, 23, 9)) == 0
    assert CAL.working_minutes_between(cst(2026, 11, 23, 8), cst(2026, 11, 23, 8, 0, 30)) == 0.5


def test_rejects_naive_and_negative():
    with pytest.raises(ValueError):
        CAL.add_working_minutes(datetime(2026, 1, 5, 9), 10)
    with pytest.raises(ValueError):
        CAL.working_minutes_between(datetime(2026, 1, 5, 9), cst(2026, 1, 6))
    with pytest.raises(ValueError):
        CAL.working_minutes_between(datetime(2026, 1, 5, 9), datetime(2026, 1, 6))
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            CAL.add_working_minutes(cst(2026, 1, 5, 9), bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"periods": ()},
        {"periods": ((480, 720), (700, 900))},  # overlapping
        {"periods": ((600, 500),)},
        {"periods": ((0, 1500),)},
        {"periods": ((480.5, 720),)},
        {"holidays": {date(2026, 1, 4)}, "workdays": {date(2026, 1, 4)}},
    ],
)
def test_invalid_configuration(kwargs):
    with pytest.raises(ValueError):
        WorkCalendar(**kwargs)


def test_custom_periods_and_plain_weeks():
    # Round-the-clock working days, no holidays: working time is wall time minus weekends.
    cal = WorkCalendar(periods=((0, 1440),))
    assert cal.minutes_per_day == 1440
    assert cal.add_working_minutes(cst(2030, 1, 4, 23, 0), 120) == cst(2030, 1, 7, 1, 0)
    # Periods may be given in any order.
    shuffled = WorkCalendar(periods=((840, 1080), (480, 720)))
    assert shuffled.periods == ((480, 720), (840, 1080))


def test_dict_round_trip():
    d = CAL.to_dict()
    assert d["periods"] == [[480, 720], [840, 1080]] and d["minutes_per_day"] == 480
    assert "2026-10-01" in d["holidays"] and "2026-09-20" in d["workdays"]
    again = WorkCalendar.from_dict(d)
    assert again.to_dict() == d
    assert again.add_working_minutes(cst(2026, 9, 30, 17), 120) == cst(2026, 10, 8, 9)
    with pytest.raises(ValueError):
        WorkCalendar.from_dict({**d, "timezone": "+00:00"})


def test_every_day_calendar_ignores_weekends_and_has_no_holidays():
    centre = WorkCalendar.every_day()
    assert centre.days == "all" and centre.minutes_per_day == 1440
    # Sunday 03:00 + 30 min, and across National Day: wall-clock time.
    assert centre.add_working_minutes(cst(2026, 11, 29, 3, 0), 30) == cst(2026, 11, 29, 3, 30)
    assert centre.working_minutes_between(cst(2026, 10, 1), cst(2026, 10, 8)) == 7 * 1440
    shifts = WorkCalendar.every_day(((420, 1140),))  # 07:00-19:00 every day
    assert shifts.add_working_minutes(cst(2026, 11, 28, 18, 30), 60) == cst(2026, 11, 29, 7, 30)
    with pytest.raises(ValueError):
        WorkCalendar(days="all", holidays={date(2026, 10, 1)})
    with pytest.raises(ValueError):
        WorkCalendar(days="weekdays")


def test_shifts_on_working_days_keep_the_holidays():
    late = CAL.with_periods(((420, 1320),))
    assert late.holidays == CAL.holidays and late.years == CAL.years
    assert late.add_working_minutes(cst(2026, 9, 30, 21, 45), 30) == cst(2026, 10, 8, 7, 15)


def test_covered_years_and_the_missing_year():
    assert CAL.years == {2025, 2026}
    assert CAL.uncovered_years(date(2026, 11, 29)) == []
    assert CAL.uncovered_years(date(2026, 12, 2)) == [2027]  # 30 days ahead reach 2027
    assert CAL.uncovered_years(date(2027, 3, 1)) == [2027]
    assert CAL.uncovered_years(date(2024, 12, 31), days_ahead=0) == [2024]
    assert WorkCalendar.every_day().uncovered_years(date(2030, 1, 1)) == []
    # Explicit years win over the dates listed (a notice may list nothing in a year).
    assert WorkCalendar(years=[2031]).uncovered_years(date(2031, 6, 1)) == []


def test_old_reference_without_days_and_years_reads_as_before():
    d = CAL.to_dict()
    assert d["days"] == "working" and d["years"] == [2025, 2026]
    old = {k: v for k, v in d.items() if k not in ("days", "years")}
    again = WorkCalendar.from_dict(old)
    assert again.days == "working" and again.years == {2025, 2026}
    assert again.add_working_minutes(cst(2026, 9, 30, 17), 120) == cst(2026, 10, 8, 9)
    assert WorkCalendar.from_dict(WorkCalendar.every_day().to_dict()).days == "all"


def test_default_is_cached():
    assert WorkCalendar.default() is CAL


def test_long_spans_are_fast():
    start = cst(2026, 1, 5, 9, 0)
    end = start + timedelta(days=60)
    n = 200
    t0 = timer.perf_counter()
    for _ in range(n):
        CAL.working_minutes_between(start, end)
        CAL.add_working_minutes(start, 60 * 480)
    per_call = (timer.perf_counter() - t0) / (2 * n)
    assert per_call < 1e-3
    # Years are as cheap as days: a parked case of 20 years, a limit of 10 years.
    assert CAL.working_minutes_between(start, start + timedelta(days=7300)) > 0
    assert CAL.add_working_minutes(start, 480 * 2500) > start + timedelta(days=3000)


# ---- properties --------------------------------------------------------------------------------
@PROPS
@given(INSTANTS, MINUTES)
def test_between_inverts_add(start, minutes):
    end = CAL.add_working_minutes(start, minutes)
    assert end >= start
    assert CAL.working_minutes_between(start, end) == pytest.approx(minutes, abs=1e-6)


@PROPS
@given(INSTANTS, MINUTES)
def test_add_gives_the_earliest_instant(start, minutes):
    end = CAL.add_working_minutes(start, minutes)
    if minutes * 60e6 >= 1:  # at least a microsecond of work
        assert CAL.working_minutes_between(start, end - US) < minutes
    else:  # nothing to add: the next working instant
        assert end == CAL.next_working_instant(start)


@PROPS
@given(INSTANTS, MINUTES, MINUTES)
def test_add_is_monotonic(start, m1, m2):
    lo, hi = sorted((m1, m2))
    assert CAL.add_working_minutes(start, lo) <= CAL.add_working_minutes(start, hi)


@PROPS
@given(INSTANTS, INSTANTS, INSTANTS)
def test_between_is_monotonic_and_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    ab, bc, ac = (
        CAL.working_minutes_between(a, b),
        CAL.working_minutes_between(b, c),
        CAL.working_minutes_between(a, c),
    )
    assert 0 <= ab <= ac and 0 <= bc <= ac
    assert ac == pytest.approx(ab + bc, abs=1e-6)


@PROPS
@given(INSTANTS, INT_MINUTES, INT_MINUTES)
def test_add_is_additive_exactly_in_whole_minutes(start, a, b):
    assert CAL.add_working_minutes(CAL.add_working_minutes(start, a), b) == (
        CAL.add_working_minutes(start, a + b)
    )


@PROPS
@given(INSTANTS, MINUTES, MINUTES)
def test_add_is_additive_in_working_time(start, a, b):
    two_steps = CAL.add_working_minutes(CAL.add_working_minutes(start, a), b)
    one_step = CAL.add_working_minutes(start, a + b)
    lo, hi = sorted((two_steps, one_step))
    assert CAL.working_minutes_between(lo, hi) == pytest.approx(0, abs=1e-6)


@PROPS
@given(INSTANTS, st.integers(min_value=0, max_value=75))
def test_between_matches_day_walk(start, days):
    end = start + timedelta(days=days, hours=days % 13, minutes=days * 7)
    assert CAL.working_minutes_between(start, end) == pytest.approx(
        naive_minutes_between(CAL, start, end), abs=1e-6
    )


@PROPS
@given(INSTANTS)
def test_idle_time_contributes_nothing(t):
    nxt = CAL.next_working_instant(t)
    assert nxt >= t and CAL.working_minutes_between(t, nxt) == 0
    assert CAL.next_working_instant(nxt) == nxt
    day = t.astimezone(CST).date()
    midnight = datetime.combine(day, datetime.min.time(), CST)
    assert CAL.working_minutes_between(midnight, midnight + timedelta(hours=8)) == 0  # night
    assert (
        CAL.working_minutes_between(midnight + timedelta(hours=12), midnight + timedelta(hours=14))
        == 0
    )
    assert (
        CAL.working_minutes_between(midnight + timedelta(hours=18), midnight + timedelta(days=1))
        == 0
    )
    whole_day = CAL.working_minutes_between(midnight, midnight + timedelta(days=1))
    assert whole_day == (480 if CAL.is_working_day(day) else 0)


@PROPS
@given(INSTANTS, MINUTES)
def test_every_day_00_to_24_is_wall_clock_time(start, minutes):
    # The centre's 7x24 calendar and the "calendar" clock are plain wall time, exactly.
    wall = WorkCalendar.every_day()
    end = wall.add_working_minutes(start, minutes)
    assert end == start + timedelta(microseconds=round(minutes * 60_000_000))
    assert wall.working_minutes_between(start, end) == pytest.approx(minutes, abs=1e-6)  # 1 us


@pytest.mark.parametrize(
    "cal", [WorkCalendar.default(), WorkCalendar.every_day(((420, 1140),))], ids=["work", "field"]
)
def test_the_array_form_adds_as_the_scalar_does_on_every_edge(cal):
    """``add_working_minutes_us`` (a bootstrap's batch) against ``add_working_minutes`` for
    starts every 30 minutes over the National Day holiday and its adjusted weekend (period
    starts and ends, lunch, nights) and limits of nothing to weeks."""
    from console.domain.calendar import epoch_us

    start = datetime(2026, 9, 28, 0, 0, tzinfo=CST)
    starts = [start + timedelta(minutes=30 * k) for k in range(48 * 16)]
    for minutes in (0, 0.5, 1, 59.99, 240, 480, 481, 2400, 10_000):
        got = cal.add_working_minutes_us(
            np.array([epoch_us(t) for t in starts]), np.full(len(starts), float(minutes))
        )
        want = [epoch_us(cal.add_working_minutes(t, minutes)) for t in starts]
        assert got.tolist() == want, minutes


@PROPS
@given(st.lists(EDGES, min_size=1, max_size=30), MINUTES)
def test_the_array_form_equals_the_scalar_at_period_edges(starts, minutes):
    from console.domain.calendar import epoch_us

    got = CAL.add_working_minutes_us(
        np.array([epoch_us(t) for t in starts]), np.full(len(starts), minutes)
    )
    assert got.tolist() == [epoch_us(CAL.add_working_minutes(t, minutes)) for t in starts]
