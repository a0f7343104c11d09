"""The river panel (智慧河道): every segment with its 河长, patrol state, today's coverage and
last patrol, the water sensors on it and its open river cases; the 河道巡查覆盖率 of the last
seven days and its drill-down (each due segment-day, patrolled or not).

Everything is read from the state (the ``river_segment`` records, sensors and cases), live or
replayed, with the domain's rules (``console.domain.rivers``), so a replay shows what the live
console showed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain import rivers
from console.domain.china_time import CST
from console.domain.geometry import distance_to_polyline_m
from console.domain.sensor_kinds import SENSOR_KINDS
from console.domain.workflow import TERMINAL_STATES
from console.state import CityState
from widgets.common.river_states import STATE_COLORS, state_names

# A case belongs to a segment when it lies this near its line and is the river
# department's (a bank or an outfall is up to ~100 m from the centre line of a wide canal).
CASE_NEAR_M = 150.0
KPI_DAYS = 7
_CLOSED = {s.value for s in TERMINAL_STATES}


class RiverPanel(QWidget):
    segment_selected = Signal(str)

    def __init__(self, state: CityState, now, parent: QWidget | None = None):
        super().__init__(parent)
        self.state, self.now = state, now
        self.segments = rivers.segments()
        self.kpi = QLabel()
        self.kpi.setObjectName("notice")
        self.table = QTableWidget(len(self.segments), 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.drill = QTableWidget(0, 3)
        self.drill.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.drill.verticalHeader().hide()
        self.drill.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        seg_page = QWidget()
        lay = QVBoxLayout(seg_page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table, 3)
        lay.addWidget(self.detail, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(seg_page, "")
        self.tabs.addTab(self.drill, "")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.kpi)
        outer.addWidget(self.tabs)
        self._selected_id: str | None = None
        self._sensor_ids: tuple[set[str], dict[str, list[str]]] | None = None
        self.cases: dict[str, list[Mapping[str, Any]]] = {}
        self.sensors: dict[str, list[Mapping[str, Any]]] = {}
        # States turn with time alone (a segment falls due at midnight): once a minute.
        self._timer = QTimer(self, interval=60_000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("河段"),
                self.tr("区级河长"),
                self.tr("街道级河长"),
                self.tr("状态"),
                self.tr("今日覆盖"),
                self.tr("上次巡查"),
                self.tr("传感器"),
                self.tr("在办案件"),
            ]
        )
        self.drill.setHorizontalHeaderLabels([self.tr("河段"), self.tr("日期"), self.tr("覆盖率")])
        self.tabs.setTabText(0, self.tr("河段"))
        self.tabs.setTabText(1, self.tr("覆盖率明细"))
        self.refresh()

    def on_diff(self, diff) -> None:
        river_cases = any(
            c in self.state.cases
            and self.state.cases[c].get("department_id") == rivers.RIVER_DEPARTMENT
            for c in diff.cases
        )
        if (
            diff.reset
            or diff.sensors
            or river_cases
            or any(t == rivers.RECORD_TYPE for t, _ in diff.records)
        ):
            self.refresh()

    # ---- content -------------------------------------------------------------------------------
    def _sensors_by_segment(self) -> dict[str, list[Mapping[str, Any]]]:
        """The water sensors on each segment, with their latest readings. Sensors do not move:
        which are on which segment is worked out once per set of sensors."""
        river_kinds = ("river_level", "dissolved_oxygen", "ammonia_nitrogen")
        mine = {k: x for k, x in self.state.sensors.items() if x.get("kind") in river_kinds}
        if self._sensor_ids is None or set(mine) != self._sensor_ids[0]:
            on = {
                s.id: [x["id"] for x in rivers.sensors_on(s, mine.values())] for s in self.segments
            }
            self._sensor_ids = (set(mine), on)
        return {seg: [mine[i] for i in ids] for seg, ids in self._sensor_ids[1].items()}

    def _open_cases(self) -> dict[str, list[Mapping[str, Any]]]:
        """The river department's open cases near each segment (one pass over the cases)."""
        out: dict[str, list[Mapping[str, Any]]] = {s.id: [] for s in self.segments}
        for doc in self.state.cases.values():
            if doc.get("department_id") != rivers.RIVER_DEPARTMENT or doc.get("state") in _CLOSED:
                continue
            loc = doc.get("location") or {}
            if loc.get("lon") is None:
                continue
            for seg in self.segments:
                d = distance_to_polyline_m(loc["lon"], loc["lat"], seg.lon, seg.lat)
                if float(d[0]) <= CASE_NEAR_M:
                    out[seg.id].append(doc)
        return out

    def refresh(self) -> None:
        now = self.now()
        docs = self.state.records_of(rivers.RECORD_TYPE)
        names = state_names()
        sensors = self._sensors_by_segment()
        self.cases = self._open_cases()
        self.sensors = sensors
        for row, seg in enumerate(self.segments):
            doc: Mapping[str, Any] = docs.get(seg.id) or {}
            st = rivers.patrol_state(doc, now) if doc else "overdue"
            last = doc.get("last_patrol_t")
            cells = [
                seg.name_zh,
                seg.chief("district"),
                seg.chief("street"),
                names[st],
                f"{float(doc.get('coverage') or 0.0) if doc.get('day') == rivers.china_day(now) else 0.0:.0%}",
                datetime.fromtimestamp(last, CST).strftime("%m-%d %H:%M") if last else "—",
                str(len(sensors[seg.id])),
                str(len(self.cases[seg.id])),
            ]
            for col, text in enumerate(cells):
                item = self.table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    item.setData(Qt.ItemDataRole.UserRole, seg.id)
                    self.table.setItem(row, col, item)
                item.setText(text)
                if col == 3:
                    item.setForeground(QColor(STATE_COLORS[st]))
        self._refresh_kpi(docs, now)
        self._show_detail()

    def _refresh_kpi(self, docs: Mapping[str, Mapping[str, Any]], now: float) -> None:
        end_day = datetime.fromtimestamp(now, CST).date() + timedelta(days=1)
        end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=CST)
        start = end - timedelta(days=KPI_DAYS)
        value, rows = rivers.coverage_kpi(
            docs.values(), start, end, datetime.fromtimestamp(now, CST)
        )
        patrolled = sum(r.patrolled for r in rows)
        text = "—" if value is None else f"{value:.0%}"
        self.kpi.setText(
            self.tr("河道巡查覆盖率（近{0}日）：{1}（{2}/{3} 河段·日）").format(
                KPI_DAYS, text, patrolled, len(rows)
            )
        )
        self.drill.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for col, t in enumerate((r.name_zh, r.day, f"{r.coverage:.0%}")):
                item = QTableWidgetItem(t)
                item.setForeground(QColor(STATE_COLORS["done" if r.patrolled else "overdue"]))
                self.drill.setItem(i, col, item)

    def _selected(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        self._selected_id = items[0].data(Qt.ItemDataRole.UserRole)
        self._show_detail()
        if self._selected_id:
            self.segment_selected.emit(self._selected_id)

    def select_segment(self, seg_id: str) -> None:
        """Select ``seg_id``'s row (a click on the map)."""
        for row, seg in enumerate(self.segments):
            if seg.id == seg_id:
                self.table.selectRow(row)
                return

    def _show_detail(self) -> None:
        seg = rivers.by_id().get(self._selected_id or "")
        if seg is None:
            self.detail.setText(self.tr("选择一个河段查看详情"))
            return
        lines = [
            f"<b>{seg.name_zh}</b>（{seg.id}）· {seg.river} · {seg.street} · {seg.length_m / 1000:.1f} km",
            self.tr("河长：{0}（区级）、{1}（街道级）").format(
                seg.chief("district"), seg.chief("street")
            ),
        ]
        for x in self.sensors.get(seg.id, []):
            k = SENSOR_KINDS.get(str(x.get("kind")))
            value = x.get("last_value")
            reading = "—" if value is None or k is None else f"{value:g}{k.unit}"
            lines.append(self.tr("传感器 {0}：{1}").format(x.get("name", x.get("id")), reading))
        for c in self.cases.get(seg.id, []):
            lines.append(
                self.tr("在办案件 {0}：{1}").format(c.get("id"), c.get("description", "")[:40])
            )
        self.detail.setText("<br>".join(lines))
