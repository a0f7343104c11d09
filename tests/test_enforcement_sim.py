"""The simulator's enforcement officers (console/sim/enforcement.py) over a real backend: in
two district hours they escalate case-loop matters, decide some on the spot, have others
approved by the 法制审核 and walk them on, and the backend refuses none of their steps."""

from __future__ import annotations

import requests
from conftest import start_backend

from console.clock import VirtualClock
from console.sim.district import SimConfig, run_headless


def test_officers_escalate_and_walk_enforcement_cases(tmp_path):
    backend = start_backend(f"sqlite:///{tmp_path / 'sim.db'}", speed=120.0)
    try:
        clock: VirtualClock = backend.settings.clock
        out = run_headless(
            backend.url, clock, hours=2.0, config=SimConfig(seed=3, cases_per_hour=80)
        )
        public = requests.get(backend.url + "/api/v1/public/enforcement", timeout=10).json()
    finally:
        backend.stop()
    steps = out["enforcement_steps"]
    assert steps.get("file", 0) >= 3, out
    assert {"decide_on_spot", "approve_filing"} <= set(steps), out
    assert public["total"] >= steps["decide_on_spot"], public
    # No step of an officer or the 法制审核 was refused (a refusal is the simulator's mistake).
    assert not {"403", "422", "400"} & set(out["http_errors"]), out
    assert not [k for k in out["http_errors"] if k.startswith("5") or k == "connection"], out
