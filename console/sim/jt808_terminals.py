"""Simulated JT/T 808 vehicle terminals: ``python main.py sim jt808``.

Each terminal is its own TCP connection to the gateway, speaking as a real one does
(JT/T 808-2013/-2019 §8): register (0x0100) and keep the auth code of the answer (0x8100),
authenticate (0x0102), then a location report (0x0200) every ``interval_s`` district seconds
and a heartbeat (0x0002) when it has nothing else to send. Half of them use the -2013 header
and half the -2019 one. The vehicles drive their routes from ``/api/v1/reference`` as the
HTTP simulator's do (``FleetSim``: the same speeds, stops, overspeed and offline episodes);
now and then a terminal passes a blind spot (no network for a few reports), keeps what it
measured meanwhile and sends it as one 0x0704 blind-area batch (type 1) when the network
returns, as the standard's 盲区补报 asks.

The terminals keep the backend's district clock (``GET /api/v1/clock``): a fix must not lie
in the backend's future.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from console.clock import VirtualClock
from console.jt808 import messages as m
from console.jt808.frame import Frame, FrameError, Header, encode_frame
from console.jt808.stream import FrameSplitter

from .client import ActorClient
from .fleet import FleetSim

log = logging.getLogger("console.sim.jt808")

#: Seconds a terminal waits for an answer before it counts the message as unanswered (the
#: standard's TCP answer timeout, terminal parameter 0x0002, is 10 s by common default).
ANSWER_TIMEOUT_S = 10.0
#: Per terminal and report: the chance a blind spot starts, and how many reports it lasts.
BLIND_CHANCE = 0.01
BLIND_REPORTS = (3, 8)
#: Real seconds of silence after which a terminal sends a heartbeat (its parameter 0x0001;
#: well inside the gateway's idle timeout, ``jt808_gateway.IDLE_S``).
HEARTBEAT_S = 30.0


class Terminal:
    """One terminal's connection: frames out, answers matched to them by serial number."""

    def __init__(self, phone: str, v2019: bool, stats: Counter):
        self.phone, self.v2019, self.stats = phone, v2019, stats
        self.version = 1 if v2019 else None
        self.auth_code = ""
        self._serial = 0
        self._waiting: dict[int, asyncio.Future[Frame]] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        #: ``time.monotonic()`` of the last message sent (heartbeats are due after silence).
        self.last_sent = 0.0

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    async def connect(self, host: str, port: int) -> None:
        self._reader, self._writer = await asyncio.open_connection(host, port)
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()

    async def _read(self) -> None:
        assert self._reader is not None
        splitter = FrameSplitter()
        while data := await self._reader.read(4096):
            for item in splitter.feed(data):
                if isinstance(item, FrameError):
                    self.stats["bad frames from the gateway"] += 1
                    continue
                serial = _answered_serial(item)
                waiter = self._waiting.pop(serial, None) if serial is not None else None
                if waiter is not None and not waiter.done():
                    waiter.set_result(item)
        for w in self._waiting.values():
            if not w.done():
                w.set_exception(ConnectionError("the gateway closed the connection"))

    async def request(self, msg_id: int, body: bytes = b"") -> Frame:
        """Send a message and wait for its answer (0x8001 or 0x8100)."""
        assert self._writer is not None
        self._serial = (self._serial + 1) & 0xFFFF
        done: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._waiting[self._serial] = done
        self._writer.write(
            encode_frame(Header(msg_id, self.phone, self._serial, self.version), body)
        )
        self.last_sent = time.monotonic()
        await self._writer.drain()
        return await asyncio.wait_for(done, ANSWER_TIMEOUT_S)

    async def register(self, plate: str) -> int:
        """0x0100; the 0x8100 result (0: registered, the auth code kept)."""
        body = m.Register(
            province=33, city=100, maker="ZHCG", model="SIM-808", terminal_id=self.phone[-7:],
            plate_colour=2, plate=plate,
        ).encode(self.v2019)  # fmt: skip
        answer = m.RegisterAnswer.decode((await self.request(m.REGISTER, body)).body)
        self.auth_code = answer.auth_code
        return answer.result

    async def authenticate(self) -> int:
        body = m.Auth(self.auth_code, imei="86" + self.phone[-13:].rjust(13, "0"), software="1.0")
        return await self.general(m.AUTH, body.encode(self.v2019))

    async def general(self, msg_id: int, body: bytes = b"") -> int:
        """A message answered by 0x8001: its result."""
        return m.GeneralAnswer.decode((await self.request(msg_id, body)).body).result


def _answered_serial(frame: Frame) -> int | None:
    """The serial number of the message ``frame`` answers (0x8001 and 0x8100 start with it)."""
    if frame.header.msg_id in (m.PLATFORM_ANSWER, m.REGISTER_ANSWER) and len(frame.body) >= 2:
        return int.from_bytes(frame.body[:2], "big")
    return None


def location_of(fixes: dict, i: int) -> m.Location:
    """Row ``i`` of ``FleetSim.step``'s columns as a 0x0200 body (time to the second, as the
    BCD field carries it; the work flag as the project's item 0xE1)."""
    return m.Location(
        lat=fixes["lat"][i],
        lon=fixes["lon"][i],
        t=math.floor(fixes["t"][i]),
        speed_kmh=fixes["speed_kmh"][i],
        heading=round(fixes["heading"][i]) % 360,
        altitude=8,  # m: Hangzhou's old town lies a few metres above sea level
        status=m.STATUS_ACC | m.STATUS_FIXED,
        extras={m.ITEM_WORK: bytes((fixes["flags"][i] & 1,))},
    )


@dataclass
class TerminalFleet:
    """``count`` terminals for the first vehicles of the reference (or ``vehicle_ids``)."""

    backend: str
    host: str
    port: int
    count: int
    user: str = "demo-wall"
    password: str = "demo"
    interval_s: float = 5.0
    seed: int = 20261130
    vehicle_ids: list[str] | None = None
    blind_chance: float = BLIND_CHANCE
    stats: Counter = field(default_factory=Counter)

    def prepare(self) -> None:
        """The vehicles and the backend's clock, over HTTP (blocking: before the loop runs)."""
        api = ActorClient(self.backend, self.user, self.password)
        ref = api.get("/api/v1/reference")
        clock = api.get("/api/v1/clock")
        if ref is None or ref.status_code != 200 or clock is None or clock.status_code != 200:
            raise RuntimeError(f"cannot read the reference and clock of {self.backend}")
        vehicles = [v for v in ref.json()["vehicles"] if v.get("terminal_id")]
        if self.vehicle_ids is not None:
            wanted = set(self.vehicle_ids)
            vehicles = [v for v in vehicles if v["id"] in wanted]
        self.vehicles = vehicles[: self.count]
        c = clock.json()
        self.clock = VirtualClock(
            speed=float(c["speed"]), start=datetime.fromisoformat(c["server_time"])
        )

    async def run(self, stop: asyncio.Event) -> Counter:
        """Connect, register and authenticate every terminal, then report until ``stop``."""
        rng = np.random.default_rng([self.seed, 808])
        terminals = [
            Terminal(v["terminal_id"], i % 2 == 1, self.stats) for i, v in enumerate(self.vehicles)
        ]
        up = await asyncio.gather(
            *(self._login(t, v["plate"]) for t, v in zip(terminals, self.vehicles, strict=True))
        )
        log.info("%d of %d terminals authenticated", sum(up), len(terminals))
        if terminals and not any(up):
            await asyncio.gather(*(t.close() for t in terminals))
            raise RuntimeError(
                f"no terminal could register and authenticate at {self.host}:{self.port} "
                f"({', '.join(f'{k}: {v}' for k, v in sorted(self.stats.items()))})"
            )
        fleet = FleetSim(self.vehicles, self.seed, self.clock.epoch())
        index = {v["id"]: i for i, v in enumerate(self.vehicles)}
        blind_left = np.zeros(len(terminals), dtype=int)
        held: list[list[m.Location]] = [[] for _ in terminals]
        last = self.clock.epoch()
        try:
            while not stop.is_set():
                wait = self.interval_s / self.clock.speed
                try:
                    await asyncio.wait_for(stop.wait(), wait)
                    break
                except TimeoutError:
                    pass
                now = self.clock.epoch()
                fixes = fleet.step(now - last)
                last = now
                starts = (blind_left == 0) & (rng.random(len(terminals)) < self.blind_chance)
                blind_left[starts] = rng.integers(*BLIND_REPORTS, starts.sum())
                sends = []
                quiet = time.monotonic() - HEARTBEAT_S
                reporting = {index[vid] for vid in fixes["vehicle_id"]}
                for k, t in enumerate(terminals):
                    if up[k] and k not in reporting and blind_left[k] == 0 and t.last_sent < quiet:
                        sends.append(self._heartbeat(t))
                for i, vid in enumerate(fixes["vehicle_id"]):
                    k = index[vid]
                    if not up[k]:
                        continue
                    loc = location_of(fixes, i)
                    if blind_left[k] > 0:
                        held[k].append(loc)
                        continue
                    sends.append(self._report(terminals[k], loc, held[k]))
                    held[k] = []
                blind_left[blind_left > 0] -= 1
                await asyncio.gather(*sends)
            # Stopping: what a terminal measured in a blind spot goes out before it stops.
            await asyncio.gather(
                *(
                    self._report(terminals[k], held[k][-1], held[k][:-1])
                    for k in range(len(terminals))
                    if up[k] and held[k]
                )
            )
        finally:
            await asyncio.gather(*(t.close() for t in terminals))
        return self.stats

    async def _login(self, t: Terminal, plate: str) -> bool:
        try:
            await t.connect(self.host, self.port)
            result = await t.register(plate)
            self.stats[f"register result {result}"] += 1
            if result != m.REGISTERED:
                return False
            ok = await t.authenticate() == m.OK
            self.stats["authenticated" if ok else "auth refused"] += 1
            return ok
        except (OSError, TimeoutError, FrameError, ConnectionError) as e:
            self.stats["connection failed"] += 1
            log.warning("terminal %s: %s", t.phone, e)
            return False

    async def _heartbeat(self, t: Terminal) -> None:
        try:
            result = await t.general(m.HEARTBEAT)
            self.stats["heartbeats answered" if result == m.OK else "heartbeats refused"] += 1
        except (OSError, TimeoutError, ConnectionError) as e:
            self.stats["heartbeats unanswered"] += 1
            log.warning("terminal %s: %s", t.phone, e)

    async def _reconnect(self, t: Terminal) -> bool:
        """A connection the gateway closed (idle, restart): connect again and authenticate
        with the code kept; a refused code (a restarted backend) means registering again."""
        await t.close()
        try:
            await t.connect(self.host, self.port)
            if await t.authenticate() == m.OK:
                self.stats["reconnected"] += 1
                return True
        except (OSError, TimeoutError, FrameError, ConnectionError):
            self.stats["reconnect failed"] += 1
            return False
        await t.close()
        return await self._login(t, "")

    async def _report(self, t: Terminal, loc: m.Location, held: list[m.Location]) -> None:
        if not t.alive and not await self._reconnect(t):
            self.stats["fixes not sent"] += 1 + len(held)
            return
        try:
            if held:
                body = m.Batch(m.BATCH_BLIND, [*held, loc]).encode()
                result = await t.general(m.BATCH, body)
                self.stats["blind batches"] += 1
                self.stats["fixes acknowledged" if result == m.OK else "fixes refused"] += (
                    len(held) + 1
                )
            else:
                result = await t.general(m.LOCATION, loc.encode())
                self.stats["fixes acknowledged" if result == m.OK else "fixes refused"] += 1
        except (OSError, TimeoutError, ConnectionError) as e:
            self.stats["reports unanswered"] += 1
            log.warning("terminal %s: %s", t.phone, e)


def parse_gateway(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``:PORT`` for loopback) as (host, port); ValueError if not."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--gateway {text!r} is not HOST:PORT")
    return host or "127.0.0.1", int(port)


def run_terminals(fleet: TerminalFleet, seconds: float | None = None) -> Counter:
    """Run ``fleet`` in the foreground until ``seconds`` pass or Ctrl-C; its counts."""
    fleet.prepare()

    async def main() -> Counter:
        stop = asyncio.Event()
        if seconds is not None:
            asyncio.get_running_loop().call_later(seconds, stop.set)
        return await fleet.run(stop)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return fleet.stats
