"""Every case action over real HTTP, as the right users, on SQLite and PostgreSQL.

Also: a wrong role gets 403, a stale version 409 with the current case, an invalid
transition 422, bad input 400, and a repeated Idempotency-Key returns the first result
and applies once.
"""

from __future__ import annotations

import uuid

import pytest

# Points inside Shangcheng (WGS-84) and one in West Lake district, outside it.
INSIDE = (120.17, 30.25)
OUTSIDE = (120.10, 30.26)


def walk_to_dispatched(login, source="supervisor", dept="sanitation"):
    op, lead, disp, sup = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-supervisor")
    )
    reporter = sup if source == "supervisor" else op
    c = reporter.report(source=source)
    assert c["state"] == "reported" and c["version"] == 1
    c = ok(op.act(c, "accept"))
    if source == "public":
        c = ok(op.act(c, "send_verify"))
        assert c["state"] == "verifying"
        c = ok(sup.act(c, "verified", note="现场确认"))
        assert c["state"] == "accepted"
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id=dept))
    assert c["state"] == "dispatched" and c["department_id"] == dept
    return c


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def test_full_loop_with_rework(login):
    op, lead, sup, dept = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-supervisor", "demo-dept")
    )
    c = walk_to_dispatched(login, source="public")
    c = ok(dept.act(c, "complete", note="已清理"))
    c = ok(op.act(c, "send_check"))
    c = ok(sup.act(c, "check_fail", note="仍有残留"))
    assert (
        c["state"] == "dispatched" and c["rework_count"] == 1 and c["department_id"] == "sanitation"
    )
    c = ok(dept.act(c, "complete"))
    c = ok(op.act(c, "send_check"))
    c = ok(sup.act(c, "check_pass"))
    c = ok(lead.act(c, "close"))
    assert c["state"] == "closed"
    got = ok(op.get(f"/api/v1/cases/{c['id']}"))
    assert [e["action"] for e in got["events"]] == [
        "report",
        "accept",
        "send_verify",
        "verified",
        "register",
        "dispatch",
        "complete",
        "send_check",
        "check_fail",
        "complete",
        "send_check",
        "check_pass",
        "close",
    ]
    for e in got["events"]:
        assert {"action", "user", "at", "from_state", "to_state", "note"} <= set(e)
    assert (
        got["events"][2]["user"] == "demo-operator"
        and got["events"][3]["user"] == "demo-supervisor"
    )
    assert got["source"] == "public" and got["grid_code"] and len(got["grid_code"]) == 15


def test_return_and_redispatch(login):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = walk_to_dispatched(login)
    assert dept.act(c, "return").status_code == 400  # a return needs a reason
    c = ok(dept.act(c, "return", note="非环卫职责，应为市政"))
    assert c["state"] == "returned" and c["return_count"] == 1
    c = ok(disp.act(c, "redispatch", department_id="municipal"))
    assert (
        c["state"] == "dispatched"
        and c["department_id"] == "municipal"
        and c["dispatch_count"] == 2
    )
    r = dept.act(c, "complete")  # demo-dept is sanitation: no longer its case
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_extension_approve_and_deny(login):
    dept, disp = login("demo-dept"), login("demo-dispatcher")
    c = walk_to_dispatched(login)
    deadline = c["deadline"]
    c = ok(dept.act(c, "request_extension", hours=2, note="需要机械清运"))
    assert c["extension_pending_hours"] == 2 and c["deadline"] == deadline  # the clock runs on
    assert dept.act(c, "request_extension", hours=1, note="again").status_code == 422
    c = ok(disp.act(c, "approve_extension"))
    assert c["extension_count"] == 1 and c["extension_hours"] == 2 and c["deadline"] > deadline
    # 2 + 8 h would exceed the cap (the 4-hour base limit again: docs/rules/workflow.md)
    assert dept.act(c, "request_extension", hours=8, note="再延期").status_code == 422
    c = ok(dept.act(c, "request_extension", hours=1, note="再延期"))
    c = ok(disp.act(c, "deny_extension", note="不予延期"))
    assert c["extension_count"] == 1 and c["extension_pending_hours"] is None


def test_park_resume_and_void(login):
    disp, lead, op = login("demo-dispatcher"), login("demo-lead"), login("demo-operator")
    c = walk_to_dispatched(login)
    c = ok(disp.act(c, "park", note="需立项改造", due_date="2027-03-31"))
    assert c["state"] == "parked" and c["light"] is None and c["deadline"] is None
    c = ok(disp.act(c, "resume"))
    assert c["state"] == "dispatched" and c["light"] == "green"
    v = op.report(source="public")
    assert op.act(v, "void", note="重复").status_code == 403
    v = ok(lead.act(v, "void", note="重复上报"))
    assert v["state"] == "void"
    assert lead.act(v, "accept").status_code == 422


def test_wrong_role_stale_version_invalid_transition(login):
    op, wall, lead, sup = (
        login(u) for u in ("demo-operator", "demo-wall", "demo-lead", "demo-supervisor")
    )
    c = sup.report()
    for who, action in (
        (wall, "accept"),
        (sup, "accept"),
        (op, "register"),
        (login("demo-dept"), "accept"),
    ):
        r = who.act(c, action)
        assert r.status_code == 403, (who.user, action, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    fresh = ok(op.act(c, "accept"))
    r = lead.act(c, "register")  # decided on version 1; the case is at version 2
    assert r.status_code == 409
    body = r.json()["error"]
    assert (
        body["code"] == "version_conflict"
        and body["details"]["case"]["version"] == fresh["version"]
    )
    assert body["details"]["case"]["state"] == "accepted"
    r = lead.act(fresh, "close")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_transition"
    r = wall.post(
        "/api/v1/cases",
        json={"category_code": "06010", "location": {"lon": INSIDE[0], "lat": INSIDE[1]}},
    )
    assert r.status_code == 403


def test_idempotency_key_applies_once(login):
    op, sup = login("demo-operator"), login("demo-supervisor")
    key = uuid.uuid4().hex
    body = {
        "source": "supervisor",
        "category_code": "06010",
        "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
        "description": "一次",
    }
    first = sup.post("/api/v1/cases", key=key, json=body)
    again = sup.post("/api/v1/cases", key=key, json=body)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and again.headers.get("Idempotent-Replayed") == "true"
    listed = ok(op.get("/api/v1/cases", params={"q": "一次", "page_size": 50}))
    assert [c["id"] for c in listed["cases"]].count(first.json()["id"]) == 1 and listed[
        "total"
    ] == 1
    c = first.json()
    key = uuid.uuid4().hex
    a1 = op.post(
        f"/api/v1/cases/{c['id']}/actions",
        key=key,
        json={"action": "accept", "expected_version": 1},
    )
    a2 = op.post(
        f"/api/v1/cases/{c['id']}/actions",
        key=key,
        json={"action": "accept", "expected_version": 1},
    )
    assert a1.status_code == a2.status_code == 200 and a1.json() == a2.json()
    now = ok(op.get(f"/api/v1/cases/{c['id']}"))
    assert now["version"] == 2 and [e["action"] for e in now["events"]].count("accept") == 1
    reused = op.post(
        f"/api/v1/cases/{c['id']}/actions", key=key, json={"action": "void", "note": "x"}
    )
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    "body",
    [
        {"category_code": "99999", "location": {"lon": INSIDE[0], "lat": INSIDE[1]}},
        {"category_code": "06010", "location": {"lon": OUTSIDE[0], "lat": OUTSIDE[1]}},
        {"category_code": "06010", "location": {"lon": "x", "lat": 30}},
        '{"category_code": "06010", "location": {"lon": 1e400, "lat": 30}}',
        '{"category_code": "06010", "location": {"lon": NaN, "lat": 30}}',
        {
            "category_code": "06010",
            "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
            "description": "长" * 5000,
        },
        {
            "category_code": "06010",
            "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
            "source": "alien",
        },
        {
            "category_code": "06010",
            "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
            "urgency": "whenever",
        },
        {
            "category_code": "06010",
            "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
            "unknown_field": 1,
        },
        [],
    ],
)
def test_bad_case_input_is_400_with_a_message(login, body):
    sup = login("demo-supervisor")
    if isinstance(body, str):  # raw JSON text that Python's encoder would refuse to write
        r = sup.post(
            "/api/v1/cases", data=body.encode(), headers={"Content-Type": "application/json"}
        )
    else:
        r = sup.post("/api/v1/cases", json=body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] and err["message"]


def test_malformed_json_oversized_body_and_auth(login, backend):
    sup = login("demo-supervisor")
    r = sup.post("/api/v1/cases", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = sup.post(
        "/api/v1/cases",
        data=b"{" + b" " * (2 << 20) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    import requests

    assert requests.get(backend.url + "/api/v1/snapshot", timeout=5).status_code == 401
    r = requests.get(
        backend.url + "/api/v1/snapshot", headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = requests.post(
        backend.url + "/api/v1/session",
        json={"username": "demo-lead", "password": "wrong"},
        timeout=5,
    )
    assert r.status_code == 401
    r = sup.post("/api/v1/cases/nope/actions", json={"action": "accept"})
    assert r.status_code == 404
    r = sup.post("/api/v1/cases/nope/actions", json={"action": "fly"})
    assert r.status_code == 400


def test_logout_revokes_the_token(backend):
    from conftest import Api

    api = Api(backend.url, "demo-wall")
    assert api.get("/api/v1/snapshot").status_code == 200
    assert api.http.delete(backend.url + "/api/v1/session", timeout=5).status_code == 200
    assert api.get("/api/v1/snapshot").status_code == 401


def test_list_filters_and_pages(login):
    op, sup = login("demo-operator"), login("demo-supervisor")
    tag = uuid.uuid4().hex[:8]
    made = [sup.report(description=f"{tag} 第{i}件") for i in range(5)]
    page1 = ok(op.get("/api/v1/cases", params={"q": tag, "page_size": 2}))
    page3 = ok(op.get("/api/v1/cases", params={"q": tag, "page_size": 2, "page": 3}))
    assert page1["total"] == 5 and len(page1["cases"]) == 2 and len(page3["cases"]) == 1
    only = ok(op.get("/api/v1/cases", params={"q": tag, "state": "reported", "category": "06010"}))
    assert {c["id"] for c in only["cases"]} == {c["id"] for c in made}
    assert op.get("/api/v1/cases", params={"page_size": 100000}).status_code == 400
    assert op.get("/api/v1/cases", params={"from": "yesterday"}).status_code == 400


def test_nul_characters_are_refused_not_crashing(login, backend):
    import requests

    r = requests.post(
        backend.url + "/api/v1/session", json={"username": "\x00", "password": "x"}, timeout=5
    )
    assert r.status_code == 400
    sup = login("demo-supervisor")
    body = {
        "category_code": "06010",
        "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
        "description": "a\x00b",
    }
    assert sup.post("/api/v1/cases", json=body).status_code == 400
    assert sup.get("/api/v1/cases/%00").status_code == 400
    assert sup.get("/api/v1/cases", params={"q": "\x00"}).status_code == 400
