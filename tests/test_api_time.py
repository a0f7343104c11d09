"""What time alone does on the backend: SLA lights advance (the alerts that follow them:
test_api_alerts.py); several API processes on one PostgreSQL wake each other's long polls;
demo accounts."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import Api, fresh_db_url, start_backend, wait_until


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def test_lights_follow_the_clock(tmp_path):
    # One district hour per real second: the 30-minute accept limit runs out in half a second.
    # (What the late case's alert does: tests/test_api_alerts.py.)
    b = start_backend(f"sqlite:///{tmp_path / 'fast.db'}", speed=3600.0, tick_seconds=0.05)
    try:
        sup, op = Api(b.url, "demo-supervisor"), Api(b.url, "demo-operator")
        c = sup.report()
        assert c["light"] == "green"
        assert wait_until(lambda: ok(op.get(f"/api/v1/cases/{c['id']}"))["light"] == "red")
    finally:
        b.stop()


def test_demo_accounts_are_refused_without_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    start_backend(url).stop()
    from console.clock import VirtualClock
    from console.server.context import Settings
    from console.server.run import BackendThread

    b = BackendThread(Settings(db_url=url, demo=False, clock=VirtualClock())).start()
    try:
        import requests

        r = requests.post(
            b.url + "/api/v1/session",
            json={"username": "demo-operator", "password": "demo"},
            timeout=10,
        )
        assert r.status_code == 401
    finally:
        b.stop()


@pytest.mark.postgres
def test_two_api_processes_on_postgres_wake_each_other(tmp_path):
    url = fresh_db_url("postgres", tmp_path)
    a = start_backend(url)
    b = start_backend(url)
    try:
        wall_a, sup_b = Api(a.url, "demo-wall"), Api(b.url, "demo-supervisor")
        since = ok(wall_a.get("/api/v1/snapshot"))["seq"]
        got: dict = {}

        def poll():
            got["r"] = ok(wall_a.get("/api/v1/changes", params={"since": since, "wait": 20}))
            got["t"] = time.monotonic()

        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.5)
        c = sup_b.report()  # committed through the other process
        committed = time.monotonic()
        th.join(timeout=15)
        assert got["r"]["changes"][0]["case"]["id"] == c["id"]
        assert got["t"] - committed < 2.0  # woken by NOTIFY, not by the 20 s timeout
    finally:
        b.stop()
        a.stop()
