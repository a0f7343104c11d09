"""Benchmark (not a test): the JT/T 808 gateway's throughput (issue 15, item 3).

    python main.py bench jt808 [--terminals 100] [--seconds 20]

Starts ``serve --demo --vehicles N --jt808 PORT`` in its own process (a fresh SQLite file),
connects N terminals from this process over loopback (the simulator's ``Terminal``: each
registers and authenticates, both header versions alternating), then for ``--seconds`` each
terminal sends 0x0200 reports back to back, the next once the last is answered (the
gateway answers after the fix is committed, so an answer is a fix in the database). Prints

- fixes/s stored end to end (answers counted, and the rows in the database checked), the
  answer latency p50/p99, the backend's CPU (share of one core, and per fix: on a shared,
  busy machine the niced backend gets little CPU, so the rate says more about the machine
  than the gateway while CPU a fix carries over) and this process's;
- the naive baseline in the same run: the same backend taking one fix per HTTP post
  (``POST /api/v1/telemetry``, one client), as a gateway translating each report into a
  request would send them.

Fix times step 1 s per report from 4 minutes before the backend's clock, so a run never
repeats a (vehicle, t) and the fixes stay current for the fleet rules (fixes a day old made
every vehicle "offline" at each tick, and the alert churn, not the gateway, was measured); a
terminal stops before its next fix would lie more than the backend's tolerance
(``telemetry.MAX_FUTURE_S``, 300 s) ahead of the clock. 8 km/h at work: below every type's
work speed limit, so no overspeed alert churn either.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

from bench_feed import login, start_backend_process, telemetry_run  # noqa: E402
from bench_hostile import cpu_seconds  # noqa: E402

from console.jt808 import messages as m  # noqa: E402
from console.ports import free_port  # noqa: E402
from console.sim.jt808_terminals import Terminal  # noqa: E402

#: Fixes start this far behind the backend's clock and may run ``AHEAD_S`` past their start
#: (to 50 s short of the backend's 300 s future tolerance).
BEHIND_S = 240
AHEAD_S = BEHIND_S + 250


async def drive(port: int, vehicles: list[dict], start_t: float, seconds: float) -> dict:
    stats: dict = {}
    terminals = [Terminal(v["terminal_id"], i % 2 == 1, stats) for i, v in enumerate(vehicles)]

    async def up(t: Terminal, plate: str) -> None:
        await t.connect("127.0.0.1", port)
        assert await t.register(plate) == m.REGISTERED
        assert await t.authenticate() == m.OK

    await asyncio.gather(*(up(t, v["plate"]) for t, v in zip(terminals, vehicles, strict=True)))
    latencies: list[float] = []
    answered = refused = 0
    deadline = time.perf_counter() + seconds

    async def report(t: Terminal, route: dict) -> None:
        nonlocal answered, refused
        k, begun = 0, time.perf_counter()
        while time.perf_counter() < deadline:
            if start_t + k > start_t + AHEAD_S + (time.perf_counter() - begun):
                await asyncio.sleep(0.05)  # at the backend's future limit: wait for the clock
                continue
            i = k % len(route["lon"])
            loc = m.Location(
                lat=round(route["lat"][i], 6),
                lon=round(route["lon"][i], 6),
                t=start_t + k,
                speed_kmh=8.0,
                heading=90,
                extras={m.ITEM_WORK: b"\x01"},
            )
            sent = time.perf_counter()
            result = await t.general(m.LOCATION, loc.encode())
            latencies.append(time.perf_counter() - sent)
            answered += result == m.OK
            refused += result != m.OK
            k += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(report(t, v["route"]) for t, v in zip(terminals, vehicles, strict=True)))
    elapsed = time.perf_counter() - t0
    await asyncio.gather(*(t.close() for t in terminals))
    latencies.sort()
    return {
        "answered": answered,
        "refused": refused,
        "elapsed": elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
    }


def run(terminals: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-jt808-") as tmp:
        db = Path(tmp) / "jt808.db"
        port = free_port()
        proc, base = start_backend_process(
            f"sqlite:///{db}", ["--vehicles", str(max(terminals, 40)), "--jt808", str(port)]
        )
        try:
            wall = login(base, "demo-wall")
            vehicles = wall.get(f"{base}/api/v1/reference", timeout=60).json()["vehicles"]
            clock = wall.get(f"{base}/api/v1/clock").json()["server_time"]
            start_t = int(datetime.fromisoformat(clock).timestamp()) - BEHIND_S
            cpu0, mine0 = cpu_seconds(proc.pid), time.process_time()
            out = asyncio.run(drive(port, vehicles[:terminals], start_t, seconds))
            backend_cpu = (cpu_seconds(proc.pid) - cpu0) / out["elapsed"]
            bench_cpu = (time.process_time() - mine0) / out["elapsed"]
            with sqlite3.connect(db) as c:
                stored = c.execute("SELECT count(*) FROM fixes").fetchone()[0]
            cpu0 = cpu_seconds(proc.pid)
            t0 = time.perf_counter()
            naive = telemetry_run(base, 1, min(seconds, 10.0))
            naive_cpu = (cpu_seconds(proc.pid) - cpu0) / (time.perf_counter() - t0)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    rate = out["answered"] / out["elapsed"]
    load = os.getloadavg()[0]
    print(f"  terminals                     {terminals} (2013 and 2019 headers alternating)")
    print(
        f"  JT/T 808 fixes stored         {rate:8.0f} fixes/s  ({out['answered']} answered ok,"
        f" {out['refused']} not; {stored} rows in the database)"
    )
    print(
        f"  answer latency                p50 {out['p50'] * 1e3:.1f} ms, p99 {out['p99'] * 1e3:.1f} ms"
    )
    print(
        f"  backend CPU                   {backend_cpu:6.0%} of a core, "
        f"{backend_cpu / rate * 1e3:.2f} ms a fix  (terminals in this process: {bench_cpu:.0%})"
    )
    print(
        f"  naive: one fix per HTTP post  {naive:8.0f} fixes/s  (backend CPU {naive_cpu:.0%}, "
        f"{naive_cpu / naive * 1e3:.2f} ms a fix)"
    )
    # A busy machine starves a niced backend: the rate is then bounded by the CPU it gets,
    # and CPU a fix is the number that carries over to another machine.
    print(f"  machine load (1 min)          {load:.1f} on {os.cpu_count()} cores")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="bench jt808")
    p.add_argument("--terminals", type=int, nargs="+", default=[100])
    p.add_argument("--seconds", type=float, default=20.0)
    args = p.parse_args(argv)
    for n in args.terminals:
        run(n, args.seconds)


if __name__ == "__main__":
    main(sys.argv[1:])
