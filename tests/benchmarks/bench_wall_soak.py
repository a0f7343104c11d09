"""Benchmark (not a test): the video wall over many district hours: does it stay flat?

    python main.py bench wall_soak [--minutes M] [--speed N] [--size WxH]
    (or python tests/benchmarks/bench_wall_soak.py)

Runs the embedded demo (backend + simulator) in its own process at ``--speed`` (60: a
district hour per wall minute) and, in this process, the wall exactly as ``main.py wall``
builds it (the wall account's session and live source, its shift log, one window of
``--size`` offscreen) with every scene in the playlist for 10 s each. Every 20 s it samples:

- district time; RSS (``/proc/self/statm``); the C heap in use (glibc ``mallinfo2``:
  Python objects, numpy arrays, Qt); Python's allocated blocks; live Qt objects (the windows'
  and the application's children); cases held; the wall's shift-log size on disk.
- each scene switch's duration, the new scene's first full paint included (``show_scene`` +
  a synchronous ``repaint``), and the longest gap of a 50 ms heartbeat timer (any GUI stall).

It prints the samples, then the growth per district day after ``--warmup`` district hours
(least-squares slope, so one noisy sample does not decide), the switch durations (median,
p95, max, by scene) and the log's MB per district hour. Targets (issue 12): growth <= 5 MB
per district day, no switch over 100 ms.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SAMPLE_S = 20.0
SCENE_S = 10.0


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (n, ctypes.c_size_t)
        for n in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _heap_in_use() -> float:
    """Bytes the C heap has handed out (small + mmapped blocks); NaN without glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _Mallinfo2
        m = libc.mallinfo2()
        return float(m.uordblks + m.hblkhd)
    except (OSError, AttributeError):
        return float("nan")


def _rss() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _slope_per_day(hours: list[float], values: list[float]) -> float:
    """Least-squares growth of ``values`` per 24 district hours."""
    if len(hours) < 3:
        return float("nan")
    mh, mv = statistics.fmean(hours), statistics.fmean(values)
    sxx = sum((h - mh) ** 2 for h in hours)
    sxy = sum((h - mh) * (v - mv) for h, v in zip(hours, values, strict=True))
    return 24 * sxy / sxx if sxx else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0, help="wall minutes to run")
    ap.add_argument("--speed", type=float, default=60.0, help="district seconds per second")
    ap.add_argument("--size", default="1920x1080", help="the wall window, WxH")
    ap.add_argument("--warmup", type=float, default=4.0, help="district hours not measured")
    ap.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=None,
        help="district start (ISO 8601 with offset; default 08:00 of the working day): "
        "an evening start reaches the daily roll sooner",
    )
    ap.add_argument(
        "--types",
        action="store_true",
        help="also count the GC's objects by type (slow: for finding what grows)",
    )
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CONSOLE_DATA_DIR"] = tmp
        run(args, Path(tmp))


def run(args, tmp: Path) -> None:
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from console.demo_process import DemoProcess, fresh_sqlite
    from widgets.app.console_start import qt_app
    from widgets.app.wall_app import WALL_PASSWORD, WALL_USER, Wall, live_wall, parse_size
    from widgets.wall.playlist import Entry, Playlist
    from widgets.wall.scenes import SCENES

    app = qt_app("zh", "dark", offscreen_ok=True)
    demo = DemoProcess(fresh_sqlite(tmp / "soak.db"), speed=args.speed, start=args.start).start()
    logs = tmp / "shifts"
    session, console = live_wall(demo.url, WALL_USER, WALL_PASSWORD)
    size = parse_size(args.size)
    wall = Wall(console, session.fetch, [0], [size])
    window = wall.windows[0]
    scenes = [n for n in SCENES if n != "focus"]
    window.playlist = Playlist(tuple(Entry(n, SCENE_S) for n in scenes))
    window.show()

    switches: dict[str, list[float]] = defaultdict(list)
    original = window.show_scene

    def timed_switch(name: str) -> None:
        t = time.perf_counter()
        original(name)
        window.repaint()
        switches[name].append((time.perf_counter() - t) * 1000)

    window.show_scene = timed_switch  # type: ignore[method-assign]
    gaps: list[float] = []
    last_beat = [time.perf_counter()]

    def beat() -> None:
        t = time.perf_counter()
        gaps.append((t - last_beat[0]) * 1000 - 50)
        last_beat[0] = t

    heart = QTimer(interval=50)
    heart.timeout.connect(beat)
    heart.start()

    samples: list[dict[str, float]] = []
    types: dict[str, Counter] = {}
    t_start = time.monotonic()

    def sample() -> None:
        gc.collect()
        qt = len(app.findChildren(QObject)) + sum(
            1 + len(w.findChildren(QObject)) for w in QApplication.topLevelWidgets()
        )
        row = {
            "wall_min": (time.monotonic() - t_start) / 60,
            "district_h": (console.live_now() - t0_district) / 3600,
            "rss_mb": _rss() / 2**20,
            "heap_mb": _heap_in_use() / 2**20,
            "py_blocks_k": sys.getallocatedblocks() / 1000,
            "qt_objects": float(qt),
            "cases": float(len(console.state.cases)),
            "log_mb": sum(p.stat().st_size for p in logs.iterdir()) / 2**20,
            "log_files": float(len(list(logs.glob("*.zhcg")))),
            "max_gap_ms": max(gaps, default=0.0),
        }
        gaps.clear()
        samples.append(row)
        if args.types and row["district_h"] >= args.warmup:
            kinds = Counter(type(o).__name__ for o in gc.get_objects())
            types.setdefault("first", kinds)
            types["last"] = kinds
        print(
            "  ".join(f"{k} {v:8.1f}" for k, v in row.items()),
            flush=True,
        )
        last_beat[0] = time.perf_counter()  # the sample's own time is not a GUI stall

    session.start()
    deadline = time.monotonic() + 60
    while console.state.seq == 0 and time.monotonic() < deadline:  # the first bootstrap
        app.processEvents()
        time.sleep(0.05)
    t0_district = console.live_now()
    timer = QTimer(interval=int(SAMPLE_S * 1000))
    timer.timeout.connect(sample)
    timer.start()
    QTimer.singleShot(int(args.minutes * 60_000), app.quit)
    print(
        f"wall soak: {args.minutes:g} wall min at {args.speed:g}x, window {args.size}, "
        f"scenes {', '.join(scenes)} for {SCENE_S:g} s each",
        flush=True,
    )
    try:
        app.exec()
    finally:
        heart.stop()
        timer.stop()
        wall.stop()
        demo.stop()
    report(samples, switches, args.warmup)
    if "first" in types:
        grown = (types["last"] - types["first"]).most_common(12)
        print("\n== GC-tracked objects that grew after warm-up (type: count)")
        print("  ".join(f"{name}: +{n}" for name, n in grown) or "none")


def report(samples: list[dict[str, float]], switches: dict[str, list[float]], warmup: float):
    kept = [s for s in samples if s["district_h"] >= warmup]
    hours = [s["district_h"] for s in kept]
    print(f"\n== growth per district day after {warmup:g} district hours ({len(kept)} samples)")
    for key, unit in (
        ("rss_mb", "MB"),
        ("heap_mb", "MB"),
        ("py_blocks_k", "k blocks"),
        ("qt_objects", "objects"),
        ("cases", "cases"),
    ):
        values = [s[key] for s in kept]
        first, last = (values[0], values[-1]) if values else (float("nan"),) * 2
        print(
            f"{key:12s} {_slope_per_day(hours, values):+10.2f} {unit}/district day"
            f"   (from {first:.1f} to {last:.1f})"
        )
    if len(samples) >= 2 and samples[-1]["district_h"] > samples[0]["district_h"]:
        span = samples[-1]["district_h"] - samples[0]["district_h"]
        grown = samples[-1]["log_mb"] - samples[0]["log_mb"]
        print(f"shift log    {grown / span:10.2f} MB/district hour (files in the log folder)")
    every = sorted(ms for v in switches.values() for ms in v)
    if every:
        p95 = every[min(len(every) - 1, int(0.95 * len(every)))]
        print(
            f"\n== scene switches: {len(every)}, median {statistics.median(every):.1f} ms, "
            f"p95 {p95:.1f} ms, max {every[-1]:.1f} ms (target: none over 100 ms)"
        )
        for name, v in sorted(switches.items()):
            print(
                f"  {name:10s} n={len(v):3d}  median {statistics.median(v):6.1f}  max {max(v):6.1f} ms"
            )
    gaps = [s["max_gap_ms"] for s in samples]
    if gaps:
        print(f"longest heartbeat gap (any GUI stall) {max(gaps):.0f} ms")


if __name__ == "__main__":
    main()
