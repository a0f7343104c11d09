"""The river layer and the river panel (widgets/map/river_layer.py, widgets/panels/rivers.py)
on a state holding river_segment records, as a live console or a replay would: segments
coloured by patrol state, the layer toggled, names only when zoomed in, hover and click name
the segment, the panel's rows, KPI and drill-down."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication

from console.domain import rivers
from console.domain.china_time import CST
from console.geo.crs import lonlat_to_mercator
from console.state import CityState
from widgets.common.river_states import STATE_COLORS

NOW = datetime(2026, 11, 30, 15, tzinfo=CST).timestamp()
TODAY, YESTERDAY = "2026-11-30", "2026-11-29"


def record(seg_id: str, days: dict[str, float], last_t: float | None = None) -> dict:
    seg = rivers.by_id()[seg_id]
    cov = days.get(TODAY, 0.0)
    return rivers.segment_doc(seg, TODAY, cov, last_t, "RP02", days, "2026-11-20")


@pytest.fixture
def state() -> CityState:
    s = CityState()
    docs = [
        record("DH01", {TODAY: 0.92, YESTERDAY: 0.9}, NOW - 600),
        record("ZH01", {TODAY: 0.4, YESTERDAY: 0.85}, NOW - 60),
        record("TS01", {YESTERDAY: 0.95}),
        record("YH01", {YESTERDAY: 0.3}),
    ]
    s.apply(
        [
            {"seq": i + 1, "ts": "2026-11-30T07:00:00+00:00", "kind": "record", "record": d}
            for i, d in enumerate(docs)
        ]
    )
    s.sensors["RS07"] = {
        "id": "RS07",
        "kind": "dissolved_oxygen",
        "name": "东河小营段溶解氧监测",
        "lon": float(rivers.bin_points(rivers.by_id()["DH01"])[0][8]),
        "lat": float(rivers.bin_points(rivers.by_id()["DH01"])[1][8]),
        "grid_code": None,
        "last_value": 1.4,
        "last_t": NOW,
    }
    return s


@pytest.fixture
def wall(ui, qtbot, state):
    from widgets.map.wall import MapWall

    w = MapWall(state, lambda: NOW)
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    qtbot.waitExposed(w)
    w.update_all()
    return w


def test_segments_take_their_records_patrol_state(wall):
    st = wall.river.states
    assert (st["DH01"], st["ZH01"], st["TS01"], st["YH01"]) == ("done", "partial", "due", "overdue")
    assert st["QT01"] == "overdue"  # no record: nothing known of its patrols
    colours = dict(zip((s.id for s in wall.river.segments), wall.river.item.colors, strict=True))
    assert STATE_COLORS[colours["DH01"]] == "#40a9ff"


def test_the_layer_toggles_and_names_show_only_zoomed_in(wall, qtbot):
    assert wall.river.item.isVisible()
    assert not any(label.isVisible() for label in wall.river.labels)  # the whole district
    wall.show_river("DH01")
    qtbot.waitUntil(lambda: wall.river.labels[0].isVisible(), timeout=3000)
    assert wall.river.item.selected == [s.id for s in wall.river.segments].index("DH01")
    wall.set_layer_visible("rivers", False)
    assert not wall.river.item.isVisible()
    assert not any(label.isVisible() for label in wall.river.labels)
    wall.set_layer_visible("rivers", True)
    assert wall.river.item.isVisible() and wall.river.labels[0].isVisible()


def test_hover_and_click_name_the_segment(wall, qtbot):
    seg = rivers.by_id()["ZH01"]
    wall.show_river("ZH01")
    QApplication.processEvents()
    x, y = lonlat_to_mercator(float(seg.lon[5]), float(seg.lat[5]))
    hit = wall.hit(float(x), float(y))
    assert hit == ("river", "ZH01")
    text = wall.describe(*hit)
    assert seg.name_zh in text and seg.chief("street") in text and "40%" in text
    with qtbot.waitSignal(wall.river_clicked) as sig:
        wall._mouse_clicked(_Click(wall, float(x), float(y)))
    assert sig.args == ["ZH01"]


class _Click:
    """A left click at view point (x, y), as the scene hands it to the wall."""

    def __init__(self, wall, x: float, y: float):
        from PySide6.QtCore import QPointF

        self._pos = wall.view.mapViewToScene(QPointF(x, y))

    def button(self):
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def scenePos(self):
        return self._pos


def test_the_panel_lists_segments_kpi_sensors_and_drill_down(ui, qtbot, state):
    from widgets.panels.rivers import RiverPanel

    p = RiverPanel(state, lambda: NOW)
    qtbot.addWidget(p)
    row = [s.id for s in rivers.segments()].index("DH01")
    cells = [p.table.item(row, c).text() for c in range(p.table.columnCount())]
    assert cells[0] == "东河小营段" and cells[3] == "今日已巡" and cells[4] == "92%"
    assert cells[6] == "1"  # the oxygen probe lies on it
    # 7 days back from the 30th: the 24th–29th ended for the four segments with records (4 ×
    # 6), and today DH01 is already patrolled: 25 due; patrolled: DH01, ZH01 and TS01 on the
    # 29th, DH01 today.
    assert "16%（4/25" in p.kpi.text() and p.drill.rowCount() == 25
    p.select_segment("DH01")
    assert "溶解氧监测：1.4mg/L" in p.detail.text() and "吴海平" in p.detail.text()
