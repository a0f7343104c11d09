"""What time alone does on the backend: SLA lights advance, alerts open, escalate and clear;
several API processes on one PostgreSQL wake each other's long polls; demo accounts."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import Api, fresh_db_url, start_backend, wait_until


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def test_lights_alerts_and_escalation_follow_the_clock(tmp_path):
    # One district hour per real second: the 30-minute accept limit runs out in half a second.
    b = start_backend(f"sqlite:///{tmp_path / 'fast.db'}", speed=3600.0, tick_seconds=0.05)
    try:
        sup, op, wall = (
            Api(b.url, "demo-supervisor"),
            Api(b.url, "demo-operator"),
            Api(b.url, "demo-wall"),
        )
        c = sup.report()
        assert c["light"] == "green"
        red = wait_until(lambda: ok(op.get(f"/api/v1/cases/{c['id']}"))["light"] == "red")
        assert red

        def mine():
            return [
                a for a in ok(wall.get("/api/v1/alerts"))["alerts"] if a["subject_id"] == c["id"]
            ]

        alert = wait_until(
            lambda: [a for a in mine() if a["kind"] == "case_red" and a["escalated"]]
        )[0]
        assert alert["severity"] == "critical" and alert["escalated_at"]
        assert not [
            a for a in mine() if a["kind"] == "case_yellow"
        ]  # yellow resolved when red opened
        ok(op.act(ok(op.get(f"/api/v1/cases/{c['id']}")), "accept"))
        wait_until(lambda: not mine())  # the new stage's clock is green: the alert cleared
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
