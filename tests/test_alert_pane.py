"""The alerts pane with floods and levelled alerts: a group is one row that expands to its
members, sounds once, and counts once; a case alert shows its level and the path it climbed;
old shift logs' per-colour kinds still read; the digest dialog shows the backend's numbers.
The last test runs it all against the real backend over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import TEST_START, Api, start_backend

from console.state import CityState
from widgets.panels.alerts import ALERT_COLUMNS, AlertPane

T0 = TEST_START.timestamp()
AT = TEST_START.isoformat()


def now() -> float:
    return T0 + 20 * 60


def alert(i: int, **kw) -> dict:
    a = {
        "id": f"A{i:08d}",
        "kind": "vehicle_offline",
        "severity": "warning",
        "subject_type": "vehicle",
        "subject_id": f"V{i:03d}",
        "state": "raised",
        "raised_at": AT,
        "acked_at": None,
        "acked_by": None,
        "ack_comment": "",
        "resolved_at": None,
        "resolved_by": None,
        "escalated": False,
        "escalated_at": None,
        "detail": {},
        "level": None,
        "level_at": AT,
        "group_id": None,
        "history": [],
    }
    return {**a, **kw}


def group(gid: int, n: int, unacked: int | None = None, **kw) -> dict:
    return alert(
        gid,
        subject_type="group",
        subject_id=f"A{gid:08d}",
        detail={"count": n, "open": n, "unacknowledged": n if unacked is None else unacked},
        **kw,
    )


def change(seq: int, a: dict) -> dict:
    return {"seq": seq, "ts": AT, "kind": "alert", "alert": a}


def climbed(i: int, levels: list[str], **kw) -> dict:
    """A late-case alert whose history climbed through ``levels``."""
    steps = [{"at": AT, "step": "raised", "level": levels[0], "severity": "warning"}] + [
        {"at": AT, "step": "level", "level": lv, "severity": "critical"} for lv in levels[1:]
    ]
    return alert(
        i,
        kind="case_disposal",
        subject_type="case",
        subject_id=f"2026112300{i:03d}",
        severity="critical" if len(levels) > 1 else "warning",
        level=levels[-1],
        history=steps,
        **kw,
    )


@pytest.fixture
def pane(qtbot, monkeypatch):
    state = CityState()
    state.bootstrap({"seq": 1, "cases": [], "vehicles": [], "alerts": []})
    p = AlertPane(state, now, None, sound=True)
    qtbot.addWidget(p)
    monkeypatch.setattr(p.sound, "backend", "test")  # count the plays, make no noise
    monkeypatch.setattr(p.sound, "_player", "/bin/true", raising=False)
    p.played = []
    p.sound.played.connect(p.played.append)
    return p


def rows(p: AlertPane, col: str = "kind") -> list[str]:
    c = ALERT_COLUMNS.index(col)
    return [p.model.index(r, c).data() for r in range(p.model.rowCount())]


def test_a_flood_is_one_row_that_sounds_once_and_expands_to_its_members(pane, qtmodeltester):
    state = pane.state
    # Five singles arrive one by one (five frames), then the backend folds the burst: the
    # sixth and the group arrive together, the first five re-sent with their group id.
    for i in range(5):
        pane.on_diff(state.apply([change(2 + i, alert(i))]))
    assert pane.model.rowCount() == 5 and pane.played == ["warning"]  # one burst, one sound
    gid = 100
    folded = [alert(i, group_id=f"A{gid:08d}") for i in range(6)]
    batch = [change(10 + i, a) for i, a in enumerate(folded)] + [change(20, group(gid, 6))]
    pane.on_diff(state.apply(batch))
    assert len(state.alerts) == 7  # every member kept
    assert rows(pane) == ["▸ 车辆离线"]
    assert rows(pane, "subject") == ["6 项（未确认 6）"]
    assert pane.count_label.text() == "未确认 1"
    # More members join the group: no new sound, still one row.
    more = [alert(i, group_id=f"A{gid:08d}") for i in range(6, 37)]
    pane.on_diff(
        state.apply([change(30 + i, a) for i, a in enumerate(more)] + [change(80, group(gid, 37))])
    )
    assert rows(pane, "subject") == ["37 项（未确认 37）"] and pane.played == ["warning"]

    # Double-click the group row: its members appear under it; again: folded away.
    pane.table.selectRow(0)
    pane.open_row()
    shown = rows(pane)
    assert shown[0] == "▾ 车辆离线" and len(shown) == 38
    assert all(k == "    └ 车辆离线" for k in shown[1:])
    assert {pane.model.alert_id(r) for r in range(1, 38)} == {f"A{i:08d}" for i in range(37)}
    qtmodeltester.check(pane.model, force_py=True)
    pane.table.selectRow(0)
    pane.open_row()
    assert rows(pane) == ["▸ 车辆离线"]

    # A member climbing to a louder severity sounds again (a 督办 must be heard).
    louder = {**state.alerts["A00000003"], "severity": "critical"}
    pane.on_diff(state.apply([change(90, louder)]))
    assert pane.played == ["warning", "critical"]


def test_a_late_case_shows_its_level_the_path_it_climbed_and_the_escalation(pane):
    state = pane.state
    pane.on_diff(state.apply([change(2, climbed(2, ["yellow"]))]))
    assert rows(pane, "level") == ["黄灯"] and pane.played == ["warning"]
    # Yellow → red on the same row: heard as louder, not as a new alert.
    pane.on_diff(state.apply([change(3, climbed(2, ["yellow", "red"]))]))
    assert rows(pane, "level") == ["红灯"] and pane.played == ["warning", "critical"]
    esc = (TEST_START + timedelta(minutes=30)).isoformat()
    a = climbed(1, ["yellow", "red", "supervise"], escalated=True, escalated_at=esc)
    pane.on_diff(state.apply([change(4, a)]))
    assert rows(pane, "level") == ["督办", "红灯"]  # the higher level first
    assert rows(pane, "escalation") == ["黄灯→红灯→督办 · 值班长 09:30", "黄灯→红灯"]
    assert rows(pane, "kind") == ["处置超时", "处置超时"]


def test_old_logs_per_colour_kinds_still_read(pane):
    old = alert(7, kind="case_red", severity="critical", subject_type="case", subject_id="X")
    for k in ("level", "level_at", "group_id", "history"):
        old.pop(k)
    pane.on_diff(pane.state.apply([change(2, old)]))
    assert rows(pane) == ["案件超时"] and rows(pane, "level") == [""]
    assert rows(pane, "escalation") == [""]


def test_the_digest_dialog_shows_the_numbers(qtbot):
    from widgets.panels.alert_digest import AlertDigestDialog

    dlg = AlertDigestDialog(None, None)
    qtbot.addWidget(dlg)
    d = {
        "date": "2026-11-23",
        "raised": 52,
        "by_kind": {
            "vehicle_offline": {
                "raised": 37,
                "acknowledged": 37,
                "resolved": 30,
                "escalated": 0,
                "by_severity": {"warning": 37},
                "by_level": {},
            },
            "case_disposal": {
                "raised": 15,
                "acknowledged": 20,
                "resolved": 12,
                "escalated": 2,
                "by_severity": {"warning": 9, "critical": 6},
                "by_level": {"yellow": 15, "red": 6, "supervise": 2},
            },
        },
        "by_severity": {"warning": 46, "critical": 6},
        "by_level": {"yellow": 15, "red": 6, "supervise": 2},
        "per_hour": [0] * 8 + [3, 40, 4, 2, 0, 0, 2, 1] + [0] * 8,
        "ack_minutes": {"count": 57, "median": 2.5, "max": 31.0, "by_severity": {}},
        "top_subjects": [
            {"subject_type": "vehicle", "subject_id": "V003", "count": 3, "kinds": {"x": 3}}
        ],
        "escalated": 2,
        "supervised": [{"alert_id": "A1", "subject_id": "2026112300005", "at": AT}],
        "groups": {"count": 1, "grouped": 37},
    }
    dlg.show_data(d)
    assert dlg.kinds.rowCount() == 2 and dlg.kinds.item(1, 0).text() == "处置超时"
    assert dlg.kinds.item(1, dlg.kinds.columnCount() - 1).text() == "2"  # 督办
    assert "产生 52 条告警" in dlg.summary.text() and "中位 2.5 分钟" in dlg.summary.text()
    assert "督办 1 件" in dlg.summary.text() and "成组 1 组（37 条）" in dlg.summary.text()
    assert dlg.supervised.item(0, 1).text() == "09:00"


@pytest.mark.ui
def test_a_flood_over_http_is_one_row_in_the_live_console_and_one_ack(
    qtbot, tmp_path, console_factory
):
    b = start_backend(f"sqlite:///{tmp_path / 'flood.db'}")
    try:
        app = console_factory(b.url)
        gw = Api(b.url, "demo-gateway")
        qtbot.waitUntil(lambda: bool(app.state.reference), timeout=10_000)
        tilt = [x for x in app.state.reference["sensors"] if x["kind"] == "manhole_tilt"]
        r = gw.post(
            "/api/v1/telemetry",
            json={"readings": [{"sensor_id": x["id"], "t": T0, "value": 50.0} for x in tilt]},
        )
        assert r.status_code == 200, r.text
        pane = app.window.alerts
        qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=10_000)
        g = pane.current_alert() or app.state.alerts[pane.model.alert_id(0)]
        assert g["subject_type"] == "group" and g["detail"]["count"] == len(tilt)
        assert len(app.state.alerts) == len(tilt) + 1
        pane.table.selectRow(0)
        pane.open_row()
        assert pane.model.rowCount() == len(tilt) + 1
        pane.table.selectRow(0)
        assert pane.acknowledge("暴雨，已通知排水公司") is not None
        qtbot.waitUntil(
            lambda: all(a["state"] == "acknowledged" for a in app.state.alerts.values()),
            timeout=10_000,
        )
        assert pane.count_label.text() == "未确认 0"
        dlg = pane.show_digest(TEST_START.date())
        qtbot.waitUntil(lambda: dlg.data is not None, timeout=10_000)
        assert dlg.data["raised"] == len(tilt)
        assert dlg.data["by_kind"]["sensor_threshold"]["acknowledged"] == len(tilt)
    finally:
        b.stop()


def test_a_replay_digests_an_old_log_with_the_backends_numbers(pages_log, change_pages):
    """The recorded pages predate levelled alerts (no history, maybe per-colour kinds): the
    replay's digest counts each alert the log holds once, by the day it was raised."""
    from collections import Counter

    from console.replay.alert_digest import log_digest

    docs = {a["id"]: a for a in change_pages["snapshot"]["alerts"]}
    for page in change_pages["pages"]:
        docs.update({ch["alert"]["id"]: ch["alert"] for ch in page if ch["kind"] == "alert"})
    assert docs, "the fixture holds alerts"
    day = TEST_START.date()
    raised_today = Counter(
        a["kind"] for a in docs.values() if a["raised_at"].startswith("2026-11-23")
    )  # the fixture runs 09:00-09:24 CST: the same day in UTC
    d = log_digest(pages_log, day)
    assert d["raised"] == sum(raised_today.values())
    assert {k: v["raised"] for k, v in d["by_kind"].items() if v["raised"]} == dict(raised_today)
    assert sum(d["per_hour"]) == d["raised"] and d["per_hour"][9] == d["raised"]
    assert log_digest(pages_log, day - timedelta(days=1))["raised"] == 0
