"""Benchmark (not a test): is the console's GUI thread free while the district is busy?

    python main.py bench gui [--minutes 3] [--speed 60] [--vehicles 2000] [--in-process]
                             [--stacks]

Runs the simulated district (the backend and simulator in their own process, as
``python main.py`` and a deployment do; ``--in-process`` runs them in the console's process,
to show what sharing the GIL costs) and the real main window (offscreen), logged in as the
demo desk.
A 10 ms QTimer on the GUI thread is the watchdog: every gap beyond its interval is a stall the
operator would feel. It watches from the window's start: the stalls until the district first
lives (the snapshot drawn, the first live change drawn after it) are start-up's, reported
apart; then ``--minutes`` of the living district: the longest stall, the 99th and 50th
percentiles, how much the bridge applied, and then the map's frame time with the fleet and the
cases of the run. ``--stacks`` samples the GUI thread's stack in stalls (``stall_stacks``).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The demo basemap's first build (a minute of CPU at nice 10) is not what this measures.
os.environ["ZHCG_BASEMAP_BUILD"] = "0"

import numpy as np  # noqa: E402
from stall_stacks import StallSampler  # noqa: E402

WATCHDOG_MS = 10


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=3.0, help="wall minutes to watch")
    ap.add_argument("--speed", type=float, default=60.0, help="district clock speed")
    ap.add_argument("--in-process", action="store_true", help="backend+simulator in-process")
    ap.add_argument(
        "--vehicles", type=int, help="simulated fleet (serve --vehicles; the demo's 40)"
    )
    ap.add_argument(
        "--demo-nice",
        type=int,
        help="the backend+simulator child's niceness (default: the console's DEMO_NICE)",
    )
    ap.add_argument("--stacks", action="store_true", help="sample the GUI thread's stack in stalls")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CONSOLE_DATA_DIR"] = tmp
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from console.demo import EmbeddedDemo
        from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
        from console.session import Session
        from widgets.app.console_app import ConsoleApp
        from widgets.common.i18n import set_language
        from widgets.common.style import apply_theme

        sys.setswitchinterval(0.001)  # as widgets.app.console_app.run does
        app = QApplication.instance() or QApplication([])
        apply_theme(app)
        set_language("zh")
        db = fresh_sqlite(Path(tmp) / "demo.db")
        fleet = {} if args.vehicles is None else {"vehicles": args.vehicles}
        if args.in_process:
            demo = EmbeddedDemo(db, speed=args.speed, **fleet)
            demo.backend.start()
            threading.Thread(target=demo.sim.run, daemon=True).start()
        else:
            nice = {} if args.demo_nice is None else {"nice": args.demo_nice}
            demo = DemoProcess(db, speed=args.speed, vehicles=args.vehicles, **nice).start()
        url = demo.url
        session = Session(url, DEMO_USER, DEMO_PASSWORD, Path(tmp) / "bench.zhcg")
        console = ConsoleApp(session, sound=False)
        window = console.start()
        window.resize(1920, 1080)
        gaps: list[float] = []
        # The GUI thread's own CPU time in each gap: a stall it spent running is work of ours;
        # one it spent off the CPU is the GIL held by another thread or the cores busy with
        # other processes (the backend and simulator share this machine's cores).
        ran: list[float] = []
        others: list[float] = []  # the console's other threads' CPU time in each gap
        gc_pauses: list[tuple[int, float]] = []  # (beats before it, ms)
        gc_start = [0.0]

        def on_gc(phase, info):
            if phase == "start":
                gc_start[0] = time.perf_counter()
            elif info.get("generation") == 2:
                gc_pauses.append((len(gaps), (time.perf_counter() - gc_start[0]) * 1000.0))

        gc.callbacks.append(on_gc)
        last = [time.perf_counter()]
        last_cpu = [time.thread_time(), time.process_time()]
        live_beat: list[int] = []  # the beat at which the district first lived

        sampler = StallSampler() if args.stacks else None

        def beat():
            t, cpu, proc = time.perf_counter(), time.thread_time(), time.process_time()
            gaps.append((t - last[0]) * 1000.0 - WATCHDOG_MS)
            ran.append((cpu - last_cpu[0]) * 1000.0)
            others.append((proc - last_cpu[1]) * 1000.0 - ran[-1])
            last[0], last_cpu[:] = t, [cpu, proc]
            if sampler is not None:
                sampler.beat()

        def on_diff(diff):
            """Watch ``--minutes`` from the first live change drawn after the snapshot."""
            if live_beat or diff.reset or not console.state.vehicle_ids():
                return
            live_beat.append(len(gaps))
            QTimer.singleShot(int(args.minutes * 60 * 1000), app.quit)

        console.bridge.changed.connect(on_diff)
        dog = QTimer(interval=WATCHDOG_MS, timeout=beat)
        t0 = time.perf_counter()
        dog.start()
        if sampler is not None:
            sampler.start()
        QTimer.singleShot(int((120 + args.minutes * 60) * 1000), app.quit)  # never lived
        app.exec()
        dog.stop()
        gc.callbacks.remove(on_gc)
        if sampler is not None:
            sampler.stop()
            print(sampler.report())
        wall = time.perf_counter() - t0
        live = live_beat[0] if live_beat else len(gaps)
        every = np.maximum(np.array(gaps), 0.0)
        start, g = every[:live], every[live:]
        at_s = float(np.sum(g[: int(np.argmax(g))] + WATCHDOG_MS) / 1000.0) if len(g) else 0.0
        counts = console.state.counts()
        mode = (
            "in the console's process"
            if args.in_process
            else f"in their own process at nice {demo.nice}"
        )
        print(
            f"district at {args.speed:g}x, {len(console.state.vehicle_ids())} vehicles, "
            f"backend+simulator {mode}; "
            f"watched {args.minutes:g} min from the first live change ({wall:.0f} s wall)"
        )
        if len(start):
            print(
                f"start-up, until the district lived ({np.sum(start + WATCHDOG_MS) / 1000:.1f} s):"
                f" longest GUI stall {start.max():.1f} ms, {int((start > 100).sum())} over 100 ms"
            )
        if len(g):
            print(
                f"GUI stalls beyond {WATCHDOG_MS} ms timer while live: longest {g.max():.1f} ms "
                f"({at_s:.0f} s in), "
                f"p99 {np.percentile(g, 99):.1f} ms, p50 {np.percentile(g, 50):.1f} ms, "
                f"{int((g > 100).sum())} over 100 ms, {int((g > 50).sum())} over 50 ms "
                f"of {len(g)} beats"
            )
        if len(g):
            print(_stall_split(g, np.array(ran[live:]), np.array(others[live:])))
        live_gc = [ms for at, ms in gc_pauses if at >= live]
        print(
            f"full garbage collections: {len(gc_pauses)} ({len(live_gc)} while live), longest "
            f"{max((ms for _, ms in gc_pauses), default=0.0):.1f} ms "
            f"({max(live_gc, default=0.0):.1f} while live)"
        )
        print(
            f"bridge: {console.bridge.applied} changes in {console.bridge.ticks} ticks; "
            f"{len(console.state.cases)} cases, {counts['alerts']} open alerts; feed lag at the "
            f"end {session.live.health.lag_s or 0:.0f} district s"
        )
        w = window.map
        w.fit_district()
        app.processEvents()
        frames = [w.frame_time_ms() for _ in range(5)]
        trails = w.trails.getData()[0]
        print(
            f"map frame (district view, {counts.get('vehicles', 0)} vehicles, "
            f"{len(trails) if trails is not None else 0} trail points, "
            f"{len(console.state.cases)} cases): median {np.median(frames):.1f} ms"
        )
        t = time.perf_counter()
        for _ in range(20):
            w.update_all()
        print(f"map layer update (all layers): {(time.perf_counter() - t) / 20 * 1000:.1f} ms")
        window.close()
        console.stop()
        demo.stop()
    return 0


def _stall_split(gaps: np.ndarray, ran: np.ndarray, others: np.ndarray, over: float = 50.0) -> str:
    """Where the live stalls over ``over`` ms went: the GUI thread's own CPU time in them, the
    console's other threads' (the GIL is theirs while they run Python), and the rest, when no
    thread of the console ran (the cores were another process's: the backend and simulator,
    or anything else on the machine). And the most CPU the GUI thread spent in any one gap:
    the stall its own work would make on a machine of its own."""
    long = gaps > over
    if not long.any():
        return f"no live stall over {over:g} ms"
    wall = gaps[long] + WATCHDOG_MS
    own = np.median(ran[long] / wall) * 100
    other = np.median(np.minimum(others[long], wall) / wall) * 100
    worst = int(np.argmax(gaps))
    return (
        f"live stalls over {over:g} ms ({int(long.sum())}), median shares of their time: GUI "
        f"thread running {own:.0f}%, the console's other threads running {other:.0f}%; the "
        f"longest ({gaps[worst] + WATCHDOG_MS:.1f} ms): GUI {ran[worst]:.1f} ms, others "
        f"{others[worst]:.1f} ms\nthe most the GUI thread itself ran in one gap: "
        f"{ran.max():.1f} ms ({int((ran > 100).sum())} gaps over 100 ms of its own CPU, "
        f"{int((ran > 50).sum())} over 50 ms)"
    )


if __name__ == "__main__":
    sys.exit(main())
