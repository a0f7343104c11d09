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
from datetime import date, datetime
from typing import cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from console import CommandError
from console.clock import VirtualClock
from console.replay.alert_digest import log_digest
from console.replay.fold import Checkpointer
from console.session import Session
from console.state import CityState
from console.store.shiftlog import ShiftLog
from widgets.app.main_window import MainWindow
from widgets.common.bridge import StateBridge
from widgets.common.i18n import set_language
from widgets.common.style import apply_theme
from widgets.common.workers import Workers
from widgets.timeline.controller import ReplayController

log = logging.getLogger(__name__)


class ConsoleApp(QObject):
    outcomes = Signal(object)  # console.sync.outbox.Outcome, delivered on the GUI thread
    view_changed = Signal(object)  # Diff of what the window shows (live, or a replay's)

    def __init__(
        self,
        session: Session | None,
        *,
        replay_log: ShiftLog | None = None,
        theme: str = "dark",
        sound: bool = True,
        banner: str = "",
        checkpoint_every: int = 20_000,
        rewind: bool = True,
    ):
        """``rewind``: a live console can rewind its own log (the timeline); a wall, which
        never does, skips the log index that would grow with every change for months."""
        super().__init__()
        self.session = session
        self.theme = theme
        self.sound = sound
        self.banner = banner
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
        for ~250 ms each (measured with ``bench gui``). What an earlier freeze kept is let go
        first (one full pass per bootstrap: a wall re-bootstraps daily, and frozen garbage
        would never be collected)."""
        if diff.reset:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            _trim_heap()

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
        return self._rebuild()

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
        if screenshot:
            self.screenshot_later(screenshot, quit_after or 0.0)
        elif quit_after:
            QTimer.singleShot(int(quit_after * 1000), app.quit)
        try:
            return app.exec()
        finally:
            if self.window is not None:
                self.window.save_layout()
            self.stop()

    def screenshot_later(self, path: str, after_s: float, quit_after: bool = True) -> None:
        def shoot():
            # Show a case in the detail too: the queue's first row, the most urgent one.
            w = self.window
            if w.case_model.rowCount():
                w.queues.table.selectRow(0)
            QApplication.processEvents()
            w.grab().save(path)
            log.info("screenshot saved to %s", path)
            if quit_after:
                QApplication.instance().quit()

        QTimer.singleShot(int(after_s * 1000), shoot)


def run(
    *,
    backend: str | None,
    user: str | None,
    lang: str = "zh",
    theme: str = "dark",
    speed: float = 20.0,
    auto_centre: bool = True,
    sound: bool = True,
    screenshot: str | None = None,
    quit_after: float | None = None,
) -> int:
    """``python main.py`` (embedded demo) or ``python main.py --backend URL`` (login)."""
    app = qt_app(lang, theme, offscreen_ok=screenshot is not None)

    from console.demo import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
    from console.paths import data_dir
    from console.session import shift_log_name
    from widgets.dialogs.login import LoginDialog

    shifts = data_dir() / "shifts"
    shifts.mkdir(parents=True, exist_ok=True)

    def make_session(url: str, username: str, password: str) -> Session:
        return Session(url, username, password, shifts / shift_log_name(username))

    demo = None
    session: Session | None
    if backend is None:
        demo = DemoProcess(
            fresh_sqlite(data_dir() / "demo.db"), speed=speed, auto_centre=auto_centre
        ).start()
        # Each demo run is its own district: its own log file, not today's operator log.
        session = Session(
            demo.url,
            DEMO_USER,
            DEMO_PASSWORD,
            shifts / f"demo-{datetime.now():%Y%m%d-%H%M%S}.zhcg",
        )
    else:
        dlg = LoginDialog(backend, make_session, user or "")
        if dlg.exec() != LoginDialog.DialogCode.Accepted:
            return 1
        session = dlg.session
    console = ConsoleApp(session, theme=theme, sound=sound and screenshot is None)
    window = console.start()
    window.resize(1920, 1080)
    try:
        return console.exec(app, screenshot, quit_after or (20.0 if screenshot else None))
    finally:
        if demo is not None:
            demo.stop()


def qt_app(lang: str, theme: str, offscreen_ok: bool = False) -> QApplication:
    """The application object, themed and translated, for any window this package opens;
    CommandError, saying why, when no window can open here."""
    import sys

    import pyqtgraph as pg

    problem = display_problem(offscreen_ok)
    if problem:
        raise CommandError(problem)
    # The GUI thread calls into Python for every table cell it paints; a worker holding the
    # GIL can make each call wait up to the switch interval (5 ms by default).
    sys.setswitchinterval(0.001)
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv))
    app.setApplicationName("zhcg-console")
    pg.setConfigOptions(antialias=True)
    apply_theme(app, theme)
    set_language(lang)
    return app


def display_problem(offscreen_ok: bool) -> str | None:
    """Why Qt could not open a window here, said plainly instead of Qt's abort; None if fine.
    A screenshot needs no screen: it renders offscreen."""
    import ctypes.util
    import os

    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if offscreen_ok:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            return None
        return (
            "no display: run the console in a desktop session, under `xvfb-run -a`, or "
            "with --screenshot PATH --quit-after S (renders offscreen)"
        )
    if (
        os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and ctypes.util.find_library("xcb-cursor") is None
    ):
        return (
            "Qt 6 needs libxcb-cursor0 for X11 windows: sudo apt install libxcb-cursor0 "
            "(Debian/Ubuntu) or dnf install xcb-util-cursor (Fedora)"
        )
    return None


def _trim_heap() -> None:
    """Give the memory a bootstrap's snapshot and reference took (parsed in the sync thread's
    malloc arena, then freed) back to the system: glibc keeps freed arena memory otherwise,
    and a wall that re-bootstraps every district midnight grew ~40 MB RSS a day (``bench
    wall_soak``). No-op where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
