"""The daily alert digest (告警日报): what was raised on one China-time day, how loud, in which
hours, how fast the centre acknowledged, which subjects kept alarming, and what escalated to
the shift lead or to 督办. The numbers are ``console.domain.alert_digest``'s (live: the
backend's ``GET /api/v1/alerts/digest``; in a replay: the shift log's); this dialog only shows
them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.china_time import CST
from widgets.common.i18n import labels
from widgets.common.style import SEVERITY_COLORS, theme

SEVERITIES = ("critical", "warning", "info")
LEVELS = ("yellow", "red", "supervise")


def _hhmm(iso: object) -> str:
    """China time of day of an ISO instant ("" when unreadable)."""
    try:
        return datetime.fromisoformat(str(iso)).astimezone(CST).strftime("%H:%M")
    except ValueError:
        return ""


def _minutes(v: object) -> str:
    return "—" if v is None else f"{v:g}"


class AlertDigestDialog(QDialog):
    def __init__(
        self,
        fetch: Callable[[date], dict],
        workers,
        parent: QWidget | None = None,
        name_of: Callable[[dict], str] | None = None,
    ):
        """``fetch(day)``: the digest of a day (blocking: run in ``workers``)."""
        super().__init__(parent)
        self.fetch, self.workers = fetch, workers
        #: subject (type, id) → what the operator calls it (a plate, a sensor's name)
        self.name_of: Callable[[dict], str] = name_of or (lambda a: a.get("subject_id") or "")
        self.data: dict[str, Any] | None = None
        self.setWindowTitle(self.tr("告警日报"))
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.reload = QPushButton(self.tr("查询"))
        self.reload.clicked.connect(
            lambda: self.load(date.fromisoformat(self.date.date().toString("yyyy-MM-dd")))
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("日期")))
        top.addWidget(self.date)
        top.addWidget(self.reload)
        top.addStretch(1)

        self.kinds = self._table(
            [
                self.tr("类型"),
                self.tr("产生"),
                self.tr("确认"),
                self.tr("解除"),
                self.tr("升级值班长"),
                *(labels().name("severity", s) for s in SEVERITIES),
                *(labels().name("alert_level", lv) for lv in LEVELS),
            ]
        )
        self.subjects = self._table([self.tr("对象"), self.tr("次数"), self.tr("类型")])
        self.supervised = self._table([self.tr("对象"), self.tr("督办时间")])
        self.hours = pg.PlotWidget()
        self.hours.setBackground(theme()["base"])
        self.hours.setMouseEnabled(False, False)
        self.hours.setMenuEnabled(False)
        self.hours.getAxis("bottom").setTicks([[(h, str(h)) for h in range(0, 24, 3)]])
        self.hours.setFixedHeight(170)
        self._bars = pg.BarGraphItem(
            x=list(range(24)), height=[0] * 24, width=0.8, brush="#5b8ff9", pen=None
        )
        self.hours.addItem(self._bars)

        grid = QGridLayout()
        grid.addWidget(self._box(self.tr("按类型"), self.kinds), 0, 0, 1, 2)
        grid.addWidget(self._box(self.tr("每小时产生"), self.hours), 1, 0, 1, 2)
        grid.addWidget(self._box(self.tr("告警最多的对象"), self.subjects), 2, 0)
        grid.addWidget(self._box(self.tr("督办"), self.supervised), 2, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(2, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addLayout(grid, 1)
        self.resize(980, 720)

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.verticalHeader().hide()
        t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)
        return t

    @staticmethod
    def _box(title: str, w: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(w)
        return box

    # ---- loading -------------------------------------------------------------------------
    def load(self, day: date) -> None:
        """Fetch ``day``'s digest in a worker; the answer fills the dialog."""
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.summary.setText(self.tr("正在读取 %1 …").replace("%1", day.isoformat()))
        self.workers.submit(
            lambda: self.fetch(day),
            self.show_data,
            owner=self,
            on_error=self._failed,
            what=self.tr("告警日报"),
        )

    def _failed(self, e: BaseException) -> None:
        self.summary.setText(self.tr("告警日报读取失败：%1").replace("%1", str(e)[:200]))
        self.summary.setStyleSheet("color: #ff4d4f;")

    def show_data(self, d: dict[str, Any]) -> None:
        self.data = d
        self.summary.setStyleSheet("")
        lb = labels()
        ack = d.get("ack_minutes") or {}
        groups = d.get("groups") or {}
        parts = (
            self.tr("%1 产生 %2 条告警")
            .replace("%1", str(d.get("date", "")))
            .replace("%2", str(d.get("raised", 0))),
            self.tr("确认 %1 次，用时中位 %2 分钟、最长 %3 分钟")
            .replace("%1", str(ack.get("count", 0)))
            .replace("%2", _minutes(ack.get("median")))
            .replace("%3", _minutes(ack.get("max"))),
            self.tr("升级值班长 %1 次").replace("%1", str(d.get("escalated", 0))),
            self.tr("督办 %1 件").replace("%1", str(len(d.get("supervised") or ()))),
            self.tr("洪峰成组 %1 组（%2 条）")
            .replace("%1", str(groups.get("count", 0)))
            .replace("%2", str(groups.get("grouped", 0))),
        )
        self.summary.setText(self.tr("；").join(parts) + self.tr("。"))
        kinds = d.get("by_kind") or {}
        self._fill(
            self.kinds,
            [
                [
                    lb.name("alert_kind", kind),
                    k.get("raised", 0),
                    k.get("acknowledged", 0),
                    k.get("resolved", 0),
                    k.get("escalated", 0),
                    *((k.get("by_severity") or {}).get(s, 0) for s in SEVERITIES),
                    *((k.get("by_level") or {}).get(lv, 0) for lv in LEVELS),
                ]
                for kind, k in kinds.items()
            ],
        )
        for col, sev in enumerate(SEVERITIES, start=5):
            for row in range(self.kinds.rowCount()):
                item = self.kinds.item(row, col)
                if item is not None and item.text() != "0":
                    item.setForeground(pg.mkColor(SEVERITY_COLORS[sev]))
        self._fill(
            self.subjects,
            [
                [
                    self.name_of(s),
                    s.get("count", 0),
                    "、".join(lb.name("alert_kind", k) for k in s.get("kinds") or {}),
                ]
                for s in d.get("top_subjects") or ()
            ],
        )
        self._fill(
            self.supervised,
            [
                [self.name_of({"subject_type": "case", **x}), _hhmm(x.get("at"))]
                for x in d.get("supervised") or ()
            ],
        )
        per_hour = list(d.get("per_hour") or [0] * 24)
        self._bars.setOpts(x=list(range(len(per_hour))), height=per_hour)
        self.hours.setYRange(0, max(per_hour + [1]) * 1.1)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[Any]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                item = QTableWidgetItem(str(v))
                if isinstance(v, int):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)
