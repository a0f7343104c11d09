"""The basemap: raster tiles under every vector layer of the map wall.

A basemap choice is a source and its overlays (Tianditu's streets ``vec_w`` with its labels
``cva_w`` over them), each a ``TileLayer`` stacked in one item group under the wall's layers.
The sources are opened, and their tiles fetched and decoded to QImage, in the basemap's own
worker threads, never on the GUI thread; a pan redraws once per turn of the event loop, not per
range signal. Answers that arrive after the choice changed are dropped.

A source that cannot be opened, or whose tiles fail, is a quiet notice in the status bar
(throttled: one per NOTICE_EVERY_S), never a dialog; the map goes on without those tiles.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from console.tiles.config import SourceConfig, open_source
from console.tiles.defaults import cache_dir
from console.tiles.sources import TileSource
from widgets.common.workers import Notice, Workers
from widgets.map.tile_layer import Key, TileLayer, view_box

log = logging.getLogger(__name__)

THREADS = 4  # fetches in flight: a tile server answers in ~50-300 ms, I/O-bound
NOTICE_EVERY_S = 60.0
Z_BASE = -100.0  # under every layer of the wall (theirs are 0..13)


Opened = list[tuple[SourceConfig, TileSource | Exception]]


def _open_all(configs: list[SourceConfig]) -> Opened:
    """Worker: each config's source, or the exception that kept it from opening."""
    out: Opened = []
    for cfg in configs:
        try:
            out.append((cfg, open_source(cfg, cache_dir())))
        except Exception as e:  # told per source; the others still show
            out.append((cfg, e))
    return out


class Basemap(QObject):
    """The tiles of one map view. ``configure`` gives it its choices; ``choose`` shows one
    (or None)."""

    source_changed = Signal()  # the choice (and its attribution) changed

    def __init__(self, view: pg.ViewBox, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.workers = Workers(threads=THREADS, parent=self)
        self.notice: Notice | None = None
        self.configs: list[SourceConfig] = []
        self.current: int | None = None  # index into configs of the choice shown
        self.layers: list[TileLayer] = []  # the choice's source, then its overlays
        self.opacity = 1.0
        self.group = pg.ItemGroup()
        self.group.setZValue(Z_BASE)
        view.addItem(self.group, ignoreBounds=True)
        self._gen = 0  # bumps with every choice: late answers of an old one are dropped
        self._opening = False
        self._last_notice = -math.inf
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.update_tiles)
        view.sigRangeChanged.connect(self.schedule)
        view.sigResized.connect(self.schedule)
        # The pool's threads end with the map (a plain function: the Workers object itself is
        # being deleted then, and Qt would not call its slot).
        workers = self.workers
        self.destroyed.connect(lambda *_: workers.shutdown())

    # ---- choices ---------------------------------------------------------------------------
    def configure(
        self,
        configs: Sequence[SourceConfig],
        notice: Notice | None = None,
        choice: int | None = 0,
    ) -> None:
        """The choices on offer and the one shown (none when there are none)."""
        self.configs = list(configs)
        if notice is not None:
            self.notice = self.workers.notice = notice
        self.choose(choice if choice is not None and choice < len(self.configs) else None)

    def choose(self, index: int | None) -> None:
        """Show ``configs[index]`` and its overlays (opened in a worker), or none (None)."""
        self._gen += 1
        self._close_layers(in_worker=True)
        self.current = index
        cfg = self.config()
        self._opening = cfg is not None
        if cfg is not None:
            self.set_opacity(cfg.opacity)
            gen = self._gen
            self.workers.submit(
                lambda: _open_all([cfg, *cfg.overlays]),
                on_result=lambda opened: self._opened(gen, opened),
                owner=self,
                what=self.tr("底图"),
            )
        self.source_changed.emit()

    def config(self) -> SourceConfig | None:
        return None if self.current is None else self.configs[self.current]

    @property
    def source(self) -> TileSource | None:
        """The choice's main source, once open."""
        return self.layers[0].source if self.layers else None

    @property
    def zoom(self) -> int | None:
        return self.layers[0].zoom if self.layers else None

    @property
    def failures(self) -> int:
        """Tiles that failed since the choice was made."""
        return sum(layer.failures for layer in self.layers)

    def attribution(self) -> str:
        cfg = self.config()
        if cfg is None:
            return ""
        names = [layer.source.attribution for layer in self.layers] or [cfg.attribution]
        return " · ".join(dict.fromkeys(n for n in names if n))

    def set_opacity(self, opacity: float) -> None:
        self.opacity = min(max(float(opacity), 0.0), 1.0)
        self.group.setOpacity(self.opacity)

    def _opened(self, gen: int, opened: Opened) -> None:
        if gen != self._gen:  # chosen away while they opened
            for _, src in opened:
                if not isinstance(src, Exception):
                    self.workers.submit(src.close, what=self.tr("底图"))
            return
        self._opening = False
        for i, (cfg, src) in enumerate(opened):
            if isinstance(src, Exception):
                text = self.tr("底图“%1”不可用：%2").replace("%1", cfg.name)
                self._tell(text.replace("%2", str(src)))
                continue
            self.layers.append(TileLayer(src, self.group, i))
            log.info("basemap %s (%s, zoom %d-%d)", src.name, src.datum, src.min_zoom, src.max_zoom)
        self.source_changed.emit()
        self.schedule()

    def _close_layers(self, in_worker: bool) -> None:
        for layer in self.layers:
            layer.remove()
            if in_worker:
                self.workers.submit(layer.source.close, what=self.tr("底图"))
            else:
                layer.source.close()
        self.layers = []

    def close(self) -> None:
        """Stop fetching and close the sources (the map is going away)."""
        self._gen += 1
        self.workers.shutdown()
        self._close_layers(in_worker=False)

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
        box = view_box(self.view)
        if box is None:
            return
        for layer in self.layers:
            for key in layer.update(*box):
                self._request(layer, key)

    def _request(self, layer: TileLayer, key: Key) -> None:
        layer.pending.add(key)
        gen = self._gen
        self.workers.submit(
            lambda: layer.load(key),
            on_result=lambda r: self._arrived(gen, layer, key, *r),
            owner=self,
        )

    def _arrived(
        self,
        gen: int,
        layer: TileLayer,
        key: Key,
        image: QImage | None,
        error: BaseException | None,
        skipped: bool,
    ) -> None:
        if gen != self._gen:
            return
        if skipped:
            layer.pending.discard(key)
            return
        layer.arrived(key, image, error)
        if error is not None:
            log.debug("tile %s of %s failed: %s", key, layer.source.name, error)
            if time.monotonic() - self._last_notice > NOTICE_EVERY_S:
                self._tell(self.tr("底图瓦片读取失败：%1").replace("%1", str(error)))
            return
        self.schedule()

    def settled(self) -> bool:
        """Nothing in flight: the choice is open, no tile is being fetched and no redraw is
        due (the tests wait on it)."""
        busy = any(layer.pending for layer in self.layers)
        return not busy and not self._opening and not self._timer.isActive()
