"""The basemap: raster tiles under every vector layer of the map wall.

The view's Mercator metres per pixel pick the zoom (``zoom_for``); the tiles covering the view
are asked of the chosen source in the basemap's own worker threads (fetching and decoding to a
QImage there), never on the GUI thread, and drawn as pixmap items placed in scene metres
(``console.tiles.placement``: GCJ-02 tiles through their converted corners). While a tile
loads, the nearest loaded ancestor is drawn scaled in its place (or the loaded descendants of
the old zoom, when zooming out), so a pan or zoom never shows the bare background. Items away
from the view are dropped (at most ITEM_BUDGET in the scene), pixmaps are kept in a small LRU,
and a pan redraws once per turn of the event loop, not per range signal.

A source that cannot be opened, or whose tiles fail, is a quiet notice in the status bar
(throttled: one per NOTICE_EVERY_S), never a dialog; the map goes on without tiles.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsPixmapItem

from console.tiles.config import SourceConfig, open_source
from console.tiles.defaults import cache_dir
from console.tiles.placement import corners, tiles_in_view
from console.tiles.sources import TileError, TileSource
from console.tiles.tilegrid import zoom_for
from widgets.common.workers import Notice, Workers

log = logging.getLogger(__name__)

Key = tuple[int, int, int]  # z, x, y of the source's grid
# Tiles in the scene at once: a 4K wall at one zoom needs ~16×10 = 160, plus ancestors.
ITEM_BUDGET = 400
# Decoded tiles kept in memory (256 KB each at 256 px): ~2 screens of a 4K wall.
MEMORY_TILES = 480
# How far up the pyramid a loading tile looks for a stand-in.
PARENT_LEVELS = 6
THREADS = 4  # fetches in flight: a tile server answers in ~50-300 ms, I/O-bound
RETRY_S = 30.0  # a failed tile is asked again after this long (not on every repaint)
NOTICE_EVERY_S = 60.0
Z_BASE = -100.0  # under every layer of the wall (theirs are 0..13)


class Basemap(QObject):
    """The tile layer of one map view. ``configure`` gives it its sources; ``choose`` shows
    one (or None)."""

    source_changed = Signal()  # the shown source (and its attribution) changed

    def __init__(self, view: pg.ViewBox, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.workers = Workers(threads=THREADS, parent=self)
        self.notice: Notice | None = None
        self.configs: list[SourceConfig] = []
        self.current: int | None = None  # index into configs of the source shown
        self.source: TileSource | None = None
        self.opacity = 1.0
        self.failures = 0  # tiles that failed since the source was chosen
        self.group = pg.ItemGroup()
        self.group.setZValue(Z_BASE)
        view.addItem(self.group, ignoreBounds=True)
        self._gen = 0  # bumps with every choice: late answers of an old source are dropped
        self._items: dict[Key, QGraphicsPixmapItem] = {}
        self._pixmaps: OrderedDict[Key, QPixmap | None] = OrderedDict()  # None: no tile there
        self._pending: set[Key] = set()
        self._wanted: frozenset[Key] = frozenset()  # read by the workers (swapped, not mutated)
        self._retry_at: dict[Key, float] = {}
        self._last_notice = -math.inf
        self._opening = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.update_tiles)
        self.zoom: int | None = None  # the zoom last drawn
        view.sigRangeChanged.connect(self.schedule)
        view.sigResized.connect(self.schedule)
        # The pool's threads end with the map (a plain function: the Workers object itself is
        # being deleted then, and Qt would not call its slot).
        workers = self.workers
        self.destroyed.connect(lambda *_: workers.shutdown())

    def close(self) -> None:
        """Stop fetching and close the source (the map is going away)."""
        self._gen += 1
        source, self.source = self.source, None
        self.workers.shutdown()
        if source is not None:
            source.close()

    # ---- sources ---------------------------------------------------------------------------
    def configure(self, configs: Sequence[SourceConfig], notice: Notice | None = None) -> None:
        """The sources on offer; the first is shown (none: the plain map)."""
        self.configs = list(configs)
        if notice is not None:
            self.notice = self.workers.notice = notice
        self.choose(0 if self.configs else None)

    def choose(self, index: int | None) -> None:
        """Show ``configs[index]`` (opened in a worker), or no basemap (None)."""
        self._gen += 1
        old, self.source = self.source, None
        if old is not None:
            self.workers.submit(old.close, what=self.tr("底图"))
        self.current = index
        self.failures = 0
        self._pending.clear()
        self._retry_at.clear()
        self._pixmaps.clear()
        self._drop_items(set(self._items))
        cfg = self.config()
        self._opening = cfg is not None
        if cfg is not None:
            self.opacity = cfg.opacity
            self.group.setOpacity(cfg.opacity)
            gen = self._gen
            self.workers.submit(
                lambda: open_source(cfg, cache_dir()),
                on_result=lambda src: self._opened(gen, src),
                on_error=lambda e: self._open_failed(gen, cfg, e),
                owner=self,
                what=self.tr("底图"),
            )
        self.source_changed.emit()

    def config(self) -> SourceConfig | None:
        return None if self.current is None else self.configs[self.current]

    def attribution(self) -> str:
        cfg = self.config()
        if cfg is None:
            return ""
        if self.source is not None and self.source.attribution:
            return self.source.attribution
        return cfg.attribution

    def set_opacity(self, opacity: float) -> None:
        self.opacity = min(max(float(opacity), 0.0), 1.0)
        self.group.setOpacity(self.opacity)

    def _opened(self, gen: int, source: TileSource) -> None:
        if gen != self._gen:  # chosen away while it opened
            self.workers.submit(source.close, what=self.tr("底图"))
            return
        self.source, self._opening = source, False
        log.info(
            "basemap %s (%s, zoom %d-%d)",
            source.name,
            source.datum,
            source.min_zoom,
            source.max_zoom,
        )
        self.source_changed.emit()
        self.schedule()

    def _open_failed(self, gen: int, cfg: SourceConfig, error: BaseException) -> None:
        if gen != self._gen:
            return
        self._opening = False
        self._tell(self.tr("底图“%1”不可用：%2").replace("%1", cfg.name).replace("%2", str(error)))

    def _tell(self, text: str) -> None:
        log.warning("%s", text)
        self._last_notice = time.monotonic()
        if self.notice is not None:
            self.notice(text, "warning")

    # ---- tiles -----------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        """Redraw at the next turn of the event loop: a pan's many range signals, one pass."""
        self._timer.start()

    def update_tiles(self) -> None:
        src = self.source
        if src is None:
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        px = self.view.viewPixelSize()[0]
        if not (math.isfinite(px) and px > 0):
            return
        z = self.zoom = min(max(zoom_for(px), src.min_zoom), src.max_zoom)
        tiles = tiles_in_view(src.datum, x0, y0, x1, y1, z)
        if len(tiles) > ITEM_BUDGET // 2:  # zoomed far out of the source's zooms: the middle
            cx, cy = (tiles[0][0] + tiles[-1][0]) / 2, (tiles[0][1] + tiles[-1][1]) / 2
            tiles = sorted(tiles, key=lambda t: (t[0] - cx) ** 2 + (t[1] - cy) ** 2)
            tiles = tiles[: ITEM_BUDGET // 2]
        wanted: dict[Key, QPixmap] = {}
        missing: list[Key] = []
        now = time.monotonic()
        finer: dict[
            tuple[int, int], list[Key]
        ] = {}  # shown tiles of finer zooms, by their tile at z
        for k in self._items:
            if k[0] > z:
                finer.setdefault((k[1] >> (k[0] - z), k[2] >> (k[0] - z)), []).append(k)
        for x, y in tiles:
            key = (z, x, y)
            known = key in self._pixmaps
            if known:
                self._pixmaps.move_to_end(key)
                pm = self._pixmaps[key]
                if pm is not None:
                    wanted[key] = pm
                    continue
            else:
                missing.append(key)
            # loading, or the source has none there: an ancestor scaled up
            stand_in = self._ancestor(key, src.min_zoom)
            if stand_in is not None:
                wanted[stand_in] = self._pixmaps[stand_in]  # type: ignore[assignment]
            elif not known:  # zooming out: what the old zoom drew inside it stays until it loads
                for k in finer.get((x, y), ()):
                    wanted[k] = self._items[k].pixmap()
        self._wanted = frozenset(missing)  # before the requests: their workers check it
        for key in missing:
            if key not in self._pending and self._retry_at.get(key, 0.0) <= now:
                self._request(src, key)
        self._drop_items(set(self._items) - set(wanted))
        for key, pm in wanted.items():
            if key not in self._items:
                self._add_item(src.datum, key, pm)

    def _ancestor(self, key: Key, min_zoom: int) -> Key | None:
        z, x, y = key
        for up in range(1, PARENT_LEVELS + 1):
            if z - up < min_zoom:
                break
            k = (z - up, x >> up, y >> up)
            if self._pixmaps.get(k) is not None:
                return k
        return None

    def _add_item(self, datum: str, key: Key, pm: QPixmap) -> None:
        w, h = pm.width(), pm.height()
        square = QPolygonF([QPointF(0, 0), QPointF(w, 0), QPointF(w, h), QPointF(0, h)])
        quad = QPolygonF([QPointF(float(cx), float(cy)) for cx, cy in corners(datum, *key)])
        transform = QTransform()
        if not QTransform.quadToQuad(square, quad, transform):  # degenerate (not on the grid)
            return
        item = QGraphicsPixmapItem(pm, self.group)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        item.setTransform(transform)
        item.setZValue(key[0])  # finer tiles over their stand-ins
        self._items[key] = item

    def _drop_items(self, keys: set[Key]) -> None:
        scene = self.group.scene()
        for key in keys:
            item = self._items.pop(key)
            if scene is not None:  # (out of the scene is out of the group: Qt unparents it)
                scene.removeItem(item)

    def _request(self, src: TileSource, key: Key) -> None:
        self._pending.add(key)
        gen = self._gen

        def load() -> tuple[Key, QImage | None, BaseException | None, bool]:
            """Worker: fetch and decode; a tile that left the view meanwhile is skipped."""
            if key not in self._wanted:
                return key, None, None, True
            try:
                data = src.get(*key)
                if data is None:
                    return key, None, None, False
                image = QImage.fromData(data)
                if image.isNull():
                    raise TileError(
                        f"{src.name}: z{key[0]}/{key[1]}/{key[2]} is not a readable image"
                    )
                return key, image, None, False
            except Exception as e:  # every failure is a tile failure: counted, told once
                return key, None, e, False

        self.workers.submit(load, on_result=lambda r: self._arrived(gen, *r), owner=self)

    def _arrived(
        self, gen: int, key: Key, image: QImage | None, error: BaseException | None, skipped: bool
    ) -> None:
        if gen != self._gen:
            return
        self._pending.discard(key)
        if skipped:
            return
        if error is not None:
            self.failures += 1
            self._retry_at[key] = time.monotonic() + RETRY_S
            log.debug("tile %s failed: %s", key, error)
            if time.monotonic() - self._last_notice > NOTICE_EVERY_S:
                self._tell(self.tr("底图瓦片读取失败：%1").replace("%1", str(error)))
            return
        self._pixmaps[key] = None if image is None else QPixmap.fromImage(image)
        while len(self._pixmaps) > MEMORY_TILES:
            old, _ = self._pixmaps.popitem(last=False)
            if old in self._items:
                self._drop_items({old})
        self.schedule()

    def loaded(self) -> int:
        """Tiles decoded and held (the tests wait on it)."""
        return sum(pm is not None for pm in self._pixmaps.values())

    def settled(self) -> bool:
        """Nothing in flight: the source (if chosen) is open, no tile is being fetched and no
        redraw is due (the tests wait on it)."""
        return not self._pending and not self._opening and not self._timer.isActive()
