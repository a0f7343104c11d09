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

import asyncio
import math
import threading
from datetime import datetime

from sqlalchemy import select

from console.clock import VirtualClock
from console.domain.calendar import WorkCalendar
from console.domain.field_units import FIELD_UNIT_TYPES
from console.server.context import Settings
from console.server.db import Vehicle
from console.server.run import BackendThread
from console.server.seed import DEMO_FLEET_SIZE, DEMO_OPEN311_KEY
from console.sim.district import DistrictSimulator, SimConfig
from console.sim.jt808_terminals import TerminalFleet
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
        jt808_share: float = 0.0,
    ):
        """``vehicles`` seeds a fleet of that size on a new database and ``case_rate`` sets
        the reports per district hour (None: ``SimConfig``'s, the demo district's).
        ``jt808_share`` of the vehicles report through the JT/T 808 gateway (``jt808_port``,
        a free one if None) as simulated terminals instead of the simulator's HTTP posts."""
        self.clock = VirtualClock(
            speed=speed, start=start or simulation_start(WorkCalendar.default(), speed)
        )
        settings = Settings(
            db_url=db_url,
            demo=True,
            clock=self.clock,
            open311_keys=open311_keys | {DEMO_OPEN311_KEY},
            vehicles=vehicles,
            jt808_port=0 if jt808_port is None and jt808_share > 0 else jt808_port,
            jt808_host=host,
        )
        self.backend = BackendThread(settings, host=host, port=port)
        config = SimConfig(seed=seed, auto_centre=auto_centre)
        if case_rate is not None:
            config.cases_per_hour = case_rate
        self.sim = DistrictSimulator(self.backend.url, self.clock, config)
        self.jt808_share = jt808_share
        self.terminals: TerminalFleet | None = None
        self._terminals_stop: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._terminals_thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.backend.url

    def run(self, hours: float | None = None) -> dict:
        """Foreground (``serve --simulate``): simulate until ``hours`` pass or Ctrl-C."""
        self.backend.start()
        try:
            self._start_terminals()
            self.sim.run(hours=hours)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
        return self.sim.summary()

    def _start_terminals(self) -> None:
        """The JT/T 808 share of the fleet: every vehicle where the running share crosses a
        whole number (spread over the id order, so over the types), left out of the HTTP
        posts and driven by ``TerminalFleet`` on an event loop of its own thread."""
        if self.jt808_share <= 0:
            return
        with self.backend.ctx.db.read() as s:
            # Sanitation vehicles only: people and river patrols are not JT/T 808 terminals.
            ids = list(
                s.scalars(
                    select(Vehicle.id)
                    .where(Vehicle.vtype.not_in(FIELD_UNIT_TYPES))
                    .order_by(Vehicle.id)
                )
            )
        share = self.jt808_share
        chosen = [
            v for i, v in enumerate(ids) if math.floor((i + 1) * share) > math.floor(i * share)
        ]
        self.sim.config.jt808_vehicles = frozenset(chosen)
        gateway = self.backend.app.state.jt808
        self.terminals = TerminalFleet(
            self.backend.url,
            gateway.host,
            gateway.port,
            len(chosen),
            vehicle_ids=chosen,
            interval_s=self.sim.config.fix_interval_s,
            seed=self.sim.config.seed,
        )
        self.terminals.prepare()
        ready = threading.Event()

        def run() -> None:
            async def main() -> None:
                stop = asyncio.Event()
                self._terminals_stop = (asyncio.get_running_loop(), stop)
                ready.set()
                assert self.terminals is not None
                await self.terminals.run(stop)

            asyncio.run(main())

        self._terminals_thread = threading.Thread(target=run, name="sim-jt808", daemon=True)
        self._terminals_thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._terminals_stop is not None:
            loop, stop = self._terminals_stop
            loop.call_soon_threadsafe(stop.set)
        if self._terminals_thread is not None:
            self._terminals_thread.join(timeout=15)
        self.sim.stop()
        self.backend.stop()
