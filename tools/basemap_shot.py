"""Regenerate the street-level screenshot of docs/basemap.md: the console on the embedded demo,
over the demo basemap, zoomed onto the open case nearest a named road, ``--width`` metres across.

    CONSOLE_DATA_DIR=DIR python tools/basemap_shot.py OUT.png [--width 500] [--after 20]

DIR must hold the built demo basemap (``python main.py tiles build --out`` the path that
``console.tiles.demo_basemap.demo_basemap_path("dark")`` names, or a first ``python main.py``
with that data folder). Offscreen; the demo's district runs at its usual 20x.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ZHCG_BASEMAP_BUILD"] = "0"

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from console.geo.crs import lonlat_to_mercator  # noqa: E402
from console.tiles.basemap_features import BasemapFeatures  # noqa: E402
from console.tiles.demo_basemap import demo_basemap  # noqa: E402


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
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
    from console.session import Session
    from widgets.app.console_app import ConsoleApp
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    app = QApplication([])
    apply_theme(app)
    set_language("zh")
    with tempfile.TemporaryDirectory() as tmp:
        demo = DemoProcess(fresh_sqlite(Path(tmp) / "demo.db")).start()
        session = Session(demo.url, DEMO_USER, DEMO_PASSWORD, Path(tmp) / "shot.zhcg")
        console = ConsoleApp(session, sound=False)
        window = console.start()
        window.resize(1920, 1080)

        def zoom():
            found = nearest_road_case(console.state)
            if found is None:
                app.quit()
                return
            cid, road, metres = found
            print(f"case {cid}: {metres:.0f} m from {road}")
            window.select_case(cid)
            window.map.zoom_to_case(cid, args.width)
            QTimer.singleShot(4000, shoot)

        def shoot():
            window.grab().save(args.out)
            print(f"saved {args.out}")
            app.quit()

        QTimer.singleShot(int(args.after * 1000), zoom)
        app.exec()
        console.stop()
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
