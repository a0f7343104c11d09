"""Supervisors and the public over real HTTP: 核实/核查 tasks go to the grid's responsible
supervisor (others get 403 until they take the task over, with a reason), the centre may
address a task to someone else, public reports get a 回访 whose 满意度 the KPIs count, and the
hotline is 12345."""

from __future__ import annotations

from console.geo.grid import UnitGrid
from console.server.seed import DEMO_SUPERVISOR_AT

DEMO_SUP = "demo-supervisor"


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def roster(api) -> dict[str, str]:
    ref = ok(api.get("/api/v1/reference"))
    return {a["area"]: a["supervisor"] for a in ref["supervisor_areas"]}


def elsewhere(api) -> tuple[float, float, str]:
    """A point in a community that is not the demo supervisor's, and that community's
    supervisor (from the published roster)."""
    grid, areas = UnitGrid.load(), roster(api)
    for comm in grid.communities:
        if areas[comm.code] != DEMO_SUP:
            i = int(grid.community_cells(comm.code)[0])
            return float(grid.lon[i]), float(grid.lat[i]), areas[comm.code]
    raise AssertionError("every community is the demo supervisor's")


def test_roster_gives_every_community_one_supervisor(login):
    areas = roster(login("demo-wall"))
    grid = UnitGrid.load()
    assert set(areas) == {c.code for c in grid.communities}
    assert len(set(areas.values())) == len(grid.communities)  # one community each
    demo_community = grid.cell_code(*DEMO_SUPERVISOR_AT)[:12]
    assert areas[demo_community] == DEMO_SUP


def test_verify_task_goes_to_the_grids_supervisor_and_can_be_taken_over(login):
    op, demo_sup = login("demo-operator"), login(DEMO_SUP)
    lon, lat, owner = elsewhere(op)
    c = op.report(source="public", lon=lon, lat=lat)
    c = ok(op.act(c, "accept"))
    c = ok(op.act(c, "send_verify"))
    assert c["assignee"] == owner
    sent = c["events"][-1]
    assert sent["data"] == {"assignee": owner, "assigned_by": "grid"}

    r = demo_sup.act(c, "verified", note="路过看到了")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert owner in r.json()["error"]["message"]
    assert demo_sup.act(c, "take_over").status_code == 400  # a take-over needs a reason
    assert login("demo-operator").act(c, "take_over", note="x").status_code == 403

    c = ok(demo_sup.act(c, "take_over", note="责任监督员病假，就近接管"))
    assert c["state"] == "verifying" and c["assignee"] == DEMO_SUP
    took = c["events"][-1]
    assert took["action"] == "take_over" and took["user"] == DEMO_SUP
    assert took["data"] == {"from": owner, "assignee": DEMO_SUP}
    assert took["note"] == "责任监督员病假，就近接管"
    assert demo_sup.act(c, "take_over", note="again").status_code == 422  # already his

    r = login(owner).act(c, "verified")  # the original addressee no longer holds it
    assert r.status_code == 403
    c = ok(demo_sup.act(c, "verified", note="现场属实"))
    assert c["state"] == "accepted" and c["assignee"] is None
    assert c["events"][-1]["user"] == DEMO_SUP


def test_the_centre_may_address_a_check_to_another_supervisor(login):
    op, lead, disp, dept = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-dept")
    )
    lon, lat, owner = elsewhere(op)
    c = login(owner).report(lon=lon, lat=lat)  # the supervisor's own report: no verify
    assert op.act(c, "accept", assignee=DEMO_SUP).status_code == 400  # not a task
    c = ok(op.act(c, "accept"))
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id="sanitation"))
    c = ok(dept.act(c, "complete", note="已清理"))
    bad = op.act(c, "send_check", assignee="demo-dept")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_supervisor"
    c = ok(op.act(c, "send_check", assignee=DEMO_SUP))
    assert c["assignee"] == DEMO_SUP
    assert c["events"][-1]["data"] == {"assignee": DEMO_SUP, "assigned_by": "centre"}
    assert login(owner).act(c, "check_pass").status_code == 403
    c = ok(login(DEMO_SUP).act(c, "check_pass"))
    assert c["state"] == "checked" and c["assignee"] is None


def closed_public_case(login) -> dict:
    op, lead, disp, dept, sup = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-dept", DEMO_SUP)
    )
    c = op.report(source="public", lon=DEMO_SUPERVISOR_AT[0], lat=DEMO_SUPERVISOR_AT[1])
    c = ok(op.act(c, "accept"))
    c = ok(op.act(c, "send_verify"))
    assert c["assignee"] == DEMO_SUP
    c = ok(sup.act(c, "verified"))
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id="sanitation"))
    c = ok(dept.act(c, "complete"))
    c = ok(op.act(c, "send_check"))
    c = ok(sup.act(c, "check_pass"))
    return ok(lead.act(c, "close"))


def test_callback_records_satisfaction_and_the_kpis_count_it(login):
    op, sup = login("demo-operator"), login(DEMO_SUP)
    c = closed_public_case(login)
    assert c["satisfaction"] is None and c["callback_attempts"] == 0
    assert op.act(c, "callback").status_code == 400  # the answer is required
    assert op.act(c, "callback", satisfaction="happy").status_code == 400
    assert sup.act(c, "callback", satisfaction="satisfied").status_code == 403

    c = ok(op.act(c, "callback", satisfaction="unreached", note="无人接听"))
    assert c["state"] == "closed" and c["satisfaction"] == "unreached"
    c = ok(op.act(c, "callback", satisfaction="unsatisfied", note="清理不彻底"))
    assert c["satisfaction"] == "unsatisfied" and c["callback_attempts"] == 2
    ev = c["events"][-1]
    assert ev["action"] == "callback" and ev["data"] == {
        "satisfaction": "unsatisfied",
        "attempt": 2,
    }
    assert op.act(c, "callback", satisfaction="satisfied").status_code == 422  # answered

    good = ok(op.act(closed_public_case(login), "callback", satisfaction="basically_satisfied"))
    street = c["street_code"]
    rows = {r["key"]: r for r in ok(op.get("/api/v1/kpis?by=street"))["rows"]}
    sat = rows[street]["indicators"]["satisfaction_rate"]
    assert sat["denominator"] >= 2 and sat["numerator"] >= 1
    assert sat["value"] == round(sat["numerator"] / sat["denominator"], 4)
    dept = {r["key"]: r for r in ok(op.get("/api/v1/kpis?by=department"))["rows"]}["sanitation"]
    assert dept["indicators"]["satisfaction_rate"]["denominator"] >= 2
    listed = ok(op.get("/api/v1/kpis/satisfaction", params={"by": "street", "key": street}))
    assert c["id"] in listed["cases"]["unsatisfied"]
    assert good["id"] in listed["cases"]["basically_satisfied"]
    happy = listed["cases"]["satisfied"] + listed["cases"]["basically_satisfied"]
    assert len(happy) == sat["numerator"]
    drill = {"by": "street", "key": street, "indicator": "satisfaction_rate"}
    num = ok(op.get("/api/v1/kpis/cases", params={**drill, "part": "numerator"}))["case_ids"]
    assert sorted(happy) == num
    assert op.get("/api/v1/kpis/satisfaction", params={"by": "user", "key": "x"}).status_code == 400


def test_callback_only_for_public_reports_and_three_attempts(login):
    op, lead, disp, dept, sup = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-dept", DEMO_SUP)
    )
    c = sup.report()
    for action, who, extra in (
        ("accept", op, {}),
        ("register", lead, {}),
        ("dispatch", disp, {"department_id": "sanitation"}),
        ("complete", dept, {}),
        ("send_check", op, {}),
        ("check_pass", sup, {}),
        ("close", lead, {}),
    ):
        c = ok(who.act(c, action, **extra))
    assert op.act(c, "callback", satisfaction="satisfied").status_code == 422  # no caller

    c = closed_public_case(login)
    for _ in range(3):
        c = ok(op.act(c, "callback", satisfaction="unreached"))
    assert c["callback_attempts"] == 3
    assert op.act(c, "callback", satisfaction="satisfied").status_code == 422  # given up


def test_hotline_is_12345(login):
    ref = ok(login("demo-wall").get("/api/v1/reference"))
    names = {u["id"]: u["name"] for u in ref["users"]}
    assert "12345" in names["sim-citizen-hotline"] and "12319" not in names["sim-citizen-hotline"]
