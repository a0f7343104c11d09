"""Painted charts for the wall: horizontal bars, a ranking table and hourly columns.

Painted (QPainter) rather than built from child widgets so a refresh replaces a short list
and repaints: nothing is created per refresh, so a wall running for months does not grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from widgets.common.style import theme
from widgets.wall.scale import WallScale

GRADE_COLORS = {"A": "#2ecc71", "B": "#36cfc9", "C": "#f5c518", "D": "#f5a623", "E": "#ff4d4f"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the bar's end
    color: str = "#5b8ff9"


def _font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


class Painted(QWidget):
    """A chart painted from a short list: ``set_items`` replaces the list and repaints, so a
    refresh creates nothing. ``paint_items`` draws the list (or ``empty_text``) on a painter
    with antialiasing and the body font, given the theme and the size; the painter is ended
    after it, however it returns."""

    def __init__(self, scale: WallScale, parent=None):
        super().__init__(parent)
        self.scale = scale
        self.items: list[Any] = []
        self.empty_text = ""

    def set_items(self, items: list[Any], empty_text: str = "") -> None:
        self.items, self.empty_text = items, empty_text
        self.update()

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(_font(self.scale.body))
        self.paint_items(p, theme(), self.width(), self.height())
        p.end()

    def paint_items(self, p: QPainter, t: dict[str, str], w: int, h: int) -> None:
        raise NotImplementedError


class Bars(Painted):
    """Labelled horizontal bars (``items``: Bar), longest = the largest value; as many rows
    as fit."""

    items: list[Bar]

    def __init__(
        self, scale: WallScale, label_share: float = 0.38, fill: bool = False, parent=None
    ):
        """``fill``: the rows share the widget's height (few bars on a large area: the flow
        scene's five stages), with title-sized labels once a row has room for them."""
        super().__init__(scale, parent)
        self.label_share = label_share
        self.fill = fill

    def paint_items(self, p: QPainter, t: dict[str, str], w: int, h: int) -> None:
        s = self.scale
        if not self.items:
            p.setPen(QColor(t["dim"]))
            p.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        px, row = s.body, s.body * 2.0
        if self.fill:
            row = h / len(self.items)
            px = s.title if row >= s.title * 2.0 else s.body
            p.setFont(_font(px))
        thick = min(row * 0.64, px * 1.6)
        n = len(self.items) if self.fill else max(1, min(len(self.items), int(h // row)))
        top = max(b.value for b in self.items[:n]) or 1.0
        lw = w * self.label_share
        tw = px * (2.5 if self.fill else 4.5)  # the value at the bar's end: "156"
        for i, b in enumerate(self.items[:n]):
            y = i * row
            p.setPen(QColor(t["text"]))
            p.drawText(
                QRectF(0, y, lw - s.gap, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                b.label,
            )
            bw = max(0.0, (w - lw - tw) * b.value / top)
            p.fillRect(QRectF(lw, y + (row - thick) / 2, bw, thick), QColor(b.color))
            p.drawText(
                QRectF(lw + bw + s.gap / 2, y, tw, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                b.text,
            )


@dataclass(frozen=True)
class BandRow:
    cells: tuple[str, ...]
    color: str = ""  # the last cell's colour ("": the theme's dim)


class Bands(Painted):
    """Rows of text in equal horizontal bands, one band per group (``items``: a list of
    BandRow per group), so a band lines up with the bar of a ``Bars(fill=True)`` of the same
    height and as many bars beside it. Cells start at ``columns`` (shares of the width); the
    last one is right-aligned; each is elided, never cut. A group without rows shows
    ``empty_text``."""

    items: list[list[BandRow]]

    def __init__(self, scale: WallScale, columns: tuple[float, ...], parent=None):
        super().__init__(scale, parent)
        self.columns = columns

    def paint_items(self, p: QPainter, t: dict[str, str], w: int, h: int) -> None:
        if not self.items:
            return
        s = self.scale
        band = h / len(self.items)
        line = s.body * 1.7
        edges = [w * x for x in self.columns] + [float(w)]
        for g, rows in enumerate(self.items):
            y0 = g * band
            if g:
                p.setPen(QColor(t["border"]))
                p.drawLine(0, int(y0), w, int(y0))
            shown = rows[: max(1, int(band // line))]
            y = y0 + (band - line * max(1, len(shown))) / 2
            if not shown:
                p.setPen(QColor(t["dim"]))
                p.drawText(QRectF(0, y, w, line), Qt.AlignmentFlag.AlignVCenter, self.empty_text)
            for r, row in enumerate(shown):
                last = len(row.cells) - 1
                for c, text in enumerate(row.cells):
                    box = QRectF(edges[c], y + r * line, edges[c + 1] - edges[c] - s.gap, line)
                    if c == last:
                        box = QRectF(edges[c], y + r * line, w - edges[c], line)
                    p.setPen(QColor((row.color or t["dim"]) if c == last else t["text"]))
                    align = Qt.AlignmentFlag.AlignRight if c == last else Qt.AlignmentFlag.AlignLeft
                    p.drawText(
                        box,
                        Qt.AlignmentFlag.AlignVCenter | align,
                        p.fontMetrics().elidedText(
                            text, Qt.TextElideMode.ElideRight, int(box.width())
                        ),
                    )


@dataclass(frozen=True)
class RankRow:
    name: str
    score: float | None
    grade: str | None
    detail: str  # e.g. the two headline indicators


class RankTable(Painted):
    """名次 · 名称 · 综合指标值 · 等级 · headline indicators (``items``: RankRow), as many
    rows as fit."""

    items: list[RankRow]

    def __init__(self, scale: WallScale, title: str, parent=None):
        super().__init__(scale, parent)
        self.title = title

    def paint_items(self, p: QPainter, t: dict[str, str], w: int, h: int) -> None:
        s = self.scale
        p.setPen(QColor(t["text"]))
        p.setFont(_font(s.title, bold=True))
        p.drawText(QRectF(0, 0, w, s.title * 1.6), Qt.AlignmentFlag.AlignVCenter, self.title)
        y0 = s.title * 1.8
        p.setFont(_font(s.body))
        if not self.items:
            p.setPen(QColor(t["dim"]))
            p.drawText(
                QRectF(0, y0, w, h - y0),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.empty_text,
            )
            return
        row = s.body * 2.1
        # rank, name (up to 11 characters: 区城管局环境卫生管理处), score, grade, detail (two
        # headline indicators: about 18 characters)
        cols = (0.0, 0.06, 0.40, 0.50, 0.57)
        for i, r in enumerate(self.items[: max(1, int((h - y0) // row))]):
            y = y0 + i * row
            if i % 2:
                p.fillRect(QRectF(0, y, w, row), QColor(t["alt"]))
            cells = (str(i + 1), r.name, "" if r.score is None else f"{r.score:.1f}")
            for x, text in zip(cols, cells, strict=False):
                p.setPen(QColor(t["text"]))
                p.drawText(
                    QRectF(w * x + s.gap / 2, y, w * 0.34, row),
                    Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
            if r.grade:
                chip = QRectF(w * cols[3], y + row * 0.12, row * 0.76, row * 0.76)
                p.setBrush(QColor(GRADE_COLORS.get(r.grade, t["dim"])))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRoundedRect(chip, 8, 8)
                p.setPen(QColor("#0b1119"))
                p.setFont(_font(s.body, bold=True))
                p.drawText(chip, Qt.AlignmentFlag.AlignCenter, r.grade)
                p.setFont(_font(s.body))
            p.setPen(QColor(t["dim"]))
            box = QRectF(w * cols[4], y, w * (1 - cols[4]), row)
            detail = p.fontMetrics().elidedText(  # never cut a character in half
                r.detail, Qt.TextElideMode.ElideRight, int(box.width())
            )
            p.drawText(box, Qt.AlignmentFlag.AlignVCenter, detail)


def nice_ceiling(v: float) -> float:
    """The smallest 1, 2, 4, 6 or 8 × 10^k at or above ``v``: four steps of it are round
    (an axis of 0, 20, 40, 60, 80 rather than 0, 26, 52, 79, 105)."""
    k = 1.0
    while True:
        for m in (1.0, 2.0, 4.0, 6.0, 8.0):
            if m * k >= v:
                return m * k
        k *= 10


class Columns(QWidget):
    """24 hourly columns (today) with a second series drawn as a line (last week), hour
    labels every three hours, and the current hour marked."""

    def __init__(self, scale: WallScale, parent=None):
        super().__init__(parent)
        self.scale = scale
        self.today: list[int] = [0] * 24
        self.last: list[int] | None = None
        self.hour = 0

    def set_series(self, today: list[int], last: list[int] | None, hour: int) -> None:
        self.today, self.last, self.hour = today, last, hour
        self.update()

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t, s = theme(), self.scale
        w, h = self.width(), self.height()
        axis = s.body * 2.0
        left = s.body * 3.0
        plot_h = h - axis - s.body
        top = nice_ceiling(max([*self.today, *(self.last or []), 1]))
        step = (w - left) / 24
        p.setFont(_font(s.small))
        p.setPen(QColor(t["border"]))
        for k in range(5):
            y = s.body + plot_h * (1 - k / 4)
            p.drawLine(int(left), int(y), int(w), int(y))
            p.setPen(QColor(t["dim"]))
            p.drawText(
                QRectF(0, y - s.small, left - s.gap, 2 * s.small),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{top * k / 4:g}",
            )
            p.setPen(QColor(t["border"]))
        for i, v in enumerate(self.today):
            bh = plot_h * v / top
            color = "#4fa3ff" if i <= self.hour else t["border"]
            p.fillRect(
                QRectF(left + i * step + step * 0.15, s.body + plot_h - bh, step * 0.7, bh),
                QColor(color),
            )
            if i % 3 == 0:
                p.setPen(QColor(t["dim"]))
                p.drawText(
                    QRectF(left + i * step, h - axis, step * 3, axis),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{i:02d}:00",
                )
        if self.last is not None:
            pen = p.pen()
            pen.setColor(QColor("#f5a623"))
            pen.setWidth(max(2, s.px(0.003)))
            p.setPen(pen)
            pts = [
                (left + (i + 0.5) * step, s.body + plot_h * (1 - v / top))
                for i, v in enumerate(self.last)
            ]
            for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
                p.drawLine(int(x0), int(y0), int(x1), int(y1))
        p.end()
