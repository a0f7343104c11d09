"""Benchmark (not a test): replaying an 8-hour shift.

    python main.py bench replay [--log FILE] [--hours 8] [--play-seconds 20]

Without ``--log`` it first records a shift the way a console does (the demo backend and
simulator in their own process at 60x: the fleet of 40 at a fix every 5 s, the simulator's
case load; a scripted operator accepting a case now and then and bookmarking every two
hours; checkpoints as a console writes them), ~8 wall minutes, kept in the data directory for the
next run. Then prints: the time to open the log (index); the last checkpoint read and
restored in either form (``console.store.checkpoint_form``: the JSON one of logs recorded
before issue 14, the compact one since); cold seeks (no seek cache: from the log's own
checkpoints, on copies of the log holding them in either form) to 40 random instants and to
the end of each checkpoint gap, the longest folds (p50/p95/max); the seek cache's build time,
size and seeks from it, and the cache of a synthetic 72-hour log (this one's copies offered
nine times over) within its budget; then, in the real replay window (offscreen, 1920x1080),
the GUI thread's longest stall while the cache builds behind it, and playback at 64x: map
frames per second, time per map frame, and the longest stall.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from contextlib import closing
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
    fold = LiveFold()  # checkpoints as a console writes them
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


def with_checkpoints(path: Path, out: Path, form: str) -> Path:
    """A copy of the log with its checkpoints in one form: ``json`` (as every log recorded
    before issue 14 holds them) or ``compact``."""
    from console.store import checkpoint_form

    encode = {"json": checkpoint_form.encode_json, "compact": checkpoint_form.encode_compact}
    with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(out)) as dst:
        src.backup(dst)
        for seq, blob in dst.execute("SELECT seq, state FROM checkpoints").fetchall():
            blob = encode[form](checkpoint_form.decode(blob))
            dst.execute("UPDATE checkpoints SET state = ? WHERE seq = ?", (blob, seq))
        dst.commit()
    return out


def checkpoint_seqs(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as con:
        return [s for (s,) in con.execute("SELECT seq FROM checkpoints ORDER BY seq")]


def spread(times: list[float]) -> str:
    return (
        f"p50 {pct(times, 50):6.1f} ms  p95 {pct(times, 95):6.1f} ms  "
        f"max {max(times) * 1000:6.1f} ms"
    )


def bench_seeks(path: Path) -> None:
    import tempfile

    from console.replay.player import Replayer
    from console.state import CityState
    from console.store.shiftlog import ShiftLog

    t0 = time.perf_counter()
    log = ShiftLog(path, readonly=True)
    r = Replayer(log)
    opened = time.perf_counter() - t0
    idx = r.index
    print(
        f"log: {path.stat().st_size / 1e6:.1f} MB, {len(idx)} changes over "
        f"{(idx.end - idx.start) / 3600:.2f} h, {len(log.bookmarks())} bookmarks, "
        f"{len(log.outbox())} operator actions, {len(checkpoint_seqs(path))} checkpoints"
    )
    print(f"open (index of every change, no payload read): {opened * 1000:.0f} ms")
    rng = np.random.default_rng(42)
    instants = rng.uniform(idx.start, idx.end, 40)
    with tempfile.TemporaryDirectory() as tmp:
        forms = ("json", "compact")
        logs = {f: ShiftLog(with_checkpoints(path, Path(tmp) / f, f), readonly=True) for f in forms}
        # The last (largest) checkpoint, read and restored: best of 5.
        seq = checkpoint_seqs(path)[-1]
        for f in forms:
            best = []
            for _ in range(5):
                t0 = time.perf_counter()
                _seq, _digest, data = logs[f].checkpoint_at(seq)
                CityState.from_checkpoint(data, logs[f].reference(data["bootstrap_id"]))
                best.append(time.perf_counter() - t0)
            print(
                f"checkpoint at seq {seq} in the {f:7s} form: read and restored in "
                f"{min(best) * 1000:5.1f} ms"
            )
        # Cold seeks (no seek cache), both forms at the same instants, interleaved so the
        # machine's noise falls on both alike: random ones, and the worst, just before each
        # checkpoint and at the end (the longest folds, from the checkpoint before).
        replayers = {f: Replayer(logs[f]) for f in forms}
        # Just before the instant of each checkpoint's change (changes share instants).
        marks = [float(idx.t[idx.row_of_seq(s) - 1]) for s in checkpoint_seqs(path)[1:]]
        worst = [float(np.nextafter(t, -np.inf)) for t in marks] + [idx.end]
        for label, at in (("40 random instants", instants), ("each checkpoint gap's end", worst)):
            times: dict[str, list[float]] = {f: [] for f in forms}
            for t in at:
                for f in forms:
                    t0 = time.perf_counter()
                    replayers[f].seek(float(t))
                    times[f].append(time.perf_counter() - t0)
            for f in forms:
                print(f"cold seek from {f:7s} checkpoints: {spread(times[f])}  ({label})")
        for lg in logs.values():
            lg.engine.dispose()
    t0 = time.perf_counter()
    r.build_cache()
    built = time.perf_counter() - t0
    print(
        f"seek cache: {len(r.cache)} copies every {r.cache.stride} changes built in "
        f"{built:.2f} s, {r.cache.bytes / 2**20:.0f} MB (budget {r.cache.budget / 2**20:.0f} MB)"
    )
    cached = []
    for t in instants:
        t0 = time.perf_counter()
        r.seek(float(t))
        cached.append(time.perf_counter() - t0)
    print(f"seek from the seek cache:      {spread(cached)}  (40 random instants)")
    synthetic_days(r)
    log.engine.dispose()


def synthetic_days(r, days: int = 3) -> None:
    """The seek cache of a wall's 72-hour log, synthesised: this shift's copies offered
    again and again (as if the log went on nine times as long), as the build offers them,
    within the default budget, and with none."""
    from console.replay.player import SeekCache

    hours = (r.index.end - r.index.start) / 3600
    repeat = max(1, round(days * 24 / hours))
    entries = list(zip(r.cache._rows, r.cache._entries, strict=True))
    capped, uncapped = SeekCache(), 0
    span = entries[-1][0] + capped.rows
    for k in range(repeat):
        for row, (cursor, boot, state, size) in entries:
            uncapped += size
            if (k * span + row) % capped.stride == 0:  # as the build skips thinned rows
                capped.add(k * span + row, cursor, boot, state)
    print(
        f"seek cache of a synthetic {repeat * hours:.0f}-h log ({repeat} x this one): "
        f"{uncapped / 2**20:.0f} MB uncapped; within the budget {len(capped)} copies every "
        f"{capped.stride} changes, {capped.bytes / 2**20:.0f} MB"
    )


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
