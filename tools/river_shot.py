"""Regenerate docs/river_layer_zh.png: the console on the embedded demo, the map zoomed onto the
river segment a patrol boat is on, with the river layer, the patrols and the river panel.

    python tools/river_shot.py OUT.png [--after 40] [--lang zh]

Offscreen; the demo's district runs at its usual pace, and ``--after`` seconds of it pass
first so the patrols have reported and their segments' coverage has been folded. Without a
built demo basemap the map shows the district's own outline under the layers.
"""

from __future__ import annotations

import argparse
import sys

from demo_shot import saved, shoot

from console.domain import rivers


def boat_segment(state) -> str:
    """The segment a patrol boat is on now (else the first segment)."""
    m = rivers.matcher()
    for vid, doc in sorted(state.vehicles.items()):
        fix = doc.get("last_fix") or {}
        if doc.get("type") == "river_boat" and fix.get("lon") is not None:
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

    def stage(console, window):
        seg = boat_segment(console.state)
        for dock in ("queues", "timeline"):  # a larger map: they are not the subject
            window.docks[dock].hide()
        window.show_river(seg)
        window.map.show_river(seg)
        return [lambda: saved(window, args.out)]

    return shoot(args.after, stage, lang=args.lang)


if __name__ == "__main__":
    sys.exit(main())
