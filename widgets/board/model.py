"""The board's ranking table: one row per department, region or person, ranked by score;
rank, name, grade (coloured, lettered), score, the trend against the previous period, a
sparkline of the score over the period's days, then one column per indicator (its value;
numerator/denominator and the formula with its source in the tooltip)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.domain.china_time import CST
from console.kpiboard import ITEM_GROUPS, Board, BoardRow
from widgets.common.i18n import language
from widgets.common.style import GRADE_COLORS, theme

FIXED = ("rank", "name", "grade", "score", "trend", "spark")
#: the sparkline's scores, the row's grade and its scale (lo, hi)
SPARK_ROLE = Qt.ItemDataRole.UserRole + 1
UP, DOWN = "#2e9e44", "#d9363e"

Index = QModelIndex | QPersistentModelIndex


def indicator_name(definitions: dict[str, dict[str, Any]], ind: str) -> str:
    d = definitions.get(ind) or {}
    return str(d.get("en" if language() == "en" else "zh") or ind)


def cell_text(board: Board, row: BoardRow, ind: str) -> str:
    """A rate as a percentage with one decimal (never clamped: 125.0 % shows as such), a count
    as its numerator; "—" for an empty denominator."""
    c = row.cells.get(ind)
    if c is None:
        return ""
    if (board.definitions.get(ind) or {}).get("unit") == "count":
        return str(c.numerator)
    return "—" if c.value is None else f"{100 * c.value:.1f}%"


def trend_text(delta: float | None) -> str:
    if delta is None:
        return "—"
    if delta == 0:
        return "＝ 0.0"
    return f"{'▲' if delta > 0 else '▼'} {abs(delta):.1f}"


def spark_scale(spark: list[float | None]) -> tuple[float, float]:
    """A sparkline's own scale (its shape is what it shows; Tufte's word-sized graphics),
    at least 10 points tall so a one-point wobble does not draw as a cliff."""
    values = [v for v in spark if v is not None]
    if not values:
        return 0.0, 100.0
    lo, hi = min(values), max(values)
    pad = max(0.0, 10 - (hi - lo)) / 2
    return lo - pad, hi + pad


class BoardModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.board: Board | None = None

    def set_board(self, board: Board | None) -> None:
        self.beginResetModel()
        self.board = board
        self.endResetModel()

    def indicator_at(self, column: int) -> str | None:
        if self.board is None or column < len(FIXED):
            return None
        i = column - len(FIXED)
        return self.board.indicators[i] if i < len(self.board.indicators) else None

    def row_at(self, row: int) -> BoardRow | None:
        return self.board.rows[row] if self.board and 0 <= row < len(self.board.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.board is None else len(self.board.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return (
            0 if parent.isValid() else len(FIXED) + len(self.board.indicators if self.board else [])
        )

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        ind = self.indicator_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if ind is not None and self.board is not None:
                return indicator_name(self.board.definitions, ind)
            heads = {
                "rank": self.tr("排名"),
                "name": self.tr("对象"),
                "grade": self.tr("等级"),
                "score": self.tr("综合指标值"),
                "trend": self.tr("较上期"),
                "spark": self.tr("逐日走势"),
            }
            return heads.get(FIXED[section]) if section < len(FIXED) else None
        if role == Qt.ItemDataRole.ToolTipRole and ind is not None and self.board is not None:
            return self._definition_tip(ind)
        return None

    def _definition_tip(self, ind: str) -> str:
        assert self.board is not None
        d = self.board.definitions.get(ind) or {}
        better = self.tr("越高越好") if d.get("higher_is_better", True) else self.tr("越低越好")
        return "\n".join(
            [
                indicator_name(self.board.definitions, ind),
                self.tr("公式：%1").replace("%1", str(d.get("formula") or "—")),
                self.tr("来源：%1").replace("%1", str(d.get("source") or "—")),
                better,
            ]
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row())
        if row is None or self.board is None:
            return None
        col = FIXED[index.column()] if index.column() < len(FIXED) else None
        ind = self.indicator_at(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "rank":
                return row.rank
            if col == "name":
                return row.name
            if col == "grade":
                return row.grade or "—"
            if col == "score":
                return "—" if row.score is None else f"{row.score:.1f}"
            if col == "trend":
                return trend_text(row.delta)
            if ind is not None:
                return cell_text(self.board, row, ind)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == "grade" and row.grade in GRADE_COLORS:
                return QColor("white")
            if col == "trend" and row.delta:
                return QColor(UP if row.delta > 0 else DOWN)
            return None
        if role == Qt.ItemDataRole.BackgroundRole and col == "grade" and row.grade:
            return QColor(GRADE_COLORS.get(row.grade, theme()["alt"]))
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in ("name", "spark"):
            if col == "grade":
                return Qt.AlignmentFlag.AlignCenter
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col, ind)
        if role == SPARK_ROLE and col == "spark":
            return (row.spark, row.grade, *spark_scale(row.spark))
        return None

    def _tooltip(self, row: BoardRow, col: str | None, ind: str | None) -> str | None:
        assert self.board is not None
        if ind is not None:
            c = row.cells.get(ind)
            if c is None:
                return None
            counts = (
                self.tr("分子 %1 / 分母 %2（双击查看明细）")
                if self.board.group in ITEM_GROUPS
                else self.tr("分子 %1 / 分母 %2（双击查看案件）")
            )
            counts = counts.replace("%1", str(c.numerator)).replace("%2", str(c.denominator))
            return f"{row.name}\n{counts}\n{self._definition_tip(ind)}"
        if col == "trend":
            prev = "—" if row.previous_score is None else f"{row.previous_score:.1f}"
            return self.tr("上期综合指标值：%1").replace("%1", prev)
        if col == "spark" and self.board.days:
            first, last = self.board.days[0].start, self.board.days[-1].start
            span = f"{first.astimezone(CST):%m-%d} — {last.astimezone(CST):%m-%d}"
            text = self.tr("逐日综合指标值 %1").replace("%1", span)
            values = [v for v in row.spark if v is not None]
            if values:
                low_high = self.tr("最低 %1，最高 %2")
                text += "\n" + low_high.replace("%1", f"{min(values):.1f}").replace(
                    "%2", f"{max(values):.1f}"
                )
            return text
        return row.key if col == "name" else None
