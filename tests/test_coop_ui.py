"""部门协作 in the console: the case detail's 主办/协办 rows and the 值班长's decision, the
待裁定 queue, and the dialogs' parameters, over a real backend's snapshot.

``COOP_PNG_DIR=docs pytest tests/test_coop_ui.py`` also saves docs/coop_detail_zh.png."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from test_api_cases import ok, walk_to_dispatched

from console.domain.queues import QUEUE_CODE, QUEUE_KEYS
from console.state import CityState


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


def grab(widget, name: str) -> None:
    folder = os.environ.get("COOP_PNG_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def cases(login) -> tuple[dict, dict]:
    """One case arbitrated (主办 kept, a 协办 done, another 协办 open), one waiting for it."""
    disp, lead, main = login("demo-dispatcher"), login("demo-lead"), login("demo-dept")
    c = walk_to_dispatched(login)
    c = ok(main.act(c, "return", dispute=True, note="该处为绿地内道路，不属环卫保洁范围"))
    c = ok(
        lead.act(
            c,
            "arbitrate",
            department_id="sanitation",
            assists=[{"department_id": "landscape", "task": "清理绿地内枯枝"}],
            note="道路保洁清单含该路段，环卫主办，园林协办",
        )
    )
    c = ok(login("dept-landscape").act(c, "assist_complete", assist=1, note="已清理"))
    c = ok(disp.act(c, "add_assist", department_id="municipal", task="修复路面破损井盖"))
    waiting = ok(main.act(walk_to_dispatched(login), "return", dispute=True, note="非本单位"))
    return c, waiting


def test_detail_queue_and_dialogs(ui, qtbot, login):
    from widgets.common.workers import Workers
    from widgets.dialogs.coop_dialogs import ArbitrateDialog, AssistDialog, AssistTaskDialog
    from widgets.panels.case_detail import CaseDetail

    decided, waiting = cases(login)
    state = CityState()
    api = login("demo-console")
    state.bootstrap(ok(api.get("/api/v1/snapshot")), ok(api.get("/api/v1/reference")))
    now = datetime.fromisoformat(state.cases[decided["id"]]["updated_at"]).timestamp()
    workers = Workers()
    detail = CaseDetail(state, [], lambda: now, None, workers)
    qtbot.addWidget(detail)
    try:
        detail.resize(640, 1240)
        detail.show()
        detail.show_case(decided["id"])
        view = detail.coop
        assert view.isVisible()
        rows = [
            [view.table.topLevelItem(i).text(c) for c in range(4)]
            for i in range(view.table.topLevelItemCount())
        ]
        assert rows[0][:2] == ["主办", "区城管局环境卫生管理处"]
        assert rows[1] == ["协办", "区园林绿化管理中心", "清理绿地内枯枝", "完成"]
        assert rows[2][0] == "协办" and rows[2][3] == "派发"
        text = view.dispute.text()
        assert "权属争议" in text and "主办 区城管局环境卫生管理处" in text
        assert "道路保洁清单含该路段" in text and "值班长 张伟" in text
        history = [
            detail.history.topLevelItem(i).text(1)
            for i in range(detail.history.topLevelItemCount())
        ]
        assert "争议裁定" in history and "协办完成" in history
        grab(detail, "coop_detail_zh.png")
        detail.show_case(waiting["id"])
        assert "待值班长裁定" in detail.coop.dispute.text()
        detail.show_case(walk_to_dispatched(login)["id"])  # not in this state: no rows
        assert not detail.coop.isVisible()
    finally:
        workers.shutdown()
    queue = state.case_arrays()["queue"]
    assert queue[state.case_row(waiting["id"])] == QUEUE_CODE["arbitrate"]
    assert queue[state.case_row(decided["id"])] == QUEUE_CODE["dispose"]
    assert QUEUE_KEYS.index("arbitrate") == QUEUE_KEYS.index("dispatch") + 1

    dlg = ArbitrateDialog("arbitrate", state.cases[waiting["id"]], state, None)
    qtbot.addWidget(dlg)
    dlg._ok()
    assert not dlg.result()  # no reason yet: refused in the dialog
    dlg.helper.setCurrentIndex(dlg.helper.findData("municipal"))
    dlg.note.setPlainText("管养清单")
    dlg._ok()
    assert not dlg.result()  # a 协办 needs its task
    dlg.task.setText("配合")
    dlg._ok()
    grab(dlg, "coop_arbitrate_zh.png")
    assert dlg.result() and dlg.params() == {
        "department_id": "sanitation",
        "note": "管养清单",
        "assists": [{"department_id": "municipal", "task": "配合"}],
    }
    add = AssistDialog("add_assist", state.cases[decided["id"]], state, None)
    qtbot.addWidget(add)
    offered = {add.department.itemData(i) for i in range(add.department.count())}
    assert "sanitation" not in offered and "municipal" not in offered  # 主办, open 协办
    assert "landscape" in offered  # its task is done: it may assist again
    # 协办完成 offers the open tasks only (the landscape one is done).
    done = AssistTaskDialog("assist_complete", state.cases[decided["id"]], state, None)
    qtbot.addWidget(done)
    assert done.task.count() == 1 and "修复路面破损井盖" in done.task.itemText(0)
    done.note.setPlainText("已修复")
    assert done.params() == {"assist": 2, "note": "已修复"}


def test_a_assist_departments_steps_are_offered_only_on_its_own_task(ui, qtbot, login):
    """协办接收 while its task is 派发, then 协办完成 / 协办退回 (a return needs its reason), each
    dialog listing the user's department's tasks only; taken over the real backend."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QWidget

    from console.domain.workflow import Actor
    from widgets.dialogs.case_actions import CaseActions
    from widgets.dialogs.coop_dialogs import AssistTaskDialog

    disp, mine = login("demo-dispatcher"), login("dept-municipal")
    c = walk_to_dispatched(login)
    c = ok(disp.act(c, "add_assist", department_id="landscape", task="清理绿地内枯枝"))
    c = ok(disp.act(c, "add_assist", department_id="municipal", task="修复路面破损井盖"))
    state = CityState()
    api = login("demo-console")
    state.bootstrap(ok(api.get("/api/v1/snapshot")), ok(api.get("/api/v1/reference")))
    actor = Actor("dept-municipal", frozenset({"department"}), "municipal")  # as its session has it
    parent = QWidget()
    qtbot.addWidget(parent)
    desk = CaseActions(SimpleNamespace(actor=actor), state, parent, lambda: 2e9)

    def steps(case: dict) -> list[str]:
        return [a for a in desk.available(case) if a.startswith("assist_")]

    assert steps(state.cases[c["id"]]) == ["assist_accept", "assist_complete", "assist_return"]
    dlg = desk.dialog("assist_accept", state.cases[c["id"]])
    qtbot.addWidget(dlg)
    assert isinstance(dlg, AssistTaskDialog) and dlg.task.count() == 1  # not landscape's
    assert "修复路面破损井盖" in dlg.task.itemText(0) and dlg.params()["assist"] == 2
    c = ok(mine.act(c, "assist_accept", **dlg.params()))
    assert [a["state"] for a in c["assists"]] == ["dispatched", "accepted"]
    # Accepted: no 接收 any more; 退回 asks for its reason before it goes.
    assert steps(c) == ["assist_complete", "assist_return"]
    back = desk.dialog("assist_return", c)
    qtbot.addWidget(back)
    back._ok()
    assert not back.result()
    back.note.setPlainText("井盖属燃气公司，非本单位管养")
    back._ok()
    assert back.result() and back.params() == {"assist": 2, "note": "井盖属燃气公司，非本单位管养"}
    c = ok(mine.act(c, "assist_return", **back.params()))
    assert steps(c) == []  # nothing of ours is open
