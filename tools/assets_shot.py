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
import sys

from demo_shot import ROOT, saved, shoot

from console.domain import maintenance as m


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

    def stage(console, window):
        for name in ("vehicles", "timeline"):  # the street wider: the shot is about the map
            window.docks[name].hide()
        orders = console.state.records_of(m.WORK_ORDER).values()
        working = sorted(
            (o for o in orders if o["state"] == m.WORKING), key=lambda o: -len(o["components"])
        )
        print(f"orders: {len(orders)}, in 施工: {len(working)}")
        if not working:
            return None
        order = working[0]
        code = order["components"][0]
        print(f"order {order['id']} ({order['plan']}), component {code}")
        window.show_component(code)
        window.work_orders.select_order(order["id"])
        window.map.select_component(code, args.width)

        def float_dock():
            saved(window, args.layer_out)
            dock = window.docks["work_orders"]
            dock.setFloating(True)
            dock.resize(980, 900)

        return [float_dock, lambda: saved(window.work_orders, args.orders_out)]

    return shoot(args.after, stage, speed=args.speed, settle_s=5.0)


if __name__ == "__main__":
    sys.exit(main())
