"""Benchmark (not a test): district, unit grid, point lookup and road network.

    python tests/benchmarks/bench_geo.py        (or python -m tests.benchmarks.bench_geo)

The grid is built at backend start and by every simulator and console process, and lookup runs
per case report and per batch of vehicle fixes, so these are the numbers to watch. Prints one
table a reader can compare across machines and commits.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from console.geo.district import BOUNDARY_FILE, District  # noqa: E402
from console.geo.grid import UnitGrid  # noqa: E402
from console.geo.roads import RoadNetwork  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


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

    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
