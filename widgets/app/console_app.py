"""The running console: one CityState, one bridge, one session, and the window showing them.

Owns what outlives a window: switching language or theme rebuilds the window on the same
state, bridge and session (nothing is re-fetched; the layout is saved and restored), so a
switch in the middle of a shift loses nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
from collections.abc import Sequence
from datetime import date, datetime
from typing import cast

import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from console import startup
from console.clock import VirtualClock
from console.replay.alert_digest import log_digest
from console.replay.fold import Checkpointer
from console.session import Session
from console.state import CityState
from console.store.shiftlog import ShiftLog
from console.tiles.config import SourceConfig
from console.tiles.defaults import demo_sources
from widgets.app.main_window import MainWindow
from widgets.common.bridge import StateBridge
from widgets.common.i18n import set_language
from widgets.common.style import apply_theme
from widgets.common.workers import Workers
from widgets.timeline.controller import ReplayController

#: How often a console without a basemap looks for the demo's first build (a file check).
BASEMAP_POLL_MS = 10_000
#: A zoomed screenshot waits this long for the basemap's tiles.
SCREENSHOT_TILES_MS = 3000
log = logging.getLogger(__name__)


class ConsoleApp(QObject):
    outcomes = Signal(object)  # console.sync.outbox.Outcome, delivered on the GUI thread
    view_changed = Signal(object)  # Diff of what the window shows (live, or a replay's)
    basemap_found = Signal(object)  # the demo basemap's sources, once its first build is done

    def __init__(
        self,
        session: Session | None,
        *,
        replay_log: ShiftLog | None = None,
        theme: str = "dark",
        sound: bool = True,
        banner: str = "",
        checkpoint_every: int | None = None,
        rewind: bool = True,
        basemap: Sequence[SourceConfig] = (),
        screenshot_zoom: float | None = None,
    ):
        """``rewind``: a live console can rewind its own log (the timeline); a wall, which
        never does, skips the log index that would grow with every change for months."""
        super().__init__()
        # Antialiased plots for every window of the console (set before the first plot item).
        pg.setConfigOptions(antialias=True)
        self.session = session
        self.theme = theme
        self.sound = sound
        self.banner = banner
        # The basemap sources on offer (console.tiles.defaults) and the one shown: kept here so
        # a window rebuilt for a language or theme switch shows the same one.
        self.basemap = list(basemap)
        self.basemap_opacity: float | None = None  # set from the menu; else the source's own
        #: A screenshot zooms the map onto its selected case, this many metres across (docs).
        self.screenshot_zoom_m = screenshot_zoom
        # None configured: the demo's own basemap, asked for again until it is built (the
        # first start builds it in the background; console.tiles.defaults.demo_sources).
        self._demo_basemap = not self.basemap
        self._basemap_poll = QTimer(self, interval=BASEMAP_POLL_MS)
        self._basemap_poll.timeout.connect(self._poll_basemap)
        if self._demo_basemap:
            self.basemap = demo_sources(theme)
            if not self.basemap:
                self._basemap_poll.start()
        self.basemap_choice: int | None = 0 if self.basemap else None
        self.state = CityState()
        self._clock = VirtualClock()
        self._clock_lock = threading.Lock()
        self.workers = Workers(parent=self)
        self.workers.notice = self.notice
        self.checkpointer = (
            Checkpointer(session.shiftlog, every=checkpoint_every, background=True)
            if session
            else None
        )
        self.bridge = StateBridge(
            self.state,
            checkpointer=self.checkpointer,
            health=(lambda: session.live.health) if session else None,
        )
        self.window: MainWindow | None = None
        self.view_time: float | None = None  # the instant shown when not live (replay, rewind)
        self.bridge.changed.connect(self._after_bootstrap)
        self.bridge.changed.connect(self._startup_milestones)
        self.bridge.changed.connect(self._forward_live)
        log_ = (session.shiftlog if rewind else None) if session is not None else replay_log
        self.replay_log = replay_log
        self.replay = (
            ReplayController(self, log_, live=session is not None) if log_ is not None else None
        )
        self.read_only = session is None
        user = session.user if session else {}
        self.user_id = user.get("id")
        self.user_label = user.get("name", "")
        if session is not None:
            session.live.on_batch = self._on_batch
            session.on_roll = self._on_roll
            session.outbox.on_outcome = self.outcomes.emit

    # ---- data path -------------------------------------------------------------------------
    def _on_batch(self, batch) -> None:
        """Sync thread: follow the backend's clock at each bootstrap, then queue the batch."""
        snap = batch.snapshot
        if snap is not None and snap.get("server_time"):
            try:
                clock = VirtualClock(
                    speed=float(snap.get("speed") or 1.0),
                    start=datetime.fromisoformat(snap["server_time"]),
                )
            except (TypeError, ValueError) as e:
                log.warning("snapshot clock unreadable: %s", e)
            else:
                with self._clock_lock:
                    self._clock = clock
        self.bridge.submit(batch)

    def _on_roll(self, new: ShiftLog) -> None:
        """Live thread: the session writes the next day's file; checkpoints go there too."""
        if self.checkpointer is not None:
            self.checkpointer.log = new

    @staticmethod
    def _after_bootstrap(diff) -> None:
        """The reference (grid outlines: ~10^5 small lists) and the snapshot live for the whole
        shift: freeze them out of the cyclic GC, whose full passes over them paused the window
        for ~250 ms each (measured with ``bench gui``). The first freeze follows a pass over
        the young generations only: the old one holds what start-up made to keep (a full pass
        was ~190 ms of the first picture's stall at 2,000 vehicles). A later bootstrap lets go
        of what the earlier freeze kept first, with one full pass (a wall re-bootstraps daily;
        frozen garbage in cycles would never be collected: frozen objects that lost their
        last reference are freed as any others)."""
        if diff.reset:
            if gc.get_freeze_count():
                gc.unfreeze()
                gc.collect()
            else:
                gc.collect(1)
            gc.freeze()
            _trim_heap()

    @staticmethod
    def _startup_milestones(diff) -> None:
        if diff.reset:
            startup.reached(startup.DISTRICT)
        elif diff:
            startup.reached(startup.LIVE)

    def _forward_live(self, diff) -> None:
        """Live batches reach the window only while it shows the live state."""
        if self.view_time is None:
            self.view_changed.emit(diff)

    def now(self) -> float:
        """District time shown, epoch seconds: the live clock, or the replay's cursor."""
        return self.live_now() if self.view_time is None else self.view_time

    def live_now(self) -> float:
        with self._clock_lock:
            return self._clock.epoch()

    def set_view_time(self, t: float | None) -> None:
        self.view_time = t

    def vehicle_track(self, vehicle_id: str, params: dict) -> dict:
        """Worker: a vehicle's track over ``params`` {"from", "to"} (ISO): the backend's
        live, the shift log's in a replay."""
        if self.session is not None:
            return self.session.fetch(f"/api/v1/vehicles/{vehicle_id}/track", **params)
        t0, t1 = (datetime.fromisoformat(params[k]).timestamp() for k in ("from", "to"))
        assert self.replay is not None  # no session: a replay
        return self.replay.replayer.track(vehicle_id, t0, t1)

    def alert_digest(self, day: date) -> dict:
        """Worker: the alert digest of one China-time day: the backend's live, computed from
        the shift log in a replay."""
        if self.session is not None:
            return self.session.fetch("/api/v1/alerts/digest", date=day.isoformat())
        assert self.replay_log is not None  # no session: a replay
        return log_digest(self.replay_log, day)

    def notice(self, text: str, level: str = "info") -> None:
        """A non-blocking message in the window's status bar (the log only before it shows)."""
        if self.window is not None:
            self.window.status.show_notice(text, level)
        else:
            log.info("notice (no window yet): %s", text)

    def outbox_pending(self) -> int:
        return self.session.outbox.pending() if self.session else 0

    # ---- window ----------------------------------------------------------------------------
    def show(self) -> MainWindow:
        self.window = MainWindow(self)
        self.window.language_requested.connect(self.switch_language)
        self.window.theme_requested.connect(self.switch_theme)
        self.window.show()
        self.window.on_diff_all()
        startup.reached(startup.WINDOW)
        startup.reached(startup.CONSOLE)
        return self.window

    def _rebuild(self) -> MainWindow:
        old = self.window
        assert old is not None  # a rebuild follows show()
        old.save_layout()
        old.hide()
        window = self.show()
        old.deleteLater()
        return window

    def switch_language(self, lang: str) -> MainWindow:
        set_language(lang)
        return self._rebuild()

    def switch_theme(self, name: str) -> MainWindow:
        self.theme = name
        apply_theme(cast(QApplication, QApplication.instance()), name)
        if self._demo_basemap and self.basemap_choice is not None:
            # the demo basemap of the new theme, where it is built (else the other stays)
            self.basemap = demo_sources(name) or self.basemap
            self.basemap_choice = 0
        return self._rebuild()

    def _poll_basemap(self) -> None:
        """Until the demo basemap's first build is done: then it is shown, as if it had been
        there at the start."""
        found = demo_sources(self.theme)
        if not found:
            return
        self._basemap_poll.stop()
        self.basemap = found
        self.basemap_choice = 0
        if self.window is not None:
            self.window.basemap_arrived()
        self.basemap_found.emit(found)

    def start(self) -> MainWindow:
        if self.session is not None:
            self.session.start()
        return self.show()

    def stop(self) -> None:
        if self.replay is not None:
            self.replay.stop()
        self.bridge.stop()
        self.workers.shutdown()
        if self.checkpointer is not None:
            self.checkpointer.close()  # the last checkpoint lands before the log closes
        if self.session is not None:
            self.session.stop()

    def exec(self, app: QApplication, screenshot: str | None, quit_after: float | None) -> int:
        """Run the window until it closes (or, with ``quit_after``, for that long; with
        ``screenshot``, save it then and quit); the layout is saved and everything stopped."""
        self.arm(screenshot, quit_after)
        try:
            return app.exec()
        finally:
            self.finish()

    def arm(self, screenshot: str | None, quit_after: float | None) -> None:
        """``exec``'s timers, for a caller whose event loop already runs (``console_start``)."""
        if screenshot:
            self.screenshot_later(screenshot, quit_after or 0.0)
        elif quit_after:
            QTimer.singleShot(int(quit_after * 1000), QApplication.quit)

    def finish(self) -> None:
        """Save the window's layout and stop everything (the end of ``exec``)."""
        if self.window is not None:
            self.window.save_layout()
        self.stop()

    def screenshot_later(self, path: str, after_s: float, quit_after: bool = True) -> None:
        def prepare():
            # Show a case in the detail too: the queue's first row, the most urgent one.
            w = self.window
            if w.case_model.rowCount():
                w.queues.table.selectRow(0)
                case_id = w.case_model.case_id(0)
                if self.screenshot_zoom_m and case_id:
                    w.map.zoom_to_case(case_id, self.screenshot_zoom_m)
                    # the basemap's tiles arrive from its worker threads
                    QTimer.singleShot(SCREENSHOT_TILES_MS, lambda: shoot(w))
                    return
            shoot(w)

        def shoot(w) -> None:
            QApplication.processEvents()
            w.grab().save(path)
            log.info("screenshot saved to %s", path)
            if quit_after:
                QApplication.quit()

        QTimer.singleShot(int(after_s * 1000), prepare)


def _trim_heap() -> None:
    """Give the memory a bootstrap's snapshot and reference took (parsed in the sync thread's
    malloc arena, then freed) back to the system: glibc keeps freed arena memory otherwise,
    and a wall that re-bootstraps every district midnight grew ~40 MB RSS a day (``bench
    wall_soak``). No-op where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
