"""The camera layer: every camera of the district as one ``Markers`` item (a glyph turned to
where the camera looks: a dome for a 球机, a bullet body for a 枪机, coloured by owner),
shown when the view is narrower than ``console.domain.cameras.SHOW_BELOW_M`` (at district
scale a few hundred glyphs would only hide the cases), and a click on one says which.

It attaches itself to a ``MapWall`` (its view, its scene's clicks, its range) rather than
living inside it: the wall knows nothing of cameras, and the window wires the click to the
camera viewer. The cameras are the state's records of type ``camera``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QPainterPath

from console.domain.cameras import CAMERA_OWNERS, SHOW_BELOW_M
from console.geo.crs import lonlat_to_mercator
from widgets.map.markers import OUTLINE, Markers

RECORD_TYPE = "camera"
#: Owner → glyph colour, apart from the vehicles' status colours (teal, blue, amber, grey)
#: and the SLA lights: the centre's own cameras pink, 雪亮工程 violet, 交警 white.
OWNER_COLORS = {"chengguan": "#f759ab", "xueliang": "#b37feb", "traffic": "#f0f0f0"}
KINDS = ("dome", "bullet")
HIT_PX = 10.0
SIZE_PX = 22.0
#: Over the cases and vehicles (z 7-9 on the wall), under the alerts' rings (z 11).
Z = 10.5


def _dome() -> QPainterPath:
    """A 球机 seen from above: a disc, and its view widening towards where it looks (up =
    north). Winding fill: the two outlines are one shape, with no hole where they overlap."""
    p = QPainterPath()
    p.setFillRule(Qt.FillRule.WindingFill)
    p.addEllipse(QPointF(0, 0.22), 0.26, 0.26)
    p.moveTo(0.0, 0.18)
    p.lineTo(-0.36, -0.5)
    p.lineTo(0.36, -0.5)
    p.closeSubpath()
    return p


def _bullet() -> QPainterPath:
    """A 枪机: a box body, and its view widening towards where it looks (up = north)."""
    p = QPainterPath()
    p.setFillRule(Qt.FillRule.WindingFill)
    p.addRect(-0.2, 0.0, 0.4, 0.48)
    p.moveTo(0.0, 0.1)
    p.lineTo(-0.36, -0.5)
    p.lineTo(0.36, -0.5)
    p.closeSubpath()
    return p


def styles() -> list[tuple[QPainterPath, str]]:
    """The glyphs, kind-major: style code = kind index * owners + owner index."""
    shapes = {"dome": _dome(), "bullet": _bullet()}
    return [(shapes[k], OWNER_COLORS[o]) for k in KINDS for o in CAMERA_OWNERS]


def style_code(doc: Mapping[str, Any]) -> int:
    owners = list(CAMERA_OWNERS)
    kind = KINDS.index(doc["kind"]) if doc.get("kind") in KINDS else 0
    owner = owners.index(doc["owner"]) if doc.get("owner") in owners else 0
    return kind * len(owners) + owner


class CameraLayer(QObject):
    camera_clicked = Signal(str)

    def __init__(self, wall, parent: QObject | None = None):
        """``wall``: the ``MapWall`` to draw on (its ``state``, ``view`` and ``plot``)."""
        super().__init__(parent or wall)
        self.wall = wall
        self.state = wall.state
        self.enabled = True  # the operator's switch (视图 → 图层)
        self.item = Markers(styles(), SIZE_PX, pg.mkPen(OUTLINE, width=1.2))
        self.item.setZValue(Z)
        wall.plot.addItem(self.item)
        self.ids: list[str] = []
        self._x = self._y = np.empty(0)
        wall.view.sigRangeChanged.connect(self._apply_visibility)
        wall.plot.scene().sigMouseClicked.connect(self._clicked)
        self.redraw()

    def on_diff(self, diff) -> None:
        """Redraw when a bootstrap came or a camera record changed."""
        if diff.reset or any(t == RECORD_TYPE for t, _id in getattr(diff, "records", ())):
            self.redraw()

    def docs(self) -> dict[str, Mapping[str, Any]]:
        return dict(self.state.records_of(RECORD_TYPE))

    def redraw(self) -> None:
        docs = self.docs()
        self.ids = sorted(docs)
        lon = np.array([float(docs[i]["lon"]) for i in self.ids])
        lat = np.array([float(docs[i]["lat"]) for i in self.ids])
        x, y = lonlat_to_mercator(lon, lat) if len(lon) else (np.empty(0), np.empty(0))
        self._x, self._y = np.atleast_1d(x), np.atleast_1d(y)
        style = np.array([style_code(docs[i]) for i in self.ids], dtype=np.int64)
        rotation = np.array([float(docs[i].get("direction", 0.0)) for i in self.ids])
        self.item.setData(self._x, self._y, style, rotation=rotation)
        self._apply_visibility()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self._apply_visibility()

    def shown(self) -> bool:
        """Switched on and the view narrow enough (``SHOW_BELOW_M`` of ground across)."""
        (x0, x1), (y0, _y1) = self.wall.view.viewRange()
        lat = math.degrees(2 * math.atan(math.exp(y0 / 6378137.0)) - math.pi / 2)
        width_m = (x1 - x0) * math.cos(math.radians(lat))
        return bool(self.enabled and width_m < SHOW_BELOW_M)

    def _apply_visibility(self, *_args) -> None:
        self.item.setVisible(self.shown())

    def hit(self, x: float, y: float) -> str | None:
        """The camera whose glyph is within ``HIT_PX`` of view point (x, y), if shown."""
        if not self.shown() or not len(self._x):
            return None
        px = self.wall.view.viewPixelSize()[0] or 1.0
        d = np.hypot(self._x - x, self._y - y) / px
        k = int(np.argmin(d))
        return self.ids[k] if d[k] <= HIT_PX else None

    def _clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        p = self.wall.view.mapSceneToView(ev.scenePos())
        cid = self.hit(p.x(), p.y())
        if cid is not None:
            self.camera_clicked.emit(cid)
