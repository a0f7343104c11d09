"""Benchmark (not a test): district, unit grid, point lookup and road network.

    python tests/benchmarks/bench_geo.py        (or python -m tests.benchmarks.bench_geo)

The grid is built at backend start and by every simulator and console process, and lookup runs
per case report and per batch of vehicle fixes, so these are the numbers to watch. Prints one
table a reader can compare across machines and commits.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from timing import timed  # noqa: E402

from console.geo.district import BOUNDARY_FILE, District  # noqa: E402
from console.geo.gazetteer import Gazetteer  # noqa: E402
from console.geo.geocode import Geocoder  # noqa: E402
from console.geo.grid import UnitGrid  # noqa: E402
from console.geo.roadnames import NamedRoads, name_roads  # noqa: E402
from console.geo.roads import RoadNetwork  # noqa: E402


def main() -> None:
    rows: list[tuple[str, str]] = []
    ms, district = timed(lambda: District.from_geojson(BOUNDARY_FILE), 5)
    rows.append(("district load + GCJ-02 → WGS-84", f"{ms:8.1f} ms"))
    ms, grid = timed(lambda: UnitGrid(district), 5)
    rows.append(("unit grid build", f"{ms:8.1f} ms"))
    rows.append(("cells", f"{len(grid):8d}"))
    rows.append(
        ("  border cells / merged slivers", f"{grid.border.sum():5d} / {len(grid._extra_slots)}")
    )
    rows.append(("streets / communities", f"{len(grid.streets):5d} / {len(grid.communities)}"))
    comm = np.bincount(grid.community_idx, weights=grid.area_m2) / 1e6
    rows.append(
        (
            "community area km² (min/median/max)",
            f"{comm.min():.2f} / {np.median(comm):.2f} / {comm.max():.2f}",
        )
    )
    cells_km2 = grid.area_m2.sum() / 1e6
    rows.append(
        (
            "area: cells / district km²",
            f"{cells_km2:.3f} / {district.area_km2:.3f} ({cells_km2 / district.area_km2 - 1:+.2e})",
        )
    )

    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = district.bounds
    blon, blat = rng.uniform(minx, maxx, 100_000), rng.uniform(miny, maxy, 100_000)
    ilon, ilat = grid.random_points(100_000, rng)
    grid.lookup(ilon, ilat)  # warm-up
    ms, _ = timed(lambda: grid.lookup(ilon, ilat), 20)
    rows.append(("lookup 100k points in the district", f"{ms:8.2f} ms"))
    ms, idx = timed(lambda: grid.lookup(blon, blat), 20)
    rows.append(
        ("lookup 100k points in the bounding box", f"{ms:8.2f} ms ({(idx >= 0).mean():.0%} inside)")
    )
    ms, _ = timed(lambda: district.contains(blon, blat), 5)
    rows.append(("  (shapely.contains_xy alone, same points)", f"{ms:8.2f} ms"))
    ms, _ = timed(lambda: grid.random_points(100_000, rng), 5)
    rows.append(("random_points 100k", f"{ms:8.2f} ms"))
    ms, body = timed(lambda: json.dumps(grid.to_compact(), separators=(",", ":")), 3)
    rows.append(("to_compact + json.dumps", f"{ms:8.1f} ms, {len(body) / 1024:.0f} KiB"))

    ms, roads = timed(lambda: RoadNetwork(district), 5)
    rows.append(("road network build", f"{ms:8.1f} ms"))
    rows.append(
        (
            "  nodes / edges / km",
            f"{len(roads.lon)} / {len(roads.edges)} / {roads.total_length_m / 1000:.0f}",
        )
    )
    ms, _ = timed(lambda: roads.random_route(rng, 8000), 50)
    rows.append(("random_route 8 km", f"{ms:8.2f} ms"))

    rows += geocoder_rows(grid, roads, rng)
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


def naive_nearest(geo: Geocoder, lon: float, lat: float) -> tuple[int, float, int, float]:
    """The baseline: one point at a time, every road edge and landmark measured (numpy over
    the edges, a Python loop over the points), as code without a spatial index would."""
    net = geo.roads.network
    x, y = geo.frame.to_xy(lon, lat)
    ax, ay = geo._nx[net.edges[:, 0]], geo._ny[net.edges[:, 0]]
    bx, by = geo._nx[net.edges[:, 1]], geo._ny[net.edges[:, 1]]
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    d = np.hypot(ax + t * dx - x, ay + t * dy - y)
    e = int(d.argmin())
    dl = np.hypot(geo._lx - x, geo._ly - y)
    k = int(dl.argmin())
    return e, float(d[e]), k, float(dl[k])


def geocoder_rows(grid: UnitGrid, roads: RoadNetwork, rng) -> list[tuple[str, str]]:
    """Naming the roads, building the geocoder, reverse geocoding per point (vectorised
    against the naive baseline, which must agree) and forward search."""
    rows: list[tuple[str, str]] = []
    gaz = Gazetteer.load()
    ms, named = timed(lambda: name_roads(roads, grid, gaz), 3)
    rows.append(
        ("road naming", f"{ms:8.1f} ms, {int(named.real.sum())} real / {len(named.names)} names")
    )
    ms, geo = timed(lambda: Geocoder(grid, NamedRoads.load(), gaz), 3)
    rows.append(("geocoder build (indexes)", f"{ms:8.1f} ms"))
    for n in (1, 1000, 100_000):
        lon, lat = grid.random_points(n, rng)
        reps = 200 if n == 1 else 5
        ms, batch = timed(lambda lon=lon, lat=lat: geo.reverse_many(lon, lat), reps)
        rows.append((f"reverse_many {n} points", f"{ms:8.2f} ms, {ms * 1000 / n:7.2f} µs/point"))
        ms, _ = timed(lambda lon=lon, lat=lat: geo.addresses(lon, lat), reps)
        rows.append(
            (f"  addresses (with the text) {n}", f"{ms:8.2f} ms, {ms * 1000 / n:7.2f} µs/point")
        )
    lon, lat = grid.random_points(2000, rng)
    t = time.perf_counter()
    naive = [naive_nearest(geo, lo, la) for lo, la in zip(lon, lat, strict=True)]
    ms = (time.perf_counter() - t) * 1000
    rows.append(
        (
            "naive baseline 2000 points (per point)",
            f"{ms:8.2f} ms, {ms * 1000 / 2000:7.2f} µs/point",
        )
    )
    batch = geo.reverse_many(lon, lat)
    same = np.allclose([d for _, d, _, _ in naive], batch.road_m) and np.allclose(
        [d for _, _, _, d in naive], batch.landmark_m
    )
    rows.append(("  vectorised agrees with naive (distances)", "yes" if same else "NO"))
    queries = [
        "解放路128号",
        "平海路与延安路交叉口",
        "城站",
        "九堡",
        "杭州市上城区秋涛路近江地铁站",
    ]
    ms, _ = timed(lambda: [geo.search(q) for q in queries], 20)
    rows.append(("forward search (per query)", f"{ms / len(queries):8.2f} ms"))
    return rows


if __name__ == "__main__":
    main()
