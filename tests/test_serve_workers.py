"""``serve --workers 2`` on PostgreSQL: two API processes on one address, and a follower on
either sees every change (the feed is read from the database; wake-ups cross processes by
NOTIFY). Its own module: it drops and recreates the test database, which a module-scoped
backend of another test would still be using."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import PG_URL, Api, wait_until

from console.server import run

ROOT = Path(__file__).resolve().parents[1]


def head(api: Api) -> int:
    return api.get("/api/v1/snapshot").json()["seq"]


def _cmdline(pid: str) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ZHCG_TEST_PG not set (CI sets it; see .ci/run)")
def test_serve_workers_2_on_postgres_every_follower_gets_every_change(tmp_path):
    from console.server.db import Database

    db = Database(PG_URL or "")
    db.drop_all()
    db.dispose()
    port = run.free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, str(ROOT / "main.py"), "serve", "--demo", "--db", PG_URL or ""]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("wb"),
    )
    try:
        wait_until(lambda: _ready(url), 90, 0.2)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        workers = [c for c in children if b"spawn_main" in _cmdline(c)]  # not the tracker
        assert len(workers) == 2, children
        # Each follower on its own connection; the kernel hands a connection to whichever
        # worker accepts first, so followers are added until both workers hold some.
        start = head(Api(url, "demo-wall"))
        followers: list[Api] = []
        got: list[list[int]] = []
        final = [2**62]
        done = threading.Event()

        def follow(i: int) -> None:
            since = start
            while not done.is_set() or since < final[0]:
                r = followers[i].get(
                    "/api/v1/changes", params={"since": since, "wait": 2}, timeout=15
                )
                body = r.json()
                got[i] += [ch["seq"] for ch in body["changes"]]
                since = body["last_seq"]

        threads = []
        while len(followers) < 8 or min(_connections(w, port) for w in workers) < 2:
            assert len(followers) < 40, [_connections(w, port) for w in workers]
            followers.append(Api(url, "demo-wall"))
            got.append([])
            threads.append(threading.Thread(target=follow, args=(len(got) - 1,), daemon=True))
            threads[-1].start()
            time.sleep(0.1)
        sup = Api(url, "demo-supervisor")
        for _ in range(10):
            sup.report()
        final[0] = head(sup)
        done.set()
        for th in threads:
            th.join(30)
        want = [s for s in _all_seqs(sup) if s > start]
        assert want and all(g == want for g in got), [len(g) for g in got]
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)
        if proc.poll() is None:
            proc.kill()


def _connections(pid: str, port: int) -> int:
    """Established connections to ``port`` that the process ``pid`` holds (from /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == port and f[3] == "01":  # local port, ESTABLISHED
            inodes.add(f[9])
    held = 0
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                held += link.startswith("socket:[") and link[8:-1] in inodes
    return held


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _all_seqs(api: Api) -> list[int]:
    out, since = [], 0
    while True:
        body = api.get("/api/v1/changes", params={"since": since, "limit": 2000}).json()
        if not body["changes"]:
            return out
        out += [c["seq"] for c in body["changes"]]
        since = body["last_seq"]
