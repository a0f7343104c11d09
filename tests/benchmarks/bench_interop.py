"""Benchmark (not a test): what the outside sources cost the backend (docs/interop.md).

    python main.py bench interop [--vehicles 500] [--rounds 10] [--requests 300]

On a fresh SQLite file with a demo fleet of ``--vehicles``, in this process (no network: the
cost of the adapters' own work and the write path they feed):

- Traccar: a socket message with one position per device (Traccar's JSON, speed in knots),
  ``--rounds`` of them 5 s apart, through ``TraccarSource.handle_message`` (decode, map the
  device, convert, ``telemetry.ingest_fixes``); beside it the baseline, the same fixes handed
  to ``telemetry.ingest_fixes`` directly (a gateway's post without its HTTP);
- Open311: ``--requests`` GeoReport requests (the spec's document shape) taken in by the pull
  page by page (``Open311Pull.take``: one query for the rows already known, then intake
  and the import row per request), then the same requests seen again (the re-poll: one
  query per page, nothing written); beside them the baseline,
  ``cases.create`` for as many reports with no import bookkeeping.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

from sqlalchemy import select  # noqa: E402

from console.clock import VirtualClock  # noqa: E402
from console.domain.workflow import Actor  # noqa: E402
from console.server import cases, telemetry  # noqa: E402
from console.server.app import prepare  # noqa: E402
from console.server.context import Context, Settings  # noqa: E402
from console.server.db import Vehicle  # noqa: E402
from console.server.open311 import SYSTEM_USER  # noqa: E402
from console.server.open311_client import Open311Pull, Open311PullConfig, PollResult  # noqa: E402
from console.server.traccar import KMH_PER_KNOT, TraccarConfig, TraccarSource  # noqa: E402

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou, a Monday


def context(tmp: Path, vehicles: int) -> Context:
    ctx = Context.build(
        Settings(
            db_url=f"sqlite:///{tmp / 'bench.db'}",
            demo=True,
            clock=VirtualClock(start=START),
            vehicles=vehicles,
        )
    )
    prepare(ctx)
    _ = ctx.geocoder  # built before the timed intake (the backend builds it at start-up)
    return ctx


def bench_traccar(ctx: Context, rounds: int) -> list[tuple[str, str]]:
    with ctx.db.read() as s:
        fleet = [(v.id, v.terminal_id) for v in s.scalars(select(Vehicle).order_by(Vehicle.id))]
    src = TraccarSource(ctx, TraccarConfig("http://traccar.invalid", token="t"))
    src.update_devices([{"id": i, "uniqueId": t, "name": vid} for i, (vid, t) in enumerate(fleet)])

    def positions(r: int) -> list[dict]:
        at = (ctx.now() - timedelta(seconds=300 - 5 * r)).isoformat()
        return [
            {"id": r * len(fleet) + i, "deviceId": i, "fixTime": at, "valid": True,
             "latitude": 30.25 + i * 1e-5, "longitude": 120.17, "speed": 8.0, "course": 90}
            for i in range(len(fleet))
        ]  # fmt: skip

    # Interleaved, so a busy machine slows both alike.
    adapter, direct = [], []
    for r in range(0, 2 * rounds, 2):
        raw = json.dumps({"positions": positions(r)})
        t = time.perf_counter()
        src.handle_message(raw)
        adapter.append(time.perf_counter() - t)
        fixes = [
            {"vehicle_id": fleet[p["deviceId"]][0], "t": datetime.fromisoformat(p["fixTime"]).timestamp(),
             "lon": p["longitude"], "lat": p["latitude"], "speed_kmh": p["speed"] * KMH_PER_KNOT,
             "heading": p["course"], "flags": 0}
            for p in positions(r + 1)
        ]  # fmt: skip
        t = time.perf_counter()
        with ctx.db.write() as s:
            telemetry.ingest_fixes(ctx, s, fixes)
        direct.append(time.perf_counter() - t)
    n = len(fleet)
    a, d = sorted(adapter)[rounds // 2], sorted(direct)[rounds // 2]
    return [
        (f"Traccar message of {n} positions (median of {rounds})", f"{a * 1000:8.1f} ms"),
        ("  positions/s through the adapter", f"{n / a:8.0f}"),
        ("  baseline: ingest_fixes directly", f"{d * 1000:8.1f} ms ({n / d:.0f}/s)"),
        # The adapter's own work (decode, map, convert) against ingest's: below the noise of a
        # busy machine when this comes out negative.
        ("  adapter minus baseline", f"{(a - d) * 1000:+8.1f} ms"),
    ]


def bench_open311(ctx: Context, n: int) -> list[tuple[str, str]]:
    pull = Open311Pull(ctx, Open311PullConfig("http://city.invalid/open311/v2/"))
    docs = [
        {"service_request_id": f"B{i}", "status": "open", "service_code": "06010",
         "service_name": "Exposed garbage", "description": "bench", "lat": 30.25,
         "long": 120.17 + (i % 50) * 1e-4, "requested_datetime": START.isoformat()}
        for i in range(n)
    ]  # fmt: skip
    pages = [docs[i : i + 100] for i in range(0, n, 100)]  # the pull's page size
    actor = Actor(SYSTEM_USER, frozenset({"operator"}))
    res, again = PollResult(), PollResult()
    first = repoll = base = 0.0
    for page in pages:  # interleaved, so a busy machine slows all three alike
        t = time.perf_counter()
        pull.take(page, res)
        first += time.perf_counter() - t
        t = time.perf_counter()
        pull.take(page, again)
        repoll += time.perf_counter() - t
        t = time.perf_counter()
        for d in page:
            with ctx.db.write() as s:
                cases.create(ctx, s, actor, "operator", {
                    "source": "public", "category_code": "06010", "urgency": "normal",
                    "location": {"lon": d["long"], "lat": d["lat"]}, "address": "",
                    "description": "bench", "photos": [], "note": "",
                })  # fmt: skip
        base += time.perf_counter() - t
    assert (res.created, again.unchanged) == (n, n), (res, again)
    return [
        (f"Open311: {n} new requests taken in", f"{first * 1000 / n:8.2f} ms each ({n / first:.0f}/s)"),
        ("  the same requests re-polled (unchanged)", f"{repoll * 1000 / n:8.2f} ms each"),
        ("  baseline: cases.create alone", f"{base * 1000 / n:8.2f} ms each"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench interop")
    ap.add_argument("--vehicles", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args(argv or [])
    with tempfile.TemporaryDirectory() as tmp:
        ctx = context(Path(tmp), args.vehicles)
        rows = bench_traccar(ctx, args.rounds) + bench_open311(ctx, args.requests)
        ctx.db.dispose()
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main(sys.argv[1:])
