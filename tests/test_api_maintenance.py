"""养护 work orders and 部件 states over real HTTP (docs/rules/maintenance.md): an order walks
计划 → 派单 → 施工 → 验收 → 完成 with the right roles and deadlines, its components are 维修中
in 施工 (asset_state records, only for components that are not normal), the KPIs count it and
list it, bad input gets a 4xx, and a console's shift log replays the same orders.

The backend's district clock stands still (speed 1e-6); tests move it with ``advance``."""

from __future__ import annotations

import uuid

import pytest
from conftest import Api, LiveConsole, wait_until

from console.domain import maintenance as m


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


class Picker:
    """Street lights of the inventory, each test taking its own."""

    def __init__(self, api: Api, category: str = "01037"):
        r = api.get("/api/v1/components", params={"category": category, "limit": 300})
        self.free = [c["code"] for c in r.json()["components"]]

    def take(self, n: int) -> list[str]:
        out, self.free = self.free[:n], self.free[n:]
        return out


@pytest.fixture(scope="module")
def apis(backend):
    return {
        u: Api(backend.url, u)
        for u in ("demo-lead", "demo-dispatcher", "dept-streetlight", "dept-water", "demo-wall")
    }


@pytest.fixture(scope="module")
def lights(apis) -> Picker:
    return Picker(apis["demo-wall"])


def plan(api: Api, codes: list[str], plan_id: str = "light_night_patrol", **extra):
    return api.post(
        "/api/v1/maintenance/orders",
        key=uuid.uuid4().hex,
        json={"plan": plan_id, "components": codes, **extra},
    )


def act(api: Api, order: dict, action: str, **body):
    body.setdefault("expected_version", order["version"])
    return api.post(
        f"/api/v1/maintenance/orders/{order['id']}/actions",
        key=uuid.uuid4().hex,
        json={"action": action, **body},
    )


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def states(api: Api) -> dict[str, str]:
    body = ok(api.get("/api/v1/records", params={"type": m.ASSET_STATE}))
    return {d["id"]: d["state"] for d in body["records"]}


def hours(backend, h: float) -> None:
    backend.settings.clock.advance(h * 3600)


def test_an_order_walks_its_states_with_the_right_roles_and_deadlines(backend, apis, lights):
    lead, disp, crew = apis["demo-lead"], apis["demo-dispatcher"], apis["dept-streetlight"]
    codes = lights.take(3)
    o = ok(plan(lead, codes, note="11月夜巡"))
    assert (o["state"], o["department_id"], o["components"]) == ("planned", "streetlight", codes)
    # The crew cannot 派单 itself, another department cannot touch it, and 施工 waits for 派单.
    assert act(crew, o, "dispatch").status_code == 403
    assert act(crew, o, "start").status_code == 422
    o = ok(act(disp, o, "dispatch"))
    assert m._t(o["work_due_at"]) - m._t(o["events"][-1]["at"]) == m.timedelta(hours=24)
    assert act(apis["dept-water"], o, "start").json()["error"]["code"] == "not_your_department"
    assert act(disp, o, "start").status_code == 403
    assert not set(codes) & set(states(crew))  # normal components have no record
    o = ok(act(crew, o, "start"))
    assert {c: states(crew).get(c) for c in codes} == dict.fromkeys(codes, "repairing")
    detail = ok(crew.get(f"/api/v1/assets/{codes[0]}"))
    assert detail["state"] == "repairing" and [x["id"] for x in detail["orders"]] == [o["id"]]
    assert detail["owner_department_id"] == "streetlight" and detail["category_code"] == "01037"
    hours(backend, 2)
    o = ok(act(crew, o, "finish", findings={codes[1]: "damaged"}, note="1盏灯杆损坏"))
    assert o["on_time"] is True and o["state"] == "accepting"
    after = states(crew)
    assert after.get(codes[1]) == "damaged" and codes[0] not in after and codes[2] not in after
    o = ok(act(disp, o, "reject", note="照度不足，返工"))
    assert o["state"] == "working" and states(crew).get(codes[1]) == "repairing"
    hours(backend, 30)  # past the 24 h work deadline
    o = ok(act(crew, o, "finish"))
    assert o["on_time"] is False and o["events"][-1]["late"] is True
    o = ok(act(lead, o, "accept"))
    assert o["state"] == "done" and not set(codes) & set(states(crew))
    roles = [(e["action"], e["role"]) for e in o["events"]]
    assert roles == [
        ("create", "shift_lead"),
        ("dispatch", "dispatcher"),
        ("start", "department"),
        ("finish", "department"),
        ("reject", "dispatcher"),
        ("finish", "department"),
        ("accept", "shift_lead"),
    ]
    assert act(lead, o, "accept").status_code == 422  # done is done
    # The KPI: due in the window, completed, late; its drill-down lists it.
    row = next(
        r for r in ok(crew.get("/api/v1/maintenance/kpis"))["rows"] if r["key"] == "streetlight"
    )
    assert row["indicators"][m.COMPLETION]["numerator"] >= 1 and row["name"]
    ids = ok(
        crew.get(
            "/api/v1/maintenance/kpis/orders",
            params={"department": "streetlight", "indicator": m.ON_TIME, "part": "denominator"},
        )
    )["orders"]
    late = ok(
        crew.get(
            "/api/v1/maintenance/kpis/orders",
            params={"department": "streetlight", "indicator": m.ON_TIME, "part": "numerator"},
        )
    )["orders"]
    assert o["id"] in ids and o["id"] not in late


def test_bad_input_is_refused_with_a_clear_status(backend, apis, lights):
    lead, disp, crew = apis["demo-lead"], apis["demo-dispatcher"], apis["dept-streetlight"]
    codes = lights.take(2)
    water = Picker(apis["demo-wall"], "01013").take(1)
    for body, status, code in [
        ({"plan": "nope", "components": codes}, 400, "unknown_plan"),
        ({"plan": "light_night_patrol", "components": ["12"]}, 400, "bad_component_code"),
        (
            {"plan": "light_night_patrol", "components": ["3301020103799998"]},
            400,
            "unknown_component",
        ),
        ({"plan": "light_night_patrol", "components": codes + water}, 400, "component_not_in_plan"),
        ({"plan": "light_night_patrol", "components": [codes[0]] * 2}, 400, "duplicate_component"),
        ({"plan": "light_night_patrol", "components": codes * 40}, 400, None),
        ({"plan": "light_night_patrol", "components": codes, "note": "x" * 10_000}, 400, None),
        ({"plan": 5, "components": codes}, 400, None),
        ({"plan": "light_night_patrol", "components": codes, "extra": 1}, 400, None),
        ({"plan": "light_night_patrol", "components": []}, 400, None),
    ]:
        r = lead.post("/api/v1/maintenance/orders", json=body)
        assert r.status_code == status, (body, r.text)
        if code:
            assert r.json()["error"]["code"] == code
    assert plan(crew, codes).status_code == 403  # a department does not plan
    o = ok(plan(lead, codes))
    r = plan(lead, codes[:1])
    assert r.status_code == 409 and r.json()["error"]["code"] == "component_busy"
    assert act(disp, o, "dispatch", expected_version=99).status_code == 409
    assert act(disp, o, "fly").status_code == 400
    o = ok(act(disp, o, "dispatch"))
    assert act(disp, o, "dispatch").status_code == 422
    o = ok(act(crew, o, "start"))
    assert act(crew, o, "finish", findings={"3301020103700001x": "damaged"}).status_code == 400
    assert act(crew, o, "finish", findings={codes[0]: "repairing"}).status_code == 400
    assert act(crew, o, "cancel").status_code == 403
    assert crew.get("/api/v1/maintenance/orders/WO-none").status_code == 404
    assert act(crew, {"id": "WO-none", "version": 1}, "start").status_code == 404
    # States: only its owner or the centre reports; 维修中 is the orders'; a component in 施工
    # is not reported over.
    r = apis["dept-water"].post(f"/api/v1/assets/{codes[0]}/state", json={"state": "damaged"})
    assert r.status_code == 403
    r = crew.post(f"/api/v1/assets/{codes[0]}/state", json={"state": "repairing"})
    assert r.status_code == 400
    r = crew.post(f"/api/v1/assets/{codes[0]}/state", json={"state": "damaged"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "component_in_work"
    assert crew.get("/api/v1/assets/bad").status_code == 400
    assert crew.get("/api/v1/assets/3301020103799998").status_code == 404
    r = crew.get("/api/v1/maintenance/kpis/orders", params={"department": "x", "indicator": "y"})
    assert r.status_code == 400


def test_a_reported_state_is_a_record_until_normal_again(backend, apis, lights):
    crew, disp = apis["dept-streetlight"], apis["demo-dispatcher"]
    (code,) = lights.take(1)
    doc = ok(
        crew.post(f"/api/v1/assets/{code}/state", json={"state": "missing", "note": "灯头缺失"})
    )
    assert doc["live"] is True and states(crew)[code] == "missing"
    assert ok(disp.get(f"/api/v1/assets/{code}"))["state"] == "missing"
    doc = ok(disp.post(f"/api/v1/assets/{code}/state", json={"state": "normal"}))
    assert doc["live"] is False and code not in states(crew)
    assert ok(disp.get(f"/api/v1/assets/{code}"))["state"] == "normal"


def test_a_live_console_and_its_replayed_shift_log_hold_the_same_orders(
    backend, apis, lights, tmp_path
):
    lead, disp, crew = apis["demo-lead"], apis["demo-dispatcher"], apis["dept-streetlight"]
    with LiveConsole(backend, tmp_path / "shift.db") as live:
        wait_until(lambda: live.state.records is not None and live.state.reference)
        o = ok(act(disp, ok(plan(lead, lights.take(4))), "dispatch"))
        o = ok(act(crew, o, "start"))
        wait_until(
            lambda: live.state.records_of(m.WORK_ORDER).get(o["id"], {}).get("state") == "working"
        )
    assert set(o["components"]) <= set(live.state.records_of(m.ASSET_STATE))
    replayed = live.replayed()
    for t in (m.WORK_ORDER, m.ASSET_STATE):
        assert replayed.records_of(t) == live.state.records_of(t)
    assert replayed.digest() == live.state.digest()
