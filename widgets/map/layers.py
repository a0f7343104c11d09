"""Building blocks of the map wall: the heading arrow, the heatmap image, and the overlays
(scale bar, legend). Each layer is one item however many entities it shows (QT_PRACTICE.md:
one item per layer, no per-point objects; the point layers are ``widgets.map.markers``)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget


def heading_arrow() -> QPainterPath:
    """A unit arrow pointing north (up on screen); markers turn it by the heading."""
    arrow = QPainterPath()
    arrow.moveTo(0.0, -0.5)
    arrow.lineTo(0.38, 0.42)
    arrow.lineTo(0.0, 0.2)
    arrow.lineTo(-0.38, 0.42)
    arrow.closeSubpath()
    return arrow


def heat_image(x: np.ndarray, y: np.ndarray, bounds: tuple, bins: int = 160) -> np.ndarray:
    """A smoothed 2-D density of points (RGBA uint8, transparent where nothing is)."""
    x0, y0, x1, y1 = bounds
    h, _, _ = np.histogram2d(x, y, bins=bins, range=[[x0, x1], [y0, y1]])
    for axis in (0, 1):  # three box passes ≈ a Gaussian of ~3 bins
        for _ in range(3):
            h = (np.roll(h, 1, axis) + h + np.roll(h, -1, axis)) / 3.0
    peak = h.max()
    v = h / peak if peak > 0 else h
    lut = pg.colormap.get("inferno").getLookupTable(0.15, 1.0, 256, alpha=True)
    rgba = lut[(v * 255).astype(np.int64)]
    rgba[..., 3] = (np.sqrt(v) * 200).astype(np.uint8)
    return rgba


def nice_length(max_m: float) -> float:
    """The largest 1-2-5 × 10^n length not above ``max_m``."""
    if max_m <= 0 or not math.isfinite(max_m):
        return 0.0
    exp = 10 ** math.floor(math.log10(max_m))
    return max(m * exp for m in (1, 2, 5) if m * exp <= max_m)


class ScaleBar(QWidget):
    """Ground distance (not Mercator metres: those are 1/cos φ too long at Hangzhou)."""

    def __init__(self, parent: QWidget, metres_per_px):
        """``metres_per_px()`` is asked at paint time, when the view's range is final."""
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.metres_per_px = metres_per_px
        self.color = QColor("#e6edf5")
        self.text_px: int | None = None  # None: the widget's font (a desk's map)
        self.unit = 1.0  # every length below is in these (a wall's bar is larger)
        self.resize(180, 34)

    def set_text_px(self, px: int) -> None:
        """Label, bar and ticks for a map watched from afar: the label ``px`` high and the rest
        grown in proportion (a desk's label is about 12 px)."""
        self.text_px, self.unit = px, px / 12.0
        self.resize(round(180 * self.unit), round(34 * self.unit))
        self.update()

    def length(self) -> tuple[float, float]:
        per_px = self.metres_per_px()
        m = nice_length(per_px * 150 * self.unit)
        return m, (m / per_px if per_px else 0.0)

    def paintEvent(self, _ev) -> None:
        m, px = self.length()
        if px <= 0:
            return
        u = self.unit
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(self.color, 2 * u))
        y = self.height() - 8 * u
        p.drawLine(QPointF(4 * u, y), QPointF(4 * u + px, y))
        p.drawLine(QPointF(4 * u, y - 6 * u), QPointF(4 * u, y))
        p.drawLine(QPointF(4 * u + px, y - 6 * u), QPointF(4 * u + px, y))
        f = QFont(self.font())
        f.setBold(True)
        if self.text_px is not None:
            f.setPixelSize(self.text_px)
        p.setFont(f)
        label = f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"
        p.drawText(
            QRectF(4 * u, 0, px + 60 * u, y - 6 * u),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            label,
        )
        p.end()
