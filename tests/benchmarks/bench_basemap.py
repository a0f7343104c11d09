"""Benchmark (not a test): what the basemap costs the map wall's frame, and the GUI thread.

    python main.py bench basemap [--vehicles 400] [--cases 5000] [--repeat 9]

A city cloned from the recorded pages (``scale_city.build_city``) on the real map wall at
1920×1080, with and without an MBTiles basemap built here (solid 256 px PNG tiles: drawing a
pixmap costs the same whatever is in it; decoding happens in the basemap's workers), at the
district view and at a street view (500 m across, past the file's deepest zoom: its z18 tiles
drawn scaled). Printed per view: the frame (a render of the plot, median of ``--repeat``, the
GUI thread's CPU time) with no basemap (the baseline) and with one; the GUI thread's tile pass (``update_tiles``: which
tiles, items placed); the tiles drawn; and how long the view took to fill after the jump (wall
clock: fetched and decoded in the workers, on this shared machine).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

SCREEN = (1920, 1080)
STREET_M = 500.0
STREET = (120.1690, 30.2560)  # 湖滨, WGS-84


def median_ms(fn, repeat: int) -> float:
    """The GUI thread's CPU time (``time.thread_time``): on this shared 2-core machine the wall
    clock mostly measures the waits for a core the other jobs cause."""
    samples = []
    for _ in range(repeat):
        t0 = time.thread_time()
        fn()
        samples.append((time.thread_time() - t0) * 1000.0)
    return float(np.median(samples))


def build_tiles(path: Path) -> int:
    """District box at z11-16, the street's surroundings at z17-18."""
    from tile_server import colour, png

    from console.geo.crs import lonlat_to_mercator
    from console.tiles.mbtiles import MBTilesWriter
    from console.tiles.tilegrid import tiles_covering

    west, south = lonlat_to_mercator(120.10, 30.18)
    east, north = lonlat_to_mercator(120.26, 30.35)
    sx, sy = lonlat_to_mercator(*STREET)
    n = 0
    meta = {"name": "bench", "format": "png", "minzoom": 11, "maxzoom": 18}
    with MBTilesWriter(path, meta) as wr:
        for z in range(11, 19):
            box = (
                (west, south, east, north) if z <= 16 else (sx - 800, sy - 800, sx + 800, sy + 800)
            )
            for x, y in tiles_covering(*box, z):
                wr.put(z, x, y, png(colour(z, x, y)))
                n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vehicles", type=int, default=400)
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CONSOLE_DATA_DIR"] = tmp
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        from scale_city import build_city

        from console.geo.crs import lonlat_to_mercator
        from console.tiles.config import SourceConfig
        from widgets.common.style import apply_theme
        from widgets.map.wall import MapWall

        apply_theme(app, "dark")
        t0 = time.perf_counter()
        tiles = build_tiles(Path(tmp) / "bench.mbtiles")
        print(f"MBTiles of {tiles} tiles built in {time.perf_counter() - t0:.1f} s")
        scene = build_city(args.vehicles, args.cases)
        m = MapWall(scene.state(), lambda: scene.now)
        m.resize(*SCREEN)
        m.show()
        m.update_all()
        sx, sy = lonlat_to_mercator(*STREET)
        views = {
            "district": m.fit_district,
            "street (500 m)": lambda: m.centre_on(float(sx), float(sy), STREET_M),
        }
        rows = []
        for name, go in views.items():
            m.basemap.choose(None)
            go()
            app.processEvents()
            m.plot.grab()
            m.plot.grab()
            bare = median_ms(m.plot.grab, args.repeat)
            cfg = SourceConfig(name="bench", kind="mbtiles", path=str(Path(tmp) / "bench.mbtiles"))
            m.basemap.configs = [cfg]
            t0 = time.perf_counter()
            m.basemap.choose(0)
            while not (m.basemap.settled() and m.basemap.source is not None):
                app.processEvents()
                time.sleep(0.002)
            m.basemap.update_tiles()
            fill = (time.perf_counter() - t0) * 1000.0
            m.plot.grab()
            with_tiles = median_ms(m.plot.grab, args.repeat)
            tile_pass = median_ms(m.basemap.update_tiles, args.repeat)
            rows.append(
                (
                    name,
                    bare,
                    with_tiles,
                    tile_pass,
                    len(m.basemap.layers[0].items),
                    m.basemap.zoom,
                    fill,
                )
            )
        m.basemap.close()
        m.close()
    print(
        f"{args.vehicles} vehicles, {args.cases} cases, {SCREEN[0]}x{SCREEN[1]}; "
        f"medians of {args.repeat} (ms)"
    )
    print(
        f"{'view':16} {'frame bare':>11} {'with tiles':>11} {'tile pass':>10} {'items':>6} {'zoom':>5} {'view filled':>12}"
    )
    for name, bare, with_tiles, tile_pass, items, zoom, fill in rows:
        print(
            f"{name:16} {bare:11.1f} {with_tiles:11.1f} {tile_pass:10.2f} {items:6d} {zoom!s:>5} {fill:10.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
