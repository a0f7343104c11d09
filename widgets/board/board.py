"""The 量化考核 board (考核看板) for the shift lead: choose a period and a grouping, read the
ranking with grades, trends and sparklines, double-click an indicator cell for the cases
behind its numerator and denominator (for 人员在岗 and 河段, counted from time: the
person-days or segment-days, ``widgets.board.drill``), export the monthly report.

Every request goes through the console's Workers (never on the GUI thread); a failure shows
as a notice on the board itself and the last good ranking stays. In a replay the requests are
answered from the shift log's cases (``console.kpiboard.local_get``); what a replay cannot
answer is said on the board, not hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, QModelIndex, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.china_time import CST
from console.kpiboard import (
    GROUPS,
    ITEM_GROUPS,
    PERIODS,
    Board,
    BoardError,
    Get,
    Period,
    cases_request,
    fetch_board,
    items_request,
    period,
)
from widgets.board.drill import DrillDialog, ItemsDialog
from widgets.board.model import FIXED, SPARK_ROLE, BoardModel, indicator_name
from widgets.common.style import GRADE_COLORS, theme
from widgets.common.workers import Workers


class SparkDelegate(QStyledItemDelegate):
    """The score per day as a line on the row's own scale (``model.spark_scale``; gaps where
    a day has no score), the last point dotted in the row's grade colour."""

    def paint(self, painter: QPainter, option, index) -> None:
        super().paint(painter, option, index)
        spark, grade, lo, hi = index.data(SPARK_ROLE) or ([], None, 0.0, 100.0)
        if not spark:
            return
        r = QRectF(option.rect).adjusted(6, 6, -8, -6)
        step = r.width() / max(len(spark) - 1, 1)
        span = max(hi - lo, 1e-9)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(theme()["highlight"]), 1.5))
        line = QPolygonF()
        last = None
        for i, v in enumerate(spark):
            if v is None:
                if line.size() > 1:
                    painter.drawPolyline(line)
                line = QPolygonF()
                continue
            y = r.bottom() - r.height() * (min(max(v, lo), hi) - lo) / span
            last = QPointF(r.left() + i * step, y)
            line.append(last)
        if line.size() > 1:
            painter.drawPolyline(line)
        if last is not None:
            painter.setBrush(QColor(GRADE_COLORS.get(grade or "", theme()["dim"])))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(last, 3, 3)
        painter.restore()


class KpiBoard(QWidget):
    case_requested = Signal(str)
    #: A drill-down's person or river segment: (ITEM_GROUPS kind, id).
    item_requested = Signal(str, str)
    export_requested = Signal(str, str)  # month "YYYY-MM", output path (.pdf or .xlsx)

    def __init__(
        self,
        get: Get,
        now: Callable[[], float],
        workers: Workers,
        source_note: str = "",
        parent: QWidget | None = None,
    ):
        """``get``: the session's fetch live, ``local_get`` over the log's cases in a replay;
        ``now``: district time (epoch seconds); ``source_note`` says where the numbers come
        from when it is not the backend."""
        super().__init__(parent)
        self.get, self.now, self.workers = get, now, workers
        self.board: Board | None = None
        self._serial = 0
        self.drill: DrillDialog | ItemsDialog | None = None
        self.period_box = QComboBox()
        self.group_box = QComboBox()
        for k in PERIODS:
            self.period_box.addItem("", k)
        for k in GROUPS:
            self.group_box.addItem("", k)
        self.period_box.setCurrentIndex(PERIODS.index("month"))
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for e in (self.from_edit, self.to_edit):
            e.setCalendarPopup(True)
            e.setDisplayFormat("yyyy-MM-dd")
        self.refresh_button, self.export_button = QPushButton(), QPushButton()
        self.period_label, self.summary, self.notice = QLabel(), QLabel(), QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.source = QLabel(source_note)
        self.source.setVisible(bool(source_note))
        self.source.setStyleSheet("color: #4fa3ff;")
        self.model = BoardModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(FIXED.index("spark"), SparkDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.doubleClicked.connect(self.drill_down)
        font = self.table.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)  # read from a step back, on a second screen
        self.table.setFont(font)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.summary.setStyleSheet("font-weight: bold;")
        bar = QHBoxLayout()
        self.labels = [QLabel(), QLabel()]
        self._dash = QLabel("—")
        for w in (self.labels[0], self.period_box, self.from_edit, self._dash, self.to_edit,
                  self.labels[1], self.group_box, self.refresh_button):  # fmt: skip
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        info = QHBoxLayout()
        info.addWidget(self.period_label, 1)
        info.addWidget(self.summary)
        lay.addLayout(info)
        lay.addWidget(self.source)
        lay.addWidget(self.notice)
        lay.addWidget(self.table, 1)
        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.group_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.from_edit.dateChanged.connect(lambda _d: self._custom_changed())
        self.to_edit.dateChanged.connect(lambda _d: self._custom_changed())
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(lambda: self.export_month())
        self.retranslate()
        self._period_changed()

    def retranslate(self) -> None:
        periods = {"today": self.tr("今日"), "week": self.tr("本周"),
                   "month": self.tr("本月"), "custom": self.tr("自定义")}  # fmt: skip
        groups = {
            "department": self.tr("专业部门"),
            "street": self.tr("街道"),
            "community": self.tr("社区"),
            "grid": self.tr("网格"),
            "supervisor": self.tr("监督员"),
            "operator": self.tr("受理员"),
            "dispatcher": self.tr("派遣员"),
            "shift_lead": self.tr("值班长"),
            "duty": self.tr("人员在岗（街道）"),
            "river": self.tr("河段"),
        }
        for i, k in enumerate(PERIODS):
            self.period_box.setItemText(i, periods[k])
        for i, k in enumerate(GROUPS):
            self.group_box.setItemText(i, groups[k])
        self.labels[0].setText(self.tr("时段"))
        self.labels[1].setText(self.tr("考核对象"))
        self.refresh_button.setText(self.tr("刷新"))
        self.export_button.setText(self.tr("导出月度考核报告…"))
        self.table.setToolTip(self.tr("双击指标单元格，查看计入分子与分母的案件"))

    # ---- period and grouping ----------------------------------------------------------------
    def district_now(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def _period_changed(self) -> None:
        custom = self.period_box.currentData() == "custom"
        for w in (self.from_edit, self._dash, self.to_edit):
            w.setVisible(custom)
        if custom:
            today = self.district_now().astimezone(CST).date()
            for e, d in ((self.from_edit, today - timedelta(days=6)), (self.to_edit, today)):
                e.blockSignals(True)
                e.setDate(QDate(d.year, d.month, d.day))
                e.blockSignals(False)
        self.refresh()

    def _custom_changed(self) -> None:
        if self.period_box.currentData() == "custom":
            self.refresh()

    def current_period(self) -> Period:
        kind = self.period_box.currentData()
        if kind != "custom":
            return period(kind, self.district_now())
        a, b = self.from_edit.date(), self.to_edit.date()
        start = datetime(a.year(), a.month(), a.day(), tzinfo=CST)
        end = datetime(b.year(), b.month(), b.day(), tzinfo=CST) + timedelta(days=1)  # inclusive
        return period("custom", self.district_now(), start, end)

    def group(self) -> str:
        return str(self.group_box.currentData())

    # ---- loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            p = self.current_period()
        except BoardError as e:
            self.show_notice(str(e))
            return
        self._serial += 1
        serial, group, get = self._serial, self.group(), self.get
        self.period_label.setText(self._period_text(p) + " · " + self.tr("加载中…"))
        self.workers.submit(
            lambda: fetch_board(get, group, p),
            lambda board: self._loaded(serial, board),
            owner=self,
            on_error=lambda e: self._failed(serial, e),
            what=self.tr("考核看板"),
        )

    def _loaded(self, serial: int, board: Board) -> None:
        if serial != self._serial:
            return  # an older request answered late
        self.board = board
        self.notice.hide()
        self.model.set_board(board)
        self.period_label.setText(self._period_text(board.period, board.previous))
        grades = [r.grade for r in board.rows]
        counts = " · ".join(f"{g} {grades.count(g)}" for g in "ABCDE")
        self.summary.setText(self.tr("共 %1 个 · ").replace("%1", str(len(grades))) + counts)
        h = self.table.horizontalHeader()
        h.setMinimumSectionSize(64)
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(FIXED.index("spark"), QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(FIXED.index("spark"), 180)
        for c in range(len(FIXED), self.model.columnCount()):  # the indicators share the rest
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)

    def _failed(self, serial: int, error: BaseException) -> None:
        if serial == self._serial:
            self.period_label.setText(self._period_text(self.current_period()))
            self.show_notice(self.tr("考核数据读取失败：%1").replace("%1", str(error)))

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setStyleSheet("color: #ff4d4f;")
        self.notice.show()

    def _period_text(self, p: Period, prev: Period | None = None) -> str:
        def span(x: Period) -> str:
            a, b = x.start.astimezone(CST), x.end.astimezone(CST)
            return f"{a:%Y-%m-%d %H:%M} — {b:%Y-%m-%d %H:%M}"

        text = self.tr("考核时段 %1").replace("%1", span(p))
        if prev is not None:
            text += " · " + self.tr("对比上期 %1").replace("%1", span(prev))
        return text

    # ---- drill-down -----------------------------------------------------------------------
    def drill_down(self, index: QModelIndex) -> None:
        board, row = self.board, self.model.row_at(index.row())
        ind = self.model.indicator_at(index.column())
        if board is None or row is None:
            return
        if ind is None:
            self.show_notice(self.tr("双击指标单元格，查看计入分子与分母的案件"))
            return
        get, group, p = self.get, board.group, board.period
        title = f"{row.name} · {indicator_name(board.definitions, ind)}"
        if group in ITEM_GROUPS:
            self.workers.submit(
                lambda: get(*items_request(group, row.key, ind, p)).get("items") or [],
                lambda items: self._show_items(title, ITEM_GROUPS[group], ind, items),
                owner=self,
                on_error=lambda e: self.show_notice(
                    self.tr("无法列出明细：%1").replace("%1", str(e))
                ),
                what=self.tr("考核明细"),
            )
            return

        def fetch() -> tuple[list[str], list[str]]:
            parts = []
            for part in ("numerator", "denominator"):
                answer = get(*cases_request(group, row.key, ind, part, p))
                parts.append([str(x) for x in answer.get("case_ids") or []])
            return parts[0], parts[1]

        self.workers.submit(
            fetch,
            lambda ids: self._show_drill(title, *ids),
            owner=self,
            on_error=lambda e: self.show_notice(self.tr("无法列出案件：%1").replace("%1", str(e))),
            what=self.tr("考核案件"),
        )

    def _show_drill(self, title: str, numerator: list[str], denominator: list[str]) -> None:
        if self.drill is not None:
            self.drill.close()
        self.drill = DrillDialog(title, numerator, denominator, self)
        self.drill.case_requested.connect(self.case_requested)
        self.drill.show()

    def _show_items(self, title: str, kind: str, ind: str, items: list) -> None:
        if self.drill is not None:
            self.drill.close()
        self.drill = ItemsDialog(title, kind, ind, items, self)
        self.drill.item_requested.connect(self.item_requested)
        self.drill.show()

    # ---- export ---------------------------------------------------------------------------
    def export_month(self, path: str | None = None) -> None:
        """The monthly 考核 report of the month the shown period ends in."""
        p = self.board.period if self.board else self.current_period()
        month = f"{(p.end - timedelta(microseconds=1)).astimezone(CST):%Y-%m}"
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("导出月度考核报告"),
                f"kpi-{month}.pdf",
                self.tr("PDF (*.pdf);;Excel (*.xlsx)"),
            )
        if path:
            self.export_requested.emit(month, path)
