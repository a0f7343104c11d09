"""Regenerate the screenshots of docs/rules/duty.md: the console on the embedded demo, the map
zoomed onto the supervisor who has covered most of his area so far (selected: his cells, the
visited ones filled), and the duty panel.

    python tools/staff_shot.py MAP.png PANEL.png [--after 40] [--width 2500]

Offscreen; the demo's district runs at its usual 20x, so ``--after`` real seconds are about
that many district minutes ÷ 3. A built demo basemap in CONSOLE_DATA_DIR is drawn under it if
there is one; none is built here.
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

from console.domain.field_units import SUPERVISOR  # noqa: E402
from console.geo.crs import lonlat_to_mercator  # noqa: E402


def best_supervisor(state) -> str | None:
    """The supervisor with the highest coverage today (ties: the lower id)."""
    docs = [d for d in state.records_of("duty").values() if d.get("person_type") == SUPERVISOR]
    docs.sort(key=lambda d: (-(d.get("coverage") or 0.0), d["id"]))
    return docs[0]["id"] if docs else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("map_out")
    ap.add_argument("panel_out")
    ap.add_argument("--after", type=float, default=40.0, help="seconds of the district first")
    ap.add_argument("--width", type=float, default=2500.0, help="metres across the map")
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
    set_language("zh")
    with tempfile.TemporaryDirectory() as tmp:
        demo = DemoProcess(fresh_sqlite(Path(tmp) / "demo.db")).start()
        session = Session(demo.url, DEMO_USER, DEMO_PASSWORD, Path(tmp) / "shot.zhcg")
        console = ConsoleApp(session, sound=False)
        window = console.start()
        window.resize(1920, 1080)

        def zoom():
            pid = best_supervisor(console.state)
            row = None if pid is None else console.state.vehicle_row(pid)
            if row is None:
                print("no supervisor with a position yet", file=sys.stderr)
                app.quit()
                return
            v = console.state.vehicle_arrays()
            x, y = lonlat_to_mercator(v["lon"][row], v["lat"][row])
            window.docks["duty"].raise_()
            window.duty.select_person(pid)
            window.map.select_vehicle(pid)
            window.map.centre_on(float(x), float(y), args.width)
            doc = console.state.records_of("duty")[pid]
            print(f"{pid} {doc['name']}: coverage {doc['coverage']:.0%}, rate {doc['rate']}")
            QTimer.singleShot(3000, shoot)

        def shoot():
            window.grab().save(args.map_out)
            window.duty.table.clearSelection()
            window.duty.table.scrollToTop()  # the panel as a shift lead opens it: worst first
            window.duty.grab().save(args.panel_out)
            print(f"saved {args.map_out}, {args.panel_out}")
            app.quit()

        QTimer.singleShot(int(args.after * 1000), zoom)
        app.exec()
        console.stop()
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
