"""Start-up: the first window and what it says, the demo's start failing visibly (never a
crash or a silent hang), and the milestones logged once each."""

from __future__ import annotations

import logging
import os
import sys

from console import startup
from console.demo_process import DEMO_NICE, DemoProcess
from widgets.app.console_start import DemoLogin
from widgets.app.startup_window import StartupWindow


def test_a_demo_backend_that_dies_is_said_in_the_first_window(qtbot, tmp_path):
    demo = DemoProcess(f"sqlite:///{tmp_path / 'demo.db'}")
    demo.args = [sys.executable, "-c", "import sys; sys.exit(3)"]  # a backend that cannot start
    window = StartupWindow()
    qtbot.addWidget(window)
    login = DemoLogin(demo.spawn(), tmp_path / "shift.zhcg")
    login.failed.connect(window.failed)
    with qtbot.waitSignal(login.failed, timeout=20_000) as got:
        login.start()
    login.join()
    assert "exited with 3" in got.args[0]
    assert "exited with 3" in window.status.text() and window.quit_button.isVisibleTo(window)
    assert login.session is None


def test_the_demo_logs_in_once_its_backend_answers(qtbot, tmp_path):
    demo = DemoProcess(f"sqlite:///{tmp_path / 'demo.db'}", speed=1.0)
    login = DemoLogin(demo.spawn(), tmp_path / "shift.zhcg")
    try:
        with qtbot.waitSignals([login.backend_ready, login.ready], timeout=90_000):
            login.start()
        login.join()
        assert login.session is not None and login.session.user["id"] == "demo-console"
        # The backend and simulator yield a contended core to the window (DEMO_NICE's reason).
        child = os.getpriority(os.PRIO_PROCESS, demo.proc.pid)
        assert child == min(os.getpriority(os.PRIO_PROCESS, 0) + DEMO_NICE, 19) > 0
    finally:
        if login.session is not None:
            login.session.stop()
        demo.stop()


def test_each_milestone_is_logged_once(caplog, monkeypatch):
    monkeypatch.setattr(startup, "_said", set())
    with caplog.at_level(logging.INFO, logger="console.startup"):
        startup.reached(startup.WINDOW)
        startup.reached(startup.WINDOW)
        startup.reached(startup.LIVE)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("startup: window after ") and lines[1].startswith("startup: live")
    assert 0 < startup.elapsed() < 3600
