"""The embedded demo: the reference backend and the district simulator, started for you.

``python main.py`` must show a living district on a fresh machine with nothing to set up, so
the demo starts a backend on a free loopback port with a fresh SQLite database in the data
directory, and the simulator on a compressed clock shared with it. ``EmbeddedDemo`` runs the
pair in this process (``serve --simulate``, in the foreground); ``DemoProcess`` runs that
command as a child process for the console window, because in one process the backend and the
simulator compete with the GUI thread for the GIL: measured with ``bench gui`` at 60x, the
window stalled for up to 1.2 s (p50 56 ms) in one process, under 170 ms (p50 0.2 ms) with
the pair in its own process, as a deployed backend is.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

from console.clock import VirtualClock
from console.domain.calendar import WorkCalendar
from console.server.context import Settings
from console.server.run import BackendThread, free_port
from console.server.seed import DEMO_FLEET_SIZE, DEMO_OPEN311_KEY
from console.sim.district import DistrictSimulator, SimConfig
from console.sim.timebase import simulation_start

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]

DEMO_USER = "demo-console"  # operator + dispatcher + shift lead (console.server.seed)
DEMO_PASSWORD = "demo"


def fresh_sqlite(path: Path) -> str:
    """A new, empty demo database: yesterday's demo cases would only confuse the SLA clocks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


class EmbeddedDemo:
    def __init__(
        self,
        db_url: str,
        *,
        speed: float = 20.0,
        start: datetime | None = None,
        seed: int = 20261128,
        auto_centre: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        open311_keys: frozenset[str] = frozenset(),
        vehicles: int = DEMO_FLEET_SIZE,
        case_rate: float | None = None,
    ):
        """``vehicles`` seeds a fleet of that size on a new database and ``case_rate`` sets
        the reports per district hour (None: ``SimConfig``'s, the demo district's)."""
        self.clock = VirtualClock(
            speed=speed, start=start or simulation_start(WorkCalendar.default(), speed)
        )
        settings = Settings(
            db_url=db_url,
            demo=True,
            clock=self.clock,
            open311_keys=open311_keys | {DEMO_OPEN311_KEY},
            vehicles=vehicles,
        )
        self.backend = BackendThread(settings, host=host, port=port)
        config = SimConfig(seed=seed, auto_centre=auto_centre)
        if case_rate is not None:
            config.cases_per_hour = case_rate
        self.sim = DistrictSimulator(self.backend.url, self.clock, config)

    @property
    def url(self) -> str:
        return self.backend.url

    def run(self, hours: float | None = None) -> dict:
        """Foreground (``serve --simulate``): simulate until ``hours`` pass or Ctrl-C."""
        self.backend.start()
        try:
            self.sim.run(hours=hours)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
        return self.sim.summary()

    def stop(self) -> None:
        self.sim.stop()
        self.backend.stop()


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
    ):
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
        ]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> DemoProcess:
        self.proc = subprocess.Popen(
            self.args, stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
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
            time.sleep(0.2)
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
