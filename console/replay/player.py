"""Replaying a shift log: a cursor in district time and the exact CityState at it.

The replay window, the live console's rewind and the benchmark drive the same ``Replayer``:
``seek(t)`` gives the state after every change logged up to ``t`` (from the nearest checkpoint,
then a fold of the rest, built aside and swapped into the state the views hold);
``play_to(t)`` moves on from where it is by folding only the changes in between, and falls
back to a seek when that would be slower. The ``LogIndex`` (seq, district time and lane of
every change, read without a payload) answers the timeline: densities, events to step to,
idle stretches to skip.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from console.clock import iso_epoch
from console.domain.documents import FixesChange
from console.replay.fold import PAGE, LogFold
from console.state import FIX_FIELDS, CityState, Diff
from console.store.shiftlog import ShiftLog

LANES = ("cases", "fleet", "alerts", "actions")  # the timeline's density rows
LANE_OF_KIND = {"case": 0, "fixes": 1, "vehicle": 1, "sensor": 1, "alert": 2}
EVENT_LANES = (0, 2)  # what stepping and idle-skipping look at (fixes come every 5 s)
TRACK_SLACK_S = 120.0  # fixes arrive after the instant they were taken
FORWARD_ROWS = 600  # beyond this many changes ahead, a seek is faster than folding on
CACHE_ROWS = 200  # the seek cache's closest spacing, in changes
CACHE_BYTES = 256 * 2**20  # its budget: ~70 MB hold an 8-hour shift at the closest spacing
STEP_ROWS = 50  # the cache thread folds this many changes (~5 ms) between pauses
YIELD_S = 0.002  # its pause, for the GUI thread to take the GIL


@dataclass
class LogIndex:
    """Per change: seq, district time ``t`` (made non-decreasing, so time maps to seq by
    bisection), lane; plus the operator's own actions and the bookmarks in district time."""

    seq: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lane: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    arrived: np.ndarray = field(default_factory=lambda: np.zeros(0))
    actions_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bookmarks: list[dict] = field(default_factory=list)

    events: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def read(cls, shiftlog: ShiftLog) -> LogIndex:
        return cls().extend(shiftlog)

    def extend(self, shiftlog: ShiftLog) -> LogIndex:
        """Add the changes logged since the last read (a live log grows while rewound)."""
        return self.add(self.fetch(shiftlog))

    def fetch(self, shiftlog: ShiftLog) -> tuple[list, list[float], list[dict]]:
        """The reading half of ``extend`` (SQLite only: a worker's job while the log is
        live): new changes' rows, the outbox's creation times, the bookmarks."""
        rows = shiftlog.index_rows(int(self.seq[-1]) if len(self.seq) else 0)
        created = [r["created_at"] for r in shiftlog.outbox()]
        return rows, created, shiftlog.bookmarks()

    def add(self, fetched: tuple[list, list[float], list[dict]]) -> LogIndex:
        """The numpy half of ``extend``, on the thread that reads the index."""
        rows, created, bookmarks = fetched
        if len(self.seq):  # a fetch that raced another read of the same rows
            rows = rows[bisect.bisect_right([r[0] for r in rows], int(self.seq[-1])) :]
        if rows:
            seq, ts, kind, arrived = zip(*rows, strict=True)
            t = np.array([iso_epoch(x) for x in ts])
            t = np.where(np.isnan(t), -np.inf, t)  # an unreadable ts sorts with its neighbour
            self.seq = np.r_[self.seq, np.asarray(seq, np.int64)]
            self.t = np.maximum.accumulate(np.r_[self.t, t])
            self.lane = np.r_[self.lane, [LANE_OF_KIND.get(k, 1) for k in kind]].astype(np.int8)
            self.arrived = np.r_[self.arrived, np.asarray(arrived, float)]
        # Actions are stamped with the wall clock; the changes' arrival times map them onto
        # district time (the demo's clock runs faster than the wall).
        if created and len(self.t):
            self.actions_t = np.interp(np.asarray(created, float), self.arrived, self.t)
        self.bookmarks = [
            {**b, "t": iso_epoch(b["at"])} for b in bookmarks if b.get("at") is not None
        ]
        marks = [b["t"] for b in self.bookmarks]
        ev = np.r_[self.t[np.isin(self.lane, EVENT_LANES)], self.actions_t, marks]
        self.events = np.unique(ev[np.isfinite(ev)])
        return self

    def __len__(self) -> int:
        return len(self.seq)

    @property
    def start(self) -> float:
        return float(self.t[0]) if len(self.t) else math.nan

    @property
    def end(self) -> float:
        return float(self.t[-1]) if len(self.t) else math.nan

    def seq_at(self, t: float) -> int:
        """The last seq logged at or before ``t`` (0 before the first)."""
        i = int(np.searchsorted(self.t, t, side="right"))
        return int(self.seq[i - 1]) if i else 0

    def row_of_seq(self, seq: int) -> int:
        return int(np.searchsorted(self.seq, seq, side="right"))

    def density(self, edges: np.ndarray) -> np.ndarray:
        """(len(LANES), len(edges) - 1) counts per lane and time bin."""
        out = np.zeros((len(LANES), len(edges) - 1))
        for lane in range(3):
            out[lane] = np.histogram(self.t[self.lane == lane], edges)[0]
        out[3] = np.histogram(self.actions_t, edges)[0]
        return out

    def event_times(self) -> np.ndarray:
        """Sorted times worth stepping to: case and alert changes, actions, bookmarks."""
        return self.events

    def next_event(self, t: float) -> float | None:
        ev = self.events
        i = int(np.searchsorted(ev, t + 0.5, side="right"))
        return float(ev[i]) if i < len(ev) else None

    def prev_event(self, t: float) -> float | None:
        ev = self.events
        i = int(np.searchsorted(ev, t - 0.5, side="left"))
        return float(ev[i - 1]) if i else None


class SeekCache:
    """Copies of the state every ``stride`` changes, made by one fold over the log in a
    background thread (~1 s for an 8-hour shift); from one, a seek folds at most ``stride``
    changes (the log's own checkpoints are ~1,000 changes apart).

    Held within ``budget`` bytes (``CityState.copy_bytes``: a copy's own containers and
    arrays, ~1 MB on an 8-hour shift, more on a wall's days-long log): when the copies
    outgrow it, every other one goes and the stride doubles, so they stay evenly spread; the
    copy the last seek started from stays, so scrubbing around the cursor stays fast.

    The build folds ``STEP_ROWS`` changes at a time and pauses between steps: the GUI thread
    needs the GIL to paint, and a thread that keeps it for tens of milliseconds is a stall."""

    def __init__(self, budget: int = CACHE_BYTES, rows: int = CACHE_ROWS) -> None:
        self._lock = threading.Lock()
        self.budget = budget
        self.rows = rows
        self.stride = rows
        self.bytes = 0
        self._rows: list[int] = []  # the index row each entry was made at
        self._seqs: list[int] = []
        self._entries: list[tuple[int, int, CityState, int]] = []  # cursor, boot, state, bytes
        self._kept: int | None = None  # the seq of the entry the last seek started from
        self.complete = False

    def build(
        self, shiftlog: ShiftLog, index: LogIndex, stop: threading.Event | None = None
    ) -> None:
        fold = LogFold(shiftlog, CityState())
        done = -1
        for row in range(0, len(index), self.rows):
            if row % self.stride:
                continue  # thinned out already: the fold goes on to the next one kept
            for step in (*range(done + STEP_ROWS, row, STEP_ROWS), row):
                if stop is not None and stop.is_set():
                    return
                fold.forward(int(index.seq[step]))
                time.sleep(YIELD_S)  # let the GUI thread have the GIL between steps
            done = row
            self.add(row, fold.cursor, fold.done_boot, fold.state.copy())
        self.complete = True

    def add(self, row: int, cursor: int, done_boot: int, state: CityState) -> None:
        """Take a copy made at index ``row`` (rows in increasing order), thinning to budget."""
        size = state.copy_bytes()
        with self._lock:
            self._rows.append(row)
            self._seqs.append(cursor)
            self._entries.append((cursor, done_boot, state, size))
            self.bytes += size
        self.fit()

    def fit(self, budget: int | None = None) -> None:
        """Thin to the budget (a new one, if given)."""
        with self._lock:
            self.budget = self.budget if budget is None else budget
            while self.bytes > self.budget and self._thin():
                pass

    def _thin(self) -> bool:
        """Drop every other copy (doubling the stride); False when none could go."""
        stride = 2 * self.stride
        keep = [
            i
            for i, (row, seq) in enumerate(zip(self._rows, self._seqs, strict=True))
            if row % stride == 0 or seq == self._kept
        ]
        if len(keep) == len(self._rows):
            return False
        self.stride = stride
        self._rows = [self._rows[i] for i in keep]
        self._seqs = [self._seqs[i] for i in keep]
        self._entries = [self._entries[i] for i in keep]
        self.bytes = sum(e[3] for e in self._entries)
        return True

    def at(self, seq: int) -> tuple[int, int, CityState] | None:
        """The latest entry at or before ``seq``: a copy of it, to fold on from."""
        with self._lock:
            i = bisect.bisect_right(self._seqs, seq)
            if not i:
                return None
            cursor, done_boot, state, _size = self._entries[i - 1]
            self._kept = cursor
        return cursor, done_boot, state.copy()

    def __len__(self) -> int:
        return len(self._seqs)


class Replayer:
    """The cursor of a replay. ``state`` is the object the views hold: seeks swap new
    contents into it, playing folds into it."""

    def __init__(
        self,
        shiftlog: ShiftLog,
        state: CityState | None = None,
        index: LogIndex | None = None,
    ):
        """``index``: one already read, or an empty one a live console fills in a worker."""
        self.log = shiftlog
        self.state = state if state is not None else CityState()
        self.index = index if index is not None else LogIndex.read(shiftlog)
        self.t = self.index.start
        self._fold: LogFold | None = None
        self.cache = SeekCache()
        self.seeks = 0  # seeks made (playing on makes none): tests and the benchmark read it

    def build_cache(self, stop: threading.Event | None = None) -> None:
        """Fill the seek cache (call from a worker thread; seeks work meanwhile)."""
        self.cache.build(self.log, self.index, stop)

    def refresh(self) -> None:
        """Index what a live log has recorded since (the rewind's timeline grows)."""
        self.index.extend(self.log)

    def seek(self, t: float) -> Diff:
        """The exact state at ``t``: from the nearest checkpoint, built aside, swapped in."""
        seq = self.index.seq_at(t)
        cached = self.cache.at(seq)
        if cached is not None:
            cursor, done_boot, state = cached
            fold = LogFold(self.log, state, cursor, done_boot)
            fold.forward(seq)
        else:
            fold = LogFold.at(self.log, seq)
        self.state.replace_with(fold.state)
        fold.state = self.state
        self._fold, self.t = fold, t
        self.seeks += 1
        return Diff(reset=True, last_seq=seq)

    def play_to(self, t: float) -> Diff:
        """Move to ``t``: folding forward what lies between when that is cheaper than a seek."""
        seq = self.index.seq_at(t)
        fold = self._fold
        if fold is None or seq < fold.cursor:
            return self.seek(t)
        ahead = self.index.row_of_seq(seq) - self.index.row_of_seq(fold.cursor)
        if ahead > FORWARD_ROWS:
            return self.seek(t)
        diff = fold.forward(seq)
        self.t = t
        return diff

    def track(self, vehicle_id: str, t0: float, t1: float) -> dict[str, list]:
        """One vehicle's fixes in [t0, t1] from the log, in the backend track's form (t, lon,
        lat, speed_kmh, heading, flags): the fleet panel's track in a replay. Reads only the
        fix batches (a worker's job: ~1 s for 8 hours)."""
        after = self.index.seq_at(t0 - TRACK_SLACK_S)
        upto = self.index.seq_at(t1 + TRACK_SLACK_S)
        cols: dict[str, list[np.ndarray]] = {k: [] for k in FIX_FIELDS}
        while page := cast(
            "list[FixesChange]", self.log.changes(after, upto, limit=PAGE, kind="fixes")
        ):
            for ch in page:
                mine = np.asarray(ch["vehicle_id"]) == vehicle_id
                if mine.any():
                    for k in FIX_FIELDS:
                        cols[k].append(np.asarray(ch[k])[mine])
            after = page[-1]["seq"]
        if not cols["t"]:
            return {k: [] for k in FIX_FIELDS}
        arr = {k: np.concatenate(v) for k, v in cols.items()}
        keep = (arr["t"] >= t0) & (arr["t"] <= t1)
        order = np.argsort(arr["t"][keep], kind="stable")
        return {k: v[keep][order].tolist() for k, v in arr.items()}

    def detach(self) -> None:
        """The state object shows something else now (the live console is back to live):
        the next move seeks instead of folding on from where this replay left it."""
        self._fold = None

    @property
    def seq(self) -> int:
        return self._fold.cursor if self._fold is not None else 0
