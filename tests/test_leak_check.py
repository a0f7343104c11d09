"""The autouse leak check in conftest.py bites: a thread or an active Qt timer a test leaves
behind is named; one that stops within the grace period, or was there before, is not."""

from __future__ import annotations

import threading
import time

from conftest import active_timers, leaked_threads, leaked_timers
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget


def test_a_thread_left_running_is_named():
    before = set(threading.enumerate())
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="left-behind", daemon=True)
    t.start()
    try:
        t0 = time.monotonic()
        leaked = leaked_threads(before, grace_s=0.3)
        assert leaked == [t]
        assert time.monotonic() - t0 >= 0.3  # it was given the grace period first
        assert leaked_threads(set(threading.enumerate()), grace_s=0) == []  # older: not ours
    finally:
        stop.set()
        t.join()


def test_a_thread_that_stops_within_the_grace_period_is_not_a_leak():
    before = set(threading.enumerate())
    t = threading.Thread(target=time.sleep, args=(0.2,), name="stopping")
    t.start()
    assert leaked_threads(before, grace_s=2.0) == []


def test_an_active_timer_left_on_a_widget_is_named(qtbot):
    before = active_timers()
    w = QWidget()
    w.setObjectName("leaky")
    timer = QTimer(w, interval=250)
    timer.start()
    stopped = QTimer(w, interval=100)  # created but not running: not a leak
    assert not stopped.isActive()
    leaked = leaked_timers(before, grace_s=0.2)
    assert leaked == ["QTimer(interval=250 ms) in QWidget(leaky)"]
    timer.stop()
    assert leaked_timers(before, grace_s=0) == []
    timer.start()
    w.deleteLater()  # deleting the owner is enough: the check lets deleteLater() happen
    assert leaked_timers(before, grace_s=1.0) == []


def test_an_active_timer_on_the_application_is_named(qapp):
    before = active_timers()
    timer = QTimer(qapp, interval=1000, singleShot=True)
    timer.start()
    try:
        assert leaked_timers(before, grace_s=0) == [
            "QTimer(interval=1000 ms, single shot) in QApplication"
        ]
    finally:
        timer.stop()
        timer.deleteLater()


LEAKY_TESTS = """
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

keep = []


def test_leaves_a_thread():
    ev = threading.Event()
    keep.append(ev)
    threading.Thread(target=ev.wait, name="forgotten-poller", daemon=True).start()


def test_leaves_a_timer(qtbot):
    w = QWidget()
    w.setObjectName("forgotten")
    keep.append(w)
    QTimer(w, interval=500).start()


def test_cleans_up(qtbot):
    w = QWidget()
    qtbot.addWidget(w)  # closed and deleted at teardown, its timer with it
    QTimer(w, interval=500).start()
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name="joined")
    t.start()
    stop.set()
    t.join()
"""

PROJECT_CONFTEST = """
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("project_conftest", {path!r})
mod = importlib.util.module_from_spec(spec)
sys.modules["project_conftest"] = mod
spec.loader.exec_module(mod)
_no_leaks = mod._no_leaks
"""


def test_the_autouse_check_fails_the_leaking_tests_by_name(tmp_path):
    """End to end: pytest run on three tests with the project's autouse check; the two that
    leave something behind error at teardown naming it, the tidy one does not."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    (tmp_path / "conftest.py").write_text(PROJECT_CONFTEST.format(path=str(tests / "conftest.py")))
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(tests.parent))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    ).stdout
    assert "3 passed, 2 errors" in out, out  # the calls pass; their teardowns error
    assert "test_leaves_a_thread leaked: threads left running: forgotten-poller (daemon)" in out, (
        out
    )
    assert (
        "test_leaves_a_timer leaked: Qt timers left active: QTimer(interval=500 ms) in QWidget(forgotten)"
        in out
    ), out
    assert "test_cleans_up leaked" not in out, out
