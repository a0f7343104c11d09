"""The console's side of 行政执法: the enforcement panel lists the records the console follows
(state, the running clock, the days left, a missed clock in red), its detail shows the parties
masked to a desk and in full to the 法制审核, who takes a step through its dialog; the wall's
阳光执法 scene lists the public feed's decisions, masked.

Against a real backend. ``ENFORCEMENT_PNG_DIR`` saves the grabs (the docs' screenshots).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt
from test_api_cases import ok
from test_enforcement import DAY, PERSON, SHOP, file_case, step

from console.domain.sla import RED
from widgets.common.style import LIGHT_COLORS


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


def grab(widget, name: str) -> None:
    folder = os.environ.get("ENFORCEMENT_PNG_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / name))


#: Other parties and places of the walk (a street vendor, a shop, a builder), so that the
#: queue, the detail and the public scene show a district's variety.
VENDOR = {
    "kind": "person",
    "name": "司马娟",
    "id_number": "330104199203154420",
    "phone": "13655550123",
}
BUILDER = {"kind": "org", "name": "杭州笕桥建材商行", "id_number": "92330104MA27H5K381"}
PLACES = {
    "湖滨": {"lon": 120.17, "lat": 30.25},
    "采荷": {"lon": 120.185, "lat": 30.26},
    "凯旋": {"lon": 120.20, "lat": 30.28},
    "笕桥": {"lon": 120.21, "lat": 30.30},
    "望江": {"lon": 120.19, "lat": 30.24},
}


@pytest.fixture(scope="module")
def cases(login, backend) -> dict[str, dict]:
    """A decided and delivered general case, on-the-spot decisions, one under investigation,
    and a lead whose 立案 clock has run out."""
    off, off2, legal = (login(u) for u in ("demo-officer", "demo-officer2", "demo-legal"))
    basis = "《杭州市城市市容和环境卫生管理条例》第十五条"
    g = ok(step(legal, file_case(off), "approve_filing"))
    g = ok(step(off2, g, "add_evidence", "现场检查笔录一份，照片三张"))
    g = ok(step(off, g, "notify", penalty={"fine": 2000}, basis=basis))
    g = ok(step(off, g, "record_statement", "当事人陈述已知错，放弃听证", waive=True))
    g = ok(step(legal, g, "decide", penalty={"fine": 2000}, basis=basis))
    g = ok(step(off, g, "deliver"))
    s1 = file_case(off, procedure="simple", parties=(SHOP,), category_code="09005")
    s1 = ok(step(off, s1, "decide_on_spot", penalty={"fine": 500}, basis="第五十一条"))
    s2 = file_case(off, procedure="simple", parties=(VENDOR,), location=PLACES["采荷"])
    s2 = ok(step(off, s2, "decide_on_spot", penalty={"fine": 100}, basis="第五十一条"))
    s3 = file_case(
        off, procedure="simple", parties=(VENDOR,), category_code="09001", location=PLACES["望江"]
    )
    s3 = ok(step(off, s3, "decide_on_spot", penalty={"warning": True}, basis="第五十一条"))
    inv = file_case(off, parties=(BUILDER,), category_code="08006", location=PLACES["笕桥"])
    inv = ok(step(legal, inv, "approve_filing"))
    now = backend.settings.clock.now()
    old = datetime.fromtimestamp(now.timestamp() - 30 * DAY, now.tzinfo).isoformat()
    late = file_case(off, discovered_at=old, category_code="07003", location=PLACES["凯旋"])
    return {
        "general": g,
        "simple": s1,
        "person_simple": s2,
        "warning": s3,
        "investigating": inv,
        "late": late,
    }


def test_panel_lists_records_and_the_legal_desk_steps_a_case(
    console_factory, qtbot, cases, backend
):
    app = console_factory(backend.url, "demo-legal")
    panel = app.window.enforcement
    qtbot.waitUntil(lambda: panel.table.rowCount() >= len(cases), timeout=15000)
    rows = {panel.table.item(r, 0).text(): r for r in range(panel.table.rowCount())}
    late_row = rows[cases["late"]["id"]]
    assert panel.table.item(late_row, 5).text() == "立案"
    left = panel.table.item(late_row, 6)
    assert left.text().startswith("-") and left.foreground().color().name() == LIGHT_COLORS[RED]
    assert panel.table.item(rows[cases["general"]["id"]], 5).text() == "缴款"
    # The 法制审核 reads the parties in full (asked from the backend) ...
    gid = cases["general"]["id"]
    panel.select(gid)
    qtbot.waitUntil(lambda: gid in panel.full, timeout=10000)
    text = panel.detail.toPlainText()
    assert PERSON["name"] in text and PERSON["id_number"] in text
    assert "上城综执罚决字" in text and "现场检查笔录" in text
    assert "按期办理" in text and "当事人已放弃" in text
    if os.environ.get("ENFORCEMENT_PNG_DIR"):  # the docs' grab: the panel alone, tall
        dock = app.window.docks["enforcement"]
        panel.setParent(None)
        panel.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        panel.resize(1000, 1250)
        panel.show()
        qtbot.wait(100)
        grab(panel, "enforcement_detail_zh.png")
        dock.setWidget(panel)
    # ... and approves a filing through the step's dialog.
    from widgets.panels.enforcement import StepDialog

    late = cases["late"]
    panel.select(late["id"])
    assert panel.findChild(type(panel.buttons.itemAt(0).widget()), "step_approve_filing")
    rec = app.state.records_of("enforcement")[late["id"]]
    dlg = StepDialog("approve_filing", rec, panel)
    dlg.note.setPlainText("同意立案（逾期）")
    panel.take_step("approve_filing", dlg)
    qtbot.waitUntil(
        lambda: app.state.records_of("enforcement")[late["id"]]["state"] == "investigating",
        timeout=10000,
    )


def test_a_desk_sees_parties_masked_and_no_steps(console_factory, qtbot, cases, backend):
    app = console_factory(backend.url, "demo-console")
    panel = app.window.enforcement
    gid = cases["general"]["id"]
    qtbot.waitUntil(lambda: gid in app.state.records_of("enforcement"), timeout=15000)
    panel.select(gid)
    text = panel.detail.toPlainText()
    assert "欧阳某某" in text and "（已脱敏）" in text
    for secret in (PERSON["name"], PERSON["id_number"], PERSON["phone"]):
        assert secret not in text
    assert panel.buttons.count() == 1  # the stretch only: a desk takes no enforcement step
    assert not panel.full


def test_sunshine_scene_lists_the_public_feed_masked(qtbot, ui, cases, backend):
    from console.state import CityState
    from widgets.common.workers import Workers
    from widgets.wall.scale import WallScale
    from widgets.wall.scenes import SunshineScene
    from widgets.wall.window import WallContext

    workers = Workers()

    def fetch(path, **params):
        return requests.get(backend.url + path, params=params, timeout=10).json()

    ctx = WallContext(
        state=CityState(),
        now=lambda: backend.settings.clock.now().timestamp(),
        workers=workers,
        fetch=fetch,
        scale=WallScale(1080),
        make_map=None,
    )
    scene = SunshineScene(ctx)
    qtbot.addWidget(scene)
    scene.resize(1920, 1080)
    scene.show()
    scene.ask_now()
    number = cases["person_simple"]["decision"]["doc_number"]
    qtbot.waitUntil(lambda: number in scene.list.text(), timeout=10000)
    text = scene.list.text()
    assert SHOP["name"] in text and "欧阳某某" in text
    assert "司马某某" in text and "警告" in text
    for p in (PERSON, VENDOR):
        assert p["name"] not in text and p["id_number"] not in text and p["phone"] not in text
    assert cases["investigating"]["id"] not in text
    grab(scene, "enforcement_public_zh.png")
    workers.shutdown()
