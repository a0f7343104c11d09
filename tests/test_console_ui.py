"""The operator workstation driven like an operator would, against the real backend over
HTTP: queues, actions and their answers (409 included), alerts shared between consoles, map
layers, language, saved layouts. Qt offscreen; the backend is the one ``main.py`` runs."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from conftest import Api, start_backend
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from console.domain.queues import QUEUE_KEYS
from console.geo.crs import lonlat_to_mercator
from console.geo.grid import UnitGrid
from widgets.common.style import LIGHT_COLORS
from widgets.panels.alerts import ALERT_COLUMNS

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def ui_backend(tmp_path_factory):
    b = start_backend(f"sqlite:///{tmp_path_factory.mktemp('ui') / 'backend.db'}")
    yield b
    b.stop()


def queue_of(app, case_id: str) -> str | None:
    row = app.state.case_row(case_id)
    if row is None:
        return None
    q = int(app.state.case_arrays()["queue"][row])
    return QUEUE_KEYS[q] if q >= 0 else None


def show_tab(window, key: str) -> None:
    window.queues.tabs.setCurrentIndex(QUEUE_KEYS.index(key))


def test_dispatch_a_case_from_the_queue_and_watch_it_move_tabs(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    w = app.window
    resets = []
    w.case_model.modelAboutToBeReset.connect(lambda: resets.append(1))
    case = Api(ui_backend.url, "demo-supervisor").report(lon=120.17, lat=30.25)
    show_tab(w, "accept")
    qtbot.waitUntil(lambda: w.case_model.view_row(case["id"]) is not None, timeout=10_000)

    assert w.queues.select_case(case["id"])
    assert w.current_case == case["id"]
    assert w.case_qactions["accept"].isEnabled()
    assert not w.case_qactions["dispatch"].isVisible()  # not possible from 上报
    w.queues.table.setFocus()
    qtbot.keyClick(w.queues.table, Qt.Key_A)  # 受理 by its key
    qtbot.waitUntil(lambda: queue_of(app, case["id"]) == "register", timeout=10_000)
    # The case left the 待受理 tab without a model reset, and the tab counts follow.
    qtbot.waitUntil(lambda: w.case_model.view_row(case["id"]) is None, timeout=5_000)
    show_tab(w, "register")
    qtbot.waitUntil(lambda: w.queues.select_case(case["id"]), timeout=5_000)
    qtbot.keyClick(w.queues.table, Qt.Key_R)  # 立案
    qtbot.waitUntil(lambda: queue_of(app, case["id"]) == "dispatch", timeout=10_000)
    show_tab(w, "dispatch")
    qtbot.waitUntil(lambda: w.queues.select_case(case["id"]), timeout=5_000)
    assert w.take_action("dispatch", {"department_id": "sanitation", "note": "请尽快处置"})
    qtbot.waitUntil(lambda: queue_of(app, case["id"]) == "dispose", timeout=10_000)
    show_tab(w, "dispose")
    qtbot.waitUntil(lambda: w.case_model.view_row(case["id"]) is not None, timeout=5_000)
    assert app.state.cases[case["id"]]["department_id"] == "sanitation"
    tab = w.queues.tabs.tabText(QUEUE_KEYS.index("dispose"))
    assert tab.startswith("处置中") and int(tab.split()[-1]) >= 1
    assert resets == []
    assert w.case_model.structure_changes > 0
    # The detail shows the whole history, newest step last.
    w.select_case(case["id"])
    items = w.detail.history
    assert items.topLevelItemCount() == 4
    assert items.topLevelItem(3).text(1) == "派遣"


def test_acknowledgement_at_one_console_appears_at_another(qtbot, ui_backend, console_factory):
    a = console_factory(ui_backend.url, "demo-console", "a")
    b = console_factory(ui_backend.url, "demo-lead", "b")
    gw = Api(ui_backend.url, "demo-gateway")
    qtbot.waitUntil(lambda: bool(a.state.reference), timeout=10_000)
    sensor = next(s for s in a.state.reference["sensors"] if s["kind"] == "manhole_tilt")
    t = datetime.fromisoformat(gw.get("/api/v1/clock").json()["server_time"]).timestamp()
    r = gw.post(
        "/api/v1/telemetry",
        json={"readings": [{"sensor_id": sensor["id"], "t": t, "value": 60.0}]},
    )
    assert r.status_code == 200, r.text

    def open_alert(app):
        return next((x for x in app.state.alerts.values() if x["subject_id"] == sensor["id"]), None)

    qtbot.waitUntil(lambda: bool(open_alert(a) and open_alert(b)), timeout=10_000)
    alert = open_alert(a)
    assert alert["state"] == "raised" and alert["severity"] == "critical"
    pane = a.window.alerts
    row = next(r for r in range(pane.model.rowCount()) if pane.model.alert_id(r) == alert["id"])
    pane.table.selectRow(row)
    assert pane.acknowledge("已通知排水公司") is not None
    qtbot.waitUntil(lambda: open_alert(b)["state"] == "acknowledged", timeout=10_000)
    seen = open_alert(b)
    assert seen["ack_comment"] == "已通知排水公司"
    assert seen["acked_by"] == "demo-console"
    # Console b shows it as acknowledged in its pane, and its open count dropped.
    pane_b = b.window.alerts
    row_b = next(
        r for r in range(pane_b.model.rowCount()) if pane_b.model.alert_id(r) == alert["id"]
    )
    state_col = pane_b.model.index(row_b, ALERT_COLUMNS.index("state")).data()
    assert state_col.startswith("已确认")


def test_a_409_is_shown_with_what_changed_and_retried_on_the_current_version(
    qtbot, ui_backend, console_factory
):
    app = console_factory(ui_backend.url)
    w = app.window
    sup, disp, dept = (
        Api(ui_backend.url, "demo-supervisor"),
        Api(ui_backend.url, "demo-dispatcher"),
        Api(ui_backend.url, "demo-dept"),
    )
    lead = Api(ui_backend.url, "demo-lead")
    case = sup.report(lon=120.18, lat=30.26)
    case = lead.act(case, "accept").json()
    case = lead.act(case, "register").json()
    case = disp.act(case, "dispatch", department_id="sanitation").json()
    qtbot.waitUntil(lambda: app.state.cases.get(case["id"], {}).get("version") == case["version"])
    stale = dict(app.state.cases[case["id"]])
    # Meanwhile the department asks for more time and the dispatcher says no: same state,
    # two versions on.
    now = dept.act(case, "request_extension", hours=4, note="需要协调交警").json()
    now = disp.act(now, "deny_extension").json()
    qtbot.waitUntil(lambda: app.state.cases[case["id"]]["version"] == now["version"])

    dialogs = []
    w.case_actions.conflict_shown.connect(dialogs.append)
    w.current_case = case["id"]
    key = w.case_actions.run(
        case["id"], "park", {"note": "等待管网改造", "due_date": "2027-03-31"}, stale
    )
    assert key is not None
    qtbot.waitUntil(lambda: bool(dialogs), timeout=10_000)
    dlg = dialogs[0]
    assert dlg.current["version"] == now["version"]
    assert dlg.can_retry and dlg.retry_button.isEnabled()
    said = dlg.text.toPlainText()
    assert f"第 {stale['version']} 版" in said and f"第 {now['version']} 版" in said
    assert "驳回延期" in said  # what happened meanwhile, step by step
    dlg.retry_button.click()
    qtbot.waitUntil(lambda: queue_of(app, case["id"]) == "parked", timeout=10_000)
    events = app.state.cases[case["id"]]["events"]
    assert [e["action"] for e in events][-1] == "park"
    assert sum(e["action"] == "park" for e in events) == 1  # applied once


def test_a_refusal_is_said_and_nothing_changes(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    case = Api(ui_backend.url, "demo-supervisor").report(lon=120.19, lat=30.27)
    qtbot.waitUntil(lambda: case["id"] in app.state.cases, timeout=10_000)
    notices = []
    app.window.case_actions.notice.connect(lambda text, level: notices.append((text, level)))
    # Closing a case that was only reported: the domain says no before anything is sent.
    assert app.window.case_actions.run(case["id"], "close", {}) is None
    assert notices and notices[-1][1] == "warning"
    assert app.session.outbox.pending() == 0


def _color_pixels(image, color: str, tol: int = 12) -> int:
    from PySide6.QtGui import QImage

    img = image.toImage().convertToFormat(QImage.Format_RGB32)
    ptr = img.constBits()
    a = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes()).reshape(
        img.height(), img.bytesPerLine() // 4, 4
    )[:, : img.width(), :3]
    c = QColor(color)
    target = np.array([c.blue(), c.green(), c.red()])  # BGRA in memory
    return int(np.count_nonzero(np.all(np.abs(a.astype(int) - target) <= tol, axis=2)))


def test_layer_toggles_show_and_hide_what_they_draw(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    sup = Api(ui_backend.url, "demo-supervisor")
    for k in range(4):
        sup.report(lon=120.17 + k * 0.01, lat=30.25 + k * 0.01)
    w = app.window
    w.resize(1400, 900)
    qtbot.waitUntil(lambda: len(app.state.cases) >= 4, timeout=10_000)
    qtbot.wait(300)
    green = LIGHT_COLORS[0]
    before = _color_pixels(w.map.plot.viewport().grab(), green)
    assert before > 50  # the case markers are drawn in their light's colour
    w.layer_actions["cases"].trigger()  # off
    assert not w.map.cases_event.isVisible()
    assert _color_pixels(w.map.plot.viewport().grab(), green) < before / 10
    w.layer_actions["cases"].trigger()  # on again
    assert _color_pixels(w.map.plot.viewport().grab(), green) >= before * 0.9
    # The grid layer shows only when zoomed in.
    assert w.map.visible["grid"] and not w.map.grid.isVisible()
    x, y = lonlat_to_mercator(120.17, 30.25)
    w.map.centre_on(float(x), float(y), width_m=2000)
    assert w.map.grid.isVisible()
    w.map.fit_district()
    assert not w.map.grid.isVisible()


def test_clicking_a_marker_opens_its_case(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    case = Api(ui_backend.url, "demo-supervisor").report(lon=120.175, lat=30.255)
    w = app.window
    qtbot.waitUntil(lambda: case["id"] in app.state.cases, timeout=10_000)
    qtbot.wait(300)
    x, y = lonlat_to_mercator(120.175, 30.255)
    w.map.centre_on(float(x), float(y), width_m=800)  # alone under the cursor
    assert w.map.hit(float(x), float(y)) == ("case", case["id"])
    scene = w.map.view.mapViewToScene(QPointF(float(x), float(y)))
    pos = w.map.plot.mapFromScene(scene)
    with qtbot.waitSignal(w.map.case_clicked, timeout=3000) as sig:
        qtbot.mouseClick(w.map.plot.viewport(), Qt.LeftButton, pos=pos)
    assert sig.args == [case["id"]]
    assert w.detail.case_id == case["id"]
    assert w.detail.title.text() == case["id"]


def test_switching_language_keeps_state_and_layout(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    qtbot.waitUntil(lambda: bool(app.state.reference), timeout=10_000)
    w = app.window
    assert "智慧城管" in w.windowTitle()
    assert w.queues.tabs.tabText(0).startswith("待受理")
    w.docks["vehicles"].hide()
    en = app.switch_language("en")
    qtbot.addWidget(en)
    assert en is not w and en is app.window
    assert "Command Centre" in en.windowTitle()
    assert en.queues.tabs.tabText(0).startswith("To accept")
    assert en.menu_view.title() == "&View"
    assert en.case_model.headerData(0, Qt.Horizontal) == "Case id"
    assert not en.docks["vehicles"].isVisible()  # the layout travelled with the switch
    assert en.state is app.state  # same data, nothing re-fetched
    zh = app.switch_language("zh")
    qtbot.addWidget(zh)
    assert zh.queues.tabs.tabText(0).startswith("待受理")


def test_a_saved_layout_is_restored_for_the_same_user(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    w = app.window
    w.removeDockWidget(w.docks["alerts"])
    w.addDockWidget(Qt.LeftDockWidgetArea, w.docks["alerts"])
    w.docks["alerts"].show()
    w.layer_actions["heatmap"].setChecked(True)
    w.layer_actions["trails"].setChecked(False)
    assert w.dockWidgetArea(w.docks["alerts"]) == Qt.LeftDockWidgetArea
    w.close()  # saves
    again = app.show()
    qtbot.addWidget(again)
    assert again.dockWidgetArea(again.docks["alerts"]) == Qt.LeftDockWidgetArea
    assert again.map.visible["heatmap"] and not again.map.visible["trails"]
    # Reset brings the defaults back.
    again.reset_layout()
    assert again.dockWidgetArea(again.docks["alerts"]) == Qt.RightDockWidgetArea


def test_a_hotline_call_becomes_a_case_through_the_outbox(qtbot, ui_backend, console_factory):
    app = console_factory(ui_backend.url)
    qtbot.waitUntil(lambda: bool(app.state.reference), timeout=10_000)
    w = app.window
    dlg = w.new_case()
    qtbot.addWidget(dlg)
    dlg.category.setCurrentText("06010")
    assert dlg.body() is None  # no location yet: said in the dialog, nothing sent
    assert dlg.error.text()
    # Typing an address: the backend's candidates arrive (off the GUI thread), one is picked,
    # the map wall marks it and the address field takes its standard form.
    dlg.address.setText("城站地铁站")
    dlg.locate_address()
    qtbot.waitUntil(lambda: dlg.candidates.count() > 0, timeout=10_000)
    first = dlg.candidates.item(0)
    assert "城站地铁站" in first.text()
    dlg.pick_candidate(first)
    picked = first.data(Qt.ItemDataRole.UserRole)
    assert (dlg.lon, dlg.lat) == (picked["lon"], picked["lat"])
    assert dlg.address.text() == picked["address"] and "街道" in picked["address"]
    marker = w.map.pick_marker.getData()
    assert len(marker[0]) == 1
    # A click on the map instead: the address is filled in from the point.
    w.map.location_picked.emit(120.205, 30.27)
    qtbot.waitUntil(lambda: dlg.address.text() != picked["address"], timeout=10_000)
    assert dlg.address.text().startswith(
        UnitGrid.load().street_of(UnitGrid.load().cell_code(120.205, 30.27)).name + "街道"
    )
    dlg.description.setPlainText("市民来电：小区门口垃圾堆积三天")
    dlg.urgency.setCurrentIndex(1)
    before = set(app.state.cases)
    dlg.submit()

    def new_case():
        return next(
            (c for cid, c in app.state.cases.items() if cid not in before),
            None,
        )

    qtbot.waitUntil(lambda: new_case() is not None, timeout=10_000)
    c = new_case()
    assert c["source"] == "public" and c["category_code"] == "06010"
    assert c["urgency"] == "urgent" and "垃圾堆积" in c["description"]
    assert c["grid_code"], "located inside the district"
    assert app.session.outbox.pending() == 0


def test_a_dead_backend_is_said_in_the_status_bar_and_actions_wait(
    qtbot, backend_proc, console_factory
):
    """The backend goes away: the console keeps what it has, says 离线, keeps the operator's
    action in the outbox, and sends it once (and only once) when the backend is back."""
    app = console_factory(backend_proc.url)
    case = Api(backend_proc.url, "demo-supervisor").report(lon=120.18, lat=30.26)
    qtbot.waitUntil(lambda: case["id"] in app.state.cases, timeout=10_000)
    w = app.window
    backend_proc.kill()
    qtbot.waitUntil(lambda: w.status.conn.text().startswith("离线"), timeout=15_000)
    assert case["id"] in app.state.cases  # nothing was dropped
    w.select_case(case["id"])
    assert w.take_action("accept") is not None
    qtbot.waitUntil(lambda: w.status.outbox.text() == "待发送 1", timeout=5_000)
    backend_proc.start()
    qtbot.waitUntil(lambda: w.status.conn.text() == "已连接", timeout=30_000)
    qtbot.waitUntil(lambda: app.state.cases[case["id"]]["state"] == "accepted", timeout=30_000)
    qtbot.waitUntil(lambda: w.status.outbox.text() == "待发送 0", timeout=5_000)
    accepts = [e for e in app.state.cases[case["id"]]["events"] if e["action"] == "accept"]
    assert len(accepts) == 1


def test_a_layer_newer_than_the_saved_layout_shows(qtbot, ui_backend, console_factory):
    """A layout saved before the river layer existed (its layers listed, no list of the layers
    it knew) keeps its own choices and shows the new layer, which nobody turned off."""
    from widgets.app.main_window import PRE_RIVER_LAYERS, settings

    app = console_factory(ui_backend.url)
    w = app.window
    w.layer_actions["trails"].setChecked(False)
    w.close()  # saves
    s = settings()
    key = w._layout_key()
    s.setValue(f"{key}/layers", [n for n in PRE_RIVER_LAYERS if n not in ("trails", "heatmap")])
    s.remove(f"{key}/layers_known")
    again = app.show()
    qtbot.addWidget(again)
    assert again.map.visible["rivers"] and not again.map.visible["trails"]
    again.layer_actions["rivers"].setChecked(False)
    again.close()  # saves, with the layers it knew: now "rivers" off is a choice
    third = app.show()
    qtbot.addWidget(third)
    assert not third.map.visible["rivers"]
