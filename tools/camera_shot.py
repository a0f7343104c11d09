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
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ZHCG_BASEMAP_BUILD"] = "0"

from console.domain.cameras import distance_m  # noqa: E402
from console.geo.crs import lonlat_to_mercator  # noqa: E402


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
    from PySide6.QtCore import QPoint, Qt, QTimer
    from PySide6.QtGui import QPainter
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
        tools = None

        def open_camera():
            nonlocal tools
            w = console.window
            w.reset_layout()  # not the layout a last run saved in the data folder
            tools = w.camera_tools
            cid = busiest_camera(console.state)
            cam = console.state.records_of("camera")[cid]
            print(f"camera {cid} {cam['name']}")
            x, y = lonlat_to_mercator(cam["lon"], cam["lat"])
            w.map.centre_on(float(x), float(y), width_m=args.width)
            tools.show_camera(cid)
            w.resizeDocks([tools.dock], [560], Qt.Orientation.Horizontal)
            QTimer.singleShot(5000, shoot_viewer)

        def shoot_viewer():
            w = console.window
            w.grab().save(str(out / "camera_layer_zh.png"))
            print("saved camera_layer_zh.png")
            dlg = tools.file_case(dict(tools.view.camera), tools.view.grab_jpeg())
            dlg.category.select("06036")
            dlg.description.setPlainText("人行道上堆放废旧家具和纸箱，影响行人通行。")
            dlg.resize(620, 640)
            dlg.show()
            QTimer.singleShot(1000, lambda: shoot_dialog(dlg))

        def shoot_dialog(dlg):
            w = console.window
            pm = w.grab()
            d = dlg.grab()
            p = QPainter(pm)
            p.drawPixmap(QPoint((pm.width() - d.width()) // 2, (pm.height() - d.height()) // 2), d)
            p.end()
            pm.save(str(out / "video_patrol_zh.png"))
            print("saved video_patrol_zh.png")
            app.quit()

        QTimer.singleShot(int(args.after * 1000), open_camera)
        app.exec()
        console.stop()
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
