"""Regenerate the street-level screenshot of docs/basemap.md: the console on the embedded demo,
over the demo basemap, zoomed onto the open case nearest a named road, ``--width`` metres across.

    CONSOLE_DATA_DIR=DIR python tools/basemap_shot.py OUT.png [--width 500] [--after 20]

DIR must hold the built demo basemap (``python main.py tiles build --out`` the path that
``console.tiles.demo_basemap.demo_basemap_path("dark")`` names, or a first ``python main.py``
with that data folder). Offscreen; the demo's district runs at its usual 20x.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import shapely
from demo_shot import saved, shoot

from console.geo.crs import lonlat_to_mercator
from console.tiles.basemap_features import BasemapFeatures
from console.tiles.demo_basemap import demo_basemap


def nearest_road_case(state) -> tuple[str, str, float] | None:
    """(case id, road name, metres) of the open case nearest a named road."""
    roads = [r for r in BasemapFeatures.load().roads if r.name]
    lines = np.array([shapely.LineString(r.xy) for r in roads])
    best = None
    for cid, doc in state.cases.items():
        x, y = lonlat_to_mercator(doc["location"]["lon"], doc["location"]["lat"])
        d = shapely.distance(shapely.points(x, y), lines)
        k = int(np.argmin(d))
        if best is None or d[k] < best[2]:
            best = (cid, roads[k].name, float(d[k]))
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--width", type=float, default=500.0, help="metres across the map")
    ap.add_argument("--after", type=float, default=20.0, help="seconds of the district first")
    args = ap.parse_args()
    if demo_basemap("dark") is None:
        print("no demo basemap in CONSOLE_DATA_DIR (see the docstring)", file=sys.stderr)
        return 2

    def stage(console, window):
        found = nearest_road_case(console.state)
        if found is None:
            return None
        cid, road, metres = found
        print(f"case {cid}: {metres:.0f} m from {road}")
        window.select_case(cid)
        window.map.zoom_to_case(cid, args.width)
        return [lambda: saved(window, args.out)]

    return shoot(args.after, stage, settle_s=4.0)


if __name__ == "__main__":
    sys.exit(main())
