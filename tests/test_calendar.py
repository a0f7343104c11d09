"""The working-time clock: concrete days from the 2026 schedule and arithmetic properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.limits import Limit, TimeLimits
from console.domain.sla import light, lights

CST = timezone(timedelta(hours=8))
CAL = WorkCalendar.default()
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(CST)
)
minutes = st.floats(min_value=0, max_value=60 * 480, allow_nan=False)


def cst(*a) -> datetime:
    return datetime(*a, tzinfo=CST)


def test_concrete_days():
    assert CAL.add_working_minutes(cst(2026, 11, 27, 17, 30), 60) == cst(
        2026, 11, 30, 8, 30
    )  # Friday → Monday
    assert CAL.add_working_minutes(cst(2026, 9, 30, 17, 0), 120) == cst(
        2026, 10, 8, 9, 0
    )  # over National Day
    assert CAL.is_working_day(date(2026, 9, 20))  # a Sunday worked in exchange
    assert not CAL.is_working_day(date(2026, 10, 5)) and not CAL.is_working_day(date(2026, 2, 17))
    assert CAL.add_working_minutes(cst(2026, 11, 23, 12, 30), 0) == cst(
        2026, 11, 23, 14, 0
    )  # lunch
    assert CAL.working_minutes_between(cst(2026, 11, 23, 7, 0), cst(2026, 11, 23, 20, 0)) == 480
    assert (
        CAL.working_minutes_between(cst(2026, 11, 28, 0, 0), cst(2026, 11, 30, 0, 0)) == 0
    )  # weekend
    assert CAL.minutes_per_day == 480
    # A year without a shipped schedule falls back to Monday–Friday.
    assert CAL.is_working_day(date(2030, 1, 1)) and not CAL.is_working_day(date(2030, 1, 5))


def test_round_trip_through_dict_and_bad_input():
    again = WorkCalendar.from_dict(CAL.to_dict())
    assert again.add_working_minutes(cst(2026, 9, 30, 17, 0), 120) == cst(2026, 10, 8, 9, 0)
    with pytest.raises(ValueError):
        CAL.add_working_minutes(datetime(2026, 1, 1), 10)  # naive
    with pytest.raises(ValueError):
        WorkCalendar(((600, 500),))


@settings(max_examples=300, deadline=None)
@given(instants, minutes)
def test_add_then_elapsed_returns_the_input(start, m):
    end = CAL.add_working_minutes(start, m)
    assert CAL.working_minutes_between(start, end) == pytest.approx(m, abs=1e-6)
    assert end >= start


@settings(max_examples=200, deadline=None)
@given(instants, minutes, minutes)
def test_additive(start, a, b):
    one = CAL.add_working_minutes(CAL.add_working_minutes(start, a), b)
    other = CAL.add_working_minutes(start, a + b)
    # Equal in working time: a period's end and the next period's start are the same
    # working instant, 14 wall-clock hours apart, so compare working minutes, not wall time.
    lo, hi = sorted([one, other])
    assert CAL.working_minutes_between(lo, hi) < 1e-6


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants)
def test_elapsed_splits_at_any_point(a, b, c):
    a, b, c = sorted([a, b, c])
    total = CAL.working_minutes_between(a, c)
    assert total == pytest.approx(
        CAL.working_minutes_between(a, b) + CAL.working_minutes_between(b, c), abs=1e-6
    )
    assert 0 <= total <= (c - a).total_seconds() / 60 + 1e-9


def test_limits_and_lights():
    lim = TimeLimits.default()
    assert lim.stage_limit("dispose", "06010") == Limit(240, "working")  # exposed garbage 4 h
    assert lim.stage_limit("dispose", "01002").minutes == 180  # manhole cover 3 h
    assert lim.stage_limit("dispose", "01037").minutes == 480  # street light 8 h
    assert lim.stage_limit("dispose", "99999") == lim.dispose_default
    assert lim.stage_limit("dispose", "06010", "urgent").minutes == 120
    assert lim.stage_limit("verify").minutes == 120 and lim.stage_limit("send_check").minutes == 30
    with pytest.raises(ValueError):
        lim.stage_limit("dispose", "06010", "whenever")
    with pytest.raises(ValueError):
        lim.stage_limit("lunch")
    cal_limit = Limit(60, "calendar")
    t0 = cst(2026, 11, 28, 23, 0)
    assert lim.deadline(CAL, t0, cal_limit) == t0 + timedelta(hours=1)
    assert lim.elapsed(CAL, t0, t0 + timedelta(minutes=30), cal_limit) == 30
    assert [light(x) for x in (0.0, 0.79, 0.8, 1.0, 1.01)] == [
        "green",
        "green",
        "yellow",
        "yellow",
        "red",
    ]
    assert lights([0.0, 0.8, 1.2]).tolist() == [0, 1, 2]
