"""Regenerate docs/layers_zh.png: the console on the embedded demo, the map zoomed onto the
stretch of river with the most people on duty and cameras around it, every layer of the
centre's other systems on at once (river segments and patrols, 部件, people on duty,
cameras) over the cases and the fleet.

    python tools/layers_shot.py OUT.png [--after 45] [--width 950]

Offscreen; the district runs at its usual 20x. ``--width`` stays under 1 km, where the 部件
layer shows. A built demo basemap in CONSOLE_DATA_DIR is drawn under it if there is one.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from demo_shot import saved, shoot

from console.domain import rivers
from console.domain.field_units import is_person
from console.domain.geometry import haversine_m
from console.geo.crs import lonlat_to_mercator

NEAR_M = 800.0


def busiest_river_point(state) -> tuple[float, float, int, int]:
    """(lon, lat, people, cameras) of the river vertex with the most people and cameras
    within ``NEAR_M``."""
    v = state.vehicle_arrays()
    ids = state.vehicle_ids()
    people = np.array([is_person((state.vehicles.get(i) or {}).get("type")) for i in ids])
    plon, plat = v["lon"][people], v["lat"][people]
    cams = list(state.records_of("camera").values())
    clon = np.array([c["lon"] for c in cams])
    clat = np.array([c["lat"] for c in cams])
    best = (0.0, 0.0, -1, -1)
    for seg in rivers.segments():
        for lon, lat in zip(seg.lon[::4], seg.lat[::4], strict=False):
            n_p = int((haversine_m(lon, lat, plon, plat) < NEAR_M).sum())
            n_c = int((haversine_m(lon, lat, clon, clat) < NEAR_M).sum())
            if n_p + n_c > best[2] + best[3]:
                best = (float(lon), float(lat), n_p, n_c)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--after", type=float, default=45.0, help="seconds of the district first")
    ap.add_argument("--width", type=float, default=950.0, help="metres across the map")
    args = ap.parse_args()

    def stage(console, window):
        lon, lat, n_people, n_cams = busiest_river_point(console.state)
        if n_people < 0:
            return None
        print(f"centre {lon:.5f},{lat:.5f}: {n_people} people, {n_cams} cameras near")
        for dock in ("queues", "timeline"):  # the map is the subject
            window.docks[dock].hide()
        x, y = lonlat_to_mercator(lon, lat)
        window.map.centre_on(float(x), float(y), args.width)
        return [lambda: saved(window, args.out)]

    return shoot(args.after, stage)


if __name__ == "__main__":
    sys.exit(main())
