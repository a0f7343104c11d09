"""Benchmark (not a test): the backend under hostile load, everything at once.

    python main.py bench hostile [--followers 500 --catchup 50 --logins 8 --slow 1000]
                                 [--seconds 30] [--processes 2 --db postgresql://...]
    python main.py bench hostile --costs 3000

Starts a backend (``main.py serve --demo``; a temporary SQLite file unless ``--db``; with
``--processes N`` it is ``serve --workers N``, which needs PostgreSQL) on loopback, fills its
feed, then runs at once: parked followers long-polling the feed, a catch-up storm of followers
from seq 0, login-flood loops with wrong passwords, and slow sockets that send half a request
header and idle (reopened when the server closes them). A probe meanwhile times ``/healthz``
and a case report + 受理 (p50/p99/max). At the end every follower must hold every change from
its start to the last one, once each (no gap, no duplicate). ``--costs N`` measures instead
what single requests cost the backend (``request_costs``).

The clients are asyncio over raw sockets (one process, one thread), so hundreds of them cost
the bench little; the backend runs in its own process(es) as deployed. Everything is bounded
in time (``--seconds``) and sockets (the counts above), and loopback only. The soft
RLIMIT_NOFILE is raised to the hard limit first: the bench's own sockets need it, and the
backend inherits it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

from bench_feed import route_fixes  # noqa: E402

from console.server.run import free_port  # noqa: E402

HOST = "127.0.0.1"


class HttpError(Exception):
    """The connection broke or the server answered something this client cannot parse."""


class Conn:
    """One keep-alive HTTP/1.1 connection: just enough of a client for this bench."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        """One exchange; a kept-alive connection the server closed meanwhile (its idle
        timeout) is reopened and the request sent again once, as HTTP clients do (the POSTs
        here carry an Idempotency-Key)."""
        reused = self.writer is not None
        try:
            return await self._exchange(method, path, headers, body)
        except HttpError as e:
            if not reused:
                raise HttpError(f"new connection: {e}") from e
            self.close()  # the retry on a new connection, not on the one the server closed
        try:
            return await self._exchange(method, path, headers, body)
        except HttpError as e:
            raise HttpError(f"on retry: {e}") from e

    async def _exchange(
        self, method: str, path: str, headers: dict[str, str] | None, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            status_line = await self.reader.readline()
            if not status_line:
                raise HttpError("connection closed")
            status = int(status_line.split()[1])
            hdrs: dict[str, str] = {}
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                k, _, v = line.decode("latin-1").partition(":")
                hdrs[k.strip().lower()] = v.strip()
            if hdrs.get("transfer-encoding") == "chunked":
                data = b""
                while size := int((await self.reader.readline()).strip(), 16):
                    data += await self.reader.readexactly(size)
                    await self.reader.readline()
                await self.reader.readline()
            else:
                data = await self.reader.readexactly(int(hdrs.get("content-length", "0")))
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as e:
            self.close()
            raise HttpError(str(e) or type(e).__name__) from e
        if hdrs.get("connection") == "close":
            self.close()
        if hdrs.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return status, hdrs, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def call_json(
    conn: Conn, method: str, path: str, token: str | None = None, body: dict | None = None
) -> tuple[int, dict[str, str], dict]:
    headers = {"Accept-Encoding": "gzip"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if method == "POST":
        headers["Idempotency-Key"] = uuid.uuid4().hex
    raw = json.dumps(body).encode() if body is not None else b""
    status, hdrs, data = await conn.request(method, path, headers, raw)
    return status, hdrs, json.loads(data) if data else {}


async def login(port: int, user: str) -> str:
    status, _, body = await call_json(
        Conn(port), "POST", "/api/v1/session", body={"username": user, "password": "demo"}
    )
    if status != 200:
        raise RuntimeError(f"login {user}: {status} {body}")
    return str(body["token"])


@dataclass
class Follower:
    since: int
    seqs: list[int] = field(default_factory=list)
    pages: int = 0
    empty: int = 0  # pages without a change (a wait that timed out, or a wake-up too early)
    busy: int = 0  # 503s (the long-poll cap) honoured
    errors: int = 0
    why: str = ""  # the last error
    resets: int = 0
    caught_up_s: float | None = None  # catch-up storm: seconds to reach the head seen at start


@dataclass
class Stats:
    healthz: list[float] = field(default_factory=list)
    report: list[float] = field(default_factory=list)
    action: list[float] = field(default_factory=list)
    probe_errors: list[str] = field(default_factory=list)
    logins: int = 0
    login_statuses: dict[int, int] = field(default_factory=dict)
    slow_opened: int = 0
    slow_closed_after: list[float] = field(default_factory=list)
    slow_refused: int = 0
    server_cpu: float = 0.0  # CPU seconds the backend process(es) used under load
    bench_cpu: float = 0.0  # ...and this process (the clients): on a small machine they share


async def follow(
    port: int, token: str, f: Follower, end: dict[str, int], wait_s: float, head0: int = 0
) -> None:
    """Long-poll from ``f.since`` until it reaches ``end["seq"]`` (set once the writes have
    stopped); honour 503 Retry-After like the console."""
    conn = Conn(port)
    t0 = time.perf_counter()
    while f.since < end.get("seq", 2**62):
        path = f"/api/v1/changes?since={f.since}&wait={wait_s}&limit=2000"
        try:
            status, hdrs, body = await call_json(conn, "GET", path, token)
        except (HttpError, OSError, json.JSONDecodeError) as e:
            f.errors += 1
            f.why = f"{type(e).__name__}: {e}"
            await asyncio.sleep(0.2 + random.random() * 0.3)
            continue
        if status == 503:
            f.busy += 1
            await asyncio.sleep(float(hdrs.get("retry-after", "1")) * (0.5 + random.random()))
            continue
        if status != 200:
            f.errors += 1
            f.why = f"{status} {body}"[:200]
            await asyncio.sleep(0.5)
            continue
        f.pages += 1
        if body.get("reset"):
            f.resets += 1
            return
        f.empty += not body["changes"]
        for ch in body["changes"]:
            if ch["seq"] > f.since:
                f.seqs.append(ch["seq"])
        f.since = max(f.since, int(body["last_seq"]))
        if head0 and f.caught_up_s is None and f.since >= head0:
            f.caught_up_s = time.perf_counter() - t0
    conn.close()


async def login_flood(port: int, stop: asyncio.Event, stats: Stats) -> None:
    conn = Conn(port)
    while not stop.is_set():
        body = {"username": random.choice(["demo-lead", "nobody"]), "password": "wrong"}
        try:
            status, hdrs, _ = await call_json(conn, "POST", "/api/v1/session", body=body)
        except (HttpError, OSError):
            await asyncio.sleep(0.1)
            continue
        stats.logins += 1
        stats.login_statuses[status] = stats.login_statuses.get(status, 0) + 1
        if status == 429:  # a rate limit: come back when told (still at the limit's pace)
            await asyncio.sleep(min(float(hdrs.get("retry-after", "1")), 2.0))
    conn.close()


async def slow_socket(port: int, stop: asyncio.Event, stats: Stats) -> None:
    """Open, send half a header, idle; when the server closes it, open another."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            stats.slow_refused += 1
            await asyncio.sleep(1.0)
            continue
        stats.slow_opened += 1
        t0 = time.perf_counter()
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        read = asyncio.ensure_future(reader.read(65536))
        halt = asyncio.ensure_future(stop.wait())
        await asyncio.wait({read, halt}, return_when=asyncio.FIRST_COMPLETED)
        if read.done():
            stats.slow_closed_after.append(time.perf_counter() - t0)
        read.cancel()
        halt.cancel()
        writer.close()


async def timed(samples: list[float], errors: list[str], what: str, coro) -> object:
    t = time.perf_counter()
    try:
        status, _, body = await coro
    except (HttpError, OSError) as e:
        errors.append(f"{what}: {e}")
        return None
    samples.append((time.perf_counter() - t) * 1000)
    if status != 200:
        errors.append(f"{what}: {status}")
        return None
    return body


async def probe(port: int, stop: asyncio.Event, stats: Stats, tokens: dict[str, str]) -> None:
    """``/healthz`` every 100 ms; a case report then its 受理 every 500 ms (own connections)."""
    health, sup, op = Conn(port), Conn(port), Conn(port)

    async def writes() -> None:
        while not stop.is_set():
            case = await timed(
                stats.report,
                stats.probe_errors,
                "report",
                call_json(
                    sup,
                    "POST",
                    "/api/v1/cases",
                    tokens["sup"],
                    {"category_code": "06010", "location": {"lon": 120.17, "lat": 30.25}},
                ),
            )
            if isinstance(case, dict):
                await timed(
                    stats.action,
                    stats.probe_errors,
                    "accept",
                    call_json(
                        op,
                        "POST",
                        f"/api/v1/cases/{case['id']}/actions",
                        tokens["op"],
                        {"action": "accept", "expected_version": case["version"]},
                    ),
                )
            await asyncio.sleep(0.5)

    task = asyncio.ensure_future(writes())
    while not stop.is_set():
        await timed(
            stats.healthz, stats.probe_errors, "healthz", call_json(health, "GET", "/healthz")
        )
        await asyncio.sleep(0.1)
    await task


async def preload(port: int, token: str, posts: int) -> None:
    """Fill the feed with telemetry changes (big pages, like a real day's), 8 posts at a time."""
    status, _, ref = await call_json(Conn(port), "GET", "/api/v1/reference", token)
    gw = await login(port, "demo-gateway")
    _, _, clock = await call_json(Conn(port), "GET", "/api/v1/clock", token)
    from datetime import datetime

    now = datetime.fromisoformat(clock["server_time"]).timestamp()
    k = 0

    async def one(conn: Conn, n: int) -> None:
        nonlocal k
        for _ in range(n):
            fixes = route_fixes(ref["vehicles"], k, 40, now)
            k += 40
            status, _, body = await call_json(
                conn, "POST", "/api/v1/telemetry", gw, {"fixes": fixes}
            )
            if status != 200:
                raise RuntimeError(f"preload: {status} {body}")

    await asyncio.gather(*(one(Conn(port), posts // 8 + 1) for _ in range(8)))


async def head_seq(port: int, token: str) -> int:
    _, _, snap = await call_json(Conn(port), "GET", "/api/v1/snapshot", token)
    return int(snap["seq"])


async def truth(port: int, token: str) -> list[int]:
    """Every seq in the feed, read page by page on a quiet server."""
    conn, since, seqs = Conn(port), 0, []
    while True:
        _, _, body = await call_json(
            conn, "GET", f"/api/v1/changes?since={since}&limit=2000", token
        )
        if not body["changes"]:
            return seqs
        seqs += [ch["seq"] for ch in body["changes"]]
        since = body["last_seq"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _own_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(k) for k in kids]
    return []


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


async def request_costs(port: int, pid: int, n: int) -> dict[str, float]:
    """The backend's CPU per request (ms) for ``n`` kept-alive requests in a row from one
    client, nothing else running: ``/healthz``, an empty ``/changes`` page the short way
    (``routes.feed.FastPolls``), and the same poll through the FastAPI route (its digits
    percent-escaped, which the short way leaves to the route)."""
    token = await login(port, "demo-wall")
    conn = Conn(port)
    head = await head_seq(port, token)
    escaped = "".join(f"%{ord(c):02X}" for c in str(head))
    paths = {
        "/healthz": "/healthz",
        "/changes, short way": f"/api/v1/changes?since={head}",
        "/changes, the route": f"/api/v1/changes?since={escaped}",
    }
    costs = {}
    for name, path in paths.items():
        status, _, _ = await call_json(conn, "GET", path, token)  # the token is cached after
        assert status == 200, (path, status)
        cpu0 = cpu_seconds(pid)
        for _ in range(n):
            await call_json(conn, "GET", path, token)
        costs[name] = (cpu_seconds(pid) - cpu0) / n * 1000
    return costs


async def run(args: argparse.Namespace, port: int) -> dict:
    tokens = {
        "wall": await login(port, "demo-wall"),
        "sup": await login(port, "demo-supervisor"),
        "op": await login(port, "demo-operator"),
    }
    # A few follower tokens, as a few consoles' worth of users (each login is a deliberate
    # scrypt: 500 of them would be a login flood of our own).
    ftokens = [await login(port, "demo-wall") for _ in range(4)]
    t = time.perf_counter()
    await preload(port, tokens["wall"], args.preload)
    head0 = await head_seq(port, tokens["wall"])
    print(
        f"   preloaded {head0} changes in {time.perf_counter() - t:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    stop, stats = asyncio.Event(), Stats()
    parked = [Follower(since=head0) for _ in range(args.followers)]
    storm = [Follower(since=0) for _ in range(args.catchup)]
    end: dict[str, int] = {}
    followers = [
        asyncio.ensure_future(follow(port, ftokens[i % 4], f, end, args.wait))
        for i, f in enumerate(parked)
    ]
    tasks = []
    tasks += [asyncio.ensure_future(slow_socket(port, stop, stats)) for _ in range(args.slow)]
    await asyncio.sleep(2.0)  # the followers park, the slow sockets open
    tasks += [asyncio.ensure_future(login_flood(port, stop, stats)) for _ in range(args.logins)]
    followers += [
        asyncio.ensure_future(follow(port, ftokens[i % 4], f, end, args.wait, head0))
        for i, f in enumerate(storm)
    ]
    # The probe runs in its own process: this one decodes MBs of catch-up pages, and its
    # stalls must not count as the server's.
    probe_proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--probe-port",
        str(port),
        "--seconds",
        str(args.seconds),
        "--tokens",
        json.dumps(tokens),
        stdout=asyncio.subprocess.PIPE,
    )
    cpu0, own0 = cpu_seconds(args.server_pid), _own_cpu()
    await asyncio.sleep(args.seconds)
    stats.server_cpu = cpu_seconds(args.server_pid) - cpu0
    stats.bench_cpu = _own_cpu() - own0
    # The writes, logins and slow sockets stop; the followers get until ``wait`` + 15 s to
    # reach the last change, then what is still out is cancelled (and counts as a gap).
    stop.set()
    probed = json.loads((await probe_proc.communicate())[0])
    stats.healthz, stats.report, stats.action = (
        probed["healthz"],
        probed["report"],
        probed["action"],
    )
    stats.probe_errors = probed["errors"]
    end["seq"] = await head_seq(port, tokens["wall"])
    _, pending = await asyncio.wait(tasks + followers, timeout=args.wait + 15)
    for p in pending:
        p.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    all_seqs = await truth(port, tokens["wall"])
    return {"stats": stats, "parked": parked, "storm": storm, "truth": all_seqs, "head0": head0}


def check(followers: list[Follower], all_seqs: list[int], start: int) -> tuple[int, int, int]:
    """(followers complete, with a gap or missing tail, with a duplicate)."""
    ok = gap = dup = 0
    for f in followers:
        want = [s for s in all_seqs if s > start]
        if len(set(f.seqs)) != len(f.seqs):
            dup += 1
        elif f.seqs != want:
            gap += 1
        else:
            ok += 1
    return ok, gap, dup


def start_backend(db: str, processes: int, port: int, log: Path, http: str) -> subprocess.Popen:
    """The backend as deployed, its log to ``log`` (a pipe nobody reads would fill and stall
    it)."""
    cmd = [
        sys.executable,
        str(ROOT / "main.py"),
        "serve",
        "--demo",
        "--db",
        db,
        "--port",
        str(port),
        "--http",
        http,
    ]
    if processes > 1:
        cmd += ["--workers", str(processes)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log.open("wb"))

    async def ready() -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"backend exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(HttpError, OSError):
                status, _, _ = await Conn(port).request("GET", "/readyz")
                if status == 200:
                    return
            await asyncio.sleep(0.3)
        raise RuntimeError("backend did not start")

    asyncio.run(ready())
    return proc


def raise_nofile() -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def probe_main(port: int, seconds: float, tokens: dict[str, str]) -> None:
    """The probe process: ``seconds`` of probing, its samples as JSON on stdout."""

    async def go() -> Stats:
        stop, stats = asyncio.Event(), Stats()
        task = asyncio.ensure_future(probe(port, stop, stats, tokens))
        await asyncio.sleep(seconds)
        stop.set()
        await task
        return stats

    st = asyncio.run(go())
    out = {"healthz": st.healthz, "report": st.report, "action": st.action}
    print(json.dumps({**out, "errors": st.probe_errors}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--followers", type=int, default=500, help="parked followers (500)")
    ap.add_argument("--catchup", type=int, default=50, help="followers catching up from seq 0 (50)")
    ap.add_argument("--logins", type=int, default=8, help="login-flood loops, wrong passwords (8)")
    ap.add_argument("--slow", type=int, default=1000, help="slow sockets, half a header (1000)")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long the load runs (30)")
    ap.add_argument(
        "--preload", type=int, default=600, help="telemetry posts filling the feed (600)"
    )
    ap.add_argument("--wait", type=float, default=20.0, help="the followers' long-poll wait (20 s)")
    ap.add_argument("--processes", type=int, default=1, help="API processes (needs --db on PG)")
    ap.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    ap.add_argument(
        "--http",
        choices=("auto", "httptools", "h11"),
        default="auto",
        help="the backend's HTTP parser (serve --http; auto)",
    )
    ap.add_argument(
        "--costs",
        type=int,
        metavar="N",
        help="instead of the load: the backend's CPU per request over N requests in a row",
    )
    ap.add_argument("--probe-port", type=int, help=argparse.SUPPRESS)  # the probe process
    ap.add_argument("--tokens", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe_port:
        probe_main(args.probe_port, args.seconds, json.loads(args.tokens))
        return 0
    if args.processes > 1 and not (args.db or "").startswith("postgres"):
        ap.error("--processes > 1 needs --db postgresql://...")
    soft, hard = raise_nofile()
    need = args.followers + args.catchup + args.logins + args.slow + 50
    if soft < need:
        ap.error(f"RLIMIT_NOFILE is {soft} (hard {hard}); these sizes need about {need}")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/hostile.db"
        if not db.startswith("sqlite"):
            from console.server.db import Database

            d = Database(db)
            d.drop_all()
            d.dispose()
        port = free_port()
        log = Path(tmp) / "backend.log"
        proc = start_backend(db, args.processes, port, log, args.http)
        args.server_pid = proc.pid
        try:
            if args.costs:
                costs = asyncio.run(request_costs(port, proc.pid, args.costs))
            else:
                out = asyncio.run(run(args, port))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        warnings = [ln for ln in log.read_text().splitlines() if "WARNING" in ln or "ERROR" in ln]
        if warnings:
            print(f"backend log: {len(warnings)} warnings/errors, e.g. {warnings[:3]}")
    if args.costs:
        print(f"backend CPU per request, {args.costs} in a row (HTTP parser {args.http}):")
        for name, ms in costs.items():
            print(f"  {name:<22} {ms:6.3f} ms")
        short, route = costs["/changes, short way"], costs["/changes, the route"]
        print(f"  the route / the short way: {route / short:.1f}x")
        return 0
    report(args, out, soft)
    return 0


def report(args: argparse.Namespace, out: dict, nofile: int) -> None:
    st: Stats = out["stats"]
    print(
        f"sizes: {args.followers} parked followers, {args.catchup} catching up from seq 0 "
        f"({out['head0']} changes), {args.logins} login loops, {args.slow} slow sockets, "
        f"{args.seconds:.0f} s, {args.processes} process(es) on "
        f"{'PostgreSQL' if (args.db or '').startswith('postgres') else 'SQLite'}; nofile {nofile}; "
        f"HTTP parser {args.http}"
    )
    print(f"{'probe':<22} {'n':>5} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for name, xs in (
        ("/healthz", st.healthz),
        ("case report", st.report),
        ("case 受理", st.action),
    ):
        print(
            f"{name:<22} {len(xs):>5} {pct(xs, 0.5):>9.1f} {pct(xs, 0.99):>9.1f} {max(xs, default=float('nan')):>9.1f}"
        )
    print(f"probe errors: {len(st.probe_errors)} {st.probe_errors[:3]}")
    pages = sum(f.pages for f in out["parked"] + out["storm"])
    print(
        f"CPU under load: backend {st.server_cpu:.1f} s, the bench's clients "
        f"{st.bench_cpu:.1f} s, in {args.seconds:.0f} s on {os.cpu_count()} cores "
        f"({pages} follower pages in all)"
    )
    for name, fs, start in (
        ("parked", out["parked"], out["head0"]),
        ("catch-up", out["storm"], 0),
    ):
        ok, gap, dup = check(fs, out["truth"], start)
        caught = [f.caught_up_s for f in fs if f.caught_up_s is not None]
        print(
            f"followers {name:<9}: {ok}/{len(fs)} got every change (gap {gap}, dup {dup}); "
            f"pages {sum(f.pages for f in fs)} ({sum(f.empty for f in fs)} empty), 503s honoured {sum(f.busy for f in fs)}, "
            f"errors {sum(f.errors for f in fs)} {sorted({f.why for f in fs if f.why})[:2]}, resets {sum(f.resets for f in fs)}"
            + (
                f"; caught up p50 {statistics.median(caught):.1f} s, max {max(caught):.1f} s"
                if caught
                else ""
            )
        )
    print(f"logins tried: {st.logins} ({dict(sorted(st.login_statuses.items()))})")
    closed = st.slow_closed_after
    print(
        f"slow sockets: {st.slow_opened} opened, {len(closed)} closed by the server"
        + (f" after p50 {statistics.median(closed):.1f} s" if closed else "")
        + f", {st.slow_refused} connects refused"
    )


if __name__ == "__main__":
    sys.exit(main())
