"""The console's side of supervisors and the public: the detail pane names who holds a
核实/核查 task (or who is responsible for the grid) and shows the 回访; the 回访 dialog records
the caller's answer; the desk offers 回访 only while a closed public report waits for one.

Against a real backend: the cases are walked over HTTP and the console's state is bootstrapped
from the backend's own snapshot and reference. ``PEOPLE_PNG_DIR`` saves the grabs to look at.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from test_api_cases import ok

from console.domain.queues import NO_QUEUE, QUEUE_CODE, QUEUE_KEYS
from console.domain.workflow import Actor
from console.server.seed import DEMO_SUPERVISOR_AT
from console.state import CityState

DEMO_SUP = "demo-supervisor"


def grab(widget, name: str) -> None:
    folder = os.environ.get("PEOPLE_PNG_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def walk(login) -> tuple[dict, dict]:
    """A public report waiting for its 核实 and one closed and called back once (unreached)."""
    op, lead, disp, dept, sup = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-dept", DEMO_SUP)
    )
    lon, lat = DEMO_SUPERVISOR_AT
    verifying = op.report(source="public", lon=lon, lat=lat, address="湖滨路 东坡路口")
    verifying = ok(op.act(ok(op.act(verifying, "accept")), "send_verify"))
    c = op.report(
        source="public",
        lon=lon,
        lat=lat,
        description="人行道上堆放垃圾",
        note="12345 来电 13800000000",
    )
    for action, who, extra in (
        ("accept", op, {}),
        ("send_verify", op, {}),
        ("verified", sup, {}),
        ("register", lead, {}),
        ("dispatch", disp, {"department_id": "sanitation"}),
        ("complete", dept, {}),
        ("send_check", op, {}),
        ("check_pass", sup, {}),
        ("close", lead, {}),
        ("callback", op, {"satisfaction": "unreached", "note": "无人接听"}),
    ):
        c = ok(who.act(c, action, **extra))
    return verifying, c


def console_state(api) -> CityState:
    state = CityState()
    state.bootstrap(ok(api.get("/api/v1/snapshot")), ok(api.get("/api/v1/reference")))
    return state


def test_detail_and_callback_dialog(ui, qtbot, login):
    from widgets.common.workers import Workers
    from widgets.dialogs.case_actions import CallbackDialog, CaseActions
    from widgets.panels.case_detail import CaseDetail
    from widgets.panels.case_table import CaseTableModel
    from widgets.panels.queues import QueuePanel

    verifying, called = walk(login)
    api = login("demo-console")
    state = console_state(api)
    now = datetime.fromisoformat(state.cases[called["id"]]["updated_at"]).timestamp()
    workers = Workers()
    detail = CaseDetail(state, [], lambda: now, None, workers)
    qtbot.addWidget(detail)
    try:
        detail.resize(560, 900)
        detail.show()
        detail.show_case(verifying["id"])
        assert detail.fields["supervisor"].text() == "监督员 王强 办理中"
        assert detail.fields["callback"].text() == "结案后回访"
        detail.show_case(called["id"])
        f = {k: lab.text() for k, lab in detail.fields.items()}
        assert f["supervisor"] == "监督员 王强（网格责任监督员）"
        assert f["callback"] == "未接通 · 第 1 次"
        last = detail.history.topLevelItem(detail.history.topLevelItemCount() - 1)
        assert (last.text(1), last.text(3)) == ("回访", "未接通 · 无人接听")
        grab(detail, "people_detail.png")
    finally:
        workers.shutdown()

    # Closed and waiting for its 回访: in 待回访 until a reached answer; the tab counts it.
    queue = state.case_arrays()["queue"]
    assert queue[state.case_row(called["id"])] == QUEUE_CODE["callback"]
    assert queue[state.case_row(verifying["id"])] == QUEUE_CODE["verify"]
    model = CaseTableModel(state, lambda: now)
    panel = QueuePanel(model, [])
    qtbot.addWidget(panel)
    panel.resize(1400, 300)
    panel.tabs.setCurrentIndex(QUEUE_KEYS.index("callback"))
    assert panel.tabs.tabText(QUEUE_KEYS.index("callback")) == "待回访 1"
    assert model.case_id(0) == called["id"] and model.rowCount() == 1
    grab(panel, "people_queue.png")

    actor = Actor("demo-console", frozenset({"operator", "dispatcher", "shift_lead"}))
    desk = CaseActions(SimpleNamespace(actor=actor), state, detail, lambda: now)
    assert "callback" in desk.available(state.cases[called["id"]])
    assert "callback" not in desk.available(state.cases[verifying["id"]])
    answered = ok(login("demo-operator").act(called, "callback", satisfaction="satisfied"))
    assert "callback" not in desk.available(answered)
    state.bootstrap(ok(api.get("/api/v1/snapshot")))
    assert state.case_arrays()["queue"][state.case_row(called["id"])] == NO_QUEUE

    dlg = CallbackDialog("callback", called, state, None)
    qtbot.addWidget(dlg)
    dlg.show()
    texts = [lab.text() for lab in dlg.findChildren(type(detail.title))]
    assert any("第 2 次回访" in t for t in texts)
    assert "12345 来电 13800000000 · 人行道上堆放垃圾" in texts
    assert dlg.params() == {"satisfaction": "satisfied", "note": ""}
    dlg.answers.button(2).setChecked(True)
    dlg.note.setPlainText("仍有异味")
    assert dlg.params() == {"satisfaction": "unsatisfied", "note": "仍有异味"}
    grab(dlg, "people_callback.png")


def test_new_hotline_case_dialog_says_12345(ui, qtbot, login):
    from widgets.dialogs.new_case import NewCaseDialog

    dlg = NewCaseDialog(ok(login("demo-wall").get("/api/v1/reference")))
    qtbot.addWidget(dlg)
    assert "12345" in dlg.windowTitle() and "12319" not in dlg.windowTitle()
    dlg.category.setCurrentIndex(0)
    dlg.set_location(*DEMO_SUPERVISOR_AT)
    dlg.caller.setText("13800000000")
    assert dlg.body()["note"] == "12345 来电 13800000000"


def test_task_dialog_defaults_to_the_grids_supervisor(ui, qtbot, login):
    from widgets.dialogs.case_actions import TaskDialog, needs_dialog

    api = login("demo-operator")
    state = console_state(api)
    c = api.report(source="public", lon=DEMO_SUPERVISOR_AT[0], lat=DEMO_SUPERVISOR_AT[1])
    assert needs_dialog("send_verify") and needs_dialog("send_check")
    dlg = TaskDialog("send_verify", c, state, None)
    qtbot.addWidget(dlg)
    assert dlg.responsible == DEMO_SUP
    assert dlg.supervisor.currentData() == DEMO_SUP
    assert dlg.supervisor.currentText() == "监督员 王强（网格责任）"
    assert dlg.params() == {"note": ""}  # the backend addresses the default itself
    # Then the street's other supervisors, then the rest of the district's.
    ids = [dlg.supervisor.itemData(i) for i in range(dlg.supervisor.count())]
    street = c["grid_code"][:9]
    roster = {a["area"]: a["supervisor"] for a in state.reference["supervisor_areas"]}
    same_street = {u for area, u in roster.items() if area.startswith(street)}
    n = len(same_street)
    assert set(ids[:n]) == same_street and len(ids) == len(roster)
    dlg.supervisor.setCurrentIndex(1)
    dlg.note.setPlainText("王强请假")
    assert dlg.params() == {"note": "王强请假", "assignee": ids[1]}
    grab(dlg, "people_task.png")
