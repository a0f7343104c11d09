"""The 部件 layer on the map wall: components only when zoomed in to a street, all in one item,
coloured by the asset_state records, and a click on one says which it is."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

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
