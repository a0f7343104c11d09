"""An agenda of simulated actions on district time, run in order by a thread of its own.

The case desks, the 养护 crews and the enforcement officers each keep one: an actor whose
steps are slow (an enforcement case's several posts, a work order's) then never holds up
another's, so the desks keep the pace test_sim measures even while the other systems are busy.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from console.clock import VirtualClock

log = logging.getLogger(__name__)


class Agenda:
    def __init__(self, clock: VirtualClock, stop: threading.Event, name: str):
        self.clock, self.stop, self.name = clock, stop, name
        self._queue: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._cv = threading.Condition()
        self._seq = itertools.count()  # ties at one instant run in the order scheduled

    def schedule(self, at: float, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on this agenda's thread at district epoch ``at``."""
        with self._cv:
            heapq.heappush(self._queue, (at, next(self._seq), fn, args))
            self._cv.notify()

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self._run, name=self.name, daemon=True)
        t.start()
        return t

    def wake(self) -> None:
        """After ``stop`` is set: the thread leaves its wait at once."""
        with self._cv:
            self._cv.notify_all()

    def sleep_until(self, t: float) -> bool:
        """Sleep (real time) until district time ``t``; False if stopped meanwhile."""
        while not self.stop.is_set():
            wait = (t - self.clock.epoch()) / self.clock.speed
            if wait <= 0:
                return True
            self.stop.wait(min(wait, 0.5))
        return False

    def _run(self) -> None:
        while not self.stop.is_set():
            with self._cv:
                while not self._queue and not self.stop.is_set():
                    self._cv.wait(0.5)
                if self.stop.is_set():
                    return
                at = self._queue[0][0]
            if not self.sleep_until(at):
                return
            with self._cv:
                if not self._queue or self._queue[0][0] > self.clock.epoch():
                    continue  # something earlier arrived meanwhile; re-evaluate
                _, _, fn, args = heapq.heappop(self._queue)
            try:
                fn(*args)
            except Exception:
                log.exception("simulated action on %s failed", self.name)
