"""Benchmark (not a test): CityState and the case queue at city scale (issue 14, item 3).

    python tests/benchmarks/scale_state.py [--cases 50000] [--queue 100000] [--repeat 3]

On a city cloned from the real recorded pages (``scale_city.build_city``), each figure is
measured for the project and, in the same process on the same data, for the naive path it
replaces:

- **bootstrap** of ``--cases`` cases: ``CityState.bootstrap`` as it is (light instants in one
  batch, ``case.light_times_of``) against the same bootstrap with a ``Case`` per document
  (``Case.from_dict(doc).light_times``, what every bootstrap did before);
- **queue of** ``--queue`` **cases**, the 全部 tab: a sort by each text column, the first time
  (a fresh model: its keys are built) and again (keys kept); a first search and a next one.
  The naive model is the queue as it was: every row's display text built and argsorted per
  sort, a search text per case cached by version and tested per row; and a live tick's
  ``Diff`` (50 case changes) while sorted by category;
- **memory per case**: ``CityState.memory_bytes()["cases"]`` and the tracemalloc growth of a
  bootstrap, for documents parsed off the wire (each holds its own strings), against the same
  state without sharing repeated values; ``memory_bytes`` for the scene's shallow clones
  (sharing their templates' nested lists: how issue 14's ~1.3 kB was measured); and for the
  snapshot decoded as the console decodes it (``jsonstream``, ``STREAM_CHUNK`` at a time)
  against each case decoded on its own (as ``jsonstream`` did before it batched: every case
  held its own copy of every key).

``state_figures(...)`` returns the rows (name, project value, naive value or None, unit) for
``bench scale``; ``main`` prints them with the ratio. Times are medians of ``--repeat`` runs
(``timing.timed``); the machine is shared, so read the ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from scale_city import build_city  # noqa: E402
from timing import timed  # noqa: E402

import console.state  # noqa: E402
from console.domain.case import case_light_times  # noqa: E402
from console.state import CityState  # noqa: E402
from console.sync import jsonstream  # noqa: E402
from console.sync.client import STREAM_CHUNK  # noqa: E402

Row = tuple[str, float, float | None, str]
SORTED = ("category", "address", "department", "source", "grid", "id", "age")
# Needles as an operator types them: a category word, then a longer one, over the 全部 tab.
FIRST_NEEDLE, NEXT_NEEDLE = "单车", "单车乱"


def per_case_light_times(docs, calendar, limits):
    """The naive path: a ``Case`` per document and its ``light_times``."""
    pairs = [case_light_times(d, calendar, limits) for d in docs]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def bootstrap_figures(cases: int, repeat: int) -> list[Row]:
    scene = build_city(vehicles=10, cases=cases, trail_minutes=0.1)

    def boot() -> CityState:
        s = CityState()
        s.bootstrap(scene.snapshot, scene.reference)
        return s

    ms, _ = timed(boot, repeat)
    with mock.patch.object(console.state, "light_times_of", per_case_light_times):
        naive_ms, _ = timed(boot, repeat)
    return [(f"bootstrap of {cases:,} cases", ms, naive_ms, "ms")]


def naive_model_class() -> type:
    """The queue model as it was before issue 14 (its sort keys and search, copied here as
    the baseline; the rest of the model is the project's)."""
    from widgets.panels.case_table import COLUMNS, CaseTableModel

    class NaiveCaseTableModel(CaseTableModel):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self._text_cache: dict[str, tuple[Any, str]] = {}

        def _sort_key(self, rows: np.ndarray) -> np.ndarray:
            col = COLUMNS[self.sort_column]
            if col not in SORTED:
                return super()._sort_key(rows)
            ids = self.state.case_ids()
            docs = [self.state.cases[ids[r]] for r in rows]
            if col == "age":
                return np.array([d.get("created_at") or "" for d in docs])
            return np.array(
                [str(self._display(d, int(r), col) or "") for d, r in zip(docs, rows, strict=True)]
            )

        def _search_text(self, doc: dict) -> str:
            hit = self._text_cache.get(doc["id"])
            if hit is not None and hit[0] == doc.get("version"):
                return hit[1]
            cat = self._categories.get(doc.get("category_code", ""), {})
            text = " ".join(
                str(x or "")
                for x in (
                    doc["id"],
                    doc.get("category_code"),
                    cat.get("name_zh"),
                    cat.get("name_en"),
                    doc.get("address"),
                    doc.get("description"),
                    doc.get("grid_code"),
                )
            ).lower()
            self._text_cache[doc["id"]] = (doc.get("version"), text)
            return text

        def _search(self, needle: str, rows: np.ndarray) -> np.ndarray:
            ids, cases = self.state.case_ids(), self.state.cases
            needle = needle.lower()
            keep = [needle in self._search_text(cases[ids[r]]) for r in rows]
            out: np.ndarray = rows[np.asarray(keep, dtype=bool)]
            return out

    return NaiveCaseTableModel


def queue_figures(queue: int, repeat: int) -> list[Row]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from widgets.panels.case_table import COLUMNS, CaseTableModel

    _app = QApplication.instance() or QApplication([])
    scene = build_city(vehicles=10, cases=queue, trail_minutes=0.1)
    state = scene.state()
    naive_cls = naive_model_class()

    def fresh(cls: type) -> Any:
        m = cls(state, lambda: scene.now)
        m.refresh()
        return m

    def measure_first(fn_for: Callable[[type], Callable[[], Any]], cls: type) -> float:
        """Median over fresh models of the timed step only (the model's set-up excluded)."""
        times = []
        for _ in range(repeat):
            gc.collect()
            step = fn_for(cls)
            ms, _ = timed(step, 1)
            times.append(ms)
        return float(np.median(times))

    def sort_again(cls: type, col: int) -> float:
        """A model already sorted by ``col`` flips the order, ``repeat`` times."""
        m = fresh(cls)
        m.sort(col)
        orders = iter([Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder] * repeat)
        ms, _ = timed(lambda: m.sort(col, next(orders)), repeat)
        return ms

    rows: list[Row] = []
    for name in SORTED:
        col = COLUMNS.index(name)

        def first(cls: type, col: int = col) -> Callable[[], None]:
            m = fresh(cls)
            return lambda: m.sort(col, Qt.SortOrder.DescendingOrder)

        project = measure_first(first, CaseTableModel)
        naive = measure_first(first, naive_cls)
        rows.append((f"queue {queue:,}: first sort by {name}", project, naive, "ms"))
        again = [sort_again(cls, col) for cls in (CaseTableModel, naive_cls)]
        rows.append((f"queue {queue:,}: sort by {name} again", again[0], again[1], "ms"))

    def searches(cls: type) -> tuple[float, float]:
        firsts, nexts = [], []
        for _ in range(repeat):
            m = fresh(cls)
            a, _ = timed(lambda m=m: m.set_search(FIRST_NEEDLE), 1)
            b, _ = timed(lambda m=m: m.set_search(NEXT_NEEDLE), 1)
            firsts.append(a)
            nexts.append(b)
        return float(np.median(firsts)), float(np.median(nexts))

    (p_first, p_next), (n_first, n_next) = searches(CaseTableModel), searches(naive_cls)
    rows.append((f"queue {queue:,}: first search", p_first, n_first, "ms"))
    rows.append((f"queue {queue:,}: next search", p_next, n_next, "ms"))

    # A live tick (50 case changes) while the queue is sorted by category: both models get
    # the same Diff (the state is shared, so this comes last).
    models = [fresh(cls) for cls in (CaseTableModel, naive_cls)]
    for m in models:
        m.sort(COLUMNS.index("category"))
    tick_ms: list[list[float]] = [[], []]
    for step in range(1, repeat + 1):
        diff = state.apply(scene.tick(state.log_seq, step=step))
        for i, m in enumerate(models):
            ms, _ = timed(lambda m=m, diff=diff: m.on_diff(diff), 1)
            tick_ms[i].append(ms)
    project, naive = (float(np.median(t)) for t in tick_ms)
    rows.append((f"queue {queue:,}: a tick of 50 cases, sorted by category", project, naive, "ms"))
    return rows


def one_by_one(raw: bytes) -> Any:
    """The snapshot decoded as ``jsonstream`` did before it batched an array's items: each case
    on its own (its keys' strings its own, not shared with the other cases')."""
    doc = json.loads(raw)
    doc["cases"] = [json.loads(json.dumps(c, ensure_ascii=False)) for c in doc["cases"]]
    return doc


def memory_figures(cases: int) -> list[Row]:
    """Per case, for documents parsed off the wire (each holds its own strings)."""
    scene = build_city(vehicles=2, cases=cases, trail_minutes=0.1)
    raw = json.dumps(scene.snapshot, ensure_ascii=False, separators=(",", ":")).encode()

    def streamed() -> Any:
        """As ``LiveSource`` gets it: decoded as it arrives, ``STREAM_CHUNK`` at a time."""
        step = STREAM_CHUNK
        return jsonstream.load(raw[i : i + step] for i in range(0, len(raw), step))

    def measure(decode: Callable[[bytes], Any] = json.loads) -> tuple[float, float]:
        gc.collect()
        tracemalloc.start()
        s = CityState()
        s.bootstrap(decode(raw), scene.reference)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return s.memory_bytes()["cases"] / cases, grown / cases

    def cloned() -> float:
        """As issue 14 measured it: clones sharing their template's nested lists."""
        s = CityState()
        s.bootstrap(build_city(vehicles=2, cases=cases, trail_minutes=0.1).snapshot)
        return s.memory_bytes()["cases"] / cases

    held, traced, clones = *measure(), cloned()
    stream_held = measure(lambda _: streamed())[0]
    alone_held = measure(one_by_one)[0]
    with mock.patch.object(CityState, "_share_values", lambda self, doc: None):
        naive_held, naive_traced = measure()
        naive_clones = cloned()
    return [
        (f"memory per case, memory_bytes ({cases:,})", held, naive_held, "B"),
        (f"memory per case, tracemalloc ({cases:,})", traced, naive_traced, "B"),
        (f"memory per case, shallow clones ({cases:,})", clones, naive_clones, "B"),
        (f"memory per case, streamed / one by one ({cases:,})", stream_held, alone_held, "B"),
    ]


def state_figures(cases: int = 50_000, queue: int = 100_000, repeat: int = 3) -> list[Row]:
    """Every figure: bootstrap on ``cases``, the queue on ``queue``, memory on ``cases``."""
    return [
        *bootstrap_figures(cases, repeat),
        *queue_figures(queue, repeat),
        *memory_figures(cases),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=50_000, help="cases bootstrapped (50,000)")
    ap.add_argument("--queue", type=int, default=100_000, help="cases in the queue (100,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure, median (3)")
    args = ap.parse_args(argv)
    print(f"{'figure':<44} {'project':>10} {'naive':>10}  unit  naive/project")
    for name, value, naive, unit in state_figures(args.cases, args.queue, args.repeat):
        ratio = f"{naive / value:8.1f}×" if naive is not None and value > 0 else ""
        naive_s = f"{naive:10.1f}" if naive is not None else f"{'':>10}"
        print(f"{name:<44} {value:10.1f} {naive_s}  {unit:<4}  {ratio}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
