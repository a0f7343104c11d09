"""Folding a shift log into a CityState, and writing the checkpoints that make it fast.

The fold follows the log in the order the live console lived it: changes in seq order, each
bootstrap after the changes up to its ``after_seq``, a ``fresh`` bootstrap starting from an
empty state (the console was restarted). So folding a log from empty gives the state the live
console held, digest for digest, and starting from a checkpoint gives the same as starting from
empty.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from console.state import CityState, Diff
from console.store.shiftlog import ShiftLog, ShiftLogClosed

log = logging.getLogger(__name__)
PAGE = 5000
#: A console's checkpoint spacing, in items applied (a batch of fixes counts its fixes), at
#: least: a cold seek folds up to this many from the checkpoint before it (400-770 changes on
#: an 8-hour shift of the demo's 40 vehicles, ~50 ms), and writing one there costs ~1 ms on the
#: caller's thread, ~25 ms in the writer's.
CHECKPOINT_ITEMS = 10_000
#: ... and at least this share of the trail rings' slots: a checkpoint holds every ring whole
#: (2,000 vehicles x 512 fixes: 25 MB, ~0.5 s of zlib), so at a fixed 10,000 items a city's
#: log would gain one every 25 s, ~2 GB an hour. Spaced by the rings, a checkpoint's bytes stay
#: a fixed share of the fixes' own (one every ~21 district minutes at 2,000 vehicles; the
#: demo's 40 vehicles: 10,240 items, as before), and a city's cold seek folds more fixes (in
#: one numpy pass per page) while the seek cache, built aside, answers the rest.
RING_SHARE = 0.5
# The background checkpoint writer's share of the wall clock at most (see Checkpointer).
WRITER_SHARE = 0.1


def fold_log(
    shiftlog: ShiftLog,
    upto: int | None = None,
    *,
    use_checkpoints: bool = True,
    trail_points: int = 512,
) -> CityState:
    """The state after every change with seq <= ``upto`` (all, if None), and every bootstrap
    that came before the change after it."""
    return LogFold.at(
        shiftlog, upto, use_checkpoints=use_checkpoints, trail_points=trail_points
    ).state


class LogFold:
    """A fold in progress over one log: the state, the last seq applied (``cursor``) and the
    last bootstrap folded in. ``forward`` continues it, so a replay playing on does not start
    over; the state object is kept (a fresh bootstrap clears it in place), because the views
    of a replay window hold it."""

    def __init__(self, shiftlog: ShiftLog, state: CityState, cursor: int = 0, done_boot: int = 0):
        self.log = shiftlog
        self.state = state
        self.cursor = cursor
        self.done_boot = done_boot
        self._boots = shiftlog.bootstraps()

    @classmethod
    def at(
        cls,
        shiftlog: ShiftLog,
        upto: int | None,
        *,
        use_checkpoints: bool = True,
        trail_points: int = 512,
    ) -> LogFold:
        """Folded up to ``upto``, from the nearest checkpoint at or before it if allowed (one
        that cannot be read is passed over: the fold starts from empty, slower, as exact)."""
        fold = None
        try:
            cp = shiftlog.checkpoint_at(upto) if use_checkpoints else None
            if cp is not None:
                seq, _digest, data = cp
                reference = None
                if data.get("bootstrap_id") is not None:
                    reference = shiftlog.reference(data["bootstrap_id"])
                state = CityState.from_checkpoint(data, reference)
                fold = cls(shiftlog, state, seq, data.get("bootstrap_id") or 0)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            log.warning("%s: checkpoint before seq %s unreadable (%s)", shiftlog.path, upto, e)
        if fold is None:
            fold = cls(shiftlog, CityState(trail_points))
        fold.forward(upto)
        return fold

    def forward(self, upto: int | None) -> Diff:
        """Fold on to ``upto`` (the end, if None): bootstraps in their places, changes a page
        at a time. Returns what moved (``reset`` when a bootstrap came)."""
        diff = Diff()
        for b in self._boots:
            if b["id"] <= self.done_boot:
                continue
            if upto is not None and b["after_seq"] > upto:
                break
            diff.merge(self._apply_range(b["after_seq"]))
            if b["fresh"]:
                self.state.clear()
            snapshot, reference = self.log.bootstrap(b["id"])
            diff.merge(self.state.bootstrap(snapshot, reference, bootstrap_id=b["id"]))
            self.done_boot = b["id"]
        return diff.merge(self._apply_range(upto))

    def _apply_range(self, upto: int | None) -> Diff:
        """Apply the logged changes in (cursor, upto], a page at a time."""
        diff = Diff()
        while True:
            page = self.log.changes(self.cursor, upto, limit=PAGE)
            if not page:
                if upto is not None:
                    self.cursor = max(self.cursor, upto)
                return diff
            diff.merge(self.state.apply(page))
            self.cursor = page[-1]["seq"]


class Checkpointer:
    """Writes ``state`` into the log every so many items applied (call after each change
    batch with its diff; a batch of fixes counts its fixes, which is what a fold pays for):
    ``every``, or by default CHECKPOINT_ITEMS or RING_SHARE of the state's trail-ring slots,
    whichever is more.

    ``background``: the caller's thread only copies the state (``CityState.copy``: arrays and
    containers, a few ms at 2,000 vehicles and 50,000 cases; it must not change while copied);
    a writer thread hashes, encodes, compresses and writes the copy (at city scale hashing and
    compressing 25 MB of trail rings, which a GUI thread must not spend). ``close()`` waits
    for the last write. The writer rests for ``1 / WRITER_SHARE - 1`` times as long as its
    last write took before the next one starts (the items go on being counted): a fast
    district clock (the demo's 60x) would otherwise keep it busy, each write a burst of work
    that competes with the window for the GIL and the cores, and copies would queue behind it.
    """

    def __init__(self, shiftlog: ShiftLog, every: int | None = None, background: bool = False):
        """``every``: a fixed spacing (tests, ``record --checkpoint-every``); None: the
        console's, CHECKPOINT_ITEMS or RING_SHARE of the rings' slots, whichever is more."""
        self.log = shiftlog
        self.every = every
        self._since = 0
        self._rest_until = 0.0  # monotonic: the background writer's next checkpoint not before
        self._spare: CityState | None = None  # the last copy written, reused for the next
        self._writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpoint")
            if background
            else None
        )

    def after_batch(self, state: CityState, diff: Diff) -> bool:
        self._since += diff.changes + diff.fixes
        if self._since < self._spacing(state) or state.log_seq == 0:
            return False
        if self._writer is not None and time.monotonic() < self._rest_until:
            return False
        self._since = 0
        if self._writer is None:
            self._write(state)
        else:
            self._rest_until = math.inf  # until this write is done
            self._spare = state.copy(into=self._spare)  # (the writer is done with it)
            self._writer.submit(self._write_then_rest, self._spare)
        return True

    def _spacing(self, state: CityState) -> int:
        if self.every is not None:
            return self.every
        slots = len(state.vehicle_ids()) * state.trail_points
        return max(CHECKPOINT_ITEMS, int(RING_SHARE * slots))

    def _write_then_rest(self, state: CityState) -> None:
        start = time.monotonic()
        try:
            self._write(state)
        finally:
            took = time.monotonic() - start
            self._rest_until = time.monotonic() + took * (1.0 / WRITER_SHARE - 1.0)

    def _write(self, state: CityState) -> None:
        try:
            self.log.add_checkpoint(state.log_seq, state.digest(), state.checkpoint())
        except ShiftLogClosed:
            log.info("shift log closed before checkpoint at seq %d was written", state.log_seq)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)


class LiveFold:
    """A recording's state folded alongside it, as a console keeps it: every batch the live
    source delivers goes into ``state`` (read it under ``lock``), with a checkpoint every
    ``checkpoint_every`` items (None: the console's spacing, see Checkpointer). The headless
    recorder, the tests' recorded shifts and the replay benchmark record this way. ``attach``
    the log before the source starts."""

    def __init__(self, checkpoint_every: int | None = None):
        self.state = CityState()
        self.lock = threading.Lock()
        self.every = checkpoint_every
        self.checkpoints: Checkpointer | None = None

    def attach(self, shiftlog: ShiftLog) -> LiveFold:
        self.checkpoints = Checkpointer(shiftlog, every=self.every)
        return self

    def on_batch(self, batch) -> None:
        with self.lock:
            if batch.snapshot is not None:
                self.state.bootstrap(batch.snapshot, batch.reference, batch.bootstrap_id)
            else:
                diff = self.state.apply(batch.changes)
                if self.checkpoints is not None:
                    self.checkpoints.after_batch(self.state, diff)

    def close(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.close()
