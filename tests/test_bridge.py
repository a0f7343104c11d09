"""The Qt bridge: a worker thread's batches reach CityState on the GUI thread, one signal per
tick with the merged diff, and a burst larger than a frame's budget is spread over ticks."""

from __future__ import annotations

import threading
from datetime import timedelta

from conftest import TEST_START

from console.state import CityState
from console.sync.live import Batch, Health
from widgets.common.bridge import StateBridge

T0 = TEST_START.timestamp()


def fix_change(seq: int, vehicle: str) -> dict:
    return {
        "seq": seq,
        "ts": (TEST_START + timedelta(seconds=seq)).isoformat(),
        "kind": "fixes",
        "vehicle_id": [vehicle],
        "t": [T0 + seq],
        "lon": [120.17],
        "lat": [30.25],
        "speed_kmh": [12.0],
        "heading": [0.0],
        "flags": [1],
    }


def test_batches_from_a_worker_arrive_as_one_signal_per_tick(qtbot):
    health = Health(status="connected", last_seq=3)
    bridge = StateBridge(CityState(), hz=20, health=lambda: health)
    got, healths = [], []
    bridge.changed.connect(got.append)
    bridge.health_changed.connect(healths.append)

    def worker():
        bridge.submit(Batch([], snapshot={"seq": 0, "cases": [], "vehicles": [], "alerts": []}))
        for seq in range(1, 4):
            bridge.submit(Batch([fix_change(seq, f"V{seq}")]))

    bridge._timer.stop()  # hold the ticks until the worker has queued everything
    th = threading.Thread(target=worker)
    th.start()
    th.join()
    assert bridge.pending() == 4 and not got  # nothing touched the state off the GUI thread
    bridge._timer.start()
    qtbot.waitUntil(lambda: bridge.state.seq == 3, timeout=2000)
    assert len(got) == 1  # one tick, one signal
    assert got[0].reset and got[0].vehicles == {"V1", "V2", "V3"} and got[0].fixes == 3
    assert healths == [health]
    qtbot.wait(150)
    assert len(got) == 1  # idle ticks are silent
    bridge.stop()


def test_a_burst_is_spread_over_ticks_within_the_budget(qtbot):
    bridge = StateBridge(CityState(), hz=50, budget_ms=2)
    bridge._timer.stop()
    for seq in range(1, 3_001):
        bridge.submit(Batch([fix_change(seq, f"V{seq % 40}")]))
    got = []
    bridge.changed.connect(got.append)
    bridge._timer.start()
    qtbot.waitUntil(lambda: bridge.state.seq == 3_000, timeout=30_000)
    assert len(got) > 3  # the burst took several frames, not one long freeze
    assert sum(d.fixes for d in got) == 3_000 and bridge.applied == 3_000
    bridge.stop()
