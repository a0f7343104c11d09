"""物联感知 over real HTTP (docs/rules/iot.md): a sensor's breach files exactly one case while
that case is open (also when breaches race), the case passes 核查 and closes only once the
work is done and the sensor reads normal again, the next breach after that files a new case,
and bad readings get a 4xx and file nothing.

The backend's district clock stands still (speed 1e-6), so every reading is "now".
"""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from conftest import Api
from test_api_cases import ok

from console.domain.sensor_kinds import SENSOR_KINDS


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


class Sensors:
    """The demo's sensors, each test taking its own so that their cases stay apart."""

    def __init__(self, login):
        self.free = ok(login("demo-wall").get("/api/v1/reference"))["sensors"]

    def take(self, kind: str = "manhole_tilt") -> dict:
        s = next(x for x in self.free if x["kind"] == kind)
        self.free.remove(s)
        return s


@pytest.fixture(scope="module")
def sensors(login) -> Sensors:
    return Sensors(login)


def read(gw: Api, backend, sensor: dict, value, **extra):
    """Post one reading of ``sensor`` at the backend's now; the response."""
    t = backend.settings.clock.now().timestamp()
    reading = {"sensor_id": sensor["id"], "t": t, "value": value, **extra}
    return gw.post("/api/v1/telemetry", key=uuid.uuid4().hex, json={"readings": [reading]})


def last_value(api: Api, sensor: dict) -> float | None:
    """The sensor's last stored reading, from the change feed (``/reference`` is cached at
    start: its sensors show the readings of then)."""
    value, since = None, 0
    while True:
        page = ok(api.get("/api/v1/changes", params={"since": since, "limit": 1000}))
        for ch in page["changes"]:
            if ch["kind"] == "sensor" and ch["sensor"]["id"] == sensor["id"]:
                value = ch["sensor"]["last_value"]
        if page["last_seq"] == since or not page["changes"]:
            return value
        since = page["last_seq"]


def cases_of(api: Api, sensor: dict) -> list[dict]:
    """Every 物联感知 case filed for ``sensor`` (its id is in the description)."""
    body = ok(api.get("/api/v1/cases", params={"source": "iot", "q": f"（{sensor['id']}）"}))
    return body["cases"]


def test_a_breach_files_one_case_at_the_sensor_and_repeats_file_none(login, backend, sensors):
    gw, op = login("demo-gateway"), login("demo-operator")
    s = sensors.take("manhole_tilt")
    normal = ok(read(gw, backend, s, 2.0))
    assert normal["readings"]["cases_filed"] == [] and cases_of(op, s) == []
    filed = ok(read(gw, backend, s, 32.5))["readings"]["cases_filed"]
    assert len(filed) == 1
    case = ok(op.get(f"/api/v1/cases/{filed[0]}"))
    assert case["source"] == "iot" and case["state"] == "reported"
    assert case["category_code"] == SENSOR_KINDS["manhole_tilt"].category_code == "01023"
    assert case["location"] == {"lon": s["lon"], "lat": s["lat"]}
    assert case["grid_code"] == s["grid_code"] and case["urgency"] == "urgent"
    assert "32.5°" in case["description"] and "阈值 15°" in case["description"]
    assert case["reporter"] == "demo-gateway" and case["address"]
    # Still high, higher, and again: the open case stays the only one.
    for v in (32.5, 50.0, 41.0):
        assert ok(read(gw, backend, s, v))["readings"]["cases_filed"] == []
    ok(read(gw, backend, s, 1.0))  # normal again: the case stays open, nothing new
    assert ok(read(gw, backend, s, 45.0))["readings"]["cases_filed"] == []
    assert [c["id"] for c in cases_of(op, s)] == filed
    assert ok(op.get(f"/api/v1/cases/{filed[0]}"))["state"] == "reported"


def test_each_kind_files_its_own_category(login, backend, sensors):
    gw, op = login("demo-gateway"), login("demo-operator")
    s = sensors.take("water_level")
    filed = ok(read(gw, backend, s, 30))["readings"]["cases_filed"]
    case = ok(op.get(f"/api/v1/cases/{filed[0]}"))
    assert case["category_code"] == "01004" and "30cm" in case["description"]


def test_concurrent_breaches_file_one_case(login, backend, sensors):
    """Eight gateways' posts of the same sensor's breach at once: one case."""
    s = sensors.take("manhole_tilt")
    clients = [Api(backend.url, "demo-gateway") for _ in range(8)]
    start = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def post(i: int) -> None:
        start.wait()
        answers[i] = read(clients[i], backend, s, 20.0 + i)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    filed = [cid for r in answers for cid in ok(r)["readings"]["cases_filed"]]
    assert len(filed) == 1
    assert [c["id"] for c in cases_of(login("demo-operator"), s)] == filed


def _to_checking(login, case: dict) -> dict:
    dept, op = login("demo-dept"), login("demo-operator")
    case = ok(dept.act(case, "complete", note="已扶正井盖"))
    return ok(op.act(case, "send_check", assignee="demo-supervisor"))


def test_the_case_closes_only_with_the_work_checked_and_the_reading_normal(login, backend, sensors):
    gw, op, lead, disp, sup = (
        login(u)
        for u in (
            "demo-gateway",
            "demo-operator",
            "demo-lead",
            "demo-dispatcher",
            "demo-supervisor",
        )
    )
    s = sensors.take("manhole_tilt")
    (cid,) = ok(read(gw, backend, s, 40.0))["readings"]["cases_filed"]
    c = ok(op.get(f"/api/v1/cases/{cid}"))
    c = ok(op.act(c, "accept"))
    assert c["state"] == "accepted"  # a sensor is on site: no 核实
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id="sanitation"))
    # The work done and checked while the sensor still reads high: 核查 cannot pass.
    c = _to_checking(login, c)
    r = sup.act(c, "check_pass")
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "sensor_still_breached" and "40" in err["message"]
    assert ok(op.get(f"/api/v1/cases/{cid}"))["state"] == "checking"
    c = ok(sup.act(c, "check_fail", note="传感器仍报警"))
    assert c["state"] == "dispatched" and c["rework_count"] == 1
    # The reading back to normal alone closes nothing.
    ok(read(gw, backend, s, 1.5))
    c = ok(op.get(f"/api/v1/cases/{cid}"))
    assert c["state"] == "dispatched"
    c = _to_checking(login, c)
    c = ok(sup.act(c, "check_pass"))
    assert c["state"] == "checked"
    # High again before 结案: the shift lead cannot close, and no second case is filed.
    assert ok(read(gw, backend, s, 22.0))["readings"]["cases_filed"] == []
    r = lead.act(c, "close")
    assert r.status_code == 422 and r.json()["error"]["code"] == "sensor_still_breached"
    ok(read(gw, backend, s, 0.5))
    c = ok(lead.act(c, "close"))
    assert c["state"] == "closed"
    # Closed: the next breach is a new matter, with a new case.
    assert ok(read(gw, backend, s, 0.8))["readings"]["cases_filed"] == []
    (again,) = ok(read(gw, backend, s, 35.0))["readings"]["cases_filed"]
    assert again != cid
    assert sorted(c["id"] for c in cases_of(op, s)) == sorted([cid, again])


def test_a_voided_case_frees_the_sensor(login, backend, sensors):
    gw, op, lead = login("demo-gateway"), login("demo-operator"), login("demo-lead")
    s = sensors.take("water_level")
    (cid,) = ok(read(gw, backend, s, 25.0))["readings"]["cases_filed"]
    c = ok(lead.act(ok(op.get(f"/api/v1/cases/{cid}")), "void", note="传感器误报"))
    assert c["state"] == "void"
    assert len(ok(read(gw, backend, s, 26.0))["readings"]["cases_filed"]) == 1


BAD_VALUES = [
    ("NaN", "finite"),
    ("Infinity", "finite"),
    ("-Infinity", "finite"),
    ("1e400", "finite"),
    ("1" + "0" * 400, "finite"),
    ("1e300", "outside the range"),
    ("-3", "outside the range"),
    ("181", "outside the range"),
    ('"40"', "a number"),
    ("true", "a number"),
    ("null", "a number"),
    ("[40]", "a number"),
    ('{"v": 40}', "a number"),
]


@pytest.mark.parametrize(("raw", "why"), BAD_VALUES, ids=[v for v, _ in BAD_VALUES])
def test_bad_values_are_refused_and_file_nothing(login, backend, sensors, raw, why):
    gw, op = login("demo-gateway"), login("demo-operator")
    s = next(x for x in sensors.free if x["kind"] == "manhole_tilt")  # shared: nothing filed
    t = backend.settings.clock.now().timestamp()
    body = f'{{"readings": [{{"sensor_id": "{s["id"]}", "t": {t}, "value": {raw}}}]}}'
    r = gw.post(
        "/api/v1/telemetry", data=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert 400 <= r.status_code < 500, r.text
    err = r.json()["error"]
    assert err["message"], err
    if r.status_code == 400:  # refused by the reading's check (not by the JSON parser)
        assert why in json.dumps(err["details"], ensure_ascii=False), err
    assert cases_of(op, s) == [] and last_value(op, s) is None


BAD_READINGS = [
    ({"sensor_id": "S999", "value": 40}, "unknown sensor"),
    ({"sensor_id": ["S001"], "value": 40}, "unknown sensor"),
    ({"sensor_id": None, "value": 40}, "unknown sensor"),
    ({"sensor_id": "S001\x00", "value": 40}, "unknown sensor"),
    ({"value": 40}, "unknown sensor"),
    ({"sensor_id": "S001", "value": 40, "t": "now"}, "t must be"),
    ({"sensor_id": "S001", "value": 40, "t": 1e18}, "in the future"),
    ({"sensor_id": "S001", "value": 40, "t": 0}, "a day old"),
    ({"sensor_id": "S001"}, "a number"),
]


@pytest.mark.parametrize(("reading", "why"), BAD_READINGS)
def test_bad_readings_are_refused_and_file_nothing(login, backend, reading, why):
    gw, op = login("demo-gateway"), login("demo-operator")
    before = ok(op.get("/api/v1/cases", params={"source": "iot"}))["total"]
    reading = {"t": backend.settings.clock.now().timestamp(), **reading}
    r = gw.post("/api/v1/telemetry", json={"readings": [reading]})
    assert r.status_code == 400, r.text
    (rejected,) = r.json()["error"]["details"]["rejected"]
    assert rejected["index"] == 0 and why in rejected["reason"]
    assert ok(op.get("/api/v1/cases", params={"source": "iot"}))["total"] == before


def test_a_bad_reading_beside_a_breach_is_reported_and_the_breach_filed(login, backend, sensors):
    gw = login("demo-gateway")
    s = sensors.take("manhole_tilt")
    t = backend.settings.clock.now().timestamp()
    body = {
        "readings": [
            {"sensor_id": s["id"], "t": t, "value": 1e9},
            {"sensor_id": s["id"], "t": t, "value": 33.0},
        ]
    }
    out = ok(gw.post("/api/v1/telemetry", json=body))["readings"]
    assert out["accepted"] == 1 and len(out["cases_filed"]) == 1
    assert [x["index"] for x in out["rejected"]] == [0]


def test_only_gateways_post_readings(login, backend, sensors):
    s = sensors.free[0]
    r = read(login("demo-operator"), backend, s, 99.0)
    assert r.status_code == 403
    assert cases_of(login("demo-operator"), s) == []


def test_a_late_reading_changes_nothing(login, backend, sensors):
    """A retried or late batch's reading older than the sensor's last: counted as stale, no
    case filed for an old breach, and an old normal reading does not end a breach."""
    gw = login("demo-gateway")
    s = sensors.take("noise")
    t = backend.settings.clock.now().timestamp()

    def post(value: float, at: float) -> dict:
        body = {"readings": [{"sensor_id": s["id"], "t": at, "value": value}]}
        return ok(gw.post("/api/v1/telemetry", json=body))["readings"]

    assert post(50.0, t)["cases_filed"] == []
    late = post(88.0, t - 60)
    assert late["stale"] == 1 and late["accepted"] == 0 and late["cases_filed"] == []
    (cid,) = post(80.0, t + 1)["cases_filed"]
    assert post(50.0, t)["stale"] == 1
    assert last_value(login("demo-wall"), s) == 80.0
    case = ok(login("demo-operator").get(f"/api/v1/cases/{cid}"))
    assert case["category_code"] == "06028" and "80dB(A)" in case["description"]
