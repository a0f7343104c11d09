"""People on duty over real HTTP (docs/rules/duty.md): an officer leaving his street raises
离岗 and it resolves when he is back; silence raises 失联; 在岗率 and coverage arithmetic in
the duty records; people are not the fleet (no vehicle rules, not in the fleet's counters).

The backend's district clock stands still (speed 1e-6): each test moves it to 07:00 CST of
a new day (the officers' 错时 shift starts at 07:30) and posts fixes at chosen instants.
"""

from __future__ import annotations

import time as _time
import uuid
from datetime import datetime, time, timedelta

import numpy as np
import pytest
from conftest import Api, LiveConsole, wait_until
from test_api_cases import ok

from console.domain.china_time import CST
from console.domain.field_units import OFFICER, SUPERVISOR, is_sanitation
from console.geo.grid import UnitGrid


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


@pytest.fixture(scope="module")
def grid() -> UnitGrid:
    return UnitGrid.load()


class Officers:
    """The seeded officers, one per test, with a point in the middle of their street and
    one in a street far away."""

    def __init__(self, login, grid: UnitGrid):
        ref = ok(login("demo-wall").get("/api/v1/reference"))
        self.free = [v for v in ref["vehicles"] if v["type"] == OFFICER]
        self.grid = grid

    def take(self) -> tuple[dict, tuple[float, float], tuple[float, float]]:
        v = self.free.pop(0)
        g = self.grid
        cells = g.street_cells(v["route"]["area"][0])
        cx, cy = g.lon[cells].mean(), g.lat[cells].mean()
        inner = cells[np.argmin(np.hypot(g.lon[cells] - cx, g.lat[cells] - cy))]
        other = np.flatnonzero(~np.isin(np.arange(len(g)), cells))
        far = other[np.argmax(np.hypot(g.lon[other] - cx, g.lat[other] - cy))]
        return v, (float(g.lon[inner]), float(g.lat[inner])), (float(g.lon[far]), float(g.lat[far]))


@pytest.fixture(scope="module")
def officers(login, grid) -> Officers:
    return Officers(login, grid)


def new_day(backend, hh: int = 7, mm: int = 0) -> float:
    """Move district time to hh:mm CST of the next day; that instant (epoch s)."""
    clock = backend.settings.clock
    now = clock.now()
    target = datetime.combine(now.astimezone(CST).date() + timedelta(days=1), time(hh, mm), CST)
    clock.advance((target - now).total_seconds())
    return target.timestamp()


def move_to(backend, t: float) -> None:
    clock = backend.settings.clock
    clock.advance(t - clock.epoch())


def fix(gw: Api, backend, v: dict, at: tuple[float, float], speed: float = 4.0):
    """Post one fix of ``v`` at the backend's now; the response."""
    t = backend.settings.clock.epoch()
    f = {"vehicle_id": v["id"], "t": t, "lon": at[0], "lat": at[1], "speed_kmh": speed}
    r = gw.post("/api/v1/telemetry", key=uuid.uuid4().hex, json={"fixes": [{**f, "heading": 0.0}]})
    assert r.status_code == 200 and ok(r)["fixes"]["accepted"] == 1, r.text
    return r


def settled(read) -> bool:
    """Whether ``read()`` answers the same twice, a few of the backend's ticks apart."""
    first = read()
    _time.sleep(0.6)
    return read() == first


def record(api: Api, vid: str) -> dict | None:
    docs = ok(api.get("/api/v1/records", params={"type": "duty"}))["records"]
    return next((d for d in docs if d["id"] == vid), None)


def open_alerts(api: Api, vid: str) -> set[str]:
    return {a["kind"] for a in ok(api.get("/api/v1/alerts"))["alerts"] if a["subject_id"] == vid}


def test_every_supervisor_and_a_squad_per_street_have_a_position_unit(login, grid):
    ref = ok(login("demo-wall").get("/api/v1/reference"))
    people = [v for v in ref["vehicles"] if v["type"] in (SUPERVISOR, OFFICER)]
    sups = {v["route"]["user_id"] for v in people if v["type"] == SUPERVISOR}
    assert sups == {a["supervisor"] for a in ref["supervisor_areas"]}
    assert "demo-supervisor" in sups
    streets = {v["route"]["street"] for v in people if v["type"] == OFFICER}
    assert streets == {s.code for s in grid.streets}
    docs = ok(login("demo-wall").get("/api/v1/records", params={"type": "duty"}))["records"]
    assert {d["id"] for d in docs} == {v["id"] for v in people}


def test_an_officer_leaving_his_street_raises_off_grid_and_it_resolves_on_return(
    backend, login, officers
):
    gw, wall = login("demo-gateway"), login("demo-wall")
    v, inside, outside = officers.take()
    t0 = new_day(backend, 8, 0)
    fix(gw, backend, v, inside)
    assert wait_until(lambda: (record(wall, v["id"]) or {}).get("state") == "on_duty")
    move_to(backend, t0 + 60)
    fix(gw, backend, v, outside)
    move_to(backend, t0 + 60 + 14 * 60)
    fix(gw, backend, v, outside)
    assert "staff_off_grid" not in open_alerts(wall, v["id"])  # within the 15-min grace
    move_to(backend, t0 + 60 + 16 * 60)
    fix(gw, backend, v, outside)
    assert open_alerts(wall, v["id"]) == {"staff_off_grid"}
    alert = next(a for a in ok(wall.get("/api/v1/alerts"))["alerts"] if a["subject_id"] == v["id"])
    assert alert["severity"] == "warning" and alert["detail"]["since"] == pytest.approx(t0 + 60)
    assert record(wall, v["id"])["state"] == "off_grid"
    move_to(backend, t0 + 60 + 20 * 60)
    fix(gw, backend, v, inside)
    assert open_alerts(wall, v["id"]) == set()
    assert ok(wall.get(f"/api/v1/alerts/{alert['id']}"))["state"] == "resolved"
    assert record(wall, v["id"])["state"] == "on_duty"


def test_silence_raises_no_position_and_the_next_fix_resolves_it(backend, login, officers):
    gw, wall = login("demo-gateway"), login("demo-wall")
    v, inside, _ = officers.take()
    t0 = new_day(backend, 9, 0)
    fix(gw, backend, v, inside)
    move_to(backend, t0 + 16 * 60)  # the ticker finds him silent
    assert wait_until(lambda: "staff_silent" in open_alerts(wall, v["id"]))
    assert wait_until(lambda: record(wall, v["id"])["state"] == "silent")
    fix(gw, backend, v, inside)
    assert open_alerts(wall, v["id"]) == set()


def test_on_duty_rate_and_coverage_in_the_record(backend, login, officers, grid):
    gw, wall = login("demo-gateway"), login("demo-wall")
    v, inside, outside = officers.take()
    t0 = new_day(backend, 7, 0)  # his shift starts at 07:30
    for m in range(0, 90, 10):  # 07:00–08:20 in his street
        move_to(backend, t0 + m * 60)
        fix(gw, backend, v, inside)
    for m in (90, 100, 110):  # 08:30 out, 离岗 at 08:45 (seen at the 08:50 fix)
        move_to(backend, t0 + m * 60)
        fix(gw, backend, v, outside)
    move_to(backend, t0 + 120 * 60)  # 09:00 back
    fix(gw, backend, v, inside)
    # The ticker's first look at 09:00 brings his street's other people up to it too; from
    # then on the still clock changes nothing, so each answer below is of the same moment.
    kpis = {"by": "duty", "from": datetime.fromtimestamp(t0, CST).isoformat()}
    wait_until(lambda: settled(lambda: ok(wall.get("/api/v1/kpis", params=kpis))["rows"]))
    doc = record(wall, v["id"])
    # Scheduled 07:30–09:00 = 5400 s; on duty but for 08:45–09:00.
    assert doc["scheduled_s"] == pytest.approx(5400, abs=1)
    assert doc["on_duty_s"] == pytest.approx(4500, abs=1)
    assert doc["rate"] == pytest.approx(4500 / 5400, abs=1e-3)
    cells = grid.street_cells(v["route"]["area"][0])
    assert doc["cells"] == len(cells)
    assert doc["coverage"] == pytest.approx(1 / len(cells), abs=1e-4)  # one cell visited
    # The KPI over that day, drilled down: the street, its people, his day.
    day = datetime.fromtimestamp(t0, CST).date()
    period = {
        "from": datetime.combine(day, time(0), CST).isoformat(),
        "to": datetime.combine(day, time(23, 59), CST).isoformat(),
    }
    street = v["route"]["street"]
    by_street = ok(wall.get("/api/v1/duty/kpis", params={"by": "street", **period}))
    row = next(r for r in by_street["rows"] if r["key"] == street)
    assert row["people"] >= 1 and 0 <= row["on_duty_rate"] <= 1
    people = ok(wall.get("/api/v1/duty/kpis", params={"by": "person", "street": street, **period}))
    mine = next(r for r in people["rows"] if r["key"] == v["id"])
    assert mine["on_duty_rate"] == pytest.approx(4500 / 5400, abs=1e-3)
    assert mine["patrol_coverage"] == pytest.approx(1 / len(cells), abs=1e-4)
    assert {r["street"] for r in people["rows"]} == {street}
    days = ok(wall.get("/api/v1/duty/kpis/days", params={"person": v["id"], **period}))["days"]
    assert [d["day"] for d in days] == [day.isoformat()]
    assert days[0]["scheduled_s"] == pytest.approx(5400, abs=1)
    # The 量化考核 board's 人员在岗 row of his street adds up to its person-days, his among them.
    board = ok(wall.get("/api/v1/kpis", params={"by": "duty", **period}))
    srow = next(r for r in board["rows"] if r["key"] == street)
    assert srow["name"] == next(st.name for st in grid.streets if st.code == street)
    assert board["definitions"]["on_duty_rate"]["zh"] == "在岗率" and srow["score"] is not None
    ask = {"by": "duty", "key": street, **period}
    for ind in ("on_duty_rate", "patrol_coverage"):
        cell = srow["indicators"][ind]
        items = ok(wall.get("/api/v1/kpis/items", params={**ask, "indicator": ind}))["items"]
        assert sum(x["numerator"] for x in items) == cell["numerator"]
        assert sum(x["denominator"] for x in items) == cell["denominator"]
        assert cell["value"] == pytest.approx(row[ind], abs=2e-3)  # minutes against seconds
        his = next(x for x in items if x["id"] == v["id"])
        want = (75, 90) if ind == "on_duty_rate" else (1, len(cells))  # minutes; cells
        assert (his["numerator"], his["denominator"]) == want and his["day"] == day.isoformat()
    # A time-counted cell has no cases, a case-counted one no items: each says where to ask.
    r = wall.get(
        "/api/v1/kpis/cases", params={**ask, "indicator": "on_duty_rate", "part": "numerator"}
    )
    assert r.status_code == 400 and "/api/v1/kpis/items" in r.text
    r = wall.get("/api/v1/kpis/items", params={**ask, "by": "street", "indicator": "closure_rate"})
    assert r.status_code == 400 and "/api/v1/kpis/cases" in r.text
    r = wall.get("/api/v1/kpis/items", params={**ask, "indicator": "disposal_rate"})
    assert r.status_code == 400 and "not on the duty board" in r.text


def test_duty_kpi_inputs_are_checked(login):
    wall = login("demo-wall")
    # Malformed parameters are the project's 400 (``errors.install_error_handlers``).
    assert wall.get("/api/v1/duty/kpis", params={"by": "planet"}).status_code == 400
    assert wall.get("/api/v1/duty/kpis/days", params={"person": "V001"}).status_code == 404
    assert wall.get("/api/v1/duty/kpis/days").status_code == 400
    r = wall.get("/api/v1/duty/kpis", params={"from": "2026-01-02T00:00", "to": "2026-01-01T00:00"})
    assert r.status_code == 400
    r = wall.get("/api/v1/duty/kpis", params={"from": "2020-01-01T00:00", "to": "2026-01-01T00:00"})
    assert r.status_code == 422
    assert wall.get("/api/v1/duty/kpis", params={"street": "x" * 100}).status_code == 400
    r = wall.get("/api/v1/duty/kpis", params={"from": "not a time"})
    assert r.status_code == 400


def test_people_are_not_the_fleet(backend, login, officers):
    gw, wall = login("demo-gateway"), login("demo-wall")
    v, inside, _ = officers.take()
    t0 = new_day(backend, 10, 0)
    # Standing still for half an hour: a vehicle's long stop (20 min), not a person's.
    for m in range(0, 35, 5):
        move_to(backend, t0 + m * 60)
        fix(gw, backend, v, inside, speed=0.0)
    kinds = open_alerts(wall, v["id"])
    assert not any(k.startswith("vehicle_") for k in kinds)
    snap = ok(wall.get("/api/v1/snapshot"))
    fleet = [x for x in snap["vehicles"] if is_sanitation(x["type"])]
    assert 0 < len(fleet) < len(snap["vehicles"])


def test_a_replayed_shift_log_shows_the_same_duty_records(backend, login, officers, tmp_path):
    """A console follows the backend while an officer leaves his street and comes back; the
    shift log it wrote folds to the same duty records and alerts, and both equal the
    backend's own."""
    gw, wall = login("demo-gateway"), login("demo-wall")
    v, inside, outside = officers.take()
    with LiveConsole(backend, tmp_path / "shift.db") as live:
        wait_until(lambda: v["id"] in live.state.records_of("duty"))
        t0 = new_day(backend, 8, 0)
        for m, at in ((0, inside), (1, outside), (17, outside), (25, inside)):
            move_to(backend, t0 + m * 60)
            fix(gw, backend, v, at)
        want = record(wall, v["id"])
        assert want["state"] == "on_duty" and want["on_duty_s"] < want["scheduled_s"]
        wait_until(lambda: live.state.records_of("duty").get(v["id"]) == {**want, "live": True})
    replayed = live.replayed()
    assert replayed.records_of("duty") == live.state.records_of("duty")
    assert replayed.digest() == live.state.digest()
    # His 离岗 alert came and went (resolved alerts leave the live picture) in both.
    assert not [a for a in replayed.alerts.values() if a["subject_id"] == v["id"]]
