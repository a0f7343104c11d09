"""Benchmark (not a test): the console data path from HTTP to CityState.

    python main.py bench sync      (or python tests/benchmarks/bench_sync.py)

A backend process is filled as a district would fill it (a gateway posting a fix per vehicle
per batch, supervisors reporting cases), then a fresh console catches up from seq 0: the
LiveSource fetches pages by HTTP, validates them, writes the shift log, and folds them into
CityState. Prints items/s end to end (a batch of fixes counts as its number of fixes), the same
for folding the log alone (replay), shift-log bytes per fix and per case change, and memory per
1,000 cases and per vehicle-hour of trails.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from bench_feed import login, start_backend_process  # noqa: E402

from console.replay.fold import fold_log  # noqa: E402
from console.state import CityState  # noqa: E402
from console.store.shiftlog import ShiftLog  # noqa: E402
from console.sync.client import RestClient  # noqa: E402
from console.sync.live import LiveSource  # noqa: E402

FIX_BYTES = 3 * 8  # a trail point: t, lon, lat as float64


def fill(base: str, fix_batches: int, cases: int) -> tuple[int, int]:
    """Post ``fix_batches`` batches of one fix per vehicle and report ``cases`` cases."""
    gw, wall, sup = (
        login(base, "demo-gateway"),
        login(base, "demo-wall"),
        login(base, "demo-supervisor"),
    )
    ref = wall.get(f"{base}/api/v1/reference", timeout=30).json()
    now = datetime.fromisoformat(wall.get(f"{base}/api/v1/clock").json()["server_time"]).timestamp()
    vehicles = ref["vehicles"]
    t0 = now - fix_batches * 5.0
    fixes = 0

    def report() -> None:
        for k in range(cases):
            sup.post(
                f"{base}/api/v1/cases",
                headers={"Idempotency-Key": uuid.uuid4().hex},
                json={
                    "category_code": "06010",
                    "location": {"lon": 120.17, "lat": 30.25 + k * 1e-6},
                },
                timeout=30,
            ).raise_for_status()

    reporter = threading.Thread(target=report)
    reporter.start()
    for b in range(fix_batches):
        batch = []
        for v in vehicles:
            r = v["route"]
            i = b % len(r["lon"])
            batch.append(
                {
                    "vehicle_id": v["id"],
                    "t": t0 + 5.0 * b,
                    "lon": r["lon"][i],
                    "lat": r["lat"][i],
                    "speed_kmh": 12.5,
                    "heading": 87.0,
                    "flags": 1,
                }
            )
        gw.post(f"{base}/api/v1/telemetry", json={"fixes": batch}, timeout=60).raise_for_status()
        fixes += len(batch)
    reporter.join()
    return fixes, cases


def catch_up(base: str, out: Path) -> tuple[float, CityState, int]:
    last = login(base, "demo-wall").get(f"{base}/api/v1/snapshot", timeout=60).json()["seq"]
    log = ShiftLog(out, backend_url=base, user="demo-wall")
    state = CityState()
    done = threading.Event()
    items = [0]

    def on_batch(batch) -> None:
        if batch.snapshot is not None:
            state.bootstrap(
                {**batch.snapshot, "seq": 0, "cases": [], "alerts": []}, batch.reference
            )
            return
        d = state.apply(batch.changes)
        items[0] += d.changes - sum(ch["kind"] == "fixes" for ch in batch.changes) + d.fixes
        if state.log_seq >= last:
            done.set()

    source = LiveSource(
        RestClient(base, "demo-wall", "demo"), log, on_batch, wait_s=1, page=2000, history=True
    )
    t0 = time.perf_counter()
    source.start()
    done.wait(600)
    seconds = time.perf_counter() - t0
    source.stop()
    source.join(30)
    log.close()
    return seconds, state, items[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fix-batches", type=int, default=2500, help="gateway batches (40 fixes each)")
    ap.add_argument("--cases", type=int, default=1000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_backend_process(f"sqlite:///{tmp}/backend.db")
        try:
            t = time.perf_counter()
            fixes, cases = fill(base, args.fix_batches, args.cases)
            print(
                f"filled the backend: {fixes:,} fixes, {cases:,} cases in {time.perf_counter() - t:.1f} s"
            )
            out = Path(tmp) / "shift.db"
            seconds, state, items = catch_up(base, out)
        finally:
            proc.terminate()
            proc.wait(20)
        log = ShiftLog(out, readonly=True)
        t = time.perf_counter()
        folded = fold_log(log, use_checkpoints=False)
        fold_s = time.perf_counter() - t
        assert folded.log_seq == state.log_seq
        with sqlite3.connect(out) as db:
            by_kind = dict(
                (k, (n, b))
                for k, n, b in db.execute(
                    "SELECT kind, count(*), sum(length(payload)) FROM changes GROUP BY kind"
                )
            )
            (boot_bytes,) = db.execute(
                "SELECT sum(length(snapshot) + coalesce(length(reference), 0)) FROM bootstraps"
            ).fetchone()
        n_fix_changes, fix_payload = by_kind["fixes"]
        n_case, case_payload = by_kind["case"]
        file_bytes = out.stat().st_size
        payload = sum(b for _, b in by_kind.values())
        overhead = (file_bytes - boot_bytes) / payload  # rows, index, page slack, pro rata
        mem = state.memory_bytes()
        n_cases = len(state.cases)
    rows = [
        (
            "HTTP -> validate -> shift log -> CityState",
            f"{items / seconds:,.0f} items/s",
            f"{items:,} items in {seconds:.2f} s",
        ),
        (
            "shift log -> CityState (fold, replay)",
            f"{items / fold_s:,.0f} items/s",
            f"{fold_s:.2f} s",
        ),
        (
            "shift log per vehicle fix",
            f"{fix_payload / fixes * overhead:,.1f} B",
            f"payload {fix_payload / fixes:.1f} B",
        ),
        (
            "shift log per case change",
            f"{case_payload / n_case * overhead:,.0f} B",
            f"payload {case_payload / n_case:,.0f} B",
        ),
        (
            "shift log file",
            f"{file_bytes / 1e6:,.1f} MB",
            f"{n_fix_changes:,} fix batches, {n_case:,} case changes",
        ),
        (
            "CityState per 1,000 cases",
            f"{mem['cases'] / n_cases * 1000 / 1e6:,.2f} MB",
            f"{n_cases:,} cases held",
        ),
        (
            "trails per vehicle-hour (5 s fixes)",
            f"{720 * FIX_BYTES / 1e3:.1f} kB",
            f"ring of {state.trail_points} points = {state.trail_points * FIX_BYTES / 1e3:.1f} kB/vehicle",
        ),
    ]
    w = max(len(r[0]) for r in rows)
    for what, value, detail in rows:
        print(f"{what:<{w}}  {value:>18}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
