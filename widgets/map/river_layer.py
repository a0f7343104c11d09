"""The map's river layer (智慧河道): every river segment as one item, each coloured by its
patrol state (``console.domain.rivers.patrol_state``: done, partial, due, overdue), and the
segments' names once the view is narrow enough to read them.

The lines are the shipped segments (``resources/rivers.geojson``, the same the backend folds
fixes onto); the colours come from the ``river_segment`` records of the state, live or
replayed, so the layer needs nothing of its own from the backend. The patrols themselves are
vehicles of the vehicle layer (their types say foot or boat).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from console.domain import rivers
from console.geo.crs import lonlat_to_mercator
from widgets.common.river_states import STATE_COLORS

#: Names show when the view is narrower than this (metres): at district scale 21 labels
#: would cover the canals they name.
NAMES_MAX_VIEW_M = 9000.0
LINE_PX = 4.0


class RiverItem(pg.GraphicsObject):
    """All segments in one item: a path per segment, painted with its state's pen (a
    cosmetic pen, so a line is ``LINE_PX`` wide at every zoom)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[QPainterPath] = []
        self.colors: list[str] = []
        self.width_px = LINE_PX
        self.selected: int | None = None
        self._bounds = QRectF()

    def set_lines(self, lines: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.prepareGeometryChange()
        self.paths = [pg.arrayToQPath(x, y) for x, y in lines]
        self._bounds = QRectF()
        for p in self.paths:
            self._bounds = self._bounds.united(p.boundingRect())
        self.colors = ["overdue"] * len(self.paths)
        self.update()

    def set_states(self, states: list[str]) -> None:
        if states != self.colors:
            self.colors = states
            self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def select(self, index: int | None) -> None:
        if index != self.selected:
            self.selected = index
            self.update()

    def paint(self, p: QPainter, *_args: Any) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.selected is not None:  # a white casing under the selected segment
            casing = QPen(QColor("#ffffff"), self.width_px + 4)
            casing.setCosmetic(True)
            p.setPen(casing)
            p.drawPath(self.paths[self.selected])
        for path, state in zip(self.paths, self.colors, strict=True):
            pen = QPen(QColor(STATE_COLORS[state]), self.width_px)
            pen.setCosmetic(True)
            p.setPen(pen)
            p.drawPath(path)


class RiverLayer:
    """The river layer's items (the lines, the names) and how they follow the state."""

    def __init__(self, plot: pg.PlotWidget, label_color: str):
        self.plot = plot
        self.segments = rivers.segments()
        self.item = RiverItem()
        lines = []
        self.label_xy: list[tuple[float, float]] = []
        for s in self.segments:
            x, y = lonlat_to_mercator(s.lon, s.lat)
            lines.append((np.asarray(x), np.asarray(y)))
            mid = len(x) // 2
            self.label_xy.append((float(x[mid]), float(y[mid])))
        self.lines = lines
        self.item.set_lines(lines)
        self.labels: list[pg.TextItem] = []
        for s, (x, y) in zip(self.segments, self.label_xy, strict=True):
            label = pg.TextItem(s.name_zh, color=label_color, anchor=(0, 0.5))
            label.setPos(x, y)
            self.labels.append(label)
        self.states: dict[str, str] = {}

    def items(self) -> list[pg.GraphicsObject]:
        """Every item of the layer (the wall adds them, orders them, hides them together)."""
        return [self.item, *self.labels]

    def set_z(self, z: float) -> None:
        self.item.setZValue(z)
        for label in self.labels:
            label.setZValue(z)

    def update(self, docs: Mapping[str, Mapping[str, Any]], now: float) -> None:
        """Colour each segment by its record's state at ``now`` (no record: overdue)."""
        self.states = {
            s.id: rivers.patrol_state(docs[s.id], now) if s.id in docs else "overdue"
            for s in self.segments
        }
        self.item.set_states([self.states[s.id] for s in self.segments])

    def select(self, seg_id: str | None) -> None:
        """Outline ``seg_id``'s line (None: no segment)."""
        ids = [s.id for s in self.segments]
        self.item.select(ids.index(seg_id) if seg_id in ids else None)

    def show_names(self, on: bool) -> None:
        for label in self.labels:
            label.setVisible(on)

    def hit(self, x: float, y: float, tolerance: float) -> str | None:
        """The segment whose line passes nearest to (x, y), within ``tolerance`` view units."""
        best: tuple[float, str] | None = None
        for s, (lx, ly) in zip(self.segments, self.lines, strict=True):
            ax, ay, dx, dy = lx[:-1], ly[:-1], np.diff(lx), np.diff(ly)
            t = np.clip(((x - ax) * dx + (y - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0, 1)
            d = float(np.min(np.hypot(ax + t * dx - x, ay + t * dy - y)))
            if d <= tolerance and (best is None or d < best[0]):
                best = (d, s.id)
        return None if best is None else best[1]
