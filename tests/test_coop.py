"""部门协作 over real HTTP (docs/rules/coop.md): 协办 tasks with their department, deadline and
roles; a 协办 task counts in its department's KPI and not the 主办's; a disputed return goes to
the 值班长's arbitration, whose decision re-dispatches and counts; a shift log recorded by a
live console gives the backend's KPI numbers when folded again (replay).

The backend's district clock stands still (speed 1e-6): tests step it to cross deadlines.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from conftest import TEST_START, Api, fresh_db_url, logins, start_backend, wait_until
from test_api_cases import ok, walk_to_dispatched

from console.domain.case import iso


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


def refused(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["message"] and (code is None or err["code"] == code), err
    return err


def kpi_rows(api: Api, backend, by: str = "department") -> dict[str, dict]:
    end = backend.settings.clock.now() + timedelta(seconds=1)
    window = {"by": by, "from": iso(TEST_START), "to": iso(end)}
    return {r["key"]: r for r in ok(api.get("/api/v1/kpis", params=window))["rows"]}


def cell(rows: dict, dept: str, indicator: str) -> tuple[int, int]:
    c = rows[dept]["indicators"][indicator] if dept in rows else {"numerator": 0, "denominator": 0}
    return c["numerator"], c["denominator"]


def drill(api: Api, backend, dept: str, indicator: str, part: str) -> list[str]:
    end = backend.settings.clock.now() + timedelta(seconds=1)
    q = {
        "by": "department",
        "key": dept,
        "indicator": indicator,
        "part": part,
        "from": iso(TEST_START),
        "to": iso(end),
    }
    return ok(api.get("/api/v1/kpis/cases", params=q))["case_ids"]


def test_assist_roles_and_states(login, backend):
    disp, lead, op = login("demo-dispatcher"), login("demo-lead"), login("demo-operator")
    main, municipal = login("demo-dept"), login("dept-municipal")
    c = walk_to_dispatched(login)
    refused(main.act(c, "add_assist", department_id="municipal", task="x"), 403, "forbidden")
    refused(op.act(c, "add_assist", department_id="municipal", task="x"), 403, "forbidden")
    refused(disp.act(c, "add_assist", department_id="planet", task="x"), 400)
    refused(disp.act(c, "add_assist", department_id="municipal", task="x" * 301), 400)
    refused(disp.act(c, "add_assist", department_id="municipal"), 400)  # no task
    refused(disp.act(c, "add_assist", department_id="sanitation", task="x"), 422)  # the 主办
    c = ok(disp.act(c, "add_assist", department_id="municipal", task="修复破损井盖"))
    (a,) = c["assists"]
    assert (a["department_id"], a["state"], a["task"]) == (
        "municipal",
        "dispatched",
        "修复破损井盖",
    )
    assert datetime.fromisoformat(a["deadline"]) > backend.settings.clock.now()
    refused(lead.act(c, "add_assist", department_id="municipal", task="again"), 422)
    # Only the 协办 department's users act on its task; the 主办 waits for it.
    refused(main.act(c, "assist_complete", assist=1), 403, "forbidden")
    refused(lead.act(c, "assist_complete", assist=1), 403, "forbidden")
    refused(main.act(c, "complete"), 422, "invalid_transition")
    refused(municipal.act(c, "assist_accept", assist=7), 400)
    c = ok(municipal.act(c, "assist_accept", assist=1))
    refused(municipal.act(c, "assist_accept", assist=1), 422)  # already accepted
    c = ok(municipal.act(c, "assist_complete", assist=1, note="已更换井盖"))
    assert c["assists"][0]["state"] == "done" and c["assists"][0]["on_time"] is True
    refused(municipal.act(c, "assist_complete", assist=1), 403)  # no open task of theirs
    c = ok(main.act(c, "complete"))
    assert c["state"] == "handled"
    # An assist department returns its task with a reason; the 主办 is then free to report.
    c = walk_to_dispatched(login)
    c = ok(disp.act(c, "add_assist", department_id="municipal", task="x"))
    refused(municipal.act(c, "assist_return", assist=1), 400)  # a reason is needed
    c = ok(municipal.act(c, "assist_return", assist=1, note="非本单位管养"))
    assert c["assists"][0]["state"] == "returned"
    assert ok(main.act(c, "complete"))["state"] == "handled"


def test_assist_counts_for_its_department_not_the_main_one(login, backend):
    disp, wall = login("demo-dispatcher"), login("demo-wall")
    main, light = login("demo-dept"), login("dept-streetlight")
    before = kpi_rows(wall, backend)
    # Dispatched with a 协办 at once; done in time.
    c1 = walk_to_dispatched(login, dept="sanitation")  # no 协办: never in a 协办 row
    c2 = walk_to_dispatched(login)
    c2 = ok(disp.act(c2, "add_assist", department_id="streetlight", task="路灯抢修"))
    c2 = ok(light.act(c2, "assist_complete", assist=1))
    # A second 协办 done after its deadline.
    c3 = walk_to_dispatched(login)
    c3 = ok(disp.act(c3, "add_assist", department_id="streetlight", task="路灯杆扶正"))
    deadline = datetime.fromisoformat(c3["assists"][0]["deadline"])
    backend.settings.clock.advance((deadline - backend.settings.clock.now()).total_seconds() + 60)
    c3 = ok(light.act(ok(light.get(f"/api/v1/cases/{c3['id']}")), "assist_complete", assist=1))
    assert c3["assists"][0]["on_time"] is False
    after = kpi_rows(wall, backend)
    n0, d0 = cell(before, "streetlight", "assist_on_time_rate")
    assert cell(after, "streetlight", "assist_on_time_rate") == (n0 + 1, d0 + 2)
    # The 主办's row counts no 协办 task of its own.
    assert cell(after, "sanitation", "assist_on_time_rate") == (0, 0)
    num = drill(wall, backend, "streetlight", "assist_on_time_rate", "numerator")
    den = drill(wall, backend, "streetlight", "assist_on_time_rate", "denominator")
    assert c2["id"] in num and c3["id"] not in num and {c2["id"], c3["id"]} <= set(den)
    assert c1["id"] not in den
    ok(main.act(c2, "complete"))


def test_disputed_return_goes_to_arbitration(login, backend):
    disp, lead, wall = login("demo-dispatcher"), login("demo-lead"), login("demo-wall")
    main = login("demo-dept")
    before = cell(kpi_rows(wall, backend), "sanitation", "dispute_lost_count")
    c = walk_to_dispatched(login)
    c = ok(disp.act(c, "add_assist", department_id="municipal", task="x"))
    c = ok(main.act(c, "return", dispute=True, note="该路段由市政中心管养"))
    assert c["state"] == "returned" and c["dispute"]["state"] == "pending"
    assert c["dispute"]["reason"] == "claimed" and c["assists"][0]["state"] == "cancelled"
    refused(disp.act(c, "redispatch", department_id="municipal"), 422, "invalid_transition")
    refused(disp.act(c, "send_back", note="x"), 422, "invalid_transition")
    refused(disp.act(c, "arbitrate", department_id="municipal", note="x"), 403, "forbidden")
    refused(lead.act(c, "arbitrate", department_id="municipal"), 400)  # a reason is needed
    refused(lead.act(c, "arbitrate", department_id="planet", note="x"), 400)
    c = ok(
        lead.act(
            c,
            "arbitrate",
            department_id="sanitation",
            assists=[{"department_id": "municipal", "task": "配合清理井周垃圾"}],
            note="暴露垃圾属环卫保洁范围，市政协办",
        )
    )
    assert (c["state"], c["department_id"]) == ("dispatched", "sanitation")
    d = c["dispute"]
    assert (d["state"], d["lead_department"], d["lost"]) == (
        "decided",
        "sanitation",
        ["sanitation"],
    )
    assert d["decided_by"] == "demo-lead" and d["assist_departments"] == ["municipal"]
    assert c["events"][-1]["action"] == "arbitrate" and c["events"][-1]["role"] == "shift_lead"
    assert c["assists"][-1]["state"] == "dispatched"
    refused(main.act(c, "return", note="仍非本单位"), 422, "invalid_transition")  # it binds
    rows = kpi_rows(wall, backend)
    assert cell(rows, "sanitation", "dispute_lost_count") == (before[0] + 1, 0)
    assert c["id"] in drill(wall, backend, "sanitation", "dispute_lost_count", "numerator")
    # A plain return is a re-dispatch; the second in a row goes to arbitration.
    c = walk_to_dispatched(login)
    c = ok(main.act(c, "return", note="非本单位"))
    assert c["dispute"] is None
    c = ok(disp.act(c, "redispatch", department_id="municipal"))
    c = ok(login("dept-municipal").act(c, "return", note="也非本单位"))
    assert c["dispute"]["reason"] == "repeated"
    assert c["dispute"]["parties"] == ["municipal", "sanitation"]
    c = ok(lead.act(c, "arbitrate", department_id="landscape", note="绿地内，园林管养"))
    assert c["dispute"]["lost"] == [] and c["department_id"] == "landscape"


# ---- live = replay --------------------------------------------------------------------------


def test_replayed_kpis_equal_live(tmp_path):
    """A console records the feed while 协办 and 争议 happen; the shift log folded again gives
    the backend's department rows, indicator by indicator."""
    from console.replay.fold import LiveFold, fold_log
    from console.replay.kpis import state_kpis
    from console.session import Session
    from console.store.shiftlog import ShiftLog

    b = start_backend(fresh_db_url("sqlite", tmp_path), speed=1e-6)
    path = tmp_path / "shift.zhcg"
    fold = LiveFold(checkpoint_every=1500)
    session = Session(b.url, "demo-console", "demo", path, on_batch=fold.on_batch, wait_s=1)
    fold.attach(session.shiftlog)
    session.start()
    try:
        login = logins(b.url)
        disp, lead, main = login("demo-dispatcher"), login("demo-lead"), login("demo-dept")
        light = login("dept-streetlight")
        for i in range(3):
            c = walk_to_dispatched(login)
            c = ok(disp.act(c, "add_assist", department_id="streetlight", task=f"任务{i}"))
            if i == 2:
                b.settings.clock.advance(3 * 86400)
            c = ok(light.act(c, "assist_complete", assist=1))
            ok(main.act(c, "complete"))
        c = ok(main.act(walk_to_dispatched(login), "return", dispute=True, note="非本单位"))
        ok(lead.act(c, "arbitrate", department_id="sanitation", note="裁定"))
        end = b.settings.clock.now() + timedelta(seconds=1)
        window = {"by": "department", "from": iso(TEST_START), "to": iso(end)}
        live = ok(login("demo-wall").get("/api/v1/kpis", params=window))["rows"]
        listed = ok(login("demo-wall").get("/api/v1/cases"))["cases"]
        versions = {d["id"]: d["version"] for d in listed}
        assert len(versions) == 4
        wait_until(lambda: _recorded(fold, versions), 20)
    finally:
        time.sleep(0.5)
        session.stop()
        session.live.join(30)
        fold.close()
        b.stop()
    log_ = ShiftLog(path, user="demo-console", readonly=True)
    try:
        state = fold_log(log_, use_checkpoints=False)
    finally:
        log_.close()
    got = {r["key"]: r for r in state_kpis(state, TEST_START, end, "department")}
    want = {r["key"]: r for r in live}
    assert set(got) == set(want)
    for k, row in want.items():
        assert got[k] == row, k
    assert got["streetlight"]["indicators"]["assist_on_time_rate"]["denominator"] == 3
    assert got["streetlight"]["indicators"]["assist_on_time_rate"]["numerator"] == 2
    assert got["sanitation"]["indicators"]["dispute_lost_count"]["numerator"] == 1


def _recorded(fold, versions: dict[str, int]) -> bool:
    """The live console has folded every case at the version the backend last answered."""
    with fold.lock:
        cases = fold.state.cases
        return all(cid in cases and cases[cid]["version"] == v for cid, v in versions.items())


def test_simulator_drives_assists_and_disputes(tmp_path):
    """The simulated centre names 协办 at dispatch, their departments do the tasks, returns
    claimed as 权属争议 reach the 值班长, who arbitrates; nothing is refused as a wrong role or
    a wrong state (the 主办 waits for its 协办 instead of meeting a 422). The shares are raised
    so that two district hours show each path (~2 min on a loaded 2-core machine)."""
    from console.sim.coop import CoopPace, CoopSim
    from console.sim.district import DistrictSimulator, SimConfig

    b = start_backend(fresh_db_url("sqlite", tmp_path), speed=60.0)
    try:
        config = SimConfig(seed=5, cases_per_hour=60)
        sim = DistrictSimulator(b.url, b.settings.clock, config)
        pace = CoopPace(assist_share=1.0, dispute_return_share=0.3, accept_minutes=(1.0, 5.0))
        sim.coop = CoopSim(config.seed, pace)
        sim.run(hours=2.0)
        out = sim.summary()
        cases = ok(Api(b.url, "demo-wall").get("/api/v1/cases", params={"page_size": 500}))
    finally:
        b.stop()
    sent = out["actions_sent"]
    assert sent.get("dispatch", 0) >= 5 and sent.get("assist_accept", 0) >= 3, out
    assert sent.get("arbitrate", 0) >= 1 and sent.get("assist_complete", 0) >= 1, out
    assert not {"403", "422", "500"} & set(out["http_errors"]), out
    docs = cases["cases"]
    assert any(d.get("assists") for d in docs)
    decided = [d for d in docs if (d.get("dispute") or {}).get("state") == "decided"]
    assert decided and all(d["dispute"]["decided_by"] == "sim-centre" for d in decided)
