"""Benchmark (not a test): how long ``python main.py`` takes to show a window and a living
district, cold and warm.

    python main.py bench startup [--runs 3] [--timeout 40]

Each run starts ``main.py`` (the embedded demo: backend + simulator in a child process, then
the console) offscreen and reads the start-up milestones it logs (``console.startup``: the
first window on screen, the demo backend answering (timed from the child process's own
start, a few ms after the console's), the console's main window, the snapshot drawn, the first
live change drawn after it), timed from the process's start by the process itself. "Cold" runs each get
a new data folder (nothing the project caches on disk survives: the first start of a new
install); "warm" runs share one that a discarded run filled first (every start after that).
The machine's own file cache is warm in both: the interpreter and the libraries stay in memory
between runs, as on a desk that started the console before.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# The demo basemap's first build (a minute of CPU at nice 10) is not what this measures.
os.environ["ZHCG_BASEMAP_BUILD"] = "0"

from console import startup  # noqa: E402

MILESTONES = (startup.WINDOW, startup.BACKEND, startup.CONSOLE, startup.DISTRICT, startup.LIVE)
#: Issue 14's goals: a window at once, a living district soon (warm).
GOALS = {startup.WINDOW: 1.0, startup.LIVE: 3.0}
LINE = re.compile(r"startup: (\w+) after ([0-9.]+) s")


def one_start(data_dir: Path, timeout: float) -> dict[str, float]:
    """Start the console once; the milestones it reached (seconds from its start)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONSOLE_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--quit-after", str(timeout), "--no-sound"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    seen: dict[str, float] = {}
    # Stop reading at the timeout even if the console never logs another line.
    killer = threading.Timer(timeout + 5, proc.kill)
    killer.start()
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            m = LINE.search(line)
            if m:
                seen[m.group(1)] = float(m.group(2))
                if startup.LIVE in seen:
                    break
    finally:
        killer.cancel()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return seen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3, help="starts of each kind (3)")
    ap.add_argument("--timeout", type=float, default=40.0, help="seconds a start may take (40)")
    args = ap.parse_args(argv)
    results: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            results["cold"].append(one_start(Path(tmp) / f"cold{i}", args.timeout))
        warm = Path(tmp) / "warm"
        one_start(warm, args.timeout)  # fills the data folder; not counted
        for _ in range(args.runs):
            results["warm"].append(one_start(warm, args.timeout))
    print(f"python main.py to each milestone, s ({args.runs} starts each; median / worst)")
    print(f"{'milestone':<10} {'cold':>14} {'warm':>14} {'goal (warm)':>12}")
    for m in MILESTONES:
        cells = []
        for kind in ("cold", "warm"):
            xs = [r[m] for r in results[kind] if m in r]
            missing = len(results[kind]) - len(xs)
            cell = f"{statistics.median(xs):.2f} / {max(xs):.2f}" if xs else "never"
            cells.append(cell + (f" ({missing} never)" if xs and missing else ""))
        goal = f"≤ {GOALS[m]:.0f}" if m in GOALS else ""
        print(f"{m:<10} {cells[0]:>14} {cells[1]:>14} {goal:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
