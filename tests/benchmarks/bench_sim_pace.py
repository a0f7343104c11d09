"""Benchmark (not a test): how fast and how well the simulated district works.

    python main.py bench sim_pace [--hours H] [--speed N]   (or python tests/benchmarks/bench_sim_pace.py)

Runs the reference backend (SQLite in a temporary folder) and the district simulator in this
process for ``--hours`` district hours from a Monday 08:00, then reads every case's history over
HTTP and prints, per department, the plain shares of ``console.sim.pace`` (disposal, on-time
disposal, rework, return, extension, closure) and the desks' on-time shares, next to the
targets of docs/rules/simulation.md. Seeded, so a rerun on the same code gives similar numbers
(thread timing makes them vary by a case or two).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from console.clock import VirtualClock  # noqa: E402
from console.domain.china_time import CST  # noqa: E402
from console.server.context import Settings  # noqa: E402
from console.server.run import BackendThread  # noqa: E402
from console.server.seed import DEMO_OPEN311_KEY  # noqa: E402
from console.sim.client import ActorClient  # noqa: E402
from console.sim.district import SimConfig, run_headless  # noqa: E402
from console.sim.pace import district_pace, pace_table, read_cases  # noqa: E402

#: A Monday morning, as the demo starts (console.sim.timebase: 08:00 of a working day).
START = datetime(2026, 11, 23, 8, 0, tzinfo=CST)
TARGETS = (
    "targets (docs/rules/simulation.md): closure >= 90 %, on-time disposal ~85-95 % "
    "(slow departments 65-80 %), rework 1-5 %, return 2-4 %, extension <= 2 %; "
    "desks mostly on time"
)


def department_names(base: str) -> dict[str, str]:
    r = ActorClient(base, "demo-wall").get("/api/v1/reference")
    ref = r.json() if r is not None and r.status_code == 200 else {}
    return {d["id"]: d["name"] for d in ref.get("departments") or []}


def run(hours: float, speed: float, seed: int, cases_per_hour: float) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        clock = VirtualClock(speed=speed, start=START)
        backend = BackendThread(
            Settings(
                db_url=f"sqlite:///{Path(tmp) / 'pace.db'}",
                demo=True,
                clock=clock,
                open311_keys=frozenset({DEMO_OPEN311_KEY}),
            )
        ).start()
        try:
            t0 = time.monotonic()
            out = run_headless(
                backend.url,
                clock,
                hours=hours,
                config=SimConfig(seed=seed, cases_per_hour=cases_per_hour),
            )
            wall = time.monotonic() - t0
            cases, names = read_cases(backend.url), department_names(backend.url)
            now = clock.now()
        finally:
            backend.stop()
    pace = district_pace(cases, now)
    states: dict[str, int] = {}
    for c in cases:
        states[c["state"]] = states.get(c["state"], 0) + 1
    head = (
        f"{hours:g} district hours at {speed:g}x from {START:%a %Y-%m-%d %H:%M} "
        f"(seed {seed}, {cases_per_hour:g} cases/h, {wall:.0f} s wall): {len(cases)} cases "
        f"{dict(sorted(states.items(), key=lambda kv: -kv[1]))}; "
        f"HTTP errors {out['http_errors']}"
    )
    return "\n".join([head, TARGETS, "", pace_table(pace, names)])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=8.0, help="district hours (default 8)")
    ap.add_argument("--speed", type=float, default=60.0, help="clock speed (default 60)")
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--cases-per-hour", type=float, default=60.0)
    a = ap.parse_args(argv)
    print(run(a.hours, a.speed, a.seed, a.cases_per_hour), flush=True)


if __name__ == "__main__":
    main()
