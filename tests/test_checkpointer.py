"""The live console's checkpoint writer: the GUI thread only copies the state, and the writer
rests nine times as long as a write took, so a fast district clock (or a city's state) cannot
keep it busy or queue copies behind it. The clock is the module's, replaced; the log is real."""

from __future__ import annotations

import console.replay.fold as fold_mod
from console.replay.fold import WRITER_SHARE, Checkpointer
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
