"""Benchmark (not a test): replaying an 8-hour shift.

    python main.py bench replay [--log FILE] [--hours 8] [--play-seconds 20]

Without ``--log`` it first records a shift the way a console does (the demo backend and
simulator in their own process at 60x: the fleet of 40 at a fix every 5 s, the simulator's
case load; a scripted operator accepting a case now and then and bookmarking every two
hours; a checkpoint every 20,000 items), ~8 wall minutes, kept in the data directory for the
next run. Then prints: the time to open the log (index), seeks to random instants from the
log's own checkpoints and from the seek cache (p50/p95/max) and the cache's build time, and
playback at 64x in the real replay window (offscreen, 1920x1080): map frames per second,
time per map frame, and the GUI thread's longest stall.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

WATCHDOG_MS = 10


def record_shift(path: Path, hours: float, speed: float = 60.0) -> None:
    from console.clock import iso_epoch
    from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
    from console.domain.sla import RED
    from console.replay.fold import LiveFold
    from console.session import Session

    demo = DemoProcess(fresh_sqlite(path.with_suffix(".backend.db")), speed=speed).start()
    fold = LiveFold(checkpoint_every=20_000)
    state, lock = fold.state, fold.lock
    session = Session(demo.url, DEMO_USER, DEMO_PASSWORD, path, on_batch=fold.on_batch)
    fold.attach(session.shiftlog)
    session.start()
    try:
        wait = time.monotonic() + 60
        while state.ts is None and time.monotonic() < wait:
            time.sleep(0.5)
        start = iso_epoch(state.ts)
        next_act, next_mark = start + 1200, start + 7200
        while True:
            time.sleep(1.0)
            with lock:
                now = iso_epoch(state.ts)
                reported = [c for c in state.cases.values() if c["state"] == "reported"]
                red = int((state.case_lights(now) == RED).sum())
                seq = state.log_seq
            if now >= next_act and reported:
                session.act(reported[0], "accept")
                next_act = now + 1200
            if now >= next_mark:
                note = f"整点巡检：超期 {red} 件，待受理 {len(reported)} 件"
                session.shiftlog.add_bookmark(seq, state.ts, note)
                next_mark = now + 7200
            if now >= start + hours * 3600:
                break
            print(f"\rrecording: {(now - start) / 3600:4.1f} h of {hours:g}", end="", flush=True)
        print()
    finally:
        session.stop()
        fold.close()
        demo.stop()
        for suffix in (".backend.db", ".backend.db-wal", ".backend.db-shm"):
            path.with_suffix(suffix).unlink(missing_ok=True)


def pct(xs, q) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, q))


def bench_seeks(path: Path) -> None:
    from console.replay.player import Replayer
    from console.store.shiftlog import ShiftLog

    t0 = time.perf_counter()
    log = ShiftLog(path, readonly=True)
    r = Replayer(log)
    opened = time.perf_counter() - t0
    idx = r.index
    print(
        f"log: {path.stat().st_size / 1e6:.1f} MB, {len(idx)} changes over "
        f"{(idx.end - idx.start) / 3600:.2f} h, {len(log.bookmarks())} bookmarks, "
        f"{len(log.outbox())} operator actions"
    )
    print(f"open (index of every change, no payload read): {opened * 1000:.0f} ms")
    rng = np.random.default_rng(42)
    instants = rng.uniform(idx.start, idx.end, 40)
    for label in ("log checkpoints", "seek cache"):
        if label == "seek cache":
            t0 = time.perf_counter()
            r.build_cache()
            print(f"seek cache: {len(r.cache)} entries built in {time.perf_counter() - t0:.2f} s")
        times = []
        for t in instants:
            t0 = time.perf_counter()
            r.seek(float(t))
            times.append(time.perf_counter() - t0)
        print(
            f"seek from {label:15s}: p50 {pct(times, 50):6.1f} ms  p95 {pct(times, 95):6.1f} ms"
            f"  max {max(times) * 1000:6.1f} ms  (40 random instants)"
        )
    log.engine.dispose()


def bench_playback(path: Path, play_s: float, speed: float = 64.0) -> None:
    from PySide6.QtCore import QTimer

    from console.paths import data_dir
    from console.replay.logfiles import open_logs
    from widgets.app.console_app import ConsoleApp
    from widgets.app.console_start import qt_app

    app = qt_app("zh", "dark")  # as main.py replay: theme, language, GIL switch interval
    t0 = time.perf_counter()
    console = ConsoleApp(None, replay_log=open_logs([path], data_dir()), sound=False)
    c = console.replay
    start, end = c.span()
    c.seek(start + (end - start) * 0.1)
    window = console.show()
    window.resize(1920, 1080)
    app.processEvents()
    print(f"replay window open, state shown: {(time.perf_counter() - t0) * 1000:.0f} ms")
    gaps, last = [], [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    watchdog = QTimer(interval=WATCHDOG_MS, timeout=beat)
    watchdog.start()
    t_cache = time.perf_counter()
    while c._cache_thread.is_alive():  # the seek cache builds while the window is live
        app.processEvents()
        time.sleep(0.002)
    print(
        f"seek cache built behind the open window in {time.perf_counter() - t_cache:.2f} s: "
        f"longest GUI stall meanwhile {max(gaps) * 1000:.0f} ms, p99 {pct(gaps, 99):.0f} ms"
    )
    frames_before = window.map.frames
    gaps.clear()
    last[0] = time.perf_counter()
    t_start = c.t
    c.set_speed(speed)
    c.play()
    watchdog.start()
    wall0 = time.perf_counter()
    QTimer.singleShot(int(play_s * 1000), app.quit)
    app.exec()
    wall = time.perf_counter() - wall0
    watchdog.stop()
    c.pause()
    frames = window.map.frames - frames_before
    print(
        f"playback {speed:g}x for {wall:.1f} s: {(c.t - t_start) / wall:.1f} district s per s, "
        f"{frames / wall:.1f} map frames/s, map frame {window.map.frame_time_ms():.1f} ms, "
        f"longest GUI stall {max(gaps) * 1000:.0f} ms, p99 {pct(gaps, 99):.0f} ms"
    )
    console.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--log", help="a recorded shift log (default: record one, kept for reuse)")
    ap.add_argument("--hours", type=float, default=8.0, help="hours to record")
    ap.add_argument("--play-seconds", type=float, default=20.0, help="wall seconds of 64x")
    args = ap.parse_args(argv)
    from console.paths import data_dir

    path = Path(args.log) if args.log else data_dir() / "bench" / f"shift-{args.hours:g}h.zhcg"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"recording {args.hours:g} h at 60x into {path} (~{args.hours:g} min) ...")
        record_shift(path, args.hours)
    bench_seeks(path)
    bench_playback(path, args.play_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
