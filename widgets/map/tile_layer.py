"""One open tile source in the map's scene: which of its tiles to show for the view, which to
fetch, and their pixmap items (``widgets.map.basemap`` runs the fetches and owns the layers).

The zoom comes from the view's Mercator metres per pixel (``zoom_for``), clamped to the
source's zooms (past its deepest, its deepest tiles are drawn enlarged). A tile still loading,
or missing, is covered by its nearest loaded ancestor, enlarged, or — zooming out — by the
finer tiles already drawn inside it, so a pan or zoom never shows the bare background. Items
away from the view are dropped (at most ITEM_BUDGET), decoded tiles are kept in a small LRU.
Tiles are placed in scene metres by ``console.tiles.placement`` (GCJ-02: converted corners).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPixmap, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from console.geo.crs import lonlat_to_mercator
from console.tiles.placement import corners, tiles_in_view
from console.tiles.sources import TileError, TileSource
from console.tiles.tilegrid import tile_at, zoom_for

Key = tuple[int, int, int]  # z, x, y of the source's grid
# Tiles in the scene at once: a 4K wall at one zoom needs ~16×10 = 160, plus ancestors.
ITEM_BUDGET = 400
# Decoded tiles kept in memory (256 KB each at 256 px): ~2 screens of a 4K wall.
MEMORY_TILES = 480
# How far up the pyramid a loading tile looks for a stand-in.
PARENT_LEVELS = 6
RETRY_S = 30.0  # a failed tile is asked again after this long (not on every repaint)


class TileLayer:
    """The tiles of ``source`` under ``parent`` (an item group of the view), stacked at
    ``z``. Not a QObject: the basemap runs its fetches and hands the answers back."""

    def __init__(self, source: TileSource, parent: QGraphicsItem, z: float):
        self.source = source
        self.group = pg.ItemGroup()
        self.group.setParentItem(parent)
        self.group.setZValue(z)
        self.items: dict[Key, QGraphicsPixmapItem] = {}
        self.pixmaps: OrderedDict[Key, QPixmap | None] = OrderedDict()  # None: no tile there
        self.pending: set[Key] = set()
        self.wanted: frozenset[Key] = frozenset()  # read by the workers (swapped, not mutated)
        self.retry_at: dict[Key, float] = {}
        self.failures = 0
        self.zoom: int | None = None  # the zoom last drawn
        self._areas: dict[int, tuple[int, int, int, int] | None] = {}

    def update(self, view: tuple[float, float, float, float], px: float) -> list[Key]:
        """Show what is loaded for the view (x0, y0, x1, y1 in scene metres, ``px`` metres
        per screen pixel) and return the tiles to fetch."""
        src = self.source
        z = self.zoom = min(max(zoom_for(px), src.min_zoom), src.max_zoom)
        tiles = tiles_in_view(src.datum, *view, z)
        area = self._area(z)
        if area is not None:  # none asked for where the source says it has none
            x0, y0, x1, y1 = area
            tiles = [(x, y) for x, y in tiles if x0 <= x <= x1 and y0 <= y <= y1]
        if len(tiles) > ITEM_BUDGET // 2:  # zoomed far out of the source's zooms: the middle
            cx, cy = (tiles[0][0] + tiles[-1][0]) / 2, (tiles[0][1] + tiles[-1][1]) / 2
            tiles = sorted(tiles, key=lambda t: (t[0] - cx) ** 2 + (t[1] - cy) ** 2)
            tiles = tiles[: ITEM_BUDGET // 2]
        wanted: dict[Key, QPixmap] = {}
        missing: list[Key] = []
        finer: dict[tuple[int, int], list[Key]] = {}  # drawn tiles of finer zooms, by tile at z
        for k in self.items:
            if k[0] > z:
                finer.setdefault((k[1] >> (k[0] - z), k[2] >> (k[0] - z)), []).append(k)
        for x, y in tiles:
            key = (z, x, y)
            known = key in self.pixmaps
            if known:
                self.pixmaps.move_to_end(key)
                pm = self.pixmaps[key]
                if pm is not None:
                    wanted[key] = pm
                    continue
            else:
                missing.append(key)
            stand_in = self._ancestor(key)  # loading, or none there: an ancestor enlarged
            if stand_in is not None:
                wanted[stand_in] = self.pixmaps[stand_in]  # type: ignore[assignment]
            elif not known:  # zooming out: what the old zoom drew inside it stays until it loads
                for k in finer.get((x, y), ()):
                    wanted[k] = self.items[k].pixmap()
        self.wanted = frozenset(missing)  # before the requests: their workers check it
        self.drop(set(self.items) - set(wanted))
        for key, pm in wanted.items():
            if key not in self.items:
                self._add_item(key, pm)
        now = time.monotonic()
        return [k for k in missing if k not in self.pending and self.retry_at.get(k, 0.0) <= now]

    def _area(self, z: int) -> tuple[int, int, int, int] | None:
        """The tile range (x0, y0, x1, y1) at z of the source's bounds, if it has some."""
        if z not in self._areas:
            b = self.source.bounds()
            if b is None:
                self._areas[z] = None
            else:
                (wx, ex), (sy, ny) = lonlat_to_mercator(
                    np.array([b[0], b[2]]), np.array([b[1], b[3]])
                )
                self._areas[z] = (*tile_at(wx, ny, z), *tile_at(ex, sy, z))
        return self._areas[z]

    def _ancestor(self, key: Key) -> Key | None:
        z, x, y = key
        for up in range(1, PARENT_LEVELS + 1):
            if z - up < self.source.min_zoom:
                break
            k = (z - up, x >> up, y >> up)
            if self.pixmaps.get(k) is not None:
                return k
        return None

    def _add_item(self, key: Key, pm: QPixmap) -> None:
        w, h = pm.width(), pm.height()
        square = QPolygonF([QPointF(0, 0), QPointF(w, 0), QPointF(w, h), QPointF(0, h)])
        quad = [QPointF(float(cx), float(cy)) for cx, cy in corners(self.source.datum, *key)]
        transform = QTransform()
        if not QTransform.quadToQuad(square, QPolygonF(quad), transform):  # (not on the grid)
            return
        item = QGraphicsPixmapItem(pm, self.group)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        item.setTransform(transform)
        item.setZValue(key[0])  # finer tiles over their stand-ins
        self.items[key] = item

    def drop(self, keys: set[Key]) -> None:
        scene = self.group.scene()
        for key in keys:
            item = self.items.pop(key)
            if scene is not None:  # (out of the scene is out of the group: Qt unparents it)
                scene.removeItem(item)

    def load(self, key: Key) -> tuple[QImage | None, BaseException | None, bool]:
        """Worker: fetch and decode (image, error, skipped); a tile that left the view
        meanwhile is skipped."""
        if key not in self.wanted:
            return None, None, True
        try:
            data = self.source.get(*key)
            if data is None:
                return None, None, False
            image = QImage.fromData(data)
            if image.isNull():
                raise TileError(f"{self.source.name}: z{key[0]}/{key[1]}/{key[2]} is no image")
            return image, None, False
        except Exception as e:  # every failure is a tile failure: counted, told once
            return None, e, False

    def arrived(self, key: Key, image: QImage | None, error: BaseException | None) -> None:
        """GUI thread: keep the answer (a pixmap, or None: no tile there) or note the failure."""
        self.pending.discard(key)
        if error is not None:
            self.failures += 1
            self.retry_at[key] = time.monotonic() + RETRY_S
            return
        self.pixmaps[key] = None if image is None else QPixmap.fromImage(image)
        while len(self.pixmaps) > MEMORY_TILES:
            old, _ = self.pixmaps.popitem(last=False)
            if old in self.items:
                self.drop({old})

    def loaded(self) -> int:
        return sum(pm is not None for pm in self.pixmaps.values())

    def remove(self) -> None:
        """Out of the scene, every item with it."""
        self.drop(set(self.items))
        scene = self.group.scene()
        if scene is not None:
            scene.removeItem(self.group)


def view_box(view: pg.ViewBox) -> tuple[tuple[float, float, float, float], float] | None:
    """The view's (x0, y0, x1, y1) in scene metres and its metres per pixel, or None before it
    has a size."""
    (x0, x1), (y0, y1) = view.viewRange()
    px = view.viewPixelSize()[0]
    if not (math.isfinite(px) and px > 0):
        return None
    return (x0, y0, x1, y1), px
