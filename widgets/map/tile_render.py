"""Renders the demo basemap (``console.tiles.basemap_features``) into 256 px XYZ tiles.

Two ideas keep the tiles seamless:

* **metatiles**: a block of n×n tiles is painted as one image and then cut, so a line or a
  fill crosses tile edges in one stroke (and each feature's path is walked once per block,
  not once per tile);
* **labels are placed per zoom, not per tile**: ``plan(z)`` places every label of the zoom in
  global pixel coordinates with collision avoidance (a label is dropped where it would overlap
  one placed earlier, in priority order); a block draws the placed labels that touch it. A
  label across a block's edge is therefore drawn, identically, by both blocks.

QPainter on QImage, antialiased; safe to run in worker threads once ``plan(z)`` has been
called for the zoom (the paths are then only read).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import qtawesome as qta
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)

from console.tiles.basemap_features import MAJOR, PLANNED, Area, BasemapFeatures, Line
from console.tiles.tilegrid import HALF_WORLD, TILE_PX, tile_size_m
from widgets.common.style import cjk_family

from .tile_style import (
    CANAL_LABEL,
    CASING_FROM,
    DISTRICT_LABEL,
    HALO_PX,
    LANDMARK_ICONS,
    LANDMARK_LABEL,
    MAJOR_ROAD_LABEL_FROM,
    NEIGHBOUR_LABEL,
    ROAD_LABEL,
    STREET_LABEL,
    STREET_LINES_FROM,
    STYLES,
    WATER_LABEL,
    road_px,
)

#: Ground metres per Mercator metre at the district's latitude (~30.3° N): a canal's width in
#: ground metres is drawn ``width / cos φ`` Mercator metres wide.
_COS_LAT = math.cos(math.radians(30.3))
#: Free space kept around every label (px), and the spacing of repeated names along a line.
_PAD_PX = 4.0
_REPEAT_PX = 700.0
_AREA_REPEAT_PX = 1100.0


@dataclass(frozen=True)
class Label:
    """A placed label: glyph outlines (``path``, label-local px, centred on 0,0) drawn at global
    pixel ``(gx, gy)`` turned by ``angle`` degrees, with an optional icon left of the text."""

    path: QPainterPath
    gx: float
    gy: float
    angle: float
    color: str
    bounds: QRectF  # global px, padded
    icon: QImage | None = None
    icon_dx: float = 0.0


class _Collisions:
    """Placed labels' rectangles in a coarse grid hash (a rectangle test per neighbour only)."""

    CELL = 128.0

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, r: QRectF):
        c = self.CELL
        for i in range(int(r.left() // c), int(r.right() // c) + 1):
            for j in range(int(r.top() // c), int(r.bottom() // c) + 1):
                yield i, j

    def free(self, r: QRectF) -> bool:
        return not any(o.intersects(r) for k in self._keys(r) for o in self._cells.get(k, ()))

    def take(self, r: QRectF) -> None:
        for k in self._keys(r):
            self._cells.setdefault(k, []).append(r)


def _font(px: int, bold: bool = False) -> QFont:
    f = QFont(cjk_family() or QFont().defaultFamily())
    f.setPixelSize(px)
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # the same at any angle
    return f


def _text_path(text: str, font: QFont, vertical: bool) -> QPainterPath:
    """Glyph outlines centred on (0, 0): one line, or one character under another (how
    Chinese maps name a north–south road, every character upright)."""
    fm = QFontMetricsF(font)
    path = QPainterPath()
    mid = (fm.ascent() - fm.descent()) / 2
    if not vertical:
        path.addText(-fm.horizontalAdvance(text) / 2, mid, font, text)
        return path
    step = fm.height() * 0.92
    for i, ch in enumerate(text):
        y = (i - (len(text) - 1) / 2) * step
        path.addText(-fm.horizontalAdvance(ch) / 2, y + mid, font, ch)
    return path


def global_px(x, y, z: int):
    """Mercator metres (floats or arrays) → global pixel coordinates of zoom ``z`` (x east,
    y south from the world's top-left corner, the tile grid's origin)."""
    res = tile_size_m(z) / TILE_PX
    return (x + HALF_WORLD) / res, (HALF_WORLD - y) / res


def _polygon_path(geom, ox: float, oy: float) -> QPainterPath:
    """A (multi)polygon in Mercator metres as a path in local metres (x east, y *down*) from
    (ox, oy); holes are cut by the odd-even fill."""
    path = QPainterPath()
    for poly in getattr(geom, "geoms", [geom]):
        for ring in (poly.exterior, *poly.interiors):
            c = np.asarray(ring.coords)
            path.addPolygon(QPolygonF([QPointF(x - ox, oy - y) for x, y in c]))
    return path


def _line_path(xy: np.ndarray, ox: float, oy: float) -> QPainterPath:
    path = QPainterPath()
    path.moveTo(xy[0, 0] - ox, oy - xy[0, 1])
    for x, y in xy[1:]:
        path.lineTo(x - ox, oy - y)
    return path


class BasemapRenderer:
    """One theme's renderer over one set of features (see the module doc)."""

    def __init__(self, features: BasemapFeatures, theme: str = "dark"):
        if theme not in STYLES:
            raise ValueError(f"unknown theme {theme!r}; use {' or '.join(STYLES)}")
        self.features = features
        self.style = STYLES[theme]
        extent = features.extent
        west, _, _, north = extent.bounds
        self.ox, self.oy = west, north  # local origin: paths stay in small numbers
        view = shapely.box(*extent.buffer(25_000).bounds)  # a z11 tile is ~20 km
        self._neighbours = [
            _polygon_path(a.geom.intersection(view), self.ox, self.oy) for a in features.neighbours
        ]
        self._district = _polygon_path(features.district.geom, self.ox, self.oy)
        self._streets = [_polygon_path(a.geom, self.ox, self.oy) for a in features.streets]
        self._water = [
            _polygon_path(a.geom.intersection(view), self.ox, self.oy) for a in features.water
        ]
        self._water_lines = [(w, _line_path(w.xy, self.ox, self.oy)) for w in features.water_lines]
        self._roads = [(r, _line_path(r.xy, self.ox, self.oy)) for r in features.roads]
        self.view = view
        self._labels: dict[int, list[Label]] = {}
        self._plan_lock = threading.Lock()

    # -- labels --------------------------------------------------------------------------------

    def plan(self, z: int) -> list[Label]:
        """The labels of zoom ``z``, placed once (thread-safe; later calls return the same)."""
        with self._plan_lock:
            if z not in self._labels:
                self._labels[z] = _Planner(self, z).run()
            return self._labels[z]

    # -- painting ------------------------------------------------------------------------------

    def render(self, z: int, x0: int, y0: int, n: int) -> QImage:
        """The n×n tiles from tile (x0, y0) of zoom ``z`` as one image (cut it into tiles)."""
        labels = self.plan(z)
        s = self.style
        img = QImage(n * TILE_PX, n * TILE_PX, QImage.Format.Format_RGB32)
        img.fill(QColor(s.background))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        res = tile_size_m(z) / TILE_PX
        px0, py0 = x0 * TILE_PX, y0 * TILE_PX
        to_px = QTransform(
            1 / res, 0, 0, 1 / res, (self.ox + HALF_WORLD) / res - px0,
            (HALF_WORLD - self.oy) / res - py0,
        )  # fmt: skip
        p.setTransform(to_px)

        def pen(color: str, width: float, cap=Qt.PenCapStyle.RoundCap) -> QPen:
            q = QPen(QColor(color), width, Qt.PenStyle.SolidLine, cap, Qt.PenJoinStyle.RoundJoin)
            q.setCosmetic(True)  # widths in px whatever the zoom
            return q

        p.setPen(pen(s.neighbour_line, 1.5))
        p.setBrush(QColor(s.neighbour))
        for path in self._neighbours:
            p.drawPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(s.district))
        p.drawPath(self._district)
        p.setPen(pen(s.water_line, 1.0))
        p.setBrush(QColor(s.water))
        for path in self._water:
            p.drawPath(path)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for w, path in self._water_lines:
            width = w.width_m / _COS_LAT / res
            if w.kind == "canal":
                p.setPen(pen(s.water, max(width, 1.2 if z < 14 else 2.0)))
            elif z >= 14:  # causeways: land across the lake
                p.setPen(pen(s.neighbour, max(width, 2.0)))
            else:
                continue
            p.drawPath(path)
        if z >= STREET_LINES_FROM:
            street = QColor(s.street_line)
            street.setAlphaF(0.8)
            q = pen(s.street_line, 1.6 if z < 16 else 2.2)
            q.setColor(street)
            q.setStyle(Qt.PenStyle.DashLine)
            p.setPen(q)
            for path in self._streets:
                p.drawPath(path)
        p.setPen(pen(s.district_line, 2.5 if z < 15 else 3.5))
        p.drawPath(self._district)
        self._paint_roads(p, z, pen)
        p.resetTransform()
        self._paint_labels(p, labels, px0, py0, n)
        p.end()
        return img

    def _paint_roads(self, p: QPainter, z: int, pen) -> None:
        s = self.style
        flat = Qt.PenCapStyle.FlatCap
        if z >= CASING_FROM:
            for r, path in self._roads:
                w = road_px(z, r.rank)
                if w:
                    p.setPen(pen(s.casing[r.rank], w + 2.0, flat))
                    p.drawPath(path)
        colors = s.road if z >= CASING_FROM else s.road_low
        for r, path in self._roads:
            w = road_px(z, r.rank)
            if w:
                p.setPen(pen(colors[r.rank], w))
                p.drawPath(path)

    def _paint_labels(self, p: QPainter, labels: list[Label], px0: int, py0: int, n: int) -> None:
        s = self.style
        box = QRectF(px0, py0, n * TILE_PX, n * TILE_PX)
        halo = QPen(QColor(s.halo), 2 * HALO_PX, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin)  # fmt: skip
        for lab in labels:
            if not lab.bounds.intersects(box):
                continue
            t = QTransform()
            t.translate(lab.gx - px0, lab.gy - py0)
            t.rotate(lab.angle)
            p.setTransform(t)
            if lab.icon is not None:
                r = lab.icon.width() / 2
                p.setPen(QPen(QColor(s.halo), 2.0))
                p.setBrush(QColor(s.landmark))
                p.drawEllipse(QPointF(lab.icon_dx, 0), r, r)
                p.drawImage(QPointF(lab.icon_dx - r, -r), lab.icon)
            p.strokePath(lab.path, halo)
            p.fillPath(lab.path, QBrush(QColor(lab.color)))
        p.resetTransform()


class _Planner:
    """Places one zoom's labels in priority order (see ``BasemapRenderer.plan``)."""

    def __init__(self, r: BasemapRenderer, z: int):
        self.r, self.z, self.f, self.s = r, z, r.features, r.style
        self.taken = _Collisions()
        self.out: list[Label] = []
        west, south, east, north = r.view.bounds
        x0, y0 = global_px(west, south, z)
        x1, y1 = global_px(east, north, z)
        self.view = QRectF(QPointF(x0, y1), QPointF(x1, y0))

    def run(self) -> list[Label]:
        z, f, s = self.z, self.f, self.s
        extent = f.extent
        water = shapely.union_all([a.geom for a in f.water])
        if z in DISTRICT_LABEL[1]:
            self._at(f.district, DISTRICT_LABEL[0], s.text, bold=True)
        if z in STREET_LABEL[1]:
            for a in f.streets:
                self._at(a, STREET_LABEL[0], s.text, bold=True, suffix="街道")
        if z in NEIGHBOUR_LABEL[1]:
            for a in f.neighbours:
                inside = a.geom.intersection(extent).difference(water)
                if not inside.is_empty:
                    pt = inside.point_on_surface()
                    self._place(a.name, pt.x, pt.y, NEIGHBOUR_LABEL[0], s.text_dim, bold=True)
        if z in WATER_LABEL[1]:
            for a in f.water:
                self._over_area(a, extent)
        if z in LANDMARK_LABEL[1]:
            icons = self._icons()
            for m in f.landmarks:
                self._landmark(m.name, m.x, m.y, icons.get(m.kind))
        if z in CANAL_LABEL[1]:
            for w in f.water_lines:
                if w.kind == "canal":
                    self._along(w, CANAL_LABEL[0], s.water_text)
        road_zooms = ROAD_LABEL[1]
        for rank in range(PLANNED + 1):
            if z in road_zooms or (rank == MAJOR and z >= MAJOR_ROAD_LABEL_FROM):
                for road in f.roads:
                    if road.rank == rank:
                        color = s.text_dim if rank == PLANNED else s.text
                        self._along(road, ROAD_LABEL[0], color)
        return self.out

    def _bounds(self, path: QPainterPath, gx: float, gy: float, angle: float) -> QRectF:
        t = QTransform()
        t.translate(gx, gy)
        t.rotate(angle)
        return t.mapRect(path.boundingRect()).adjusted(-_PAD_PX, -_PAD_PX, _PAD_PX, _PAD_PX)

    def _try(self, label: Label) -> bool:
        if not self.view.contains(label.bounds) or not self.taken.free(label.bounds):
            return False
        self.taken.take(label.bounds)
        self.out.append(label)
        return True

    def _place(self, text, x, y, px, color, bold=False) -> bool:
        gx, gy = global_px(x, y, self.z)
        path = _text_path(text, _font(px, bold), vertical=False)
        return self._try(Label(path, gx, gy, 0.0, color, self._bounds(path, gx, gy, 0.0)))

    def _at(self, a: Area, px: int, color: str, bold=False, suffix="") -> None:
        self._place(a.name + suffix, *a.label_at, px, color, bold)

    def _over_area(self, a: Area, extent) -> None:
        """A water body's name, repeated over its surface every ``_AREA_REPEAT_PX``."""
        inside = a.geom.intersection(extent)
        if inside.is_empty:
            return
        font = _font(WATER_LABEL[0], bold=True)
        res = tile_size_m(self.z) / TILE_PX
        step = _AREA_REPEAT_PX * res
        half = QFontMetricsF(font).horizontalAdvance(a.name) / 2 * res
        w, s_, e, n = inside.bounds
        xs, ys = np.meshgrid(np.arange(w + step / 2, e, step), np.arange(s_ + step / 2, n, step))
        pts = shapely.points(xs.ravel(), ys.ravel())
        keep = shapely.contains(inside.buffer(-half), pts)
        cand = [(pt.x, pt.y) for pt in pts[keep]]
        if not cand:
            pt = inside.point_on_surface()
            cand = [(pt.x, pt.y)]
        for x, y in cand:
            self._place(a.name, x, y, WATER_LABEL[0], self.s.water_text, bold=True)

    def _along(self, line: Line, px: int, color: str) -> None:
        """A line's name on its segments long enough for it, one per ``_REPEAT_PX`` along
        each (a 2 km straight road at z18 is ~3,900 px: named once in its middle, a 500 m view
        of it showed no name), at most one within ``_REPEAT_PX`` of another: turned along the
        segment, or upright character under character where the segment runs within 30° of
        north–south."""
        font = _font(px, bold=line.rank == MAJOR and line.kind == "road")
        fm = QFontMetricsF(font)
        gx, gy = global_px(line.xy[:, 0], line.xy[:, 1], self.z)
        placed: list[tuple[float, float]] = []
        seg = np.hypot(np.diff(gx), np.diff(gy))
        for i in np.argsort(-seg):
            dx, dy = gx[i + 1] - gx[i], gy[i + 1] - gy[i]
            angle = math.degrees(math.atan2(dy, dx))
            vertical = 60.0 <= abs(angle) <= 120.0
            need = len(line.name) * fm.height() if vertical else fm.horizontalAdvance(line.name)
            if seg[i] < need + 24:
                break  # the rest are shorter still
            if vertical:
                angle = 0.0
            elif angle > 90:
                angle -= 180
            elif angle <= -90:
                angle += 180
            path = _text_path(line.name, font, vertical)
            n = max(1, int(seg[i] // _REPEAT_PX))
            for f in (np.arange(n) + 0.5) / n:
                cx, cy = gx[i] + f * dx, gy[i] + f * dy
                if any(math.hypot(cx - a, cy - b) < _REPEAT_PX for a, b in placed):
                    continue
                if self._try(Label(path, cx, cy, angle, color, self._bounds(path, cx, cy, angle))):
                    placed.append((cx, cy))

    def _icons(self) -> dict[str, QImage]:
        size = 22 if self.z < 17 else 26
        return {
            kind: qta.icon(name, color="#ffffff").pixmap(size, size).toImage()
            for kind, name in LANDMARK_ICONS.items()
        }

    def _landmark(self, name: str, x: float, y: float, icon: QImage | None) -> None:
        """An icon on the spot and the name beside it (right, else left); neither when the
        icon's own place is taken."""
        gx, gy = global_px(x, y, self.z)
        font = _font(LANDMARK_LABEL[0])
        text = _text_path(name, font, vertical=False)
        r = (icon.width() if icon is not None else 20) / 2 + 2
        w = text.boundingRect().width()
        for side in (1, -1):
            dx = side * (r + 4 + w / 2)  # the label's centre from the icon's
            lab = Label(
                text, gx + dx, gy, 0.0, self.s.text,
                self._bounds(text, gx + dx, gy, 0.0).united(QRectF(gx - r, gy - r, 2 * r, 2 * r)),
                icon, -dx,
            )  # fmt: skip
            if self._try(lab):
                return
