"""Alerts operators keep on, over real HTTP: one alert per late case that climbs
yellow → red → 督办 on the same row, floods folded into a group without losing a member, and
the daily digest counting what was raised (docs/rules/alerts.md)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from conftest import TEST_START, Api, fresh_db_url, start_backend, wait_until


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def alert_changes(api: Api) -> list[dict]:
    """Every alert change on the feed, in order."""
    out, since = [], 0
    while True:
        page = ok(api.get("/api/v1/changes", params={"since": since, "limit": 1000}))
        out += [ch["alert"] for ch in page["changes"] if ch["kind"] == "alert"]
        if page["last_seq"] == since or not page["changes"]:
            return out
        since = page["last_seq"]


@pytest.fixture
def fast(tmp_path):
    """A backend where one district hour passes per real second (lights, 督办 and escalation
    follow in seconds)."""
    b = start_backend(fresh_db_url("sqlite", tmp_path), speed=3600.0, tick_seconds=0.05)
    yield b
    b.stop()


@pytest.fixture
def slow(tmp_path):
    """A backend on real time: nothing ages during the test, so floods are one burst."""
    b = start_backend(fresh_db_url("sqlite", tmp_path))
    yield b
    b.stop()


@pytest.fixture
def stepped(tmp_path):
    """A backend on real time whose district clock the test steps over each threshold: every
    level is seen whatever the machine's load (at 3600x the 24-minute yellow band lasts 0.4
    real seconds, and one busy tick could step over it)."""
    b = start_backend(fresh_db_url("sqlite", tmp_path), tick_seconds=0.05)
    yield b
    b.stop()


def test_an_overdue_case_raises_one_alert_that_climbs_to_supervise(stepped):
    clock = stepped.settings.clock
    op, lead, disp, dept, sup = (
        Api(stepped.url, u)
        for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-dept", "demo-supervisor")
    )
    # 06012 道路不洁: 2 working hours to dispose; a supervisor's own report needs no 核实.
    c = sup.report(category="06012")
    c = ok(op.act(c, "accept"))
    c = ok(lead.act(ok(op.get(f"/api/v1/cases/{c['id']}")), "register"))
    c = ok(disp.act(ok(op.get(f"/api/v1/cases/{c['id']}")), "dispatch", department_id="sanitation"))
    deadline = datetime.fromisoformat(c["deadline"])

    def step_to(t: datetime) -> None:
        clock.advance(max(0.0, (t - clock.now()).total_seconds()))

    def disposal() -> list[dict]:
        return [
            a
            for a in ok(op.get("/api/v1/alerts"))["alerts"]
            if a["subject_id"] == c["id"] and a["kind"] == "case_disposal"
        ]

    assert not disposal()  # on time: no alert
    # 10 minutes before the deadline at most 10 working minutes are left: yellow (>= 80 %).
    step_to(deadline - timedelta(minutes=10))
    first = wait_until(disposal)[0]
    assert first["level"] == "yellow"
    acked = ok(lead.post(f"/api/v1/alerts/{first['id']}/ack", json={"comment": "已电话催办"}))
    assert acked["state"] == "acknowledged" and acked["acked_by"] == "demo-lead"
    step_to(deadline + timedelta(minutes=1))
    assert (
        wait_until(lambda: [a for a in disposal() if a["level"] == "red"])[0]["id"] == first["id"]
    )

    def supervised_now() -> list[dict]:
        # 督办 at 150 % of the limit: one working hour past the deadline, which a lunch break
        # or a night may stretch; step a quarter of an hour at a time until it comes.
        found = [a for a in disposal() if a["level"] == "supervise"]
        if not found:
            clock.advance(15 * 60)
        return found

    supervised = wait_until(supervised_now, step=0.15)[0]
    assert supervised["id"] == first["id"] and supervised["severity"] == "critical"
    # 督办 is the leadership's: an operator may not acknowledge it; unacknowledged, it also
    # escalates to the shift lead after 15 minutes at that level.
    r = op.post(f"/api/v1/alerts/{first['id']}/ack", json={})
    assert r.status_code == 403 and "shift_lead" in r.text
    clock.advance(16 * 60)
    escalated = wait_until(lambda: [a for a in disposal() if a["escalated"]])[0]
    assert escalated["level"] == "supervise"
    ok(lead.post(f"/api/v1/alerts/{first['id']}/ack", json={"comment": "督办单已发"}))

    case = ok(op.get(f"/api/v1/cases/{c['id']}"))
    ok(dept.act(case, "complete", note="已清扫"))
    wait_until(lambda: ok(op.get(f"/api/v1/alerts/{first['id']}"))["state"] == "resolved")

    feed = [a for a in alert_changes(op) if a["subject_id"] == c["id"]]
    disposal_ids = {a["id"] for a in feed if a["kind"] == "case_disposal"}
    assert disposal_ids == {first["id"]}  # one alert for the whole late stage
    assert "case_yellow" not in {a["kind"] for a in feed}
    mine = [a for a in feed if a["id"] == first["id"]]
    levels = [a["level"] for a in mine]
    assert [lv for i, lv in enumerate(levels) if i == 0 or lv != levels[i - 1]] == [
        "yellow",
        "red",
        "supervise",
    ]
    assert mine[-1]["state"] == "resolved" and mine[-1]["resolved_by"] is None
    # The acknowledgement given before a level-up does not carry into the higher level: the
    # first change at the next level is unacknowledged again, the old one kept in history.
    at_ack = next(a for a in mine if a["state"] == "acknowledged")
    up = next(
        a for a in mine if a["level"] != at_ack["level"] and a["level_at"] > at_ack["acked_at"]
    )
    assert up["state"] == "raised" and up["acked_by"] is None
    steps = [h["step"] for h in mine[-1]["history"]]
    assert steps[0] == "raised" and steps[-1] == "resolved"
    assert steps.count("acknowledged") == 2 and "escalated" in steps
    assert [h["level"] for h in mine[-1]["history"] if h["step"] in ("raised", "level")] == [
        "yellow",
        "red",
        "supervise",
    ]


def test_a_centre_desk_running_late_is_a_quiet_record_that_clears(fast):
    sup, op, wall = (
        Api(fast.url, "demo-supervisor"),
        Api(fast.url, "demo-operator"),
        Api(fast.url, "demo-wall"),
    )
    c = sup.report()

    def mine():
        return [a for a in ok(wall.get("/api/v1/alerts"))["alerts"] if a["subject_id"] == c["id"]]

    desk = wait_until(mine)
    assert [(a["kind"], a["level"], a["severity"]) for a in desk] == [("case_desk", "red", "info")]
    ok(op.act(ok(op.get(f"/api/v1/cases/{c['id']}")), "accept"))
    wait_until(lambda: not mine())  # the new stage's clock is green: the alert cleared


def _tilt(gw: Api, sensors: list[dict], value: float, t: float) -> None:
    ok(
        gw.post(
            "/api/v1/telemetry",
            json={"readings": [{"sensor_id": x["id"], "t": t, "value": value} for x in sensors]},
        )
    )


def test_a_flood_folds_into_one_group_and_loses_nothing_and_the_digest_counts_it(slow):
    gw, op, wall = (
        Api(slow.url, "demo-gateway"),
        Api(slow.url, "demo-operator"),
        Api(slow.url, "demo-wall"),
    )
    sensors = [x for x in ok(wall.get("/api/v1/reference"))["sensors"]]
    tilt = [x for x in sensors if x["kind"] == "manhole_tilt"][:12]
    water = [x for x in sensors if x["kind"] == "water_level"][:3]
    t = TEST_START.timestamp()
    _tilt(gw, tilt[:3], 40.0, t)
    open_ = ok(wall.get("/api/v1/alerts"))["alerts"]
    assert len(open_) == 3 and not any(a["group_id"] for a in open_)  # below the burst: single
    _tilt(gw, tilt[3:], 40.0, t)
    _tilt(gw, water, 35.0, t)
    open_ = ok(wall.get("/api/v1/alerts"))["alerts"]
    groups = [a for a in open_ if a["subject_type"] == "group"]
    singles = [a for a in open_ if a["subject_type"] == "sensor"]
    assert len(groups) == 1 and len(singles) == 15  # every alert is still there
    g = groups[0]
    assert g["kind"] == "sensor_threshold" and g["severity"] == "critical"
    assert g["detail"]["count"] == 15 and g["detail"]["unacknowledged"] == 15
    assert {a["group_id"] for a in singles} == {g["id"]}  # the first three were adopted
    members = ok(wall.get("/api/v1/alerts", params={"group": g["id"]}))["alerts"]
    assert sorted(a["subject_id"] for a in members) == sorted(x["id"] for x in tilt + water)

    # One acknowledgement for the group acknowledges its members.
    r = op.post(f"/api/v1/alerts/{g['id']}/ack", key=uuid.uuid4().hex, json={"comment": "暴雨"})
    assert ok(r)["state"] == "acknowledged"
    members = ok(wall.get("/api/v1/alerts", params={"group": g["id"]}))["alerts"]
    assert {a["state"] for a in members} == {"acknowledged"}
    # Two covers back in place: their members resolve, the group counts down and stays.
    _tilt(gw, tilt[:2], 1.0, t + 60)
    g = ok(wall.get(f"/api/v1/alerts/{g['id']}"))
    assert g["state"] == "acknowledged" and g["detail"]["open"] == 13 and g["detail"]["count"] == 15

    d = ok(wall.get("/api/v1/alerts/digest", params={"date": "2026-11-23"}))
    assert d["raised"] == 15
    k = d["by_kind"]["sensor_threshold"]
    assert (k["raised"], k["acknowledged"], k["resolved"]) == (15, 15, 2)
    assert d["by_severity"] == {"critical": 15}
    assert d["per_hour"][9] == 15 and sum(d["per_hour"]) == 15  # TEST_START is 09:00 CST
    assert d["ack_minutes"]["count"] == 15 and d["ack_minutes"]["max"] < 60
    assert d["groups"] == {"count": 1, "grouped": 15}
    assert len(d["top_subjects"]) == 10 and {s["count"] for s in d["top_subjects"]} == {1}
    assert ok(wall.get("/api/v1/alerts/digest", params={"date": "2026-11-22"}))["raised"] == 0
    bad = wall.get("/api/v1/alerts/digest", params={"date": "23/11/2026"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
