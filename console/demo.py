"""The embedded demo: the reference backend and the district simulator in this process.

``python main.py`` must show a living district on a fresh machine with nothing to set up, so
the demo starts a backend on a free loopback port with a fresh SQLite database in the data
directory, and the simulator on a compressed clock shared with it. ``serve --simulate`` runs the
same pair in the foreground.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from console.clock import VirtualClock
from console.domain.calendar import WorkCalendar
from console.server.context import Settings
from console.server.run import BackendThread
from console.server.seed import DEMO_OPEN311_KEY
from console.sim.district import DistrictSimulator, SimConfig
from console.sim.timebase import simulation_start

log = logging.getLogger(__name__)

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
    ):
        self.clock = VirtualClock(
            speed=speed, start=start or simulation_start(WorkCalendar.default(), speed)
        )
        settings = Settings(
            db_url=db_url,
            demo=True,
            clock=self.clock,
            open311_keys=open311_keys | {DEMO_OPEN311_KEY},
        )
        self.backend = BackendThread(settings, host=host, port=port)
        self.sim = DistrictSimulator(
            self.backend.url, self.clock, SimConfig(seed=seed, auto_centre=auto_centre)
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.backend.url

    def start(self) -> EmbeddedDemo:
        """Backend up (listening) and the simulator running in a background thread."""
        self.backend.start()
        log.info("demo backend on %s, district clock %sx", self.url, self.clock.speed)
        self._thread = threading.Thread(target=self.sim.run, name="simulator", daemon=True)
        self._thread.start()
        return self

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
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.backend.stop()
