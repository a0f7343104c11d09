"""Regenerate the cameras' screenshots of docs/rules/cameras.md: the console on the embedded
demo, the map zoomed onto the camera that sees the most open cases, its viewer open
(``camera_layer_zh.png``), then 视频立案 from it: the dialog on the grab over the window
(``video_patrol_zh.png``).

    python tools/camera_shot.py docs/ [--after 25] [--width 1600]

Offscreen; the demo's district runs at its usual 20x; the demo basemap under the map if the
data folder has it built (it is not built here: ``ZHCG_BASEMAP_BUILD=0``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from demo_shot import saved, shoot

from console.domain.cameras import distance_m
from console.geo.crs import lonlat_to_mercator


def busiest_camera(state) -> str:
    """The camera with the most open cases within 600 m (what an operator would watch)."""
    cases = [d["location"] for d in state.cases.values() if d.get("state") != "closed"]
    cams = state.records_of("camera")

    def seen(c) -> int:
        return sum(distance_m(c["lon"], c["lat"], p["lon"], p["lat"]) < 600 for p in cases)

    return max(sorted(cams), key=lambda k: seen(cams[k]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--after", type=float, default=45.0, help="seconds of the district first")
    ap.add_argument("--width", type=float, default=4000.0, help="metres across the map")
    args = ap.parse_args()
    out = Path(args.out_dir)

    def stage(console, window):
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtGui import QPainter

        tools = window.camera_tools
        cid = busiest_camera(console.state)
        cam = console.state.records_of("camera")[cid]
        print(f"camera {cid} {cam['name']}")
        x, y = lonlat_to_mercator(cam["lon"], cam["lat"])
        window.map.centre_on(float(x), float(y), width_m=args.width)
        tools.show_camera(cid)
        window.resizeDocks([tools.dock], [560], Qt.Orientation.Horizontal)
        dialog = []

        def viewer_then_dialog():
            saved(window, out / "camera_layer_zh.png")
            dlg = tools.file_case(dict(tools.view.camera), tools.view.grab_jpeg())
            dlg.category.select("06036")
            dlg.description.setPlainText("人行道上堆放废旧家具和纸箱，影响行人通行。")
            dlg.resize(620, 640)
            dlg.show()
            dialog.append(dlg)

        def over_window():
            pm, d = window.grab(), dialog[0].grab()
            p = QPainter(pm)
            p.drawPixmap(QPoint((pm.width() - d.width()) // 2, (pm.height() - d.height()) // 2), d)
            p.end()
            pm.save(str(out / "video_patrol_zh.png"))
            print("saved video_patrol_zh.png")

        return [viewer_then_dialog, over_window]

    return shoot(args.after, stage, settle_s=5.0)


if __name__ == "__main__":
    sys.exit(main())
