"""The embedded demo's backend as a child process, and what the console needs to reach it.

Light on purpose: ``python main.py`` shows its first window before it loads the backend's
code or its own heavy widgets, and starts this child first so that both load at once on two
cores. Nothing here imports the server; the child is ``main.py serve --demo --simulate``.
``console.demo.EmbeddedDemo`` runs the same pair in one process (tests, ``serve``).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

from console.ports import free_port

log = logging.getLogger("console.demo")
ROOT = Path(__file__).resolve().parents[1]

DEMO_USER = "demo-console"  # operator + dispatcher + shift lead (console.server.seed)
DEMO_PASSWORD = "demo"
#: The demo child's niceness. The embedded backend and simulator share the operator's cores;
#: CPU-bound (a city-sized fleet at 60x takes a core), they used to take a core just as the
#: window had a frame to draw, and the window waited (``bench gui``: in the live stalls over
#: 50 ms the GUI thread ran under half the time and no other console thread ran). At nice 5
#: the child weighs 335 against the window's 1024 (the kernel's CFS weight table), so it
#: yields a contended core to the window and still gets every idle cycle. Both stay in one
#: session, so this holds under desktop Linux's autogroup scheduling too.
DEMO_NICE = 5


def fresh_sqlite(path: Path) -> str:
    """A new, empty demo database: yesterday's demo cases would only confuse the SLA clocks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


class DemoProcess:
    """``main.py serve --demo --simulate`` as a child process on a free port; it dies with
    the console (Linux: the kernel sends it SIGTERM when its parent goes, even on SIGKILL)."""

    def __init__(
        self,
        db_url: str,
        *,
        speed: float = 20.0,
        auto_centre: bool = True,
        start: datetime | None = None,
        vehicles: int | None = None,
        nice: int = DEMO_NICE,
        jt808_share: float | None = None,
    ):
        """``vehicles``: the simulated fleet's size (``serve --vehicles``; None: the demo's);
        ``nice``: added to the child's niceness (``DEMO_NICE``); ``jt808_share``: that share
        of the fleet reports over JT/T 808 (``serve --jt808-share``)."""
        self.nice = nice
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            sys.executable,
            str(ROOT / "main.py"),
            "serve",
            "--demo",
            "--simulate",
            "--db",
            db_url,
            "--port",
            str(self.port),
            "--speed",
            str(speed),
            *([] if auto_centre else ["--no-auto-centre"]),
            *(["--start", start.isoformat()] if start is not None else []),
            *(["--vehicles", str(vehicles)] if vehicles is not None else []),
            *(["--jt808-share", str(jt808_share)] if jt808_share else []),
        ]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> DemoProcess:
        """Start the child and wait until it answers (``spawn`` + ``wait_ready``)."""
        return self.spawn().wait_ready(timeout)

    def spawn(self) -> DemoProcess:
        """Start the child and return at once: the console's first window shows meanwhile."""
        nice = self.nice

        def child_setup() -> None:
            _die_with_parent()
            with contextlib.suppress(OSError):
                os.nice(nice)

        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, preexec_fn=child_setup)
        return self

    def wait_ready(self, timeout: float = 60.0) -> DemoProcess:
        """Until the child's ``/readyz`` answers; RuntimeError, saying why, if it exits or
        does not answer within ``timeout`` (it is stopped then)."""
        assert self.proc is not None, "spawn() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"demo backend exited with {self.proc.returncode}")
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    log.info("demo backend and simulator on %s (pid %d)", self.url, self.proc.pid)
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"demo backend did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _die_with_parent() -> None:
    """In the child before exec: ask Linux for SIGTERM when the console dies (no-op elsewhere)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
