"""The district simulator against a real backend over HTTP, at 60x."""

from __future__ import annotations

from conftest import TEST_START, start_backend

from console.clock import VirtualClock
from console.geo.grid import UnitGrid
from console.sim.district import SimConfig, run_headless
from console.sim.plan import report_plan
from console.sim.timebase import simulation_start


def test_plan_is_reproducible_for_a_seed():
    grid = UnitGrid.load()
    a = report_plan(7, TEST_START, 4, 60, grid)
    b = report_plan(7, TEST_START, 4, 60, grid)
    c = report_plan(8, TEST_START, 4, 60, grid)
    assert a == b and a != c
    assert 300 < len(a) < 600  # 60 an hour on average over the day; a morning runs ~1.75x that
    assert all((grid.lookup(r.lon, r.lat) >= 0).all() for r in a)
    assert {r.source for r in a} >= {"supervisor", "public"}


def test_simulation_start_is_a_working_morning():
    from datetime import datetime

    from console.domain.calendar import WorkCalendar
    from console.domain.china_time import CST as cst

    cal = WorkCalendar.default()
    sunday_night = datetime(2026, 11, 29, 22, 0, tzinfo=cst)
    assert simulation_start(cal, 60, sunday_night) == datetime(2026, 11, 27, 8, 0, tzinfo=cst)
    national_day = datetime(2026, 10, 3, 9, 0, tzinfo=cst)
    assert simulation_start(cal, 60, national_day) == datetime(2026, 9, 30, 8, 0, tzinfo=cst)


def test_a_district_hour_at_60x(tmp_path):
    backend = start_backend(f"sqlite:///{tmp_path / 'sim.db'}", speed=60.0)
    try:
        clock: VirtualClock = backend.settings.clock
        out = run_headless(
            backend.url, clock, hours=1.0, config=SimConfig(seed=3, cases_per_hour=80)
        )
    finally:
        backend.stop()
    assert out["cases"] >= 40, out
    assert {"supervisor", "public"} <= set(out["by_source"]), out
    assert out["by_state"].get("dispatched", 0) > 10 and out["by_state"].get("verifying", 0) > 0, (
        out
    )
    assert {"register", "dispatch", "verified"} <= set(out["actions_sent"]), out
    assert any(k.startswith("vehicle_") for k in out["alerts_by_kind"]), out
    assert out["fixes_posted"] >= 30 * 40 * 10, out  # ~40 vehicles, a fix every 5 s
    assert not [k for k in out["http_errors"] if k.startswith("5") or k == "connection"], out
    assert out["actions_sent"].get("accept", 0) > 20, out
    # Supervisors answer the tasks addressed to them: never refused as someone else's.
    assert "403" not in out["http_errors"], out
