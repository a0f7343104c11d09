"""What stands behind a 量化考核 cell, opened by a double-click on the board: the cases of its
numerator and denominator (``DrillDialog``), or for a grouping counted from time the
person-days or segment-days it sums (``ItemsDialog``). Either marks in red what kept the
number from full, since that is what a shift lead asks about, and opens an entry where the
console shows it (the case detail; the duty or river panel, with the map)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

SHORT = QColor("#ff4d4f")


class DrillDialog(QDialog):
    """The cases behind one cell: its numerator's and its denominator's, side by side; the
    denominator's cases missing from the numerator (the late, the unhandled) marked ✗ in red,
    since those are the ones a shift lead asks about; a double-click on a case opens it in
    the console's case detail."""

    case_requested = Signal(str)

    def __init__(self, title: str, numerator: list[str], denominator: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.lists: dict[str, QListWidget] = {}
        counted = set(numerator)
        missing = sum(1 for x in denominator if x not in counted)
        row = QHBoxLayout()
        for part, ids, text in (
            ("numerator", numerator, self.tr("分子案件 (%1)").replace("%1", str(len(numerator)))),
            (
                "denominator",
                denominator,
                self.tr("分母案件 (%1，其中 %2 件未计入分子 ✗)")
                .replace("%1", str(len(denominator)))
                .replace("%2", str(missing)),
            ),
        ):
            col = QVBoxLayout()
            col.addWidget(QLabel(text))
            lst = QListWidget()
            for case_id in ids:
                out = part == "denominator" and case_id not in counted
                item = QListWidgetItem(f"{case_id}  ✗" if out else case_id)
                item.setData(Qt.ItemDataRole.UserRole, case_id)
                if out:
                    item.setForeground(QColor("#ff4d4f"))
                lst.addItem(item)
            lst.itemDoubleClicked.connect(
                lambda item: self.case_requested.emit(item.data(Qt.ItemDataRole.UserRole))
            )
            col.addWidget(lst)
            self.lists[part] = lst
            row.addLayout(col)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(QLabel(self.tr("双击案件编号在案件详情中打开")))
        self.resize(620, 420)


class ItemsDialog(QDialog):
    """The items one time-counted cell sums (``/api/v1/kpis/items``), the furthest from full
    first: a person-day's on-duty minutes over its scheduled minutes or its cells set foot in
    over its area's, a segment-day's patrol (with the day's coverage). A double-click asks for
    the person or segment (``item_requested(kind, id)``)."""

    item_requested = Signal(str, str)

    def __init__(
        self, title: str, kind: str, indicator: str, items: list[dict[str, Any]], parent=None
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.kind = kind
        short = sum(1 for x in items if x["numerator"] < x["denominator"])
        head = (
            self.tr("人员日明细 (%1，其中 %2 项未满 ✗)")
            if kind == "person_day"
            else self.tr("河段日明细 (%1，其中 %2 项未达巡查标准 ✗)")
        )
        self.table = QTableWidget(len(items), 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("对象"), self.tr("日期"), self.tr("计入 / 应计"), self._value_head()]
        )
        unit = self._unit(indicator)
        for r, x in enumerate(items):
            out = x["numerator"] < x["denominator"]
            value = "—" if x["value"] is None else f"{100 * float(x['value']):.1f}%"
            texts = [
                f"{x['name']}  ✗" if out else str(x["name"]),
                str(x["day"]),
                f"{x['numerator']} / {x['denominator']}{unit}",
                value,
            ]
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(x["id"]))
                if out:
                    item.setForeground(SHORT)
                if c >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemDoubleClicked.connect(
            lambda item: self.item_requested.emit(self.kind, item.data(Qt.ItemDataRole.UserRole))
        )
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(head.replace("%1", str(len(items))).replace("%2", str(short))))
        lay.addWidget(self.table)
        where = (
            self.tr("双击一行：在人员在岗面板与地图上显示此人")
            if kind == "person_day"
            else self.tr("双击一行：在河道面板与地图上显示此河段")
        )
        lay.addWidget(QLabel(where))
        self.resize(700, 480)

    def _unit(self, indicator: str) -> str:
        return {"on_duty_rate": self.tr(" 分钟"), "patrol_coverage": self.tr(" 网格")}.get(
            indicator, ""
        )

    def _value_head(self) -> str:
        return self.tr("当日覆盖") if self.kind == "segment_day" else self.tr("比率")
