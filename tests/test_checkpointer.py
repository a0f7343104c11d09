"""The live console's checkpoint writer: the GUI thread only copies the state, and the writer
rests nine times as long as a write took, so a fast district clock (or a city's state) cannot
keep it busy or queue copies behind it. The clock is the module's, replaced; the log is real."""

from __future__ import annotations

import console.replay.fold as fold_mod
from console.replay.fold import CHECKPOINT_ITEMS, RING_SHARE, WRITER_SHARE, Checkpointer
from console.state import CityState, Diff
from console.store.shiftlog import ShiftLog
from tests.test_state import fixes


def test_the_background_writer_rests_in_proportion_to_its_last_write(tmp_path, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(fold_mod.time, "monotonic", lambda: now[0])
    log = ShiftLog(tmp_path / "shift.zhcg")
    written: list[int] = []
    real_add = log.add_checkpoint

    def slow_add(seq, digest, state):  # a write that takes 2 s of the replaced clock
        now[0] += 2.0
        written.append(seq)
        real_add(seq, digest, state)

    monkeypatch.setattr(log, "add_checkpoint", slow_add)
    cp = Checkpointer(log, every=10, background=True)
    state = CityState()
    many = Diff(fixes=10)
    try:
        for seq in (1, 2):
            state.apply([fixes(seq, [("V1", 100.0 + seq, 120.1, 30.2)])])
        assert cp.after_batch(state, many)
        cp._writer.submit(lambda: None).result()  # the write is done
        rest = 2.0 * (1 / WRITER_SHARE - 1)
        now[0] += rest - 1.0
        assert not cp.after_batch(state, many)  # still resting; the items are counted
        now[0] += 1.0
        assert cp.after_batch(state, Diff())  # rested: the counted items are due
        cp._writer.submit(lambda: None).result()
        assert written == [state.log_seq, state.log_seq]
        assert log.checkpoint_at()[0] == state.log_seq
    finally:
        cp.close()
        log.close()


def test_the_copy_written_is_the_state_when_it_was_due(tmp_path):
    """The GUI thread goes on applying while the writer works on its copy."""
    log = ShiftLog(tmp_path / "shift.zhcg")
    cp = Checkpointer(log, every=1, background=True)
    state = CityState()
    try:
        state.apply([fixes(1, [("V1", 101.0, 120.1, 30.2)])])
        due = state.digest()
        assert cp.after_batch(state, Diff(fixes=1))
        state.apply([fixes(2, [("V1", 102.0, 120.2, 30.3)])])
        cp.close()
        seq, digest, saved = log.checkpoint_at()
        assert (seq, digest) == (1, due)
        assert CityState.from_checkpoint(saved).digest() == due
    finally:
        log.close()


def test_the_consoles_spacing_grows_with_the_trail_rings(tmp_path):
    """A checkpoint holds every ring whole: a city's comes after as many fixes as half its
    rings' slots, the demo's after CHECKPOINT_ITEMS; a fixed spacing is kept as given."""
    log = ShiftLog(tmp_path / "shift.zhcg")
    state = CityState(trail_points=512)
    try:
        state.apply([fixes(1, [(f"V{k}", 101.0, 120.1, 30.2) for k in range(10)])])
        cp = Checkpointer(log)
        assert cp._spacing(state) == CHECKPOINT_ITEMS  # 10 x 512 / 2 is less
        state.apply([fixes(2, [(f"V{k}", 102.0, 120.1, 30.2) for k in range(100)])])
        assert cp._spacing(state) == 100 * 512 * RING_SHARE
        assert not cp.after_batch(state, Diff(fixes=CHECKPOINT_ITEMS))
        assert cp.after_batch(state, Diff(fixes=int(100 * 512 * RING_SHARE) - CHECKPOINT_ITEMS))
        assert Checkpointer(log, every=1500)._spacing(state) == 1500
    finally:
        log.close()
