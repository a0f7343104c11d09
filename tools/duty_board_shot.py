"""Regenerate the screenshots of the 量化考核 board's groupings counted from time
(docs/board.md): today's 人员在岗 board on the embedded demo with the person-days behind a
street's 在岗率, and the 河段 board.

    python tools/duty_board_shot.py BOARD.png DRILL.png RIVER.png [--after 200] [--speed 60]

Offscreen; at ``--speed`` 60 each real second of ``--after`` is a district minute. The drill-down
is the 在岗率 of the street where it is lowest (what a shift lead opens first).
"""

from __future__ import annotations

import argparse
import sys

from demo_shot import saved, shoot

from console.kpiboard import GROUPS, PERIODS


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("board_out")
    ap.add_argument("drill_out")
    ap.add_argument("river_out")
    ap.add_argument("--after", type=float, default=200.0, help="seconds of the district first")
    ap.add_argument("--speed", type=float, default=60.0, help="district seconds per second")
    args = ap.parse_args()

    def stage(console, window):
        board = window.kpi_tools.show()
        board.resize(1500, 640)
        board.period_box.setCurrentIndex(PERIODS.index("today"))
        board.group_box.setCurrentIndex(list(GROUPS).index("duty"))

        def drill():
            from widgets.board.model import FIXED

            rows = board.board.rows if board.board else []
            rates = [r.cells["on_duty_rate"].value or 1.0 for r in rows]
            if rates:
                board.drill_down(board.model.index(rates.index(min(rates)), len(FIXED)))

        def pictures():
            saved(board, args.board_out)
            if board.drill is not None:
                saved(board.drill, args.drill_out)
            board.group_box.setCurrentIndex(list(GROUPS).index("river"))
            board.period_box.setCurrentIndex(PERIODS.index("week"))

        return [drill, pictures, lambda: saved(board, args.river_out)]

    return shoot(args.after, stage, speed=args.speed, settle_s=8.0)


if __name__ == "__main__":
    sys.exit(main())
