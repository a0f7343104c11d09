"""Benchmark (not a test): the 部件 inventory and the nearest-component lookup.

    python tests/benchmarks/bench_components.py

The backend derives the inventory at start-up and, for every component case reported without a
code, looks up the nearest component of its category within 30 m. The bucket index is compared
with the naive baseline it replaces: a scan of every component (mask by category and by the
degree box around the point, then exact distances). Both must give the same answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from timing import timed  # noqa: E402

from console.domain.components import ATTACH_RADIUS_M  # noqa: E402
from console.geo.district import District  # noqa: E402
from console.geo.grid import UnitGrid  # noqa: E402
from console.geo.inventory import ComponentIndex, generate  # noqa: E402
from console.geo.roads import RoadNetwork  # noqa: E402


def main() -> None:
    district, grid, roads = District.load(), UnitGrid.load(), RoadNetwork.load()
    rows: list[tuple[str, str]] = []
    ms, inv = timed(lambda: generate(district, grid, roads), 5)
    rows.append(("generate inventory", f"{ms:8.1f} ms, {len(inv)} components"))
    rows.append(("  per km of road", f"{len(inv) / (roads.total_length_m / 1000):8.1f}"))
    ms, index = timed(lambda: ComponentIndex(inv, district), 5)
    rows.append(("build bucket index", f"{ms:8.1f} ms"))

    rng = np.random.default_rng(0)
    pick = rng.integers(len(inv), size=5000)
    cats = [str(c) for c in inv.category[pick]]
    lon = inv.lon[pick] + rng.normal(0, 2e-4, len(pick))  # ~20 m off, some beyond 30 m
    lat = inv.lat[pick] + rng.normal(0, 2e-4, len(pick))

    def run(fn):
        return [
            fn(c, float(x), float(y), ATTACH_RADIUS_M)
            for c, x, y in zip(cats, lon, lat, strict=True)
        ]

    ms_idx, a = timed(lambda: run(index.nearest), 3)
    ms_naive, b = timed(lambda: run(index.nearest_naive), 3)
    assert a == b, "the index and the naive scan disagree"
    hits = sum(x is not None for x in a)  # type: ignore[union-attr]
    n = len(pick)
    rows.append(("nearest within 30 m, indexed", f"{ms_idx / n * 1000:8.1f} µs/query"))
    rows.append(("nearest within 30 m, naive scan", f"{ms_naive / n * 1000:8.1f} µs/query"))
    rows.append(
        ("  speed-up / same answers / hits", f"{ms_naive / ms_idx:6.1f}× / yes / {hits}/{n}")
    )
    box = (120.19, 30.29, 120.21, 30.31)
    ms, found = timed(lambda: index.in_box(box, None), 20)
    rows.append(("components in a 2 km box", f"{ms:8.2f} ms, {len(found)} found"))  # type: ignore[arg-type]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
