"""The workflow's gaps closed, over real HTTP (docs/rules/workflow.md): no extension once the
limit is used up, extension caps, a clock that runs while a request waits, void after 立案
by the shift lead only, a returned case voided or sent back to 立案, corrections at 受理/立案,
缓办 requested by a department with a due date and resumed with its remaining time, the
自处理 path, and the acting role of a multi-role user.

The backend's district clock stands still here (speed 1e-6) and the tests step it with
``VirtualClock.advance``, so deadlines are crossed on purpose and minutes are exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import Api, BackendProcess
from test_api_cases import OUTSIDE, ok, walk_to_dispatched

from console.domain.calendar import WorkCalendar
from console.domain.china_time import CST

CAL = WorkCalendar.default()


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


def now(backend) -> datetime:
    return backend.settings.clock.now()


def advance_to(backend, t: datetime) -> None:
    backend.settings.clock.advance((t - now(backend)).total_seconds())


def advance_working(backend, minutes: float) -> None:
    advance_to(backend, CAL.add_working_minutes(now(backend), minutes))


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def due_in(backend, days: int) -> str:
    return (now(backend).astimezone(CST).date() + timedelta(days=days)).isoformat()


def refused(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["message"] and (code is None or err["code"] == code), err
    return err


def test_no_extension_or_parking_request_after_the_deadline(login, backend):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = walk_to_dispatched(login)
    advance_to(backend, t(c["deadline"]) + timedelta(minutes=1))
    late = ok(dept.get(f"/api/v1/cases/{c['id']}"))
    assert late["light"] == "red"
    err = refused(
        dept.act(late, "request_extension", hours=2, note="设备故障"), 422, "invalid_transition"
    )
    assert "used up" in err["message"] and err["details"]["limit_used_up"] is True
    refused(
        dept.act(late, "request_park", due_date=due_in(backend, 30), note="需立项"),
        422,
        "invalid_transition",
    )
    # The centre may still park an overdue case with a due date; it does not turn it green.
    parked = ok(disp.act(late, "park", due_date=due_in(backend, 30), note="需立项改造"))
    advance_working(backend, 10)
    resumed = ok(disp.act(parked, "resume"))
    assert resumed["light"] == "red" and t(resumed["deadline"]) < now(backend)


def test_extension_caps_are_enforced(login, backend):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = walk_to_dispatched(login)  # 暴露垃圾: 4 working hours, so extensions total <= 4 h
    refused(dept.act(c, "request_extension", hours=41, note="x"), 422)  # > 40 h per request
    refused(dept.act(c, "request_extension", hours=5, note="x"), 422)  # > the 4 h total
    refused(dept.act(c, "request_extension", hours=-1, note="x"), 400)
    c = ok(dept.act(c, "request_extension", hours=3, note="需要机械"))
    c = ok(disp.act(c, "approve_extension"))
    refused(dept.act(c, "request_extension", hours=1.5, note="再延"), 422)  # 3 + 1.5 > 4
    c = ok(dept.act(c, "request_extension", hours=1, note="再延"))
    c = ok(disp.act(c, "approve_extension"))
    assert c["extension_count"] == 2 and c["extension_hours"] == 4
    err = refused(dept.act(c, "request_extension", hours=0.5, note="三延"), 422)
    assert err["details"]["extensions_used_up"] is True


def test_clock_runs_while_an_extension_request_waits(login, backend):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = walk_to_dispatched(login)
    deadline = t(c["deadline"])
    c = ok(dept.act(c, "request_extension", hours=2, note="需要机械"))
    assert t(c["deadline"]) == deadline and "clock_paused" not in c
    advance_to(backend, deadline + timedelta(minutes=5))
    waiting = ok(dept.get(f"/api/v1/cases/{c['id']}"))
    assert waiting["light"] == "red" and t(waiting["deadline"]) == deadline
    approved = ok(disp.act(waiting, "approve_extension"))
    assert t(approved["deadline"]) == CAL.add_working_minutes(deadline, 120)
    assert approved["stage_limit_minutes"] == 240 + 120


def test_void_after_registration_only_by_the_shift_lead(login, backend):
    lead, op, disp, dept = (
        login(u) for u in ("demo-lead", "demo-operator", "demo-dispatcher", "demo-dept")
    )
    sup = login("demo-supervisor")
    registered = ok(lead.act(ok(op.act(sup.report(), "accept")), "register"))
    dispatched = walk_to_dispatched(login)
    for case in (registered, dispatched):
        for who in (op, disp, dept, sup):
            refused(who.act(case, "void", note="重复"), 403, "forbidden")
        refused(lead.act(case, "void"), 400)  # a reason is required
        v = ok(lead.act(case, "void", note="与已立案件重复"))
        assert v["state"] == "void" and v["events"][-1]["role"] == "shift_lead"
    handled = ok(dept.act(walk_to_dispatched(login), "complete", note="已清理"))
    refused(lead.act(handled, "void", note="x"), 422, "invalid_transition")


def test_returned_case_voided_or_sent_back_to_registration(login, backend):
    lead, disp, dept, op = (
        login(u) for u in ("demo-lead", "demo-dispatcher", "demo-dept", "demo-operator")
    )
    returned = ok(dept.act(walk_to_dispatched(login), "return", note="非环卫职责"))
    refused(disp.act(returned, "void", note="无效"), 403)
    assert ok(lead.act(returned, "void", note="现场已无此问题"))["state"] == "void"

    returned = ok(dept.act(walk_to_dispatched(login), "return", note="类别错误"))
    refused(op.act(returned, "send_back", note="x"), 403)
    refused(disp.act(returned, "send_back"), 400)  # needs the reason
    back = ok(disp.act(returned, "send_back", note="类别有误，退回重新立案"))
    assert back["state"] == "accepted" and back["stage"] == "register"
    assert back["department_id"] is None and back["departments"] == ["sanitation"]
    again = ok(lead.act(back, "register", category_code="06013", urgency="urgent"))
    assert again["events"][-1]["data"]["corrections"] == {
        "category_code": ["06010", "06013"],
        "urgency": ["normal", "urgent"],
    }
    assert again["stage"] == "dispatch" and again["stage_limit_minutes"] == 15  # 30 min x 0.5
    d = ok(disp.act(again, "dispatch", department_id="municipal"))
    assert d["category_code"] == "06013" and d["dispatch_count"] == 2


def test_corrections_at_accept_are_checked_recorded_and_relocated(login, backend):
    op, sup = login("demo-operator"), login("demo-supervisor")
    c = sup.report(address="旧地址 1 号")
    refused(op.act(c, "accept", category_code="99999"), 400, "unknown_category")
    refused(
        op.act(c, "accept", location={"lon": OUTSIDE[0], "lat": OUTSIDE[1]}),
        400,
        "outside_district",
    )
    refused(op.act(c, "accept", urgency="whenever"), 400)
    a = ok(op.act(c, "accept", category_code="06012", location={"lon": 120.18, "lat": 30.26}))
    fix = a["events"][-1]["data"]["corrections"]
    assert fix["category_code"] == ["06010", "06012"]
    assert fix["location"] == [[120.17, 30.25], [120.18, 30.26]]
    assert fix["grid_code"][0] == c["grid_code"] and fix["grid_code"][1] == a["grid_code"]
    assert a["grid_code"] != c["grid_code"] and len(a["grid_code"]) == 15
    # the old address named the old point: the new one is the address of the new point
    assert fix["address"][0] == "旧地址 1 号" and a["address"] == fix["address"][1]
    streets = ok(op.get("/api/v1/reference"))["streets"]
    street = next(st["name"] for st in streets if st["code"] == a["street_code"])
    assert street in a["address"]
    assert a["location"] == {"lon": 120.18, "lat": 30.26}
    refused(op.act(a, "send_verify", category_code="06010"), 400)  # only 受理 and 立案 correct


def test_department_requests_parking_and_resume_keeps_remaining_minutes(login, backend):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = walk_to_dispatched(login)
    refused(dept.act(c, "request_park", note="需立项"), 400)  # the due date is required
    advance_working(backend, 30)
    c = ok(dept.act(c, "request_extension", hours=2, note="需要机械"))
    c = ok(disp.act(c, "approve_extension"))  # limit 240 + 120 = 360 working minutes
    advance_working(backend, 30)
    due = due_in(backend, 20)
    c = ok(dept.act(c, "request_park", due_date=due, note="需立项改造，申请缓办"))
    assert c["park_request_due_date"] == due and c["state"] == "dispatched"
    refused(dept.act(c, "complete"), 422)  # waits for the centre's decision
    parked = ok(disp.act(c, "approve_park"))  # 60 of 360 minutes used
    assert parked["state"] == "parked" and parked["park_due_date"] == due
    assert parked["light"] is None and parked["park_overdue"] is False
    assert parked["events"][-1]["data"]["clock"]["remaining_minutes"] == pytest.approx(300)
    advance_to(backend, now(backend) + timedelta(days=21))
    overdue = ok(disp.get(f"/api/v1/cases/{c['id']}"))
    assert overdue["park_overdue"] is True and overdue["stockpiled"] is False
    resumed = ok(disp.act(overdue, "resume"))
    assert resumed["stage"] == "dispose" and resumed["stage_limit_minutes"] == 360
    assert resumed["events"][-1]["data"]["remaining_minutes"] == pytest.approx(300)
    left = CAL.working_minutes_between(now(backend), t(resumed["deadline"]))
    assert left == pytest.approx(300, abs=0.01)
    assert resumed["park_due_date"] is None and resumed["light"] == "green"


def test_denied_parking_request_leaves_the_case_with_its_department(login, backend):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = ok(
        dept.act(walk_to_dispatched(login), "request_park", due_date=due_in(backend, 10), note="x")
    )
    d = ok(disp.act(c, "deny_park", note="可在时限内处置"))
    assert d["state"] == "dispatched" and d["park_request_due_date"] is None
    refused(disp.act(d, "park", note="x", due_date="2020-01-01"), 400)  # not in the past


def test_self_handled_path(login, backend):
    sup, op, lead = login("demo-supervisor"), login("demo-operator"), login("demo-lead")
    loc = {"lon": 120.17, "lat": 30.25}
    body = {"source": "self", "category_code": "06010", "location": loc, "photos": ["b.jpg"]}
    refused(sup.post("/api/v1/cases", json=body), 400)  # no photo after the fix
    body["photos_after"] = ["a.jpg"]
    refused(op.post("/api/v1/cases", json=body), 403)  # 自处理 is the supervisor's own fix
    r = sup.post("/api/v1/cases", json=body)
    c = ok(r)
    assert c["source"] == "self" and c["photos"] == ["b.jpg", "a.jpg"]
    c = ok(op.act(c, "accept"))
    c = ok(lead.act(c, "register"))
    assert c["stage"] == "close"
    refused(login("demo-dispatcher").act(c, "close_self"), 403)
    c = ok(lead.act(c, "close_self"))
    assert c["state"] == "closed"
    assert [e["action"] for e in c["events"]] == ["report", "accept", "register", "close_self"]
    other = ok(lead.act(ok(op.act(sup.report(), "accept")), "register"))
    refused(lead.act(other, "close_self"), 422, "invalid_transition")


def test_multi_role_user_acts_under_the_desk_role(login, backend):
    desk = login("demo-console")  # operator + dispatcher + shift lead
    c = ok(desk.act(login("demo-supervisor").report(), "accept"))
    c = ok(desk.act(c, "register"))
    c = ok(desk.act(c, "dispatch", department_id="sanitation"))
    assert [e["role"] for e in c["events"][1:]] == ["operator", "shift_lead", "dispatcher"]


def test_the_acting_role_is_the_same_under_any_hash_seed(tmp_path):
    """A user holding several desks (demo-console: 受理员 + 派遣员 + 值班长) has each action
    recorded under the same role whatever the backend process's PYTHONHASHSEED: the fixed
    precedence, not the iteration order of a set, picks it."""
    seen = set()
    for seed in ("0", "1", "4242"):
        b = BackendProcess(tmp_path / f"seed{seed}.db", env={"PYTHONHASHSEED": seed}).start()
        try:
            desk, sup = Api(b.url, "demo-console"), Api(b.url, "demo-supervisor")
            c = desk.report(source="public")
            c = ok(desk.act(c, "accept"))
            c = ok(desk.act(c, "send_verify"))
            c = ok(sup.act(c, "verified", note="属实"))
            c = ok(desk.act(c, "register"))
            c = ok(desk.act(c, "dispatch", department_id="sanitation"))
            seen.add(tuple((e["action"], e["role"]) for e in c["events"]))
        finally:
            b.kill()
    assert seen == {
        (
            ("report", "operator"),
            ("accept", "operator"),
            ("send_verify", "operator"),
            ("verified", "supervisor"),
            ("register", "shift_lead"),
            ("dispatch", "dispatcher"),
        )
    }
