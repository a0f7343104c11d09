"""Benchmark (not a test): the map wall at city scale, next to a naive pyqtgraph map.

    python main.py bench scale [--vehicles 2000] [--cases 50000] [--trail-minutes 20]
                               [--queue 100000] [--repeat 7] [--sweep] [--no-naive] [--png DIR]
                               [--clock cpu|wall]

Builds one city from the real recorded pages (``scale_city.build_city``: cases cloned over the
district's unit grid, vehicles driving real recorded paths, a fix every 5 s), then, offscreen at
1920x1080 in this process, draws it with the project's ``MapWall`` and with ``NaiveMap`` (the
straightforward pyqtgraph code: a brush and a symbol per point, one curve per vehicle's trail,
everything rebuilt on each update) and prints, for both and their ratio:

- frame: ``grab()`` of the plot at district view and zoomed in to a 2 km wide street view;
- full update: every layer from the state (``update_all``, which reuses a vehicle's simplified
  trail while its last fix and the zoom level stand; and with every trail rebuilt, as after
  a bootstrap or a zoom across a power of two; the naive map's ``draw``);
- tick: one bridge tick (``CityScene.tick``: ~5 % of the vehicles move, 50 cases change)
  applied to the state, then drawn (the project from the tick's ``Diff``; the naive map redraws
  the touched vehicles' curves and both scatters, as the straightforward code would);
- memory: what each map holds (Python and numpy, by tracemalloc), and the state's bytes per
  case and per vehicle-hour of trail (``CityState.memory_bytes``).

``--sweep`` repeats the frame/update figures for 500/2,000/8,000 vehicles (at ``--cases``) and
5,000/50,000/200,000 cases (at ``--vehicles``) so the growth of each can be read off. Times are
medians of ``--repeat`` runs of this process's CPU time (``--clock wall``: the wall clock,
which on a shared 2-core machine adds the other jobs' turns); the ratios are steadier.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402
from scale_city import CityScene, build_city  # noqa: E402

Row = tuple[str, float, float | None, str]  # figure, project, naive (None: no baseline), unit
SCREEN = (1920, 1080)
STREET_VIEW_M = 2000.0  # the zoomed-in frame: a street's surroundings on a desk's map


#: What the timings read: this process's CPU time (``--clock cpu``: a frame or an update runs
#: on the GUI thread alone, so on an idle machine it is the wall time, and on this shared
#: 2-core one it leaves out the waits for a core the other jobs cause) or the wall clock.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        samples.append((clock() - t0) * 1000.0)
    return float(np.median(samples))


class NaiveMap:
    """The map as straightforward pyqtgraph code draws it: the same layers (district fill,
    grid, trails, cases by light and kind, vehicles by status and heading), a brush and a symbol
    made per point, one curve per vehicle's trail, every layer rebuilt from the state."""

    def __init__(self, state, now: Callable[[], float]):
        import pyqtgraph as pg

        from console.geo.crs import lonlat_to_mercator
        from console.geo.outlines import grid_polyline, polyline, rings_of
        from widgets.common.style import theme

        self.pg, self.state, self.now = pg, state, now
        t = theme()
        self.plot = pg.PlotWidget(background=t["map_bg"])
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.view = self.plot.getPlotItem().getViewBox()
        self.view.setAspectLocked(True)
        ref = state.reference
        x, y, c = polyline(rings_of(ref["district"]["boundary"]))
        district = pg.PlotCurveItem(x, y, connect=c, pen=pg.mkPen(t["trail"]))
        district.setFillLevel(None)
        self.plot.addItem(district)
        gx, gy, gc = grid_polyline(ref["grid"])
        mx, my = lonlat_to_mercator(gx, gy)
        self.plot.addItem(pg.PlotCurveItem(mx, my, connect=gc, pen=pg.mkPen("#2a3a4d")))
        self.bounds = (x.min(), y.min(), x.max(), y.max())
        self.curves: dict[str, Any] = {}
        self.cases = pg.ScatterPlotItem(size=11)
        self.vehicles = pg.ScatterPlotItem(size=20)
        self.plot.addItem(self.cases)
        self.plot.addItem(self.vehicles)
        self.trail_pen = pg.mkPen(t["trail"], width=1.6)

    def draw(self) -> None:
        self.draw_trails(self.state.vehicle_ids())
        self.draw_cases()
        self.draw_vehicles()

    def draw_tick(self, vehicle_ids) -> None:
        self.draw_trails(vehicle_ids)
        self.draw_cases()
        self.draw_vehicles()

    def draw_trails(self, vehicle_ids) -> None:
        from console.geo.crs import lonlat_to_mercator

        since = self.now() - 20 * 60.0
        for vid in vehicle_ids:
            tr = self.state.trail(vid)
            tr = tr[tr[:, 0] >= since]
            x, y = lonlat_to_mercator(tr[:, 1], tr[:, 2])
            curve = self.curves.get(vid)
            if curve is None:
                curve = self.curves[vid] = self.pg.PlotCurveItem(pen=self.trail_pen)
                self.plot.addItem(curve)
            curve.setData(np.atleast_1d(x), np.atleast_1d(y))

    def draw_cases(self) -> None:
        from console.domain.queues import NO_QUEUE
        from console.geo.crs import lonlat_to_mercator
        from widgets.common.style import LIGHT_COLORS

        a = self.state.case_arrays()
        rows = np.flatnonzero(a["queue"] != NO_QUEUE)
        lights = self.state.case_lights(self.now())[rows]
        x, y = lonlat_to_mercator(a["lon"][rows], a["lat"][rows])
        majors = a["major"][rows]
        self.cases.setData(
            x=x,
            y=y,
            brush=[self.pg.mkBrush(LIGHT_COLORS[int(k)]) for k in lights],
            symbol=["s" if m < 6 else "o" for m in majors],
        )

    def draw_vehicles(self) -> None:
        from PySide6.QtGui import QTransform

        from console.geo.crs import lonlat_to_mercator
        from console.state import VEHICLE_STATUSES
        from widgets.common.style import VEHICLE_COLORS
        from widgets.map.layers import heading_arrow

        v = self.state.vehicle_arrays()
        x, y = lonlat_to_mercator(v["lon"], v["lat"])
        arrow = heading_arrow()
        self.vehicles.setData(
            x=x,
            y=y,
            brush=[self.pg.mkBrush(VEHICLE_COLORS[VEHICLE_STATUSES[s]]) for s in v["status"]],
            symbol=[QTransform().rotate(float(h)).map(arrow) for h in np.nan_to_num(v["heading"])],
        )

    def fit_district(self) -> None:
        b = self.bounds
        self.view.setRange(xRange=(b[0], b[2]), yRange=(b[1], b[3]), padding=0.03)

    def centre_on(self, x: float, y: float, width_m: float) -> None:
        h = width_m * SCREEN[1] / SCREEN[0]
        self.view.setRange(
            xRange=(x - width_m / 2, x + width_m / 2), yRange=(y - h / 2, y + h / 2), padding=0
        )


def rss_mb() -> float:
    """Resident set size from /proc (Linux), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def map_memory_mb(make: Callable[[], Any]) -> tuple[float, float]:
    """What a map holds once built and drawn, in MB: Python and numpy (tracemalloc), and the
    process's RSS growth (Qt's pixmaps too; noisy once the allocator has freed memory to
    reuse, so read it for the first scene of a run)."""
    from PySide6.QtWidgets import QApplication

    gc.collect()
    rss0 = rss_mb()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    m = make()
    QApplication.processEvents()
    (m if isinstance(m, QWidget) else m.plot).grab()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    grown = rss_mb() - rss0
    (m if isinstance(m, QWidget) else m.plot).close()
    return held / 2**20, grown


def map_rows(
    scene: CityScene, repeat: int, naive: bool = True, png: Path | None = None, memory=True
) -> list[Row]:
    """Frame, update and tick figures for the project's wall and the naive map (its updates,
    seconds long, are timed twice: their spread is small next to them). ``png``: a folder
    for the project's wall at district and street view; ``memory``: measure what each map
    holds (a separate build under tracemalloc)."""
    from PySide6.QtWidgets import QApplication

    from widgets.map.wall import MapWall

    app = QApplication.instance()
    now = lambda: scene.now  # noqa: E731
    maps: list[Any] = []
    figures: dict[str, dict[str, float]] = {}
    for name in ("project", "naive") if naive else ("project",):
        ours = name == "project"
        slow = repeat if ours else min(repeat, 2)
        state = scene.state()

        def build(ours: bool = ours, state: Any = state) -> Any:
            m = MapWall(state, now) if ours else NaiveMap(state, now)
            widget = m if ours else m.plot
            widget.resize(*SCREEN)
            widget.show()
            (m.update_all if ours else m.draw)()
            m.fit_district()
            return m

        f: dict[str, float] = {}
        if memory:
            held, grown = map_memory_mb(build)
            f["memory held by the map (tracemalloc)"] = held
            f["memory: RSS growth building the map"] = grown
        m = MapWall(state, now) if ours else NaiveMap(state, now)
        widget = m if ours else m.plot
        maps.append(widget)
        widget.resize(*SCREEN)
        widget.show()
        app.processEvents()
        (m.update_all if ours else m.draw)()
        m.fit_district()
        app.processEvents()  # the view's level of detail (the wall's view timer)
        m.plot.grab()  # the static layers' caches and the symbol atlases: built per zoom
        f["frame, district view"] = median_ms(m.plot.grab, repeat)
        if png is not None and ours:
            widget.grab().save(str(png / "scale_district.png"))
        f["full update (all layers)"] = median_ms(m.update_all if ours else m.draw, slow)
        if ours:
            rebuild = functools.partial(m.update_all, rebuild_trails=True)
            f["full update, every trail rebuilt"] = median_ms(rebuild, repeat)
        app.processEvents()
        applied, drawn = [], []
        for step in range(1, slow + 1):
            changes = scene.tick(state.log_seq, step)
            t0 = clock()
            d = state.apply(changes)
            t1 = clock()
            if ours:
                m.on_diff(d)
                m._redraw()  # what its REDRAW_HZ timer does
            else:
                m.draw_tick(sorted(d.vehicles))
            applied.append((t1 - t0) * 1000.0)
            drawn.append((clock() - t1) * 1000.0)
        f["tick: state.apply (same code both)"] = float(np.median(applied))
        f["tick: map update"] = float(np.median(drawn))
        f["frame after ticks"] = median_ms(m.plot.grab, repeat)
        b = m._bounds if ours else m.bounds
        m.centre_on((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, STREET_VIEW_M)
        app.processEvents()
        m.plot.grab()
        f["frame, street view (2 km wide)"] = median_ms(m.plot.grab, repeat)
        if png is not None and ours:
            widget.grab().save(str(png / "scale_street.png"))
        figures[name] = f
    for widget in maps:
        widget.close()
    return [
        (
            f"map {key}",
            value,
            figures.get("naive", {}).get(key),
            "MB" if key.startswith("memory") else "ms",
        )
        for key, value in figures["project"].items()
    ]


def state_memory_rows(scene: CityScene, trail_minutes: float) -> list[Row]:
    """The state's bytes per case and per vehicle-hour of trail (``CityState.memory_bytes``)."""
    state = scene.state()
    mem = state.memory_bytes()
    n_cases = max(len(state.cases), 1)
    vehicle_h = max(len(state.vehicle_ids()) * trail_minutes / 60.0, 1e-9)
    return [
        ("state memory per case", mem["cases"] / n_cases, None, "B"),
        ("state trail memory per vehicle-hour", mem["trails"] / vehicle_h, None, "B"),
    ]


def state_rows(cases: int, queue: int, repeat: int) -> list[Row]:
    """The state and queue rows: bootstrap of ``cases``, sorts and searches on a ``queue``-row
    queue, memory per case (``scale_state.state_figures``: each against the naive path in the
    same run); at most 3 runs each (a naive bootstrap of 50,000 takes seconds)."""
    from scale_state import state_figures

    return state_figures(cases, queue, min(repeat, 3))


def print_rows(title: str, rows: list[Row]) -> None:
    print(title)
    print(f"  {'figure':<40} {'project':>12} {'naive':>12} {'naive/project':>14}")
    for name, ours, base, unit in rows:
        b = "" if base is None else f"{base:10.1f} {unit}"
        ratio = "" if base is None or ours <= 0 else f"{base / ours:13.1f}x"
        print(f"  {name:<40} {ours:10.1f} {unit} {b:>12} {ratio:>14}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vehicles", type=int, default=2000)
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--trail-minutes", type=float, default=20.0)
    ap.add_argument("--queue", type=int, default=100_000, help="rows of the queue benchmarked")
    ap.add_argument("--repeat", type=int, default=7, help="runs per timing (median)")
    ap.add_argument(
        "--sweep", action="store_true", help="also 500/2k/8k vehicles, 5k/50k/200k cases"
    )
    ap.add_argument("--no-naive", action="store_true", help="the project's figures only")
    ap.add_argument("--png", type=Path, help="save the wall at district and street view here")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="what times read")
    args = ap.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]

    from PySide6.QtWidgets import QApplication

    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    set_language("zh")

    def scene_of(vehicles: int, cases: int) -> CityScene:
        t0 = time.perf_counter()
        scene = build_city(vehicles, cases, args.trail_minutes)
        print(
            f"scene: {vehicles} vehicles, {cases} open cases, {args.trail_minutes:g}-min trails "
            f"({vehicles * len(scene.fixes)} trail points), built in "
            f"{time.perf_counter() - t0:.1f} s; {SCREEN[0]}x{SCREEN[1]} offscreen",
            flush=True,
        )
        return scene

    scene = scene_of(args.vehicles, args.cases)
    if args.png:
        args.png.mkdir(parents=True, exist_ok=True)
    rows = map_rows(scene, args.repeat, naive=not args.no_naive, png=args.png)
    rows += state_memory_rows(scene, args.trail_minutes)
    rows += state_rows(args.cases, args.queue, args.repeat)
    print_rows(f"== map and state at city scale (times: {args.clock} ms, medians) ==", rows)
    if args.sweep:
        for vehicles, cases in (
            (500, args.cases),
            (8000, args.cases),
            (args.vehicles, 5_000),
            (args.vehicles, 200_000),
        ):
            sc = scene_of(vehicles, cases)
            print_rows(
                f"== sweep: {vehicles} vehicles, {cases} cases ==",
                map_rows(sc, args.repeat, naive=not args.no_naive, memory=False),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
