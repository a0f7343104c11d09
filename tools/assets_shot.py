"""Regenerate docs/assets_layer_zh.png and docs/work_orders_zh.png: the console on the embedded
demo, zoomed onto a work order in 施工 (its components 维修中 among the street's others), the
first of them clicked, and the 部件与养护 dock on its own.

    CONSOLE_DATA_DIR=DIR python tools/assets_shot.py [--width 450] [--after 240] [--speed 60]

DIR should hold the built demo basemap (see tools/basemap_shot.py); without one the map has no
streets under the components. Offscreen; the district runs at ``--speed`` so the day's plan
has orders in every state by the shot.
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--layer-out", default=str(ROOT / "docs/assets_layer_zh.png"))
    ap.add_argument("--orders-out", default=str(ROOT / "docs/work_orders_zh.png"))
    ap.add_argument("--width", type=float, default=450.0, help="metres across the map")
    ap.add_argument("--after", type=float, default=240.0, help="seconds of the district first")
    ap.add_argument(
        "--speed", type=float, default=60.0, help="the demo district's speed (at most 60)"
    )
    args = ap.parse_args()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
    from console.domain import maintenance as m
    from console.session import Session
    from widgets.app.console_app import ConsoleApp
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    app = QApplication([])
    apply_theme(app)
    set_language("zh")
    with tempfile.TemporaryDirectory() as tmp:
        demo = DemoProcess(fresh_sqlite(Path(tmp) / "demo.db"), speed=args.speed).start()
        session = Session(demo.url, DEMO_USER, DEMO_PASSWORD, Path(tmp) / "shot.zhcg")
        console = ConsoleApp(session, sound=False)
        window = console.start()
        window.resize(1920, 1080)
        for name in ("vehicles", "timeline"):  # the street wider: the shot is about the map
            if name in window.docks:
                window.docks[name].hide()

        def zoom():
            orders = console.state.records_of(m.WORK_ORDER).values()
            working = sorted(
                (o for o in orders if o["state"] == m.WORKING),
                key=lambda o: -len(o["components"]),
            )
            print(f"orders: {len(orders)}, in 施工: {len(working)}")
            if not working:
                app.quit()
                return
            order = working[0]
            code = order["components"][0]
            print(f"order {order['id']} ({order['plan']}), component {code}")
            window.map.select_component(code, args.width)
            window.show_component(code)
            window.work_orders.select_order(order["id"])
            window.map.select_component(code, args.width)
            QTimer.singleShot(5000, shoot)

        def shoot():
            window.grab().save(args.layer_out)
            print(f"saved {args.layer_out}")
            dock = window.docks["work_orders"]
            dock.setFloating(True)
            dock.resize(980, 900)
            QTimer.singleShot(500, shoot_panel)

        def shoot_panel():
            window.work_orders.grab().save(args.orders_out)
            print(f"saved {args.orders_out}")
            window.docks["work_orders"].setFloating(False)
            app.quit()

        QTimer.singleShot(int(args.after * 1000), zoom)
        app.exec()
        console.stop()
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
