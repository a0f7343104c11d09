"""Regenerate docs/river_layer_zh.png: the console on the embedded demo, the map zoomed onto the
river segment a patrol boat is on, with the river layer, the patrols and the river panel.

    python tools/river_shot.py OUT.png [--after 40] [--lang zh]

Offscreen; the demo's district runs at its usual pace, and ``--after`` seconds of it pass
first so the patrols have reported and their segments' coverage has been folded. Without a
built demo basemap the map shows the district's own outline under the layers.
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
os.environ.setdefault("ZHCG_BASEMAP_BUILD", "0")

from console.domain import rivers  # noqa: E402


def boat_segment(state) -> str:
    """The segment a patrol boat is on now (else the first segment)."""
    m = rivers.matcher()
    for vid, doc in sorted(state.vehicles.items()):
        fix = doc.get("last_fix") or {}
        if doc.get("type") == "river_patrol_boat" and fix.get("lon") is not None:
            seg, _ = m.match([fix["lon"]], [fix["lat"]])
            if seg[0] >= 0:
                print(f"boat {vid} on {m.segments[int(seg[0])].id}")
                return m.segments[int(seg[0])].id
    return rivers.segments()[0].id


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--after", type=float, default=40.0, help="seconds of the district first")
    ap.add_argument("--lang", default="zh")
    args = ap.parse_args()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
    from console.session import Session
    from widgets.app.console_app import ConsoleApp
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    app = QApplication([])
    apply_theme(app)
    set_language(args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        demo = DemoProcess(fresh_sqlite(Path(tmp) / "demo.db")).start()
        session = Session(demo.url, DEMO_USER, DEMO_PASSWORD, Path(tmp) / "shot.zhcg")
        console = ConsoleApp(session, sound=False)
        window = console.start()
        window.resize(1920, 1080)

        def zoom():
            seg = boat_segment(console.state)
            for dock in ("queues", "timeline"):  # a larger map: they are not the subject
                if dock in window.docks:
                    window.docks[dock].hide()
            window.show_river(seg)
            window.map.show_river(seg)
            QTimer.singleShot(3000, shoot)

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
