"""The embedded demo: the reference backend and the district simulator, started for you.

``python main.py`` must show a living district on a fresh machine with nothing to set up, so
the demo starts a backend on a free loopback port with a fresh SQLite database in the data
directory, and the simulator on a compressed clock shared with it. ``EmbeddedDemo`` runs the
pair in this process (``serve --simulate``, in the foreground);
``console.demo_process.DemoProcess`` runs that command as a child process for the console
window, because in one process the backend and the
simulator compete with the GUI thread for the GIL: measured with ``bench gui`` at 60x, the
window stalled for up to 1.2 s (p50 56 ms) in one process, under 170 ms (p50 0.2 ms) with
the pair in its own process, as a deployed backend is.
"""

from __future__ import annotations

from datetime import datetime

from console.clock import VirtualClock
from console.domain.calendar import WorkCalendar
from console.server.context import Settings
from console.server.run import BackendThread
from console.server.seed import DEMO_FLEET_SIZE, DEMO_OPEN311_KEY
from console.sim.district import DistrictSimulator, SimConfig
from console.sim.timebase import simulation_start


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
        jt808_port: int | None = None,
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
            jt808_port=jt808_port,
            jt808_host=host,
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
