"""Benchmark (not a test): the exports at city scale (issue 15, item 6).

    python main.py bench exports [--cases 100000] [--fixes 50000] [--repeat 1]
                                 [--backend-cases 100000]

On a city-sized CityState (``scale_city``: the recorded demo's cases cloned to ``--cases``),
prints CPU seconds (the median of ``--repeat`` runs), each beside a naive baseline where one
makes sense:

- cases as GeoJSON: written feature by feature (``FeatureWriter``) against building the whole
  FeatureCollection and one ``json.dump``; time and the peak of Python memory (tracemalloc);
- cases as XLSX: openpyxl's write-only mode (``tables.write_xlsx``) against an ordinary
  workbook filled and saved (what openpyxl's tutorial does); time and peak;
- cases as CSV (streamed, UTF-8 with BOM): time and peak;
- the queue as shown, 100,000 rows: what the GUI thread does (``CaseTableModel.shown_cases``:
  a copy of the documents and red-light instants in the order shown) against reading every
  cell through the model there; and the worker's formatting and XLSX writing;
- a track of ``--fixes`` fixes as GPX and as GeoJSON.

With ``--backend-cases N``: ``export-cases`` over HTTP from a backend process seeded with N
cases (pages of 500), its wall time and the CPU of both sides.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import timing  # noqa: E402
from scale_city import build_city  # noqa: E402

from console.exports.cases import CaseNames, case_feature, case_row, table_headers  # noqa: E402
from console.exports.command import write_cases  # noqa: E402
from console.exports.geojson import write_track_geojson  # noqa: E402
from console.exports.gpx import write_gpx  # noqa: E402
from console.exports.track import Track  # noqa: E402

T = TypeVar("T")

Row = tuple[str, float, float | None, str]


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """CPU time, not wall time: this machine is shared, and under others' load the wall time
    of one run swung 10x between two runs while its CPU time held within ~10 %. (Every export
    here runs on one thread, so the process's CPU time is the export's.)"""
    return timing.timed(fn, repeat, time.process_time)


def peak_mb(fn: Callable[[], Any]) -> float:
    """The peak of Python allocations while ``fn`` runs, MB (tracemalloc: slow, so apart)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def naive_geojson(docs: list, names: CaseNames, out: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [case_feature(d, names) for d in docs]}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)


def naive_xlsx(docs: list, names: CaseNames, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.append(table_headers("zh"))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for d in docs:
        ws.append(case_row(d, names))
    ws.freeze_panes = "A2"
    wb.save(out)


def case_rows(docs: list, names: CaseNames, tmp: Path, repeat: int) -> list[Row]:
    n = len(docs)
    rows: list[Row] = []
    pairs: list[tuple[str, Callable[[Path], Any], Callable[[Path], Any] | None]] = [
        ("geojson", lambda p: write_cases(p, docs, names), lambda p: naive_geojson(docs, names, p)),
        ("xlsx", lambda p: write_cases(p, docs, names), lambda p: naive_xlsx(docs, names, p)),
        ("csv", lambda p: write_cases(p, docs, names), None),
    ]  # fmt: skip
    for suffix, project, naive in pairs:
        out = tmp / f"cases.{suffix}"
        ms, _ = timed(lambda project=project, out=out: project(out), repeat)
        size = out.stat().st_size / 1e6
        naive_ms = timed(lambda naive=naive, out=out: naive(out), repeat)[0] if naive else None
        rows.append(
            (
                f"{n:,} cases as {suffix} ({size:.0f} MB)",
                ms / 1000,
                naive_ms and naive_ms / 1000,
                "s",
            )
        )
        mem = peak_mb(lambda project=project, out=out: project(out))
        naive_mem = peak_mb(lambda naive=naive, out=out: naive(out)) if naive else None
        rows.append((f"{n:,} cases as {suffix}: peak memory", mem, naive_mem, "MB"))
    return rows


def queue_rows(scene: Any, tmp: Path, repeat: int) -> list[Row]:
    from PySide6.QtWidgets import QApplication, QTableView

    from console.exports.tables import write_table
    from widgets.app.export_tools import shown_columns, shown_table
    from widgets.panels.case_table import CaseTableModel

    _app = QApplication.instance() or QApplication([])
    state = scene.state()
    model = CaseTableModel(state, lambda: scene.now)
    model.refresh()
    view = QTableView()
    view.setModel(model)
    cols = shown_columns(view.horizontalHeader())
    gui_ms, (docs, red_at) = timed(model.shown_cases, repeat)
    n = len(docs)

    def through_the_model() -> int:
        """The naive way: every cell through ``model.data``, all on the GUI thread."""
        return sum(len([model.data(model.index(r, c)) for c in cols]) for r in range(n))

    naive_ms, _ = timed(through_the_model, 1)
    out = tmp / "queue.xlsx"
    worker_ms, _ = timed(
        lambda: write_table(out, ["x"] * len(cols), shown_table(model, cols, docs, red_at)),
        repeat,
    )
    return [
        (f"queue of {n:,}: GUI thread (copy / every cell)", gui_ms / 1000, naive_ms / 1000, "s"),
        (f"queue of {n:,}: worker, formatted into xlsx", worker_ms / 1000, None, "s"),
    ]


def track_rows(fixes: int, scene: Any, tmp: Path, repeat: int) -> list[Row]:
    import numpy as np

    from console.exports.periods import current_shift

    start, end = current_shift(scene.now)
    t = np.sort(np.random.default_rng(1).uniform(start.timestamp(), end.timestamp(), fixes))
    track = Track("C00001", start, end, "浙A·C00001", t.tolist(),
                  (120.17 + np.cumsum(np.full(fixes, 1e-6))).tolist(), [30.25] * fixes,
                  [15.0] * fixes, [90.0] * fixes)  # fmt: skip
    out: list[Row] = []
    for suffix, write in (("gpx", write_gpx), ("geojson", write_track_geojson)):
        path = tmp / f"track.{suffix}"
        ms, _ = timed(lambda write=write, path=path: write(track, path), repeat)
        out.append((f"track of {fixes:,} fixes as {suffix}", ms / 1000, None, "s"))
    return out


def backend_rows(n: int, tmp: Path) -> list[Row]:
    """``export-cases`` against the backend in its own process (as deployed) holding ``n``
    seeded cases (``bench_backend_scale.seed_cases``): the whole command's wall time, with
    the backend's CPU and this process's beside it."""
    import contextlib
    import io

    from bench_backend_scale import cpu_seconds, seed_cases
    from bench_feed import login, start_backend_process

    from console.exports.command import export_cases_command
    from console.server.context import Context, Settings

    url = f"sqlite:///{tmp / 'backend.db'}"
    proc, base = start_backend_process(url)
    try:
        now = datetime.fromisoformat(
            login(base, "demo-lead").get(base + "/api/v1/clock", timeout=10).json()["server_time"]
        )
        ctx = Context.build(Settings(db_url=url))
        seed_cases(ctx, n, now)
        ctx.db.dispose()
        rows: list[Row] = []
        for suffix in ("geojson", "xlsx"):
            out = tmp / f"backend.{suffix}"
            period = (
                (now - timedelta(hours=5)).isoformat(),
                (now + timedelta(hours=1)).isoformat(),
            )
            backend_cpu, own_cpu, t = (
                cpu_seconds(proc.pid),
                time.process_time(),
                time.perf_counter(),
            )
            with contextlib.redirect_stdout(io.StringIO()):
                export_cases_command(str(out), *period, base, "demo-lead", "demo")
            wall = time.perf_counter() - t
            own, backend = time.process_time() - own_cpu, cpu_seconds(proc.pid) - backend_cpu
            rows.append((f"export-cases --backend, {n:,} cases, {suffix}: wall", wall, None, "s"))
            rows.append((f"  CPU: this process (the backend's: {backend:.1f} s)", own, None, "s"))
        return rows
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000, help="cases exported (100,000)")
    ap.add_argument("--fixes", type=int, default=50_000, help="fixes in the track (50,000)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per figure, median (1)")
    ap.add_argument(
        "--backend-cases",
        type=int,
        default=0,
        help="also export-cases from a backend seeded with this many cases (0: not)",
    )
    args = ap.parse_args(argv)
    scene = build_city(vehicles=10, cases=args.cases, trail_minutes=0.1)
    docs = list(scene.snapshot["cases"])
    names = CaseNames(scene.reference)
    print(f"{'figure':<50} {'project':>9} {'naive':>9}  unit  naive/project  (CPU time)")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = case_rows(docs, names, tmp, args.repeat)
        rows += queue_rows(scene, tmp, args.repeat)
        rows += track_rows(args.fixes, scene, tmp, args.repeat)
        if args.backend_cases:
            rows += backend_rows(args.backend_cases, tmp)
    for name, value, naive, unit in rows:
        ratio = f"{naive / value:8.1f}×" if naive is not None and value > 0 else ""
        naive_s = f"{naive:9.2f}" if naive is not None else f"{'':>9}"
        print(f"{name:<50} {value:9.2f} {naive_s}  {unit:<4}  {ratio}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
