"""The replay cursor on a real recorded shift: any instant, reached by a seek from a
checkpoint or by playing on, is exactly the state folded from empty up to it."""

from __future__ import annotations

import numpy as np
import pytest

from console.replay.fold import fold_log
from console.replay.player import CACHE_ROWS, LANES, LogIndex, Replayer
from console.state import CityState
from console.store.shiftlog import ShiftLog


@pytest.fixture
def shiftlog(recorded_shift):
    log = ShiftLog(recorded_shift.path, readonly=True)
    yield log
    log.engine.dispose()


def from_empty(log: ShiftLog, seq: int) -> str:
    return fold_log(log, seq, use_checkpoints=False).digest()


def test_the_log_has_checkpoints_to_seek_from(shiftlog):
    seqs = shiftlog.seqs()
    cp = shiftlog.checkpoint_at()
    assert cp is not None and seqs[0] < cp[0] <= seqs[-1]


@pytest.mark.parametrize("cache", [False, True], ids=["log-checkpoints", "seek-cache"])
def test_seeking_to_a_random_instant_equals_folding_from_empty(shiftlog, cache):
    r = Replayer(shiftlog)
    if cache:
        r.build_cache()
        assert r.cache.complete and len(r.cache) == -(-len(r.index) // CACHE_ROWS)
    idx = r.index
    held = r.state
    rng = np.random.default_rng(5 + cache)
    instants = [idx.start, idx.end, *rng.uniform(idx.start, idx.end, 12)]
    for t in instants:
        diff = r.seek(float(t))
        assert diff.reset
        assert r.state is held  # the views' object, refilled
        assert r.state.digest() == from_empty(shiftlog, idx.seq_at(t)), t
        r.play_to(float(t) + 30)  # playing on from a seek leaves the cache untouched
    if cache:
        t = float(rng.uniform(idx.start, idx.end))
        r.seek(t)
        assert r.state.digest() == from_empty(shiftlog, idx.seq_at(t))


def test_playing_on_equals_seeking_and_folding(shiftlog):
    r = Replayer(shiftlog)
    idx = r.index
    r.seek(idx.start)
    steps = np.linspace(idx.start, idx.end, 40)
    seen_fixes = 0
    for t in steps:
        seen_fixes += r.play_to(float(t)).fixes
    assert r.seeks == 1  # small steps never start over
    assert seen_fixes > 0
    assert r.state.digest() == from_empty(shiftlog, int(idx.seq[-1]))
    mid = float(steps[17])
    r.play_to(mid)  # backwards: a seek
    assert r.seeks == 2
    assert r.state.digest() == from_empty(shiftlog, idx.seq_at(mid))


def test_the_state_at_the_start_is_the_first_bootstrap(shiftlog):
    r = Replayer(shiftlog)
    r.seek(r.index.start - 3600)
    assert r.state.reference and r.state.vehicles  # not an empty map
    want = CityState()
    want.bootstrap(*shiftlog.bootstrap(shiftlog.bootstraps()[0]["id"]))
    assert r.state.digest() == want.digest()


def test_the_index_knows_lanes_events_and_marks(shiftlog, recorded_shift):
    idx = LogIndex.read(shiftlog)
    assert len(idx) == len(shiftlog.seqs())
    assert np.all(np.diff(idx.t) >= 0)
    edges = np.linspace(idx.start, idx.end + 1, 25)
    dens = idx.density(edges)
    assert dens.shape == (len(LANES), 24)
    assert dens[:3].sum() == len(idx)
    assert dens[3].sum() == recorded_shift.actions
    assert [b["label"] for b in idx.bookmarks] == recorded_shift.bookmarks
    assert all(idx.start <= b["t"] <= idx.end for b in idx.bookmarks)
    ev = idx.event_times()
    assert len(ev) > 10 and np.all(np.diff(ev) > 0)
    # A step skips the events within half a second of where it stands (one burst of changes is
    # one stop), and lands on the first event past that.
    t = float(ev[len(ev) // 2])
    nxt, prv = idx.next_event(t), idx.prev_event(t)
    assert nxt in ev and nxt > t + 0.5 and np.all(ev[(ev > t) & (ev < nxt)] <= t + 0.5)
    assert prv in ev and prv < t - 0.5 and np.all(ev[(ev < t) & (ev > prv)] >= t - 0.5)
    assert idx.next_event(float(ev[-1])) is None and idx.prev_event(float(ev[0])) is None
    assert idx.seq_at(idx.start - 1) == 0 and idx.seq_at(idx.end) == idx.seq[-1]


def test_a_vehicles_track_from_the_log_is_its_trail(shiftlog):
    """The fleet panel's track in a replay: the vehicle's fixes in the window, in time order
    (over 24 minutes the trail ring still holds every fix, so the two must agree)."""
    r = Replayer(shiftlog)
    r.seek(r.index.end)
    vid = r.state.vehicle_ids()[3]
    trail = r.state.trail(vid)
    whole = r.track(vid, r.index.start - 3600, r.index.end + 3600)
    assert len(trail) > 100 and whole["t"] == trail[:, 0].tolist()
    assert whole["lon"] == trail[:, 1].tolist() and whole["lat"] == trail[:, 2].tolist()
    t0, t1 = float(trail[40, 0]), float(trail[90, 0])
    part = r.track(vid, t0, t1)
    assert part["t"] == trail[40:91, 0].tolist() and set(part) >= {"flags", "speed_kmh"}
    assert r.track("no-such-vehicle", t0, t1)["t"] == []
