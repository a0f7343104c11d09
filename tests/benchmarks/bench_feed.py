"""Benchmark (not a test): change-feed throughput to 1 and 10 followers, telemetry ingest.

    python main.py bench feed [--db postgresql://...]   (or python tests/benchmarks/bench_feed.py)

Runs a real backend process on loopback per database (clients in this process); a producer reports cases as fast as it can
while N followers long-poll the feed; then a gateway posts fix batches. Prints one table a
reader can compare across machines and commits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from console.server.db import Database  # noqa: E402
from console.server.run import free_port  # noqa: E402


def login(base: str, user: str) -> requests.Session:
    """A session for ``user``; many followers logging in to one account at once get 429 beyond
    the backend's waiting line (``login_guard.MAX_WAITING_PER_ACCOUNT``): they retry after
    the Retry-After it gives."""
    s = requests.Session()
    for _ in range(20):
        r = s.post(
            f"{base}/api/v1/session", json={"username": user, "password": "demo"}, timeout=10
        )
        if r.status_code != 429:
            break
        time.sleep(float(r.headers.get("Retry-After", 1)))
    r.raise_for_status()
    s.headers["Authorization"] = "Bearer " + r.json()["token"]
    return s


def feed_run(base: str, followers: int, seconds: float) -> dict:
    """Producer reports cases for ``seconds``; each follower long-polls and timestamps arrivals."""
    wall = login(base, "demo-wall")
    since0 = wall.get(f"{base}/api/v1/snapshot", timeout=30).json()["seq"]
    stop = threading.Event()
    sent: dict[str, float] = {}
    lat: list[list[float]] = [[] for _ in range(followers)]
    counts = [0] * followers

    def follow(i: int) -> None:
        s = login(base, "demo-wall")
        since = since0
        while True:
            r = s.get(
                f"{base}/api/v1/changes",
                params={"since": since, "wait": 1, "limit": 2000},
                timeout=30,
            ).json()
            now = time.perf_counter()
            for ch in r["changes"]:
                counts[i] += 1
                if ch["kind"] == "case" and ch["case"]["id"] in sent:
                    lat[i].append(now - sent[ch["case"]["id"]])
            since = r["last_seq"]
            if stop.is_set() and not r["changes"]:
                break

    threads = [threading.Thread(target=follow, args=(i,), daemon=True) for i in range(followers)]
    for t in threads:
        t.start()
    sup = login(base, "demo-supervisor")
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        r = sup.post(
            f"{base}/api/v1/cases",
            headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"category_code": "06010", "location": {"lon": 120.17, "lat": 30.25}},
            timeout=30,
        )
        sent[r.json()["id"]] = time.perf_counter()
        n += 1
    elapsed = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join(timeout=30)
    all_lat = sorted(x for ls in lat for x in ls)
    return {
        "writes_per_s": n / elapsed,
        "delivered_per_s": sum(counts) / elapsed,
        "p50_ms": 1000 * statistics.median(all_lat) if all_lat else float("nan"),
        "p95_ms": 1000 * all_lat[int(0.95 * (len(all_lat) - 1))] if all_lat else float("nan"),
    }


def route_fixes(vehicles: list[dict], k: int, n: int, now: float) -> list[dict]:
    """``n`` gateway fixes, the ``k``-th on, for the reference's ``vehicles``: the j-th goes to
    vehicle j (round robin), each at point ``k`` of its route, 0.05 s of district time apart
    (so a run of many batches never repeats a (vehicle, t))."""
    out = []
    for j in range(n):
        v = vehicles[j % len(vehicles)]
        route, i = v["route"], k + j
        out.append(
            {
                "vehicle_id": v["id"],
                "t": now - 40_000 + i * 0.05,
                "lon": route["lon"][i % len(route["lon"])],
                "lat": route["lat"][i % len(route["lat"])],
                "speed_kmh": 9.0,
                "heading": 90.0,
                "flags": 1,
            }
        )
    return out


def telemetry_run(base: str, batch: int, seconds: float) -> float:
    gw, wall = login(base, "demo-gateway"), login(base, "demo-wall")
    ref = wall.get(f"{base}/api/v1/reference", timeout=30).json()
    now = datetime.fromisoformat(wall.get(f"{base}/api/v1/clock").json()["server_time"]).timestamp()
    n, k = 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fixes = route_fixes(ref["vehicles"], k, batch, now)
        k += batch
        gw.post(f"{base}/api/v1/telemetry", json={"fixes": fixes}, timeout=60).raise_for_status()
        n += batch
    return n / (time.perf_counter() - t0)


def start_backend_process(url: str, extra: Sequence[str] = ()) -> tuple[subprocess.Popen, str]:
    """The backend in its own process, as deployed: the clients here must not share its GIL.
    ``extra``: more ``serve`` options (e.g. ``--vehicles N``)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "serve",
            "--demo",
            "--db",
            url,
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/readyz", timeout=1).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("backend did not start")


def bench_db(name: str, url: str, seconds: float) -> list[tuple]:
    if not url.startswith("sqlite"):
        db = Database(url)
        db.drop_all()
        db.dispose()
    rows = []
    proc, base = start_backend_process(url)
    try:
        for followers in (1, 10):
            r = feed_run(base, followers, seconds)
            rows.append(
                (
                    name,
                    f"feed, {followers} follower(s)",
                    f"{r['writes_per_s']:.0f} cases/s",
                    f"{r['delivered_per_s']:.0f} changes/s delivered",
                    f"commit->follower p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms",
                )
            )
        for batch in (40, 500):
            rate = telemetry_run(base, batch, seconds)
            rows.append((name, f"telemetry, batches of {batch}", f"{rate:.0f} fixes/s", "", ""))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--db",
        default=os.environ.get("ZHCG_TEST_PG"),
        help="PostgreSQL URL to benchmark besides SQLite",
    )
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench_db("sqlite", f"sqlite:///{tmp}/bench.db", args.seconds)
    if args.db:
        rows += bench_db("postgresql", args.db, args.seconds)
    print(f"{'db':<11} {'what':<28} {'rate':<16} {'':<28} latency")
    for r in rows:
        print(f"{r[0]:<11} {r[1]:<28} {r[2]:<16} {r[3]:<28} {r[4]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
