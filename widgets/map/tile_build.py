"""``python main.py tiles build``: the demo basemap rendered into an MBTiles file.

Every tile whose square touches the covered area (the district and ``MARGIN_M`` around it;
below z15 its whole bounding box) at each zoom is rendered, in metatiles of ``METATILE``×``METATILE`` tiles (see
``widgets.map.tile_render``) by a small thread pool, and written to a temporary file beside
the output that is renamed onto it at the end: a build killed half-way leaves a ``.part``
file that nothing reads, never a half basemap under the real name.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import shapely
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect

from console import CommandError
from console.geo.crs import mercator_to_lonlat
from console.tiles.basemap_features import BasemapFeatures
from console.tiles.mbtiles import MBTilesWriter
from console.tiles.tilegrid import TILE_PX, tile_bounds, tiles_covering
from widgets.common.offscreen import ensure_gui_app

from .tile_render import BasemapRenderer

log = logging.getLogger(__name__)

METATILE = 8
WHOLE_BOX_BELOW = 15
ATTRIBUTION = (
    "近似示意底图：由本项目自有地理数据生成（合成路网，水系为示意），非测绘成果 | "
    "Approximate basemap generated from the project's own geodata "
    "(synthetic road network, sketched water); not a survey"
)


@dataclass(frozen=True)
class BuildStats:
    tiles: int
    seconds: float
    bytes: int
    per_zoom: dict[int, int]

    @property
    def tiles_per_s(self) -> float:
        return self.tiles / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.tiles} tiles in {self.seconds:.1f} s ({self.tiles_per_s:.0f} tiles/s), "
            f"{self.bytes / 1e6:.1f} MB"
        )


def covered_tiles(area, z: int) -> list[tuple[int, int]]:
    """The (x, y) of zoom ``z`` whose square touches ``area`` (Mercator metres); below
    ``WHOLE_BOX_BELOW`` every tile of its bounding box, so a zoomed-out view is a full rectangle
    (a few dozen tiles more), not the district's ragged outline."""
    west, south, east, north = area.bounds
    cand = list(tiles_covering(west, south, east, north, z))
    if z < WHOLE_BOX_BELOW:
        return cand
    boxes = shapely.box(*zip(*(tile_bounds(z, x, y) for x, y in cand), strict=True))
    shapely.prepare(area)
    return [t for t, hit in zip(cand, shapely.intersects(area, boxes), strict=True) if hit]


def _metatiles(tiles: list[tuple[int, int]], n: int) -> Iterator[tuple[int, int, list]]:
    """The covered tiles grouped by their n×n block: (block x0, block y0, tiles in it)."""
    blocks: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for x, y in tiles:
        blocks.setdefault((x - x % n, y - y % n), []).append((x, y))
    for (x0, y0), members in sorted(blocks.items()):
        yield x0, y0, members


def _png(img) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


def _render_block(
    renderer: BasemapRenderer, z: int, x0: int, y0: int, members: list, n: int
) -> list[tuple[int, int, int, bytes]]:
    img = renderer.render(z, x0, y0, n)
    return [
        (z, x, y, _png(img.copy(QRect((x - x0) * TILE_PX, (y - y0) * TILE_PX, TILE_PX, TILE_PX))))
        for x, y in members
    ]


def _metadata(theme: str, area, min_zoom: int, max_zoom: int) -> dict[str, object]:
    w, s, e, n = area.bounds
    (lon0, lon1), (lat0, lat1) = mercator_to_lonlat([w, e], [s, n])
    c = area.centroid
    clon, clat = mercator_to_lonlat(c.x, c.y)
    return {
        "name": f"上城区演示底图 Shangcheng demo basemap ({theme})",
        "format": "png",
        "bounds": f"{lon0:.5f},{lat0:.5f},{lon1:.5f},{lat1:.5f}",
        "center": f"{clon:.5f},{clat:.5f},{min(max(min_zoom, 14), max_zoom)}",
        "minzoom": min_zoom,
        "maxzoom": max_zoom,
        "attribution": ATTRIBUTION,
        "description": "WGS-84 Web Mercator XYZ tiles of 256 px (stored as TMS rows), "
        f"theme {theme}; see docs/basemap.md",
        "type": "baselayer",
        "version": "1",
    }


def build_basemap(
    out: str | Path,
    theme: str = "dark",
    min_zoom: int = 11,
    max_zoom: int = 18,
    *,
    area=None,
    workers: int = 2,
    metatile: int = METATILE,
    progress: Callable[[str], None] | None = None,
) -> BuildStats:
    """Render zooms ``min_zoom``..``max_zoom`` over ``area`` (Mercator metres; default the
    district and its margin) into the MBTiles file ``out`` (replaced at the end, atomically)."""
    if not 0 <= min_zoom <= max_zoom <= 22:
        raise CommandError(f"zooms {min_zoom}..{max_zoom}: need 0 <= min <= max <= 22")
    ensure_gui_app()
    features = BasemapFeatures.load()
    renderer = BasemapRenderer(features, theme)
    area = features.extent if area is None else area
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f"{out.name}.{os.getpid()}.part")
    t0 = time.perf_counter()
    per_zoom: dict[int, int] = {}
    try:
        with (
            MBTilesWriter(part, _metadata(theme, area, min_zoom, max_zoom)) as db,
            ThreadPoolExecutor(max(1, workers)) as pool,
        ):
            for z in range(min_zoom, max_zoom + 1):
                tz = time.perf_counter()
                renderer.plan(z)  # before the threads: they only read a zoom's labels
                tiles = covered_tiles(area, z)
                jobs = [
                    pool.submit(_render_block, renderer, z, x0, y0, members, metatile)
                    for x0, y0, members in _metatiles(tiles, metatile)
                ]
                for job in jobs:
                    db.put_many(job.result())
                per_zoom[z] = len(tiles)
                if progress:
                    progress(f"z{z}: {len(tiles)} tiles in {time.perf_counter() - tz:.1f} s")
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return BuildStats(
        sum(per_zoom.values()), time.perf_counter() - t0, out.stat().st_size, per_zoom
    )


def tiles_command(args) -> int:
    """``main.py tiles build``: build, then print the count, the time and the size. A file
    that cannot be written is refused with its reason (exit status 2), nothing left behind."""
    try:
        stats = build_basemap(
            args.out,
            args.theme,
            args.min_zoom,
            args.max_zoom,
            workers=args.workers,
            progress=lambda line: print(line, flush=True),
        )
    except (OSError, sqlite3.Error) as e:
        log.warning("tiles build --out %s failed: %s", args.out, e)
        raise CommandError(f"cannot write {args.out}: {e}") from e
    print(f"{args.out}: {stats.summary()}", flush=True)
    return 0
