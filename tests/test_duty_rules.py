"""The on-duty rules (console.domain.duty): shifts, 离岗 and 失联 episodes, 在岗率 arithmetic,
巡查覆盖率 and the record throttle, on a synthetic area of four 100 m cells."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from console.domain import duty
from console.domain.calendar import WorkCalendar
from console.domain.china_time import CST

CAL = WorkCalendar.default()
# A Monday that is a working day in the shipped calendar.
DAY = datetime(2026, 11, 30, tzinfo=CST)


def at(h: int, m: int = 0, s: int = 0) -> float:
    return DAY.replace(hour=h, minute=m, second=s).timestamp()


def area() -> duty.Area:
    # Four cells of 100 m in a row along x: centres at 50, 150, 250, 350.
    return duty.Area(["c1", "c2", "c3", "c4"], np.array([50.0, 150, 250, 350]), np.zeros(4), 50.0)


def tracker(shift: duty.Shift = duty.SUPERVISOR_SHIFT) -> tuple[duty.DutyTracker, duty.Person]:
    tr = duty.DutyTracker(CAL)
    p = tr.add("P1", shift, area(), at(7, 50))
    return tr, p


def walk(tr: duty.DutyTracker, t: float, x: float) -> list[duty.Signal]:
    a = tr.people["P1"].area
    d = a.distance_m([x], [0.0])
    pos = int(x // 100) if 0 <= x < 400 else -1
    return tr.fixes("P1", [t], d, [pos])


def test_area_distance_is_zero_inside_and_euclidean_outside():
    a = area()
    d = a.distance_m([10, 399, 500, 200], [0, 49, 0, 80])
    assert d.tolist() == pytest.approx([0, 0, 100, 30])


def test_shift_overlap_follows_the_calendar_and_the_officer_roster():
    assert duty.SUPERVISOR_SHIFT.overlap_s(at(7), at(19), CAL) == 8 * 3600
    assert duty.SUPERVISOR_SHIFT.on(at(9), CAL) and not duty.SUPERVISOR_SHIFT.on(at(13), CAL)
    sunday = datetime(2026, 11, 29, 9, tzinfo=CST).timestamp()
    assert not duty.SUPERVISOR_SHIFT.on(sunday, CAL)
    assert duty.OFFICER_SHIFT.on(sunday, CAL)  # the 错时 roster runs every day
    assert duty.OFFICER_SHIFT.overlap_s(at(0), at(23, 59), CAL) == 10 * 3600
    # Across midnight: each day's part counted on its own day.
    assert duty.OFFICER_SHIFT.overlap_s(at(19), at(19) + 86400, CAL) == 10 * 3600


def test_off_grid_after_the_grace_raises_once_and_clears_on_return():
    tr, p = tracker()
    sig = walk(tr, at(8), 150)
    assert p.state == duty.ON_DUTY and sig == []
    assert walk(tr, at(8, 10), 600) == []  # 250 m outside: the grace runs
    assert walk(tr, at(8, 20), 600) == []
    assert walk(tr, at(8, 24, 59), 600) == []
    sig = walk(tr, at(8, 25), 600)
    assert [(s.kind, s.action) for s in sig] == [("staff_off_grid", "raise")]
    assert sig[0].detail["since"] == at(8, 10)
    assert p.state == duty.OFF_GRID
    assert walk(tr, at(8, 30), 620) == []  # still out: no second alert
    sig = walk(tr, at(8, 40), 380)  # within the buffer: back
    assert [(s.kind, s.action) for s in sig] == [("staff_off_grid", "clear")]
    assert p.state == duty.ON_DUTY


def test_within_the_buffer_is_not_outside():
    tr, p = tracker()
    for m in range(0, 40, 5):
        assert walk(tr, at(8, m), 480) == []  # 80 m past the last cell
    assert p.state == duty.ON_DUTY


def test_silence_raises_at_the_tick_and_clears_with_the_next_fix():
    tr, p = tracker()
    walk(tr, at(8), 150)
    assert tr.tick(at(8, 14, 59)) == []
    sig = tr.tick(at(8, 15))
    assert [(s.kind, s.action) for s in sig] == [("staff_silent", "raise")]
    assert p.state == duty.SILENT
    sig = walk(tr, at(8, 30), 150)
    assert [(s.kind, s.action) for s in sig] == [("staff_silent", "clear")]


def test_shift_end_clears_an_open_episode_and_nothing_is_raised_off_shift():
    tr, p = tracker()
    walk(tr, at(11, 30), 150)
    walk(tr, at(11, 40), 900)
    sig = walk(tr, at(11, 56), 900)
    assert [s.kind for s in sig] == ["staff_off_grid"] and p.state == duty.OFF_GRID
    sig = tr.tick(at(12, 0))
    assert [(s.kind, s.action) for s in sig] == [("staff_off_grid", "clear")]
    assert p.state == duty.OFF_SHIFT
    assert tr.tick(at(13, 30)) == []  # lunch: silent and away, but off shift


def test_on_duty_rate_is_on_duty_time_over_scheduled_time():
    tr, p = tracker()
    # 08:00–09:00 in the area; out from 09:00, 离岗 at 09:15, back at 09:45; to 10:00.
    for m in range(0, 60, 5):
        walk(tr, at(8, m), 150)
    for m in range(0, 45, 5):
        walk(tr, at(9, m), 900)
    walk(tr, at(9, 45), 150)
    walk(tr, at(10, 0), 150)
    # Scheduled 08:00–10:00 (7:50–8:00 is before the shift) = 7200 s; off grid 09:15–09:45.
    assert p.scheduled_s == pytest.approx(7200)
    assert p.on_duty_s == pytest.approx(7200 - 1800)
    assert p.rate == pytest.approx(0.75)
    assert duty.on_duty_rate([5400, 3600], [7200, 3600]) == pytest.approx(9000 / 10800)
    assert duty.on_duty_rate([], []) is None


def test_coverage_counts_cells_visited_in_shift_only():
    tr, p = tracker()
    walk(tr, at(7, 55), 350)  # before the shift: not a patrol
    walk(tr, at(8, 5), 50)
    walk(tr, at(8, 10), 150)
    walk(tr, at(8, 15), 160)
    assert p.visited.tolist() == [True, True, False, False]
    assert p.coverage == 0.5
    hexed = duty.visited_hex(p.visited)
    assert duty.visited_from_hex(hexed, 4).tolist() == p.visited.tolist()


def test_a_new_day_starts_from_zero():
    tr, p = tracker(duty.OFFICER_SHIFT)
    walk(tr, at(8), 150)
    walk(tr, at(19, 0), 250)
    assert p.coverage == 0.5 and p.scheduled_s > 0
    tr.tick(at(8) + 86400 - 3600)  # 07:00 next day
    assert p.scheduled_s == 0 and p.on_duty_s == 0 and p.coverage == 0


def test_record_throttle_publishes_changes_at_most_every_ten_minutes():
    tr, p = tracker()
    assert tr.record_due(p, at(7, 50))  # first
    assert not tr.record_due(p, at(7, 55))  # nothing moved
    walk(tr, at(8), 150)  # state → on duty: published at once
    assert tr.record_due(p, at(8))
    walk(tr, at(8, 0, 30), 250)  # a new cell, 30 s later: waits
    assert not tr.record_due(p, at(8, 0, 30))
    assert not tr.record_due(p, at(8, 9, 59))
    assert tr.record_due(p, at(8, 10))
    assert not tr.record_due(p, at(8, 30))  # nothing moved since


def test_counts_do_not_depend_on_how_often_the_tracker_runs():
    tr, p = tracker()
    walk(tr, at(8), 150)
    sig = tr.tick(at(9))  # one evaluation an hour after the last fix: silent since 08:15
    assert [s.kind for s in sig] == ["staff_silent"]
    assert p.scheduled_s == pytest.approx(3600)
    assert p.on_duty_s == pytest.approx(900)


def test_kpi_rows_sum_times_and_cells_and_put_the_lowest_rate_first():
    days = [
        {
            "person_id": "A",
            "name": "a",
            "street": "S1",
            "on_duty_s": 3600,
            "scheduled_s": 3600,
            "visited": 10,
            "cells": 100,
        },
        {
            "person_id": "A",
            "name": "a",
            "street": "S1",
            "on_duty_s": 0,
            "scheduled_s": 3600,
            "visited": 0,
            "cells": 100,
        },
        {
            "person_id": "B",
            "name": "b",
            "street": "S1",
            "on_duty_s": 7200,
            "scheduled_s": 7200,
            "visited": 50,
            "cells": 50,
        },
        {
            "person_id": "C",
            "name": "c",
            "street": "S2",
            "on_duty_s": 0,
            "scheduled_s": 0,
            "visited": 0,
            "cells": 0,
        },
    ]
    people = duty.kpi_rows(days, "person")
    assert [r["key"] for r in people] == ["A", "B", "C"]
    assert people[0]["on_duty_rate"] == 0.5 and people[0]["patrol_coverage"] == 0.05
    assert people[2]["on_duty_rate"] is None and people[2]["patrol_coverage"] is None
    streets = {r["key"]: r for r in duty.kpi_rows(days, "street")}
    assert streets["S1"]["on_duty_rate"] == pytest.approx(10800 / 14400)
    assert streets["S1"]["patrol_coverage"] == pytest.approx(60 / 250)
    assert streets["S1"]["people"] == 2 and streets["S1"]["days"] == 3
    with pytest.raises(ValueError):
        duty.kpi_rows(days, "planet")
