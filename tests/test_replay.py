"""The replay cursor on a real recorded shift: any instant, reached by a seek from a
checkpoint or by playing on, is exactly the state folded from empty up to it."""

from __future__ import annotations

import os
import sqlite3
import zlib
from contextlib import closing

import numpy as np
import pytest

from console.domain.field_units import is_sanitation
from console.replay.fold import fold_log
from console.replay.player import CACHE_ROWS, LANES, LogIndex, Replayer, SeekCache
from console.state import CODED_FIELDS, CityState
from console.store import checkpoint_form
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
    fleet = [v for v in r.state.vehicle_ids() if is_sanitation(r.state.vehicles[v].get("type"))]
    vid = fleet[3]  # a truck's fix every few seconds (a person's comes once a minute)
    trail = r.state.trail(vid)
    whole = r.track(vid, r.index.start - 3600, r.index.end + 3600)
    assert len(trail) > 100 and whole["t"] == trail[:, 0].tolist()
    assert whole["lon"] == trail[:, 1].tolist() and whole["lat"] == trail[:, 2].tolist()
    t0, t1 = float(trail[40, 0]), float(trail[90, 0])
    part = r.track(vid, t0, t1)
    assert part["t"] == trail[40:91, 0].tolist() and set(part) >= {"flags", "speed_kmh"}
    assert r.track("no-such-vehicle", t0, t1)["t"] == []


def same_state(a: CityState, b: CityState) -> None:
    """Equal beyond the digest: what the views read (case columns and the values their codes
    stand for, lights' instants, vehicles' columns), alerts, sensors and where the fold is."""
    assert a.digest() == b.digest()
    assert (a.log_seq, a.ts, a.bootstrap_id) == (b.log_seq, b.ts, b.bootstrap_id)
    assert a.case_ids() == b.case_ids() and a.cases == b.cases
    for k, col in a.case_arrays().items():
        if k in CODED_FIELDS:
            va, vb = a.case_values(k), b.case_values(k)
            assert [va[c] for c in col] == [vb[c] for c in b.case_arrays()[k]], k
        else:
            assert np.array_equal(col, b.case_arrays()[k], equal_nan=True), k
    assert a.vehicle_ids() == b.vehicle_ids() and a.vehicles == b.vehicles
    for k, col in a.vehicle_arrays().items():
        assert np.array_equal(col, b.vehicle_arrays()[k], equal_nan=True), k
    assert a.alerts == b.alerts and a.sensors == b.sensors


@pytest.mark.parametrize("form", ["json", "compact"])
def test_a_seek_from_either_checkpoint_form_is_the_fold_from_empty(recorded_shift, tmp_path, form):
    """Logs recorded before issue 14 hold JSON checkpoints, later ones the compact form: a
    seek from either (at a checkpoint, and past one) is the state folded from empty."""
    path = tmp_path / f"{form}.zhcg"
    with (
        closing(sqlite3.connect(recorded_shift.path)) as src,
        closing(sqlite3.connect(path)) as dst,
    ):
        src.backup(dst)
        encode = {"json": checkpoint_form.encode_json, "compact": checkpoint_form.encode_compact}
        for seq, blob in dst.execute("SELECT seq, state FROM checkpoints").fetchall():
            blob = encode[form](checkpoint_form.decode(blob))
            dst.execute("UPDATE checkpoints SET state = ? WHERE seq = ?", (blob, seq))
        dst.commit()
    log = ShiftLog(path, readonly=True)
    try:
        blobs = column(path, "SELECT state FROM checkpoints")
        assert all(b[:4] == checkpoint_form.MAGIC for b in blobs) == (form == "compact")
        r = Replayer(log)
        idx = r.index
        marks = column(path, "SELECT seq FROM checkpoints")
        assert marks
        for seq in marks:
            for row in (idx.row_of_seq(seq) - 1, idx.row_of_seq(seq) + 40):
                t = float(idx.t[min(row, len(idx) - 1)])
                r.seek(t)
                same_state(r.state, fold_log(log, idx.seq_at(t), use_checkpoints=False))
    finally:
        log.engine.dispose()


def column(path, sql: str) -> list:
    with closing(sqlite3.connect(path)) as con:
        return [v for (v,) in con.execute(sql)]


def test_the_seek_cache_keeps_to_its_budget_evenly_and_near_the_cursor(shiftlog):
    """A days-long log's cache would outgrow memory: within its budget it keeps copies
    evenly spread (every ``stride`` changes) plus the one the last seek started from, and
    seeks from it stay exact."""
    r = Replayer(shiftlog)
    step = 20
    whole = SeekCache(rows=step)
    whole.build(shiftlog, r.index)
    n = len(whole)
    assert n == -(-len(r.index) // step) and n > 20 and whole.stride == step
    r.cache = SeekCache(budget=whole.bytes // 5, rows=step)
    r.cache.build(shiftlog, r.index)
    c = r.cache
    assert c.complete and c.stride >= 4 * step and c.bytes <= c.budget
    assert c._rows == list(range(0, len(r.index), c.stride))  # evenly spread
    spread = c.stride
    near = float(r.index.t[spread + step + 3])  # past an entry the next thinning would drop
    r.seek(near)
    c.fit(c.bytes // 2)
    assert c.stride >= 2 * spread and c.bytes <= c.budget
    assert [row for row in c._rows if row % c.stride] == [spread]  # the cursor's
    assert [row for row in c._rows if not row % c.stride] == list(range(0, len(r.index), c.stride))
    for t in (near, float(r.index.t[-1]), float(r.index.t[len(r.index) // 2])):
        r.seek(t)
        assert r.state.digest() == from_empty(shiftlog, r.index.seq_at(t))


def test_a_hostile_or_broken_checkpoint_is_passed_over(recorded_shift, tmp_path):
    """A checkpoint is read from a file that may come from anywhere: a pickle that would run
    a program builds nothing, a broken one is passed over, and the seek is still exact."""
    import pickle

    path = tmp_path / "hostile.zhcg"
    witness = tmp_path / "ran"

    class Run:
        def __reduce__(self):
            return (os.system, (f"touch {witness}",))

    evil = checkpoint_form.MAGIC + zlib.compress(pickle.dumps({"version": 3, "x": Run()}))
    with (
        closing(sqlite3.connect(recorded_shift.path)) as src,
        closing(sqlite3.connect(path)) as dst,
    ):
        src.backup(dst)
        seqs = [s for (s,) in dst.execute("SELECT seq FROM checkpoints ORDER BY seq")]
        dst.execute("UPDATE checkpoints SET state = ? WHERE seq = ?", (evil, seqs[0]))
        dst.execute("UPDATE checkpoints SET state = ? WHERE seq = ?", (b"\x78garbage", seqs[-1]))
        dst.commit()
    for blob in (evil, b"\x78garbage", checkpoint_form.MAGIC + b"junk", b""):
        with pytest.raises(ValueError):
            checkpoint_form.decode(blob)
    log = ShiftLog(path, readonly=True)
    try:
        r = Replayer(log)
        for seq in (seqs[0], seqs[-1]):
            r.seek(float(r.index.t[r.index.row_of_seq(seq) - 1]))
            assert r.state.digest() == from_empty(log, seq)
    finally:
        log.engine.dispose()
    assert not witness.exists()
