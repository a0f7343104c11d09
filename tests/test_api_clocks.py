"""Calendars per desk over real HTTP: the centre's 7×24 clock runs at 03:00 on a Sunday while a
department's does not; a safety matter counts calendar time through the night; a year without
a holiday notice is a published, logged and shown warning; a shift log from before named
calendars replays with the clocks it was recorded with."""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta

import pytest
from conftest import Api, start_backend, wait_until

from console.domain.china_time import CST
from console.state import CityState

#: Sunday 29 November 2026, 03:00 in Hangzhou: no working time for days either side.
SUNDAY_3AM = datetime(2026, 11, 29, 3, 0, tzinfo=CST)
#: 15 December 2026: the next 30 days reach 2027, whose holiday notice is not in the data.
DECEMBER = datetime(2026, 12, 15, 10, 0, tzinfo=CST)


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).astimezone(CST)


@pytest.fixture(scope="module")
def sunday(tmp_path_factory):
    b = start_backend(f"sqlite:///{tmp_path_factory.mktemp('sun') / 'b.db'}", start=SUNDAY_3AM)
    yield b
    b.stop()


def walk_to_dispatched(url: str, category: str, dept: str) -> tuple[dict, dict]:
    op, lead, disp, sup = (
        Api(url, u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-supervisor")
    )
    reported = sup.report(category=category)
    c = ok(op.act(reported, "accept"))
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id=dept))
    return reported, c


def test_the_centre_desk_clock_runs_at_3am_on_sunday_and_a_departments_does_not(sunday):
    reported, dispatched = walk_to_dispatched(sunday.url, "06010", "sanitation")
    created = t(reported["created_at"])
    assert created.date() == SUNDAY_3AM.date() and created.hour == 3
    # 受理 within 30 minutes of wall time, at 03:00 on a Sunday: the centre is staffed 7×24.
    assert reported["stage"] == "accept" and reported["stage_clock"] == "centre"
    assert t(reported["deadline"]) - created == timedelta(minutes=30)
    assert reported["light"] == "green"
    # 暴露垃圾 (4 working hours) dispatched on Sunday night: due at Monday noon.
    assert dispatched["stage"] == "dispose" and dispatched["stage_clock"] == "working"
    assert t(dispatched["deadline"]) == datetime(2026, 11, 30, 12, 0, tzinfo=CST)
    # Every accepted, registered and dispatched event was met by the centre's clock.
    desk = [ev for ev in dispatched["events"] if ev["stage"] in ("accept", "register", "dispatch")]
    assert len(desk) == 3 and all(ev["on_time"] for ev in desk)
    for ev in desk:
        assert t(ev["stage_deadline"]) - t(ev["at"]) < timedelta(minutes=30)


def test_a_safety_matter_counts_calendar_time_through_the_night(sunday):
    _, c = walk_to_dispatched(sunday.url, "01003", "municipal")  # 雨水井盖 (missing cover)
    started = t(c["stage_started_at"])
    assert c["stage_clock"] == "calendar" and c["stage_limit_minutes"] == 360
    # Six hours of wall time from ~03:00 Sunday: due Sunday ~09:00, not Monday afternoon.
    assert t(c["deadline"]) - started == timedelta(hours=6)
    assert t(c["deadline"]).date() == SUNDAY_3AM.date()


def test_a_field_supervisors_verify_waits_for_the_morning_shift(sunday):
    op = Api(sunday.url, "demo-operator")
    c = ok(op.act(op.report(source="public"), "accept"))
    c = ok(op.act(c, "send_verify"))
    # Sent at ~03:00: the 120-minute verify counts from the 07:00 patrol shift, Sunday or not.
    assert c["stage"] == "verify" and c["stage_clock"] == "field"
    assert t(c["deadline"]) == datetime(2026, 11, 29, 9, 0, tzinfo=CST)


def test_the_reference_carries_every_clock(sunday):
    ref = ok(Api(sunday.url, "demo-wall").get("/api/v1/reference"))
    limits, calendar = ref["time_limits"], ref["work_calendar"]
    centre, field = limits["calendars"]["centre"], limits["calendars"]["field"]
    assert (centre["days"], centre["periods"]) == ("all", [[0, 1440]])
    assert (field["days"], field["periods"]) == ("all", [[420, 1140]])
    assert calendar["years"] == [2025, 2026] and calendar["days"] == "working"
    # A console bootstrapped from this reference computes the deadlines the backend sent.
    op = Api(sunday.url, "demo-operator")
    doc = op.report()
    state = CityState()
    state.bootstrap({"seq": 0, "cases": [doc]}, ref)
    row = state.case_row(doc["id"])
    red_at = state.case_arrays()["red_at"][row]
    assert red_at == pytest.approx(t(doc["deadline"]).timestamp() + 1, abs=1e-3)
    # No warning on 29 November: 2026's notice is there, and 30 days on is still 2026.
    assert ok(op.get("/api/v1/clock"))["uncovered_years"] == []
    assert state.uncovered_years(SUNDAY_3AM.timestamp()) == []


def test_a_missing_years_holiday_notice_is_published_and_logged(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="console.server")
    b = start_backend(f"sqlite:///{tmp_path / 'dec.db'}", start=DECEMBER, tick_seconds=0.05)
    try:
        wall = Api(b.url, "demo-wall")
        assert ok(wall.get("/api/v1/clock"))["uncovered_years"] == [2027]
        wait_until(lambda: "no holiday notice for 2027" in caplog.text)
        # Logged once, not every tick.
        assert caplog.text.count("no holiday notice for 2027") == 1
        state = CityState()
        state.set_reference(ok(wall.get("/api/v1/reference")))
        assert state.uncovered_years(DECEMBER.timestamp()) == [2027]
    finally:
        b.stop()


@pytest.fixture
def december(tmp_path):
    b = start_backend(f"sqlite:///{tmp_path / 'ui.db'}", start=DECEMBER)
    yield b
    b.stop()


def test_the_console_shows_the_missing_year_as_a_standing_notice(qtbot, december, console_factory):
    app = console_factory(december.url)
    bar = app.window.status
    qtbot.waitUntil(lambda: bar.calendar.isVisible(), timeout=15_000)
    assert "2027" in bar.calendar.text() and "2027" in bar.calendar.toolTip()
    # A passing notice does not replace it.
    app.notice("已保存")
    app.window.tick()
    assert bar.calendar.isVisible() and "2027" in bar.calendar.text()
    assert bar.notice.text() == "已保存"


def _old_format(doc: dict) -> dict:
    """A case as a backend before named calendars sent it: every stage on working time."""
    doc = copy.deepcopy(doc)
    doc["stage_clock"] = "working"
    return doc


def test_a_shift_log_from_before_named_calendars_replays(sunday, tmp_path):
    from console.replay.fold import LogFold
    from console.store.shiftlog import ShiftLog

    wall = Api(sunday.url, "demo-wall")
    mine = Api(sunday.url, "demo-supervisor").report()
    ref = ok(wall.get("/api/v1/reference"))
    snap = ok(wall.get("/api/v1/snapshot"))
    # The reference as it was: no calendars, every stage on "working", no days/years.
    old_ref = copy.deepcopy(ref)
    old_ref["time_limits"].pop("calendars")
    for entry in old_ref["time_limits"]["stages"].values():
        entry["clock"] = "working"
    for key in ("days", "years"):
        old_ref["work_calendar"].pop(key)
    snap["cases"] = [_old_format(d) for d in snap["cases"]]
    log = ShiftLog(tmp_path / "old.zhcg")
    try:
        log.add_bootstrap(snap, old_ref, after_seq=0, fresh=True)
        later = _old_format(next(d for d in snap["cases"] if d["id"] == mine["id"]))
        later["version"] += 1
        change = {"seq": snap["seq"] + 1, "ts": snap["server_time"], "kind": "case", "case": later}
        log.append([change])
        state = LogFold.at(log, None).state
    finally:
        log.close()
    assert state.limits.clock_names == ("working", "calendar")
    assert state.calendar.years == {2025, 2026}
    # The accept clock of a case reported at 03:00 Sunday ran on working time then: red after
    # Monday 08:30, as the old backend computed and recorded it.
    row = state.case_row(later["id"])
    red_at = state.case_arrays()["red_at"][row]
    assert red_at == datetime(2026, 11, 30, 8, 30, 1, tzinfo=CST).timestamp()
    assert state.clock_of(later) is state.calendar
