"""The fleet: type, work state, speed, fix age and today's route coverage per vehicle;
select to highlight, follow on the map, and draw the track of a chosen period.

Coverage (作业覆盖率) is the domain's: the share of the vehicle's assigned route passed while
working, from today's track, fetched in a worker once a minute for the whole fleet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import qtawesome as qta
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from console.domain.china_time import CST
from console.domain.field_units import is_sanitation
from console.domain.vehicle_rules import coverage
from console.state import VEHICLE_STATUSES, CityState
from widgets.common.i18n import labels
from widgets.common.roles import (
    ALIGN_RIGHT,
    ALIGNMENT,
    DISPLAY,
    FOREGROUND,
    USER,
)
from widgets.common.row_sync import IncrementalRows, table_view
from widgets.common.style import VEHICLE_COLORS, theme

VEHICLE_COLUMNS = ("plate", "type", "status", "speed", "fix_age", "coverage")
VEHICLE_ID_ROLE = USER + 1
TRACK_PERIODS = (1, 3, 8)  # hours back from now; the combo also offers "today"


class VehicleModel(IncrementalRows):
    COLUMNS = VEHICLE_COLUMNS

    def __init__(self, state: CityState, now, parent=None):
        super().__init__(parent)
        self.state, self.now = state, now
        self.coverage: dict[str, float] = {}
        self._cells: dict[int, tuple] = {}  # per fleet row: column texts, status, id
        self._brushes = {k: QBrush(QColor(c)) for k, c in VEHICLE_COLORS.items()}

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("车牌"),
            self.tr("类型"),
            self.tr("状态"),
            self.tr("速度"),
            self.tr("定位"),
            self.tr("今日覆盖"),
        )

    def vehicle_id(self, view_row: int) -> str | None:
        key = self.key_at(view_row)
        return None if key is None else self.state.vehicle_ids()[key]

    def data(self, index, role=DISPLAY):
        role = int(role)
        if role not in (DISPLAY, FOREGROUND, ALIGNMENT, VEHICLE_ID_ROLE):
            return None
        key = self.key_at(index.row()) if index.isValid() else None
        cells = None if key is None else self._cells.get(key)
        if cells is None:
            return None
        col = index.column()
        if role == DISPLAY:
            return cells[col]
        if role == VEHICLE_ID_ROLE:
            return cells[-1]
        if role == FOREGROUND and VEHICLE_COLUMNS[col] == "status":
            return self._brushes[cells[-2]]
        if role == ALIGNMENT and VEHICLE_COLUMNS[col] in (
            "speed",
            "fix_age",
            "coverage",
        ):
            return ALIGN_RIGHT
        return None

    def _compute_cells(self) -> None:
        """Every row's texts at once (40 rows: far cheaper than per-paint lookups). The
        sanitation fleet only: people and patrols are on the duty panel and their layers."""
        lb = labels()
        v = self.state.vehicle_arrays()
        now = self.now()
        ids = self.state.vehicle_ids()
        cells = {}
        for key in self.state.sanitation_rows().tolist():
            vid = ids[key]
            info: Mapping[str, Any] = self.state.vehicles.get(vid) or {}
            status = VEHICLE_STATUSES[int(v["status"][key])]
            speed, t = v["speed_kmh"][key], v["t"][key]
            age = max(0.0, now - t) if not math.isnan(t) else math.nan
            cov = self.coverage.get(vid)
            cells[key] = (
                info.get("plate", vid),
                lb.name("vehicle_type", info.get("type")),
                lb.name("vehicle_status", status),
                "" if math.isnan(speed) else f"{speed:.0f} km/h",
                "—"
                if math.isnan(age)
                else (f"{age:.0f} s" if age < 120 else f"{age / 60:.0f} min"),
                "" if cov is None else f"{cov * 100:.0f}%",
                status,
                vid,
            )
        self._cells = cells

    def refresh(self) -> None:
        """New vehicles or a bootstrap: rows; otherwise ``tick`` refreshes the texts."""
        self._compute_cells()
        ids = self.state.vehicle_ids()
        rows = np.fromiter(self._cells, dtype=np.int64, count=len(self._cells))
        vehicles = self.state.vehicles
        plates = [
            vehicles[ids[r]].get("plate") or ids[r] if ids[r] in vehicles else ids[r] for r in rows
        ]
        self.sync(rows[np.argsort(np.array(plates, dtype=object), kind="stable")])

    def tick(self) -> None:
        """Once a second: positions, speeds and fix ages (a list read by eye needs no more)."""
        if len(self._cells) != len(self.state.sanitation_rows()):
            self.refresh()
            return
        self._compute_cells()
        if len(self._rows):
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(VEHICLE_COLUMNS) - 1)
            )


def vehicle_coverage(session, vehicle: dict, now: float) -> float | None:
    """Worker: today's coverage of one vehicle's route from its track (one request)."""
    route = vehicle.get("route") or {}
    if len(route.get("lon") or ()) < 2:
        return None
    t = datetime.fromtimestamp(now, UTC)
    day = t.astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
    tr = session.fetch(
        f"/api/v1/vehicles/{vehicle['id']}/track",
        **{"from": day.isoformat(), "to": t.isoformat()},
    )
    working = (np.asarray(tr.get("flags") or [], dtype=np.int64) & 1).astype(bool)
    share, _ = coverage(route["lon"], route["lat"], tr["lon"], tr["lat"], working)
    return share


class VehiclePanel(QWidget):
    vehicle_selected = Signal(str, bool)  # id, follow
    track_loaded = Signal(str, object, object)  # id, lon, lat

    def __init__(self, state: CityState, now, session, workers, tracks=None, parent=None):
        """``tracks(vehicle_id, params)`` → the track (backend or shift log), in a worker."""
        super().__init__(parent)
        self.state, self.now, self.session, self.workers = state, now, session, workers
        self.tracks = tracks
        self.model = VehicleModel(state, now, self)
        self.table = table_view(self.model, 24, (110, 90, 70, 75, 60))
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _p: self._selected(cur.row(), follow=False)
        )
        self.follow_action = QAction(qta.icon("mdi6.crosshairs-gps", color="#36cfc9"), "", self)
        self.follow_action.setCheckable(True)
        self.follow_action.toggled.connect(
            lambda on: self._selected(self.table.currentIndex().row(), follow=on)
        )
        self.period = QComboBox()
        self.track_action = QAction(
            qta.icon("mdi6.map-marker-path", color=theme()["text"]), "", self
        )
        self.track_action.triggered.connect(self.load_track)
        self.track_action.setEnabled(tracks is not None)
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.follow_action)
        bar.addWidget(self.period)
        bar.addAction(self.track_action)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(bar)
        lay.addWidget(self.table)
        # One vehicle at a time, round the fleet about once a minute: a whole-fleet pass is
        # seconds of numpy in a worker, and holding the GIL that long stalls the window.
        self._coverage_next = 0
        self._coverage_timer = QTimer(self, interval=1500)
        self._coverage_timer.timeout.connect(self.update_coverage)
        if session is not None:
            self._coverage_timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self.follow_action.setText(self.tr("跟随"))
        self.track_action.setText(self.tr("显示轨迹"))
        i = max(self.period.currentIndex(), 0)
        self.period.clear()
        for h in TRACK_PERIODS:
            self.period.addItem(self.tr("最近 %1 小时").replace("%1", str(h)), h)
        self.period.addItem(self.tr("今日"), 0)
        self.period.setCurrentIndex(i)

    def on_diff(self, diff) -> None:
        if diff.reset or len(self.state.sanitation_rows()) != self.model.rowCount():
            self.model.refresh()

    def current_vehicle(self) -> str | None:
        return self.model.vehicle_id(self.table.currentIndex().row())

    def select_vehicle(self, vid: str) -> None:
        row = self.state.vehicle_row(vid)
        view_row = None if row is None else self.model.row_of_key(row)
        if view_row is not None:
            self.table.selectRow(view_row)

    def _selected(self, view_row: int, follow: bool) -> None:
        vid = self.model.vehicle_id(view_row)
        if vid:
            self.vehicle_selected.emit(vid, follow or self.follow_action.isChecked())

    def load_track(self) -> None:
        vid = self.current_vehicle()
        if vid is None or self.tracks is None:
            return
        hours = self.period.currentData()
        now = datetime.fromtimestamp(self.now(), UTC)
        start = (
            now.astimezone(CST).replace(hour=0, minute=0, second=0)
            if not hours
            else now - timedelta(hours=hours)
        )
        params = {"from": start.isoformat(), "to": now.isoformat()}

        def done(track):
            self.track_loaded.emit(vid, track["lon"], track["lat"])

        self.workers.submit(
            lambda: self.tracks(vid, params), done, self, what=self.tr("加载车辆轨迹")
        )

    def update_coverage(self) -> None:
        fleet = [
            v for v in self.state.reference.get("vehicles") or [] if is_sanitation(v.get("type"))
        ]
        if self.session is None or not fleet:
            return
        vehicle = fleet[self._coverage_next % len(fleet)]
        self._coverage_next += 1
        now = self.now()

        def done(share):
            if share is not None:
                self.model.coverage[vehicle["id"]] = share

        self.workers.submit(
            lambda: vehicle_coverage(self.session, vehicle, now),
            done,
            self,
            what=self.tr("计算线路覆盖率"),
        )
