"""The 部件 layer on the map wall: components only when zoomed in to a street, all in one item,
coloured by the asset_state records, and a click on one says which it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from console.domain import maintenance as m
from console.domain.maintenance import ASSET_STATE
from console.geo.inventory import ComponentIndex
from console.state import CityState, Diff
from widgets.map import asset_layer

SCREEN = (1600, 900)


@pytest.fixture(scope="module")
def index() -> ComponentIndex:
    return ComponentIndex.load()


def _wall(qtbot):
    from widgets.map.wall import MapWall

    w = MapWall(CityState(), lambda: 0.0)
    qtbot.addWidget(w)
    w.resize(*SCREEN)
    w.show()
    qtbot.waitExposed(w)
    return w


def _xy(index: ComponentIndex, code: str) -> tuple[float, float]:
    x, y, _ = asset_layer._projected(index)
    i = index.find(code)
    assert i is not None
    return float(x[i]), float(y[i])


def test_components_show_only_zoomed_in_and_as_one_item(ui, qtbot, index):
    w = _wall(qtbot)
    code = str(index.inv.code[len(index) // 2])
    x, y = _xy(index, code)
    items_before = len(w.plot.getPlotItem().items)
    w.centre_on(x, y, width_m=8000)  # a few streets' districts: a carpet, hidden
    w._redraw()
    assert w.assets.shown() == 0 and not w.assets.item.isVisible()
    w.centre_on(x, y, width_m=600)
    w._redraw()
    assert w.assets.item.isVisible()
    n = w.assets.shown()
    (x0, x1), (y0, y1) = w.view.viewRange()
    px, py, _ = asset_layer._projected(index)
    inside = (px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)
    # Every component in view is handed over (plus a margin's), all to the same single item.
    assert n >= inside.sum() > 30
    drawn = {
        (round(a, 3), round(b, 3)) for a, b in zip(w.assets.item._x, w.assets.item._y, strict=True)
    }
    assert {
        (round(a, 3), round(b, 3)) for a, b in zip(px[inside], py[inside], strict=True)
    } <= drawn
    assert len(w.plot.getPlotItem().items) == items_before
    w.grab().save("/tmp/wt_assets_layer.png")
    # Switched off in the 视图 menu: nothing drawn even zoomed in.
    w.set_layer_visible("assets", False)
    w._redraw()
    assert not w.assets.item.isVisible()


def test_states_come_from_records_and_a_click_names_the_component(ui, qtbot, index):
    w = _wall(qtbot)
    code = str(index.inv.code[1000])
    x, y = _xy(index, code)
    w.state.records.setdefault(ASSET_STATE, {})[code] = {
        "type": ASSET_STATE,
        "id": code,
        "state": "damaged",
    }
    w.on_diff(Diff(records={(ASSET_STATE, code)}))
    w.centre_on(x, y, width_m=400)
    w._redraw()
    item = w.assets.item
    k = int(np.argmin((item._x - x) ** 2 + (item._y - y) ** 2))
    states = asset_layer.STATES
    assert item._style[k] % len(states) == states.index("damaged")
    assert (item._style % len(states) == states.index("damaged")).sum() == 1
    assert "损坏" in w.describe_component(code)
    clicked = []
    w.component_clicked.connect(clicked.append)
    scene_pos = w.view.mapViewToScene(QPointF(x, y))
    view_pos = w.plot.mapFromScene(scene_pos)
    qtbot.mouseClick(w.plot.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert clicked == [code]
    assert len(w.selection.data) == 1


# ---- the 部件与养护 panel ----------------------------------------------------------------------
# The panel's "today" is the district's (China) day; a fixed 18:00 keeps the orders' deadline
# (dispatch + 24 h, 5 h ago) and acceptance (1 h ago) inside it whenever the suite runs.
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _orders(index: ComponentIndex) -> list[dict]:
    """Two street-light orders walked by the domain: one done on time, one late in 施工."""
    t0 = NOW - timedelta(hours=30)
    lights = [index.doc(int(i)) for i in np.flatnonzero(index.inv.category == "01037")[:4]]
    crew = ("u", {"department"}, "streetlight")
    desk = ("d", {"dispatcher"}, None)

    def walk(oid, comps, finish: bool) -> dict:
        o = m.new_order(oid, "light_night_patrol", comps, t0, "lead", "shift_lead")
        o = m.apply(o, "dispatch", t0 + timedelta(hours=1), *desk)
        o = m.apply(o, "start", t0 + timedelta(hours=2), *crew)
        if finish:
            o = m.apply(o, "finish", t0 + timedelta(hours=3), *crew)
            o = m.apply(o, "accept", t0 + timedelta(hours=29), *desk)
        return o

    return [walk("WO202611300001", lights[:2], True), walk("WO202611300002", lights[2:], False)]


class _Session:
    class actor:  # as the Session's attribute
        roles = frozenset({"dispatcher"})


def test_the_panel_lists_orders_kpis_and_the_picked_component(ui, qtbot, index):
    from widgets.panels.work_orders import WorkOrderPanel

    state = CityState()
    state.reference = {
        "departments": [{"id": "streetlight", "name": "区城管局路灯管理所"}],
        "categories": [{"code": "01037", "name": "路灯", "kind": "component"}],
    }
    orders = _orders(index)
    state.records[m.WORK_ORDER] = {o["id"]: o for o in orders}
    late = orders[1]
    state.records[ASSET_STATE] = {
        c: {
            "type": ASSET_STATE,
            "id": c,
            "state": "repairing",
            "owner_department_id": "streetlight",
        }
        for c in late["components"]
    }
    p = WorkOrderPanel(state, NOW.timestamp, _Session())
    qtbot.addWidget(p)
    p.resize(700, 800)
    p.on_diff(Diff(reset=True))
    assert p.orders.rowCount() == 2
    texts = [p.orders.item(r, 3).text() for r in range(2)]
    assert sorted(texts) == ["完成", "施工"]
    # Today's KPI row: the done order and the one whose deadline passed today, if it did.
    assert p.kpis.rowCount() == 1 and p.kpis.item(0, 0).text() == "区城管局路灯管理所"
    # The centre's buttons follow the selected order's state and the desk's roles.
    p.select_order("WO202611300001")
    assert not p.buttons["dispatch"].isEnabled() and not p.buttons["accept"].isEnabled()
    p.show_component(late["components"][0])
    text = p.detail.text()
    assert late["components"][0] in text and "维修中" in text and "WO202611300002" in text
    assert "区城管局路灯管理所" in text
    p.kpis.selectRow(0)  # drill-down: the department's due orders only
    assert p.orders.rowCount() >= 1 and "区城管局路灯管理所" in p.filter_label.text()
    p.show()
    qtbot.waitExposed(p)
    p.grab().save("/tmp/wt_work_orders_panel.png")
