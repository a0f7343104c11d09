"""People on duty (智能管控): every supervisor and officer with his duty state, 在岗率 and
巡查覆盖率 today, the ones off their grid or silent first (they have an alert open), and a line
of totals: who is on duty of those scheduled now, and the 在岗率 of all (summed times, as the
KPI counts it: docs/rules/duty.md). Fed by the ``duty`` records; selecting a person shows him
and his coverage on the map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from console.domain import duty
from console.geo.grid import UnitGrid
from console.state import CityState
from widgets.common.roles import ALIGN_RIGHT, ALIGNMENT, DISPLAY, FOREGROUND, USER
from widgets.common.row_sync import IncrementalRows, table_view

# The name says the role (监督员 …, 执法队员 …): no type column, room for the numbers.
DUTY_COLUMNS = ("name", "state", "rate", "coverage", "street")
PERSON_ID_ROLE = USER + 1
STATE_COLORS = {
    duty.ON_DUTY: "#52c41a",
    duty.OFF_GRID: "#ff4d4f",
    duty.SILENT: "#faad14",
    duty.OFF_SHIFT: "#8a94a6",
}


def percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


class DutyModel(IncrementalRows):
    COLUMNS = DUTY_COLUMNS

    def __init__(self, state: CityState, parent=None):
        super().__init__(parent)
        self.state = state
        self.ids: list[str] = []  # the keys: a person's index here, stable for the session
        self._key: dict[str, int] = {}
        self._brushes = {k: QBrush(QColor(c)) for k, c in STATE_COLORS.items()}
        self._streets: dict[str, str] = {}

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("姓名"),
            self.tr("状态"),
            self.tr("在岗率"),
            self.tr("覆盖率"),
            self.tr("街道"),
        )

    def state_name(self, s: str | None) -> str:
        return {
            duty.ON_DUTY: self.tr("在岗"),
            duty.OFF_GRID: self.tr("离岗"),
            duty.SILENT: self.tr("失联"),
            duty.OFF_SHIFT: self.tr("休息"),
        }.get(s or "", self.tr("休息"))

    def street_name(self, code: str | None) -> str:
        if not code:
            return ""
        if code not in self._streets:
            try:
                self._streets[code] = UnitGrid.load().street_of(code).name
            except KeyError:
                self._streets[code] = code
        return self._streets[code]

    def doc(self, key: int) -> Mapping[str, Any]:
        return self.state.records_of("duty").get(self.ids[key]) or {}

    def person_id(self, view_row: int) -> str | None:
        key = self.key_at(view_row)
        return None if key is None else self.ids[key]

    def key_of(self, person_id: str) -> int | None:
        return self._key.get(person_id)

    def data(self, index, role=DISPLAY):
        role = int(role)
        key = self.key_at(index.row()) if index.isValid() else None
        if key is None:
            return None
        d = self.doc(key)
        col = DUTY_COLUMNS[index.column()]
        if role == DISPLAY:
            return {
                "name": d.get("name") or self.ids[key],
                "state": self.state_name(d.get("state")),
                "rate": percent(d.get("rate")),
                "coverage": percent(d.get("coverage")),
                "street": self.street_name(d.get("street")),
            }[col]
        if role == FOREGROUND and col == "state":
            return self._brushes.get(str(d.get("state")), self._brushes[duty.OFF_SHIFT])
        if role == ALIGNMENT and col in ("rate", "coverage"):
            return ALIGN_RIGHT
        if role == PERSON_ID_ROLE:
            return self.ids[key]
        return None

    def refresh(self) -> None:
        """Rows from the records: off grid, silent, on duty, off shift; the lowest 在岗率
        first within a state (who to call first), then by name."""
        docs = self.state.records_of("duty")
        for pid in sorted(docs):
            if pid not in self._key:
                self._key[pid] = len(self.ids)
                self.ids.append(pid)
        live = [k for k, pid in enumerate(self.ids) if pid in docs]

        def rank(k: int) -> tuple:
            d = docs[self.ids[k]]
            s = d.get("state")
            order = duty.STATES.index(s) if s in duty.STATES else len(duty.STATES)
            rate = d.get("rate")
            return (order, 2.0 if rate is None else rate, str(d.get("name") or ""))

        self.sync(np.array(sorted(live, key=rank), dtype=np.int64))

    def totals(self) -> dict[str, Any]:
        """Counts by state and the 在岗率 of everyone (Σ on duty / Σ scheduled)."""
        docs = list(self.state.records_of("duty").values())
        by_state = {s: sum(1 for d in docs if d.get("state") == s) for s in duty.STATES}
        rate = duty.on_duty_rate(
            [float(str(d.get("on_duty_s") or 0)) for d in docs],
            [float(str(d.get("scheduled_s") or 0)) for d in docs],
        )
        return {"by_state": by_state, "rate": rate, "people": len(docs)}


class DutyPanel(QWidget):
    person_selected = Signal(str)

    def __init__(self, state: CityState, parent=None):
        super().__init__(parent)
        self.state = state
        self.model = DutyModel(state, self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = table_view(self.model, 24, (150, 46, 60, 60))
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.table)
        # Records of 175 people move a few times a district second: the rows re-sort at
        # most twice a second, not once per change.
        self._dirty = True
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self._refresh_if_dirty)
        self._timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        self._update_summary()

    def on_diff(self, diff) -> None:
        if diff.reset or any(t == "duty" for t, _ in diff.records):
            self._dirty = True

    def _refresh_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            self.model.refresh()
            self._update_summary()

    def _update_summary(self) -> None:
        t = self.model.totals()
        n = t["by_state"]
        on_shift = t["people"] - n[duty.OFF_SHIFT]
        self.summary.setText(
            self.tr("在岗 %1/%2 · 离岗 %3 · 失联 %4 · 今日在岗率 %5")
            .replace("%1", str(n[duty.ON_DUTY]))
            .replace("%2", str(on_shift))
            .replace("%3", str(n[duty.OFF_GRID]))
            .replace("%4", str(n[duty.SILENT]))
            .replace("%5", percent(t["rate"]))
        )

    def _selected(self, cur, _prev) -> None:
        pid = self.model.person_id(cur.row())
        if pid:
            self.person_selected.emit(pid)

    def select_person(self, pid: str) -> None:
        key = self.model.key_of(pid)
        row = None if key is None else self.model.row_of_key(key)
        if row is not None:
            self.table.selectRow(row)
