"""智慧河道 over real HTTP (docs/rules/rivers.md): a river matter routes to the river
department; a water-quality breach files one case; a patrol's fixes along a segment raise
that segment's coverage record (and the 河道巡查覆盖率 KPI); a live console and its replayed
shift log hold the same river records.

The backend's district clock stands still (speed 1e-6): fixes and readings are posted at times
just before its now."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from conftest import Api, LiveConsole, wait_until
from test_api_cases import ok
from test_routing import OFF_ROAD, _report

from console.domain import rivers
from console.domain.routing import RoutingTable
from console.replay.kpis import state_kpi_items, state_kpis, state_river_kpi


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


def now(backend) -> float:
    return backend.settings.clock.now().timestamp()


def segment_records(api: Api) -> dict[str, dict]:
    body = ok(api.get("/api/v1/records", params={"type": rivers.RECORD_TYPE}))
    return {r["id"]: r for r in body["records"]}


def walk(gw: Api, unit: str, seg_id: str, t0: float, upto: float, start: float = 0.0):
    """Post ``unit``'s fixes along segment ``seg_id`` from ``start`` to ``upto`` of its
    length, one every 50 m at 5 km/h (36 s apart) from time ``t0``; the last fix's time."""
    blon, blat = rivers.bin_points(rivers.by_id()[seg_id])
    n = blon.size
    idx = range(int(start * (n - 1)), int(upto * (n - 1)) + 1)
    fixes = [
        {
            "vehicle_id": unit,
            "t": t0 + 36.0 * j,
            "lon": float(blon[i]),
            "lat": float(blat[i]),
            "speed_kmh": 5.0,
            "heading": 0.0,
        }
        for j, i in enumerate(idx)
    ]
    r = gw.post("/api/v1/telemetry", key=uuid.uuid4().hex, json={"fixes": fixes})
    assert r.status_code == 200 and r.json()["fixes"]["accepted"] == len(fixes), r.text
    return fixes[-1]["t"]


def test_the_demo_has_river_patrols_sensors_and_every_segment_a_record(login):
    wall = login("demo-wall")
    ref = ok(wall.get("/api/v1/reference"))
    types = {v["id"]: v["type"] for v in ref["vehicles"]}
    assert types["RP01"] == "river_foot" and types["RB01"] == "river_boat"
    depts = {d["id"]: d["name"] for d in ref["departments"]}
    assert depts["river"] == "区城管局河道管理中心"
    kinds = {x["kind"] for x in ref["sensors"]}
    assert {"river_level", "dissolved_oxygen", "ammonia_nitrogen"} <= kinds
    recs = segment_records(wall)
    assert set(recs) == {s.id for s in rivers.segments()}
    assert recs["ZH01"]["chiefs"][0]["level"] == "district" and recs["ZH01"]["coverage"] == 0


@pytest.mark.parametrize("category", ["06025", "06026", "06046"])
def test_a_river_matter_routes_to_the_river_department(login, category):
    sup, op, lead, disp = (
        login(u) for u in ("demo-supervisor", "demo-operator", "demo-lead", "demo-dispatcher")
    )
    ref = ok(login("demo-wall").get("/api/v1/reference"))
    case = ok(_report(sup, category, *OFF_ROAD))
    routed = RoutingTable.from_rows(ref["routing"]).route(
        case["category_code"], case["street_code"], case["component_owner"]
    )
    assert routed.department_id == "river" and "河道" in routed.basis
    c = ok(op.act(case, "accept"))
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id=routed.department_id))
    assert c["department_id"] == "river"


def test_a_water_quality_breach_files_one_case_for_the_river(backend, login):
    gw = login("demo-gateway")
    ref = ok(login("demo-wall").get("/api/v1/reference"))
    probe = next(x for x in ref["sensors"] if x["kind"] == "dissolved_oxygen")

    def read(value: float) -> dict:
        body = {"readings": [{"sensor_id": probe["id"], "t": now(backend), "value": value}]}
        return ok(gw.post("/api/v1/telemetry", key=uuid.uuid4().hex, json=body))["readings"]

    assert read(5.5)["cases_filed"] == []  # class III water: nothing
    filed = read(1.2)["cases_filed"]  # 劣V: under 2 mg/L
    assert len(filed) == 1
    assert read(0.9)["cases_filed"] == []  # still open: no second case
    case = ok(login("demo-operator").get(f"/api/v1/cases/{filed[0]}"))
    assert case["source"] == "iot" and case["category_code"] == "06026"
    assert "低于阈值" in case["description"]
    routed = RoutingTable.from_rows(ref["routing"]).route(
        case["category_code"], case["street_code"], case["component_owner"]
    )
    assert routed.department_id == "river"


def test_patrol_fixes_along_a_segment_raise_its_coverage(backend, login):
    gw, wall = login("demo-gateway"), login("demo-wall")
    t0 = now(backend) - 3000
    # The first half of 东河: coverage about a half, not yet patrolled.
    last = walk(gw, "RP02", "DH01", t0, 0.5)
    rec = segment_records(wall)["DH01"]
    assert 0.4 < rec["coverage"] < 0.6, rec
    assert rec["last_patrol_unit"] == "RP02" and rec["last_patrol_t"] == last
    today = rivers.china_day(last)
    assert rivers.patrol_state(rec, now(backend)) == "partial"
    # A fix on another river's water moves nothing here (and a sanitation truck's none at all).
    assert segment_records(wall)["ZH01"]["coverage"] == 0
    # The rest, 3 minutes on: the whole segment, patrolled today.
    last = walk(gw, "RP02", "DH01", last + 200, 1.0, start=0.5)
    rec = segment_records(wall)["DH01"]
    assert rec["coverage"] >= 0.99 and rec["days"][today] == rec["coverage"]
    assert rivers.patrol_state(rec, now(backend)) == "done"
    kpi = ok(wall.get("/api/v1/rivers/kpi"))
    rows = [r for r in kpi["rows"] if r["segment_id"] == "DH01" and r["day"] == today]
    assert rows and rows[0]["patrolled"] and kpi["numerator"] >= 1
    assert kpi["definition"]["zh"] == "河道巡查覆盖率"


def test_a_sanitation_vehicle_on_the_bank_patrols_nothing(backend, login):
    gw, wall = login("demo-gateway"), login("demo-wall")
    walk(gw, "V001", "ZH01", now(backend) - 2000, 1.0)
    assert segment_records(wall)["ZH01"]["coverage"] == 0


def test_a_live_console_and_its_replayed_log_hold_the_same_river_records(backend, tmp_path):
    with LiveConsole(backend, tmp_path / "shift.db") as live:
        wait_until(lambda: "TS01" in live.state.records_of(rivers.RECORD_TYPE))
        gw = Api(backend.url, "demo-gateway")
        walk(gw, "RB02", "TS01", now(backend) - 1500, 1.0)
        wait_until(lambda: live.state.records_of(rivers.RECORD_TYPE)["TS01"]["coverage"] > 0.9)
    replayed = live.replayed()
    assert replayed.records_of(rivers.RECORD_TYPE) == live.state.records_of(rivers.RECORD_TYPE)
    assert replayed.records_of(rivers.RECORD_TYPE)["TS01"]["last_patrol_unit"] == "RB02"
    # The replay's 河道巡查覆盖率 is the backend's, segment-day for segment-day.
    at = backend.settings.clock.now()
    start, end = at - timedelta(days=7), at + timedelta(seconds=1)
    served = ok(
        Api(backend.url, "demo-wall").get(
            "/api/v1/rivers/kpi", params={"from": start.isoformat(), "to": end.isoformat()}
        )
    )
    mine = state_river_kpi(replayed, start, end, at)
    assert {k: served[k] for k in mine} == mine and mine["numerator"] >= 1
    # So are the 量化考核 board's 河段 rows and a row's segment-days.
    window = {"from": start.isoformat(), "to": end.isoformat()}
    wall = Api(backend.url, "demo-wall")
    board = ok(wall.get("/api/v1/kpis", params={"by": "river", **window}))["rows"]
    assert state_kpis(replayed, start, end, "river", at) == board
    ts01 = next(r for r in board if r["key"] == "TS01")["indicators"][rivers.KPI_ID]
    assert ts01["numerator"] >= 1
    ask = {"by": "river", "key": "TS01", "indicator": rivers.KPI_ID, **window}
    items = ok(wall.get("/api/v1/kpis/items", params=ask))["items"]
    assert items == state_kpi_items(replayed, start, end, "river", "TS01", rivers.KPI_ID, at)
    assert sum(x["numerator"] for x in items) == ts01["numerator"]
    assert len(items) == ts01["denominator"]
    # The district's figure is the rows' sum.
    assert served["numerator"] == sum(r["indicators"][rivers.KPI_ID]["numerator"] for r in board)


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2026-11-30T00:00:00+08:00", "to": "2026-11-29T00:00:00+08:00"},
    ],
)
def test_a_bad_kpi_window_is_a_400(login, params):
    r = login("demo-wall").get("/api/v1/rivers/kpi", params=params)
    assert r.status_code == 400, r.text
