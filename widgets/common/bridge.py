"""The Qt bridge: batches from the sync worker reach CityState on the GUI thread, per frame.

The worker only appends to a queue (thread-safe, never blocks on Qt). A timer on the GUI
thread (~10 Hz) drains it into CityState within a time budget, so a burst of thousands of
changes after a reconnect is spread over frames instead of freezing the window, and emits
**one** ``changed`` signal per tick with the merged Diff, so views redraw once per frame for
whatever moved. QtCore only: no widgets here.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from console.replay.fold import Checkpointer
from console.state import CityState, Diff

log = logging.getLogger(__name__)


class StateBridge(QObject):
    changed = Signal(object)  # Diff: what moved since the last tick
    health_changed = Signal(object)  # console.sync.live.Health

    def __init__(
        self,
        state: CityState,
        *,
        checkpointer: Checkpointer | None = None,
        health=None,
        hz: float = 10.0,
        budget_ms: float = 30.0,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.state = state
        self.checkpointer = checkpointer
        self._health_fn = health  # callable returning the source's Health, polled per tick
        self._last_health = None
        self.budget_s = budget_ms / 1000.0
        self._queue: collections.deque = collections.deque()
        self._lock = threading.Lock()
        self.applied = 0
        self.ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / hz))
        self._timer.timeout.connect(self.drain)
        self._timer.start()

    def submit(self, batch) -> None:
        """From any thread: queue a ``console.sync.live.Batch`` for the next tick."""
        with self._lock:
            self._queue.append(batch)

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def drain(self) -> Diff:
        """Apply queued batches until the queue is empty or the frame budget is spent."""
        diff = Diff()
        deadline = time.perf_counter() + self.budget_s
        while time.perf_counter() < deadline:
            with self._lock:
                if not self._queue:
                    break
                batch = self._queue.popleft()
            if batch.snapshot is not None:
                d = self.state.bootstrap(batch.snapshot, batch.reference, batch.bootstrap_id)
            else:
                d = self.state.apply(batch.changes)
                if self.checkpointer is not None:
                    self.checkpointer.after_batch(self.state, d)
            diff.merge(d)
            self.applied += d.changes
        self.ticks += 1
        if diff:
            self.changed.emit(diff)
        if self._health_fn is not None:
            h = self._health_fn()
            if h != self._last_health:
                self._last_health = h
                self.health_changed.emit(h)
        return diff

    def stop(self) -> None:
        self._timer.stop()
