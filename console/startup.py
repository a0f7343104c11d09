"""How long start-up took, said once per milestone in the log (``startup: window after 0.62 s``).

An operator who starts the console at shift change, and ``main.py bench startup``, read the
same lines. Times count from the process's start as the kernel recorded it (Linux
``/proc/self/stat``: the interpreter's own start-up included), else from this module's import.
"""

from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger("console.startup")

#: The milestones, in the order a start reaches them.
BACKEND = "backend"  # a backend process answers (its own start counted: the demo's child)
WINDOW = "window"  # the first window on screen (it says what it waits for)
CONSOLE = "console"  # the console's main window, logged in
DISTRICT = "district"  # the backend's snapshot drawn
LIVE = "live"  # the first live change drawn after it: a living district


def _process_age() -> float | None:
    try:
        with open("/proc/self/stat") as f:
            started_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


_age = _process_age()
_T0 = time.monotonic() - (_age if _age is not None else 0.0)
_said: set[str] = set()
_lock = threading.Lock()


def elapsed() -> float:
    """Seconds since the process started."""
    return time.monotonic() - _T0


def reached(milestone: str) -> None:
    """Log ``milestone`` the first time it is reached in this process."""
    with _lock:
        if milestone in _said:
            return
        _said.add(milestone)
    log.info("startup: %s after %.2f s", milestone, elapsed())
