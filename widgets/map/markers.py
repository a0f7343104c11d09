"""Map items for many points: ``Markers`` (cases, vehicles) and ``Clusters`` (case counts).

pyqtgraph's ScatterPlotItem spends ~3 µs of Python per point on every ``setData`` (a style
lookup per point in its symbol atlas): 160 ms for 50,000 cases, 280 ms with a brush per point
(measured, pyqtgraph 0.14, this machine). ``Markers`` keeps the points as numpy columns (x, y,
a style code, a rotation) and pre-renders each style once into a strip; its ``setData`` only
stores arrays, and its paint maps the points in view to pixels with numpy and draws them in one
``QPainter.drawPixmapFragments`` call (what ScatterPlotItem's own paint does, via pyqtgraph's
``Qt.internals.PrimitiveArray``, pinned by the lock). A heading is the fragment's rotation, so
a vehicle needs one arrow per status colour, not one per heading bucket.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import internals
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from widgets.common.style import LIGHT_COLORS
from widgets.map.lod import LIGHTS_WORST_FIRST

OUTLINE = "#0b1119"  # the markers' dark rim: a marker stays a marker on a light street map
# A cluster's count on a 1080p map, bold: 5 mm on a desk's 24" screen; 13.5 mm on a 65"
# 1080p wall panel, ~15 arc-minutes at 3 m (legible text wants 10-16'); a wall multiplies it
# by its height over 1080, as every size on a wall.
COUNT_PX = 18


def _device_xy(p: QPainter, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """View coordinates → device pixels under the painter's (affine) transform."""
    t = p.transform()
    return (
        t.m11() * x + t.m21() * y + t.dx(),
        t.m12() * x + t.m22() * y + t.dy(),
    )


def _in_device(p: QPainter, px: np.ndarray, py: np.ndarray, margin: float) -> np.ndarray:
    d = p.device()
    w, h = d.width(), d.height()
    return (px > -margin) & (px < w + margin) & (py > -margin) & (py < h + margin)


def _records(**columns: np.ndarray) -> np.ndarray:
    """Columns as one structured array (ScatterPlotItem's ``data`` has this form)."""
    n = len(next(iter(columns.values())))
    out = np.empty(n, dtype=[(k, v.dtype) for k, v in columns.items()])
    for k, v in columns.items():
        out[k] = v
    return out


class _PointsItem(pg.GraphicsObject):
    """Points in view units with pixel-sized symbols: bounds for the view's culling and
    auto-range, padded by the symbols' half size."""

    def __init__(self, size: float):
        super().__init__()
        self.opts = {"size": float(size)}  # as ScatterPlotItem's, for callers sizing a wall
        self._x = self._y = np.empty(0)
        self._bounds = QRectF()

    def _set_xy(self, x: np.ndarray, y: np.ndarray) -> None:
        self.prepareGeometryChange()
        self._x = np.asarray(x, dtype=float)
        self._y = np.asarray(y, dtype=float)
        if len(self._x):
            x0, x1 = float(self._x.min()), float(self._x.max())
            y0, y1 = float(self._y.min()), float(self._y.max())
            self._bounds = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._bounds = QRectF()
        self.update()

    def pad_px(self) -> float:
        return self.opts["size"]

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the pixel padding is a different length now

    def boundingRect(self) -> QRectF:
        if self._bounds.isNull() and not len(self._x):
            return QRectF()
        pw, ph = self.pixelWidth(), self.pixelHeight()
        pad = self.pad_px()
        pw = 0.0 if not math.isfinite(pw) else pw * pad
        ph = 0.0 if not math.isfinite(ph) else ph * pad
        return self._bounds.adjusted(-pw, -ph, pw, ph)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        a = self._x if ax == 0 else self._y
        return (None, None) if not len(a) else (float(a.min()), float(a.max()))

    def pixelPadding(self) -> float:
        return self.pad_px() / 2


class Markers(_PointsItem):
    """Same-sized markers, each drawn in one of a few styles (symbol and fill), optionally
    rotated (degrees clockwise on screen)."""

    def __init__(self, styles: Sequence[tuple[QPainterPath, str]], size: float, pen: QPen):
        super().__init__(size)
        self._styles = list(styles)
        self._pen = pen
        self._style = np.empty(0, dtype=np.int64)
        self._rotation: np.ndarray | None = None
        self._frags = internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self._atlas = QPixmap()
        self._cell = 0
        self._dpr = 0.0
        self._density = 1.0  # drawn size = opts["size"] x this (lod.density_scale)

    # ---- what ScatterPlotItem's callers use ----------------------------------------------------
    def setSize(self, size: float) -> None:
        self.opts["size"] = float(size)
        self._atlas = QPixmap()
        self.prepareGeometryChange()
        self.update()

    def set_density(self, scale: float) -> None:
        """Draw the markers at ``scale`` times their size (many in view: smaller)."""
        if scale != self._density:
            self._density = scale
            self._atlas = QPixmap()
            self.prepareGeometryChange()
            self.update()

    def pad_px(self) -> float:
        return self.opts["size"] * self._density

    def setPen(self, pen: QPen) -> None:
        self._pen = pen
        self._atlas = QPixmap()
        self.update()

    @property
    def data(self) -> np.ndarray:
        """The points as a record array with ``x`` and ``y`` (ScatterPlotItem's ``data``)."""
        return _records(x=self._x, y=self._y)

    def setData(
        self, x: np.ndarray, y: np.ndarray, style: np.ndarray, rotation: np.ndarray | None = None
    ) -> None:
        """``style[k]`` indexes the styles given at construction; ``rotation`` in degrees."""
        self._style = np.asarray(style, dtype=np.int64)
        self._rotation = None if rotation is None else np.asarray(rotation, dtype=float)
        self._set_xy(x, y)

    # ---- painting ------------------------------------------------------------------------------
    def _build_atlas(self, dpr: float) -> None:
        size = self.opts["size"] * self._density
        pen_w = max(self._pen.widthF(), 1.0)
        # room for the symbol turned by any angle (a unit symbol's corner is at 0.71)
        self._cell = int(math.ceil((size * 1.42 + 2 * pen_w + 2) * dpr))
        pm = QPixmap(self._cell * max(len(self._styles), 1), self._cell)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self._pen)
        pen.setCosmetic(True)
        pen.setWidthF(self._pen.widthF() * dpr)
        for k, (symbol, color) in enumerate(self._styles):
            p.resetTransform()
            p.translate(self._cell * (k + 0.5), self._cell * 0.5)
            p.scale(size * dpr, size * dpr)
            p.setPen(pen)
            p.setBrush(pg.mkBrush(color))
            p.drawPath(symbol)
        p.end()
        self._atlas, self._dpr = pm, dpr

    def paint(self, p: QPainter, *args) -> None:
        if not len(self._x):
            return
        widget = args[1] if len(args) > 1 else None
        dpr = widget.devicePixelRatioF() if widget is not None else 1.0
        if self._atlas.isNull() or dpr != self._dpr:
            self._build_atlas(dpr)
        px, py = _device_xy(p, self._x, self._y)
        show = np.flatnonzero(_in_device(p, px, py, self._cell / self._dpr))
        if not len(show):
            return
        p.resetTransform()
        self._frags.resize(len(show))
        f = self._frags.ndarray()
        f[:, 0], f[:, 1] = px[show], py[show]
        f[:, 2] = self._style[show] * self._cell
        f[:, 3] = 0.0
        f[:, 4:6] = self._cell
        f[:, 6:8] = 1.0 / self._dpr
        f[:, 8] = 0.0 if self._rotation is None else self._rotation[show]
        f[:, 9] = 1.0
        # PySide's (first fragment, count) overload, which its stubs do not list
        p.drawPixmapFragments(*self._frags.drawargs(), self._atlas)  # type: ignore[call-arg]


#: The order of a cluster's ring, clockwise from the top: worst first.
RING_COLORS = [LIGHT_COLORS[v] for v in LIGHTS_WORST_FIRST]
LIGHT_NAMES = ("red", "yellow", "green", "none")  # LIGHTS_WORST_FIRST's, for ``data``
# A light's least arc on a ring: 24 degrees are ~6 px of the smallest disc's rim (14 px
# radius), a dash of colour that reads where one case in 600 would be a sliver.
MIN_ARC_DEG = 24.0


def ring_spans(lights: np.ndarray) -> np.ndarray:
    """Each light's arc of a cluster's ring in 1/16 degree (a turn is 5760), by its share, but
    at least MIN_ARC_DEG for a light that is there: one late case among 600 still shows."""
    total = np.maximum(lights.sum(axis=1, keepdims=True), 1)
    share = np.where(lights > 0, np.maximum(lights / total, MIN_ARC_DEG / 360), 0.0)
    share /= np.maximum(share.sum(axis=1, keepdims=True), 1e-12)
    spans: np.ndarray = np.round(share * 5760).astype(np.int64)
    return spans


class Clusters(_PointsItem):
    """Case clusters: a dark disc growing with the count, a ring split by the shares of each
    light (red, yellow, green, grey clockwise from the top), the count in the middle. One item
    draws the discs (under the exact markers, so no overdue case hides under a disc) and one
    the rings and counts (over them: a 4-px ring hides no marker whole); ``labels`` says
    which this is."""

    def __init__(self, labels: bool):
        super().__init__(size=float(2 * Clusters.radius_px(10**4, 1.0)))
        self.labels = labels
        self.text_px = COUNT_PX  # the count's height: bold, white on the disc
        self.unit = 1.0  # every length in screen pixels is multiplied by this (a wall)
        self._count = np.empty(0, dtype=np.int64)
        self._lights = np.empty((0, 4), dtype=np.int64)
        self._badges: dict[tuple, QPixmap] = {}
        self._discs: dict[int, QPixmap] = {}
        self._font = QFont()

    @staticmethod
    def radius_px(count: np.ndarray | int, unit: float) -> np.ndarray:
        """A disc of 14 px for 5 cases growing to 26 px for 10,000 (log): the count fits, and
        a bin (lod.CLUSTER_PX = 56 px) holds it."""
        return unit * (10.5 + 3.9 * np.log10(np.maximum(count, 1)))

    def set_text_px(self, px: int, unit: float) -> None:
        self.text_px, self.unit = px, unit
        self.opts["size"] = float(2 * self.radius_px(10**4, unit))
        self._badges.clear()
        self._discs.clear()
        self.prepareGeometryChange()
        self.update()

    def setData(self, x: np.ndarray, y: np.ndarray, count: np.ndarray, lights: np.ndarray):
        self._count = np.asarray(count, dtype=np.int64)
        self._lights = np.asarray(lights, dtype=np.int64).reshape(-1, 4)
        self._set_xy(x, y)

    @property
    def data(self) -> np.ndarray:
        """x, y, count and one column per light (named as in ``LIGHT_NAMES``)."""
        lights = {name: self._lights[:, j] for j, name in enumerate(LIGHT_NAMES)}
        return _records(x=self._x, y=self._y, count=self._count, **lights)

    def paint(self, p: QPainter, *_args) -> None:
        if not len(self._x):
            return
        px, py = _device_xy(p, self._x, self._y)
        r = self.radius_px(self._count, self.unit)
        show = np.flatnonzero(_in_device(p, px, py, float(r.max()) if len(r) else 0.0))
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.labels:
            self._paint_badges(p, px, py, r, show)
        else:
            for k in show.tolist():
                disc = self._disc(int(round(r[k])))
                half = disc.width() / disc.devicePixelRatio() / 2
                p.drawPixmap(QPointF(px[k] - half, py[k] - half), disc)

    def _disc(self, radius: int) -> QPixmap:
        """The dark disc of a radius, drawn once: an antialiased translucent ellipse costs
        ~80 µs to fill (a hundred clusters: 9 ms a frame), its pixmap a few."""
        disc = self._discs.get(radius)
        if disc is None:
            disc = self._discs[radius] = QPixmap(2 * radius + 2, 2 * radius + 2)
            disc.fill(Qt.GlobalColor.transparent)
            fill = QColor(OUTLINE)
            fill.setAlpha(215)
            q = QPainter(disc)
            q.setRenderHint(QPainter.RenderHint.Antialiasing)
            q.setPen(Qt.PenStyle.NoPen)
            q.setBrush(fill)
            q.drawEllipse(QPointF(radius + 1, radius + 1), radius, radius)
            q.end()
        return disc

    def _paint_badges(self, p: QPainter, px, py, r, show) -> None:
        if self._font.pixelSize() != round(self.text_px):
            self._font = QFont(p.font())
            self._font.setBold(True)
            self._font.setPixelSize(round(self.text_px))
            self._badges.clear()
        spans = ring_spans(self._lights)
        for k in show.tolist():
            badge = self._badge(int(round(r[k])), tuple(spans[k].tolist()), int(self._count[k]))
            w, h = badge.width() / 2, badge.height() / 2
            p.drawPixmap(QPointF(px[k] - w, py[k] - h), badge)

    def _badge(self, radius: int, spans: tuple[int, ...], count: int) -> QPixmap:
        """A cluster's ring and count, drawn once for that (radius, arcs, count): four arcs
        and a haloed count cost ~45 µs a cluster to draw, a pixmap a few."""
        key = (radius, spans, count)
        badge = self._badges.get(key)
        if badge is not None:
            return badge
        if len(self._badges) > 4096:  # clusters come and go with the data: a bounded cache
            self._badges.clear()
        text = str(count)
        tw = QFontMetricsF(self._font).horizontalAdvance(text)
        side = int(math.ceil(max(2 * radius + 2, tw + 6 * self.unit)))
        badge = self._badges[key] = QPixmap(side, side)
        badge.fill(Qt.GlobalColor.transparent)
        q = QPainter(badge)
        q.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring_w = 4.0 * self.unit
        rr = radius - ring_w / 2
        box = QRectF(side / 2 - rr, side / 2 - rr, 2 * rr, 2 * rr)
        start = 90 * 16  # from the top, clockwise (negative spans)
        for color, span in zip(RING_COLORS, spans, strict=True):
            if span:
                q.setPen(QPen(QColor(color), ring_w, c=Qt.PenCapStyle.FlatCap))
                q.drawArc(box, start, -span)
                start -= span
        q.setFont(self._font)
        o = max(1.0, self.unit)
        q.setPen(QColor(OUTLINE))  # a dark halo: the count reads over a red marker under it
        whole = QRectF(0, 0, side, side)
        centre = Qt.AlignmentFlag.AlignCenter
        for dx, dy in ((-o, 0), (o, 0), (0, -o), (0, o)):
            q.drawText(whole.translated(dx, dy), centre, text)
        q.setPen(QColor("#ffffff"))
        q.drawText(whole, centre, text)
        q.end()
        return badge
