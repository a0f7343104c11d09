"""The simulator's 养护 (console/sim/maintenance.py) against a real backend: the day's plan
makes a few dozen orders, departments walk them to 完成 within hours, some late, and nothing
is refused as another's or fails on the server."""

from __future__ import annotations

from collections import Counter

from conftest import Api, start_backend

from console.domain import maintenance as m
from console.sim.district import SimConfig, run_headless


def test_the_days_plan_is_walked_by_the_departments(tmp_path):
    backend = start_backend(f"sqlite:///{tmp_path / 'sim.db'}", speed=360.0)
    try:
        out = run_headless(
            backend.url,
            backend.settings.clock,
            hours=6.0,
            config=SimConfig(seed=4, cases_per_hour=5),
        )
        orders = Api(backend.url, "demo-wall").get("/api/v1/maintenance/orders").json()["orders"]
    finally:
        backend.stop()
    sent = out["work_order_actions"]
    assert sent.get("create", 0) >= 20, out
    assert sent.get("dispatch", 0) >= 20 and sent.get("start", 0) >= 10, out
    assert sent.get("finish", 0) >= 5 and sent.get("accept", 0) >= 1, out
    by_state = Counter(o["state"] for o in orders)
    assert by_state[m.DONE] >= 1 and by_state[m.WORKING] + by_state[m.ACCEPTING] >= 1, by_state
    assert {o["department_id"] for o in orders} >= {"streetlight", "water"}, orders
    finished = [o for o in orders if o["on_time"] is not None]
    assert any(o["on_time"] for o in finished), finished
    assert not [k for k in out["http_errors"] if k.startswith("5") or k == "connection"], out
    assert "403" not in out["http_errors"], out
