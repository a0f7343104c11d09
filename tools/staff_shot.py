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
import sys

from demo_shot import saved, shoot

from console.domain.field_units import SUPERVISOR
from console.geo.crs import lonlat_to_mercator


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

    def stage(console, window):
        pid = best_supervisor(console.state)
        row = None if pid is None else console.state.vehicle_row(pid)
        if row is None:
            return None
        v = console.state.vehicle_arrays()
        x, y = lonlat_to_mercator(v["lon"][row], v["lat"][row])
        window.docks["duty"].raise_()
        window.duty.select_person(pid)
        window.map.select_vehicle(pid)
        window.map.centre_on(float(x), float(y), args.width)
        doc = console.state.records_of("duty")[pid]
        print(f"{pid} {doc['name']}: coverage {doc['coverage']:.0%}, rate {doc['rate']}")

        def panel():
            window.duty.table.clearSelection()
            window.duty.table.scrollToTop()  # the panel as a shift lead opens it: worst first
            saved(window.duty, args.panel_out)

        return [lambda: saved(window, args.map_out), panel]

    return shoot(args.after, stage)


if __name__ == "__main__":
    sys.exit(main())
