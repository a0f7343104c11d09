"""What the JT/T 808 gateway does with a terminal's messages on the backend's side: which
vehicle a phone number names, the auth code it gets, and its locations into the telemetry
path (``telemetry.ingest_fixes``: the same validation, rules and feed as a posted batch).

Fixes from every connection are gathered for ``BATCH_S`` (or up to ``BATCH_MAX``) and stored
in one write transaction, as the simulator's one post per round is: one transaction per
0x0200 would cost a commit (and a feed change) per fix. A terminal's message is answered
once its batch is committed, so a 0x8001 result 0 means stored (a terminal keeps unanswered
reports and sends them again: the standard's 消息处理 clause, with its answer timeout, terminal
parameter 0x0002, and the blind-area re-send of 0x0704).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import select

from console.domain.vehicle_rules import WORKING
from console.jt808.messages import Location

from . import telemetry
from .context import Context
from .db import Vehicle
from .errors import ApiError

log = logging.getLogger("console.jt808")

#: How long fixes wait for company before one transaction stores them: 0.1 s keeps a
#: terminal's answer prompt (its answer timeout, terminal parameter 0x0002, is seconds)
#: and makes ~10 transactions a second however many terminals report.
BATCH_S = 0.1
#: A posted batch holds at most 5,000 fixes (``schemas.Telemetry``); the gateway's stay below.
BATCH_MAX = 2000


def phone_key(digits: str) -> str:
    """A phone number as vehicles are matched by it: without leading zeros (a -2013 header
    carries 12 digits, a -2019 one 20, the SIM number 11)."""
    return digits.lstrip("0") or "0"


def fix_of(vehicle_id: str, loc: Location) -> dict:
    """A terminal's location as the telemetry path's fix (WGS-84, km/h, degrees, epoch s)."""
    return {
        "vehicle_id": vehicle_id,
        "t": loc.t,
        "lon": loc.lon,
        "lat": loc.lat,
        "speed_kmh": loc.speed_kmh,
        "heading": float(loc.heading),
        "flags": WORKING if loc.working else 0,
    }


@dataclass
class _Pending:
    fixes: list[dict]
    done: asyncio.Future[bool]


@dataclass
class FixSink:
    """Terminals' fixes into ``telemetry.ingest_fixes``, batched across connections."""

    ctx: Context
    batch_s: float = BATCH_S
    batch_max: int = BATCH_MAX
    #: Fixes stored, and those the telemetry rules refused (old, far away, too fast).
    accepted: int = 0
    refused: int = 0
    _queue: list[_Pending] = field(default_factory=list)
    _queued: int = 0
    _wake: asyncio.Event | None = None
    _task: asyncio.Task | None = None
    #: One writer thread: transactions are serialised anyway (``Database.write``), and the
    #: API's own thread pool stays free for consoles.
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="jt808-ingest")
    )
    #: Auth codes are an HMAC of the vehicle and phone under a key of this process: nothing to
    #: store, and a restarted backend's terminals fail auth and register again (终端鉴权:
    #: a terminal whose auth fails registers anew).
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="jt808-fixes")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._flush()
        self._pool.shutdown(wait=True)

    def auth_code(self, vehicle_id: str, phone: str) -> str:
        mac = hmac.new(self._key, f"{vehicle_id}/{phone_key(phone)}".encode(), hashlib.sha256)
        return mac.hexdigest()[:16]

    async def vehicle_for(self, phone: str) -> str | None:
        """The vehicle whose ``terminal_id`` is ``phone`` ignoring leading zeros, or None."""
        key = phone_key(phone)
        # Every spelling of the number with leading zeros up to the column's 20 characters:
        # an IN on the unique index instead of a scan of the fleet per registration.
        spellings = [key.rjust(n, "0") for n in range(len(key), 21)]

        def lookup() -> str | None:
            with self.ctx.db.read() as s:
                return s.scalar(
                    select(Vehicle.id).where(Vehicle.terminal_id.in_(spellings)).limit(1)
                )

        return await asyncio.get_running_loop().run_in_executor(self._pool, lookup)

    async def store(self, fixes: list[dict]) -> bool:
        """Queue ``fixes`` for the next batch; True once committed (refusals by the telemetry
        rules included: sending them again would not change them), False if the write failed."""
        if not fixes:
            return True
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(fixes, done))
        self._queued += len(fixes)
        if self._queued >= self.batch_max and self._wake is not None:
            self._wake.set()
        return await done

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.batch_s)
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        while self._queue:
            batch: list[_Pending] = []
            size = 0
            while self._queue and (not batch or size + len(self._queue[0].fixes) <= 5000):
                p = self._queue.pop(0)
                batch.append(p)
                size += len(p.fixes)
            self._queued -= size
            fixes = [f for p in batch for f in p.fixes]
            loop = asyncio.get_running_loop()
            try:
                ok = await loop.run_in_executor(self._pool, self._ingest, fixes)
            except Exception:
                log.exception("storing %d JT/T 808 fixes failed", len(fixes))
                ok = False
            for p in batch:
                if not p.done.done():
                    p.done.set_result(ok)

    def _ingest(self, fixes: list[dict]) -> bool:
        try:
            with self.ctx.db.write() as s:
                out = telemetry.ingest_fixes(self.ctx, s, fixes)
        except ApiError as e:  # not one fix valid: the rules refused them all
            out = {"accepted": 0, "rejected": e.details.get("rejected", [])}
            self.refused += len(fixes)
            log.info("JT/T 808: %d fixes refused (%s)", len(fixes), _reasons(out["rejected"]))
            return True
        self.accepted += out["accepted"]
        refused = len(fixes) - out["accepted"] - out["duplicates"]
        if refused:
            self.refused += refused
            log.info(
                "JT/T 808: %d of %d fixes refused (%s)",
                refused,
                len(fixes),
                _reasons(out["rejected"]),
            )
        return True


def _reasons(rejected: list[dict]) -> str:
    return "; ".join(sorted({str(r.get("reason")) for r in rejected}))[:300]
