"""Benchmark (not a test): the demo basemap's build, metatiles against tile-by-tile.

    python main.py bench tiles [--max-zoom 16] [--workers 2]

Builds z11..max-zoom of the dark theme three ways into temporary MBTiles files and prints
tiles/s and size: 8×8 metatiles on ``--workers`` threads (what ``tiles build`` does), the same on
one thread, and the naive baseline, every tile painted on its own (1×1 "metatiles": each
tile walks every path and draws its labels again). The full z11–18 build's numbers are in
docs/basemap.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from console.tiles.basemap_features import BasemapFeatures  # noqa: E402
from widgets.map.tile_build import build_basemap  # noqa: E402


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="bench tiles")
    p.add_argument("--max-zoom", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    BasemapFeatures.load()  # gathered once, outside the timings
    runs = (
        (f"8x8 metatiles, {args.workers} threads", 8, args.workers),
        ("8x8 metatiles, 1 thread", 8, 1),
        ("naive: tile by tile, 1 thread", 1, 1),
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, meta, workers in runs:
            out = Path(tmp) / f"{meta}-{workers}.mbtiles"
            stats = build_basemap(out, "dark", 11, args.max_zoom, workers=workers, metatile=meta)
            print(f"{name:34s} z11-{args.max_zoom}: {stats.summary()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
