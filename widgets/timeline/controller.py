"""The replay cursor on the GUI thread: play, pause, speeds, stepping, loop, idle skipping, and
the live console's rewind.

One controller serves both uses. **Replay** (``python main.py replay``): the window shows a
``Replayer`` over the file and nothing else. **Live rewind**: the window shows the live state
until the operator drags the timeline back; then the live state is moved aside (the bridge
goes on folding the feed into it, the recording goes on), the window's state object is refilled
from the log at the chosen instant, new alerts are counted for the badge, and "back to live"
moves the live state back in. Views never notice the swap: they hold one CityState object and
get a ``reset`` diff.
"""

from __future__ import annotations

import gc
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from console.replay.player import LogIndex, Replayer
from console.state import CityState, Diff
from console.store.shiftlog import ShiftLog

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
TICK_MS = 40  # 25 Hz: the cursor moves smoothly; the map redraws at its own rate
IDLE_WALL_S = 2.0  # skip a stretch with no event that would take longer than this to watch
IDLE_MIN_S = 60.0  # ... and is at least this long in district time
LIVE_INDEX_S = 5.0  # how often the live timeline reads what the log recorded since


class ReplayController(QObject):
    moved = Signal(float)  # the cursor, district epoch seconds
    play_state = Signal(bool)  # playing or not
    live_changed = Signal(bool)  # True: the window shows the live state
    badge = Signal(int)  # alerts raised live while rewound
    index_changed = Signal()  # the log grew or its bookmarks changed

    def __init__(self, app, shiftlog: ShiftLog, *, live: bool):
        """``app``: the ConsoleApp (state, bridge, view_changed, now); ``live``: rewind mode
        on a log that is being recorded, else a replay of a finished file."""
        super().__init__(app)
        self.app = app
        self.live_mode = live
        # Live, the index is read in a worker (the log may hold hours already); a replay
        # reads it here, before its first seek.
        self.replayer = Replayer(shiftlog, app.state, LogIndex() if live else None)
        self.speed = 1.0
        self.playing = False
        self.skip_idle = False
        self.loop: tuple[float, float] | None = None
        self.rewound = False
        self.new_alerts = 0
        self._live_state: CityState | None = None
        self._cache_stop = threading.Event()
        self._cache_thread: threading.Thread | None = None
        self._last_wall = time.monotonic()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._index_timer = QTimer(self, interval=int(LIVE_INDEX_S * 1000))
        self._index_timer.timeout.connect(self.refresh_index)
        if live:
            app.bridge.changed.connect(self._on_live_diff)
            self._index_timer.start()
            self.refresh_index()
        else:
            self.start_cache()

    def start_cache(self) -> None:
        """Build the seek cache in the background (once): seeks are exact before it is
        ready, only slower."""
        if self._cache_thread is None:
            self._cache_thread = threading.Thread(
                target=self._build_cache, name="seek-cache", daemon=True
            )
            self._cache_thread.start()

    def _build_cache(self) -> None:
        """The cache thread. A full collection walks every object the process holds
        (~190,000 with the replay window up, ~250,000 with the cache: 80-120 ms with the GIL
        held, a stall of the window), and the build's allocations set some off: what exists
        when it starts, and the cache once built, leave the collector's walks (frozen:
        reference counting still frees them; only a reference cycle among them would outlive
        its use). Given back instead, the next full collection stalled playback ~120 ms."""
        gc.freeze()
        self.replayer.build_cache(self._cache_stop)
        gc.freeze()

    def stop(self) -> None:
        self.pause()
        self._index_timer.stop()
        self._cache_stop.set()

    # ---- where the cursor can go -----------------------------------------------------------
    @property
    def t(self) -> float:
        return self.replayer.t if (self.rewound or not self.live_mode) else self.app.live_now()

    def span(self) -> tuple[float, float]:
        """The timeline's extent: the log's first change to its last (live: to now)."""
        idx = self.replayer.index
        start = idx.start if len(idx) else self.app.live_now()
        end = self.app.live_now() if self.live_mode else idx.end
        return start, max(end, start + 60.0)

    def refresh_index(self) -> None:
        """Index what the log recorded since: read in a worker, added on this thread."""
        index = self.replayer.index

        def done(fetched) -> None:
            index.add(fetched)
            self.index_changed.emit()

        # A failed read is the default path's: logged, and said in the status bar.
        self.app.workers.submit(
            lambda: index.fetch(self.replayer.log), done, self, what=self.tr("读取时间轴索引")
        )

    # ---- moving ----------------------------------------------------------------------------
    def seek(self, t: float) -> None:
        """Show the state at ``t`` (clamped to the span); in live mode, at or past now is
        back to live."""
        start, end = self.span()
        t = min(max(t, start), end)
        if self.live_mode and t >= self.app.live_now() - 1.0:
            self.back_to_live()
            return
        self._enter_rewind()
        self._show(self.replayer.seek(t))

    def step(self, direction: int) -> None:
        idx = self.replayer.index
        t = idx.next_event(self.t) if direction > 0 else idx.prev_event(self.t)
        if t is not None:
            self.seek(t)

    def home(self) -> None:
        self.seek(self.span()[0])

    def end(self) -> None:
        self.seek(self.span()[1])

    def set_speed(self, speed: float) -> None:
        self.speed = float(speed)

    def set_loop(self, loop: tuple[float, float] | None) -> None:
        self.loop = (min(loop), max(loop)) if loop else None

    def play(self) -> None:
        if self.live_mode and not self.rewound:
            return  # live is already "playing"
        self.playing = True
        self._last_wall = time.monotonic()
        self._timer.start()
        self.play_state.emit(True)

    def pause(self) -> None:
        self.playing = False
        self._timer.stop()
        self.play_state.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        now = time.monotonic()
        dt, self._last_wall = now - self._last_wall, now
        t = self.replayer.t + dt * self.speed
        if self.skip_idle:
            t = self._past_idle(t)
        start, end = self.span()
        if self.loop and t >= self.loop[1]:
            self._show(self.replayer.seek(self.loop[0]))
            return
        if self.live_mode and t >= self.app.live_now() - 1.0:
            self.back_to_live()
            return
        if t >= end:
            t = end
            self.pause()
        self._show(self.replayer.play_to(t))

    def _past_idle(self, t: float) -> float:
        """Jump to just before the next event when the stretch to it is idle and long."""
        nxt = self.replayer.index.next_event(self.replayer.t)
        if nxt is None or nxt <= t:
            return t
        gap = nxt - self.replayer.t
        if gap >= IDLE_MIN_S and gap / self.speed > IDLE_WALL_S:
            return max(t, nxt - self.speed * 0.5)
        return t

    def _show(self, diff: Diff) -> None:
        self.app.set_view_time(self.replayer.t)
        if diff:
            self.app.view_changed.emit(diff)
        self.moved.emit(self.replayer.t)

    # ---- live rewind -----------------------------------------------------------------------
    def _enter_rewind(self) -> None:
        if not self.live_mode or self.rewound:
            return
        live = CityState(self.app.state.trail_points)
        live.replace_with(self.app.state)
        self._live_state = live
        self.app.bridge.state = live  # the feed goes on into the live state, aside
        self.replayer.state = self.app.state
        self.replayer.refresh()
        self.start_cache()
        self.rewound = True
        self.new_alerts = 0
        self.badge.emit(0)
        self.live_changed.emit(False)

    def back_to_live(self) -> None:
        if self.playing:
            self.pause()
        if not self.rewound:
            self.moved.emit(self.t)
            return
        self.app.state.replace_with(self._live_state)
        self.app.bridge.state = self.app.state
        self.replayer.detach()
        self._live_state = None
        self.rewound = False
        self.app.set_view_time(None)
        self.new_alerts = 0
        self.badge.emit(0)
        self.app.view_changed.emit(Diff(reset=True))
        self.live_changed.emit(True)
        self.moved.emit(self.t)

    def _on_live_diff(self, diff: Diff) -> None:
        if self.rewound and diff.alerts_raised:
            self.new_alerts += len(diff.alerts_raised)
            self.badge.emit(self.new_alerts)
        elif not self.rewound:
            self.moved.emit(self.t)

    def live_seq(self) -> int:
        state = self._live_state if self.rewound else self.app.state
        assert state is not None  # rewound: the live state is kept aside
        return state.log_seq

    def bookmark_position(self) -> tuple[int, float]:
        """(seq, district time) a bookmark made now refers to: what the window shows."""
        if self.rewound or not self.live_mode:
            return self.replayer.seq, self.replayer.t
        return self.app.state.log_seq, self.app.live_now()
