"""How ``python main.py`` starts: a window at once, then the console when it can be had.

The embedded demo's backend takes seconds to start (its district, grid, simulator), and the
console's own window needs a logged-in session and its heavy widgets (pyqtgraph, the map,
the panels). Done one after the other, as before, the operator looked at nothing for ~5 s.
Here the first window (``StartupWindow``) shows before anything heavy is imported; the demo's
child process starts next, so that it loads on the other core while this process loads the
console's widgets; a thread waits for the backend and logs in; and the console's window
replaces the first one when both are ready. ``console.startup`` logs each milestone
(``main.py bench startup`` reads them).

This module is light on purpose: Qt's widgets, the theme and the demo's process handle only.
``--backend URL`` starts with the login dialog instead, which needs no backend to show.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from console import CommandError, startup
from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
from console.paths import data_dir
from widgets.app.startup_window import StartupWindow
from widgets.common.i18n import set_language
from widgets.common.style import apply_theme

if TYPE_CHECKING:
    from console.session import Session
    from console.tiles.config import SourceConfig

log = logging.getLogger(__name__)


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
    screenshot_zoom: float | None = None,
    quit_after: float | None = None,
    jt808_share: float | None = None,
    basemap: Sequence[SourceConfig] = (),
) -> int:
    """``python main.py`` (embedded demo) or ``python main.py --backend URL`` (login);
    ``jt808_share`` of the demo's fleet reports over JT/T 808 (``serve --jt808-share``)."""
    shifts = data_dir() / "shifts"
    shifts.mkdir(parents=True, exist_ok=True)
    quit_after = quit_after or (20.0 if screenshot else None)
    sound = sound and screenshot is None
    if backend is not None:
        app = qt_app(lang, theme, offscreen_ok=screenshot is not None)
        return _run_with_login(
            app,
            backend,
            user,
            shifts,
            theme,
            sound,
            screenshot,
            quit_after,
            basemap,
            screenshot_zoom,
        )

    # The demo's child first: its start is the longest wait, and it runs on the other core.
    demo = DemoProcess(
        fresh_sqlite(data_dir() / "demo.db"),
        speed=speed,
        auto_centre=auto_centre,
        jt808_share=jt808_share,
    )
    demo.spawn()
    try:
        app = qt_app(lang, theme, offscreen_ok=screenshot is not None)
    except CommandError:
        demo.stop()
        raise
    first = StartupWindow()
    first.show()
    app.processEvents()
    startup.reached(startup.WINDOW)
    # Each demo run is its own district: its own log file, not today's operator log.
    login = DemoLogin(demo, shifts / f"demo-{datetime.now():%Y%m%d-%H%M%S}.zhcg")
    consoles: list = []
    widgets_loaded = False

    def open_console() -> None:
        if login.session is None or not widgets_loaded:
            return  # the other half is not ready yet
        from widgets.app.console_app import ConsoleApp

        console = ConsoleApp(
            login.session,
            theme=theme,
            sound=sound,
            basemap=basemap,
            screenshot_zoom=screenshot_zoom,
        )
        consoles.append(console)
        window = console.start()
        window.resize(1920, 1080)
        first.close()
        if screenshot:
            console.arm(screenshot, quit_after)

    def load_console() -> None:
        # On the GUI thread (widget modules), after the first window has painted.
        nonlocal widgets_loaded
        importlib.import_module("widgets.app.console_app")
        widgets_loaded = True
        open_console()

    login.backend_ready.connect(first.logging_in)
    login.ready.connect(open_console)
    login.failed.connect(first.failed)
    if quit_after and not screenshot:
        QTimer.singleShot(int(quit_after * 1000), QApplication.quit)
    elif screenshot:
        # A start that never gets its console still ends (the screenshot is then the reason).
        login.failed.connect(lambda _r: QTimer.singleShot(2000, QApplication.quit))
    login.start()
    QTimer.singleShot(0, load_console)
    try:
        return app.exec()
    finally:
        for console in consoles:
            console.finish()
        login.join()
        if login.session is not None and not consoles:
            login.session.stop()
        demo.stop()


class DemoLogin(QObject):
    """Waits for the demo's backend and logs in, in a thread; says how it went by signals
    (delivered on the GUI thread)."""

    backend_ready = Signal()
    ready = Signal()
    failed = Signal(str)

    def __init__(self, demo: DemoProcess, log_path: Path):
        super().__init__()
        self.demo = demo
        self.log_path = log_path
        self.session: Session | None = None
        self._thread = threading.Thread(target=self._run, name="demo-login", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            self.demo.wait_ready()
            self.backend_ready.emit()
            from console.session import Session

            self.session = Session(self.demo.url, DEMO_USER, DEMO_PASSWORD, self.log_path)
        except Exception as e:  # the window says it; the log keeps the traceback
            log.exception("the demo did not start")
            self.failed.emit(str(e))
            return
        self.ready.emit()


def _run_with_login(
    app: QApplication,
    backend: str,
    user: str | None,
    shifts: Path,
    theme: str,
    sound: bool,
    screenshot: str | None,
    quit_after: float | None,
    basemap: Sequence[SourceConfig],
    screenshot_zoom: float | None,
) -> int:
    from console.session import Session, shift_log_name
    from widgets.app.console_app import ConsoleApp
    from widgets.dialogs.login import LoginDialog

    def make_session(url: str, username: str, password: str) -> Session:
        return Session(url, username, password, shifts / shift_log_name(username))

    dlg = LoginDialog(backend, make_session, user or "")
    if dlg.exec() != LoginDialog.DialogCode.Accepted:
        return 1
    console = ConsoleApp(
        dlg.session, theme=theme, sound=sound, basemap=basemap, screenshot_zoom=screenshot_zoom
    )
    window = console.start()
    window.resize(1920, 1080)
    return console.exec(app, screenshot, quit_after)


def qt_app(lang: str, theme: str, offscreen_ok: bool = False) -> QApplication:
    """The application object, themed and translated, for any window this package opens;
    CommandError, saying why, when no window can open here."""
    problem = display_problem(offscreen_ok)
    if problem:
        raise CommandError(problem)
    # The GUI thread calls into Python for every table cell it paints; a worker holding the
    # GIL can make each call wait up to the switch interval (5 ms by default).
    sys.setswitchinterval(0.001)
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv))
    app.setApplicationName("zhcg-console")
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
