"""The district simulator against a real backend over HTTP, at 60x."""

from __future__ import annotations

from collections import Counter

from conftest import TEST_START, start_backend
from sqlalchemy import distinct, func, select

import main
from console.clock import VirtualClock
from console.domain.field_units import FIELD_UNIT_TYPES
from console.domain.sensor_kinds import SENSOR_KINDS, breached
from console.geo.grid import UnitGrid
from console.server.db import CaseRow, Database, Fix, Vehicle
from console.server.rivers import PATROLS
from console.server.seed import fleet_mix
from console.sim.district import SimConfig, run_headless
from console.sim.duty import STAFF_TYPES
from console.sim.fleet import SensorSim
from console.sim.pace import district_pace, read_cases
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


def test_three_district_hours_show_the_pace_of_real_centres(tmp_path):
    """docs/rules/simulation.md: most disposal well within its limit, some late, a few returned
    or reworked; supervisors and the centre's desks mostly on time. Shares from the cases'
    own histories (console.sim.pace), not from the 考核 formulas."""
    backend = start_backend(f"sqlite:///{tmp_path / 'pace.db'}", speed=60.0)
    try:
        clock: VirtualClock = backend.settings.clock
        # A morning's due work is mostly the 2-hour street-order matters (longer limits run
        # into the afternoon), so the late share is raised to make lateness certain to show
        # in 3 hours; the default pace is measured by `python main.py bench sim_pace`.
        config = SimConfig(seed=11, cases_per_hour=120, late_share=0.2)
        out = run_headless(backend.url, clock, hours=3.0, config=config)
        pace = district_pace(read_cases(backend.url), clock.now())
    finally:
        backend.stop()
    total = pace.total()
    assert total.dispatched >= 200 and total.due >= 100, (out, total)
    # Most due work is done within its limit; some is late (late completions or still open).
    assert total.on_time_share is not None and total.on_time_share >= 0.75, total
    assert total.due - total.on_time >= 3, total
    assert total.completed >= 0.85 * total.due, total
    # A few returned or reworked, never most.
    assert total.return_share is not None and total.return_share < 0.10, total
    assert total.reworked <= 0.10 * total.completed, total
    # Supervisors and desks act mostly within their limits.
    for desk in ("accept", "register", "dispatch", "verified", "close"):
        n, ok = pace.desks.get(desk, [0, 0])
        assert n > 0 and ok >= 0.85 * n, (desk, n, ok)
    assert not [k for k in out["http_errors"] if k.startswith("5") or k == "connection"], out
    assert "403" not in out["http_errors"], out


def _history(state: str, *steps: tuple, stage: str | None = None, deadline: str | None = None):
    """A case doc with events (action, department or None, on_time or None, stage deadline)."""
    events = []
    for n, (action, dept, on_time, *dl) in enumerate(steps, 1):
        events.append(
            {
                "n": n,
                "action": action,
                "data": {"department_id": dept} if dept else {},
                "on_time": on_time,
                "stage": "dispose" if dl else None,
                "stage_deadline": dl[0] if dl else None,
            }
        )
    return {"state": state, "events": events, "stage": stage, "deadline": deadline}


def test_pace_shares_from_hand_built_histories():
    from datetime import datetime

    from console.domain.china_time import CST as cst

    now = datetime(2026, 11, 23, 18, 0, tzinfo=cst)
    early, late = "2026-11-23T10:00:00+08:00", "2026-11-23T17:30:00+08:00"
    d, rs = "dispatch", "redispatch"
    cases = [
        # on time and closed; its deadline passed over 3 hours ago: in the closure cohort
        _history("closed", (d, "a", True), ("complete", None, True, early), ("close", None, True)),
        # late, then a failed check (rework), not closed yet
        _history(
            "dispatched",
            (d, "a", True),
            ("complete", None, False, early),
            ("check_fail", None, True),
            stage="dispose",
            deadline="2026-11-24T10:00:00+08:00",
        ),
        # returned by a (not due for a), redispatched to b and still open past its deadline
        _history(
            "dispatched",
            (d, "a", True),
            ("request_extension", None, None),
            ("return", None, True, early),
            (rs, "b", True),
            stage="dispose",
            deadline=late,
        ),
        # parked: leaves the count
        _history("parked", (d, "b", True), ("approve_park", None, None)),
    ]
    pace = district_pace(cases, now)
    a, b = pace.departments["a"], pace.departments["b"]
    assert (a.dispatched, a.due, a.completed, a.on_time) == (3, 2, 2, 1)
    assert (a.returned, a.extended, a.reworked) == (1, 1, 1)
    assert (a.closure_cohort, a.closed) == (3, 1)  # every first deadline was 10:00
    assert (b.dispatched, b.due, b.completed, b.late_open) == (2, 1, 0, 1)
    assert pace.total().on_time_share == 1 / 3
    assert pace.desks["dispatch"] == [4, 4] and pace.desks["close"] == [1, 1]


def test_a_request_reaching_the_desk_after_the_deadline_becomes_the_work(tmp_path):
    """The rules take 延期/缓办 requests only before the stage's deadline; a simulated
    department that gets there late (the simulator lagging on a busy machine) does the work
    instead of sending a request the backend must refuse."""
    from conftest import logins
    from test_api_cases import walk_to_dispatched

    from console.sim.district import DistrictSimulator

    backend = start_backend(f"sqlite:///{tmp_path / 'late.db'}")
    try:
        login = logins(backend.url)

        case = walk_to_dispatched(login)
        backend.settings.clock.advance(case["stage_limit_minutes"] * 60 * 3 + 7 * 86400)
        sim = DistrictSimulator(backend.url, backend.settings.clock, SimConfig(seed=1))
        sim._do(
            "dept-sanitation", case, "request_park", {"note": "需立项", "due_date": "2027-01-01"}
        )
        now = login("demo-operator").get(f"/api/v1/cases/{case['id']}").json()
        assert now["state"] == "handled" and now["park_request_due_date"] is None
        assert not sim.errors and sim.actions_sent == {"complete": 1}
    finally:
        backend.stop()


def test_vehicles_and_case_rate_drive_a_bigger_district(tmp_path):
    """``serve --demo --simulate --vehicles N --case-rate R``: the new database holds N vehicles
    in the demo's mix, every one of them reports, and the reports follow R's plan: more cases
    than the demo's 60 an hour could plan. (Not all of R's: in one process with the backend, the
    actor thread falls behind a rate this high, the more so on a loaded machine; at 30x rather
    than 60x it has twice the wall time per case, so a busy CI still files well over twice the
    demo's plan; bench backend_scale measures the rate.)"""
    db = tmp_path / "city.db"
    argv = ["serve", "--demo", "--simulate", "--db", f"sqlite:///{db}", "--port", "0"]
    argv += ["--speed", "30", "--hours", "0.1", "--start", TEST_START.isoformat(), "--seed", "5"]
    assert main.main([*argv, "--vehicles", "57", "--case-rate", "900"]) == 0
    with Database(f"sqlite:///{db}").read() as s:
        # The sanitation fleet (the river patrols are vehicles too, and report as well).
        types = Counter(
            s.scalars(select(Vehicle.vtype).where(Vehicle.vtype.not_in(FIELD_UNIT_TYPES)))
        )
        reporting = s.scalar(  # the fleet and the river patrols (people report once a minute)
            select(func.count(distinct(Fix.vehicle_id))).where(
                Fix.vehicle_id.in_(select(Vehicle.id).where(Vehicle.vtype.not_in(STAFF_TYPES)))
            )
        )
        cases = s.scalar(select(func.count()).select_from(CaseRow))
    assert types == {vtype: n for vtype, n, _ in fleet_mix(57)} and sum(types.values()) == 57
    assert reporting == 57 + len(PATROLS)
    grid = UnitGrid.load()
    planned, demo = (len(report_plan(5, TEST_START, 0.1, r, grid)) for r in (900, 60))
    assert 2 * demo < cases <= planned, (demo, cases, planned)


def test_simulated_sensors_stay_breached_until_the_work_is_done():
    """A breach lasts until the case's 处置 (``repaired``), the reading is normal 5–20 minutes
    later, and a sensor whose case is open (``hold``) starts no new breach; each kind reads on
    its side of its threshold (docs/rules/iot.md)."""
    kinds = sorted(SENSOR_KINDS)
    sensors = [
        {"id": f"S{i:03d}", "kind": k, "lon": 120.1 + i / 1000, "lat": 30.2}
        for i, k in enumerate(kinds * 20)
    ]
    sim = SensorSim(sensors, seed=7)
    t, dt = 0.0, 300.0
    breached_at: dict[str, float] = {}
    for _ in range(24 * 12):  # a district day of 5-minute rounds
        t += dt
        for r in sim.readings(t, dt):
            kind = next(x["kind"] for x in sensors if x["id"] == r["sensor_id"])
            if breached(kind, r["value"]):
                breached_at.setdefault(r["sensor_id"], t)
    assert len(breached_at) >= 20 and {x["kind"] for x in sensors if x["id"] in breached_at} == set(
        kinds
    )
    # Nobody repaired anything: every breach still reads high.
    high = {r["sensor_id"] for r in sim.readings(t + dt, dt) if r["sensor_id"] in breached_at}
    assert high == set(breached_at)
    # Repaired now: normal within 20 minutes, and held (its case still open) it stays normal.
    at = {x["id"]: x for x in sensors}
    fixed = t
    for sid in breached_at:
        sim.repaired(at[sid], fixed)
        sim.hold(at[sid], True)
    while t < fixed + 5 * 3600:
        t += dt
        after = {r["sensor_id"]: r["value"] for r in sim.readings(t, dt)}
        if t >= fixed + 1200:
            assert not [s for s in breached_at if breached(at[s]["kind"], after[s])], t


def test_an_actors_handled_refusal_is_an_answer_not_an_error(backend):
    """The simulated desks try 核查 again when a sensor still reads high (a 422 they handle):
    such a refusal, named in ``answers``, is not counted among the actor's errors; any other
    refusal still is (a simulated actor refused is the simulator's mistake)."""
    from console.sim.client import ActorClient, error_code

    client = ActorClient(backend.url, "demo-lead")
    path = "/api/v1/cases/NO-SUCH-CASE/actions"
    r = client.post(path, json={"action": "accept"}, answers=frozenset({"not_found"}))
    assert r is not None and r.status_code == 404 and error_code(r) == "not_found"
    assert not client.errors
    client.post(path, json={"action": "accept"})
    assert client.errors == {404: 1}
