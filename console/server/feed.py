"""The change feed: append inside write transactions, read by ``since``, wake long polls.

Waiting requests sleep on an asyncio event that is set when a transaction that appended
changes commits; nothing polls the database while a follower waits. Several API processes on
one PostgreSQL database wake each other through LISTEN/NOTIFY (see ``PgListener``): a commit
in one process reaches the others' followers in one NOTIFY round trip, with no polling
interval to tune. The feed itself is always read from the database, so a follower sees every
change whichever process answers it.

Followers fan out through ``PageCache``: the hundreds of consoles at one position share one
database read and one JSON (and gzip) encoding of their page.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from console.domain.case import iso

from .auth_notices import PG_AUTH_CHANNEL
from .db import PG_CHANNEL, Change, Database, Meta, as_utc

log = logging.getLogger(__name__)


def append(s: Session, kind: str, payload: dict, ts: datetime) -> Change:
    """Add one change to the transaction ``s``; its ``seq`` is known after flush."""
    ch = Change(ts=ts, kind=kind, payload=payload)
    s.add(ch)
    s.flush()
    s.info.setdefault("changes", []).append(ch.seq)
    return ch


def to_wire(ch: Change) -> dict:
    return {"seq": ch.seq, "ts": as_utc(ch.ts).isoformat(), "kind": ch.kind, **ch.payload}


def last_seq(s: Session) -> int:
    return s.scalar(select(func.max(Change.seq))) or 0


def first_seq(s: Session) -> int:
    return s.scalar(select(func.min(Change.seq))) or 0


def feed_id(db: Database) -> str:
    """A random id of this database's feed: a client that sees it change must re-bootstrap."""
    with db.write() as s:
        row = s.get(Meta, "feed_id")
        if row is None:
            row = Meta(key="feed_id", value=uuid.uuid4().hex)
            s.add(row)
        return row.value


def read(s: Session, since: int, limit: int) -> tuple[list[dict], int, bool]:
    """Changes after ``since`` (at most ``limit``), the seq to continue from, and whether the
    client must reset: ``since`` is older than the retained feed or newer than its end (the
    backend's database was replaced)."""
    last = last_seq(s)
    first = first_seq(s)
    if since > last or (first and since < first - 1):
        return [], last, True
    rows = s.scalars(
        select(Change).where(Change.seq > since).order_by(Change.seq).limit(limit)
    ).all()
    return [to_wire(r) for r in rows], (rows[-1].seq if rows else since), False


def prune(db: Database, keep: int) -> int:
    """Drop all but the newest ``keep`` changes; followers older than that get ``reset``."""
    with db.write() as s:
        last = last_seq(s)
        cutoff = last - keep
        if cutoff <= 0:
            return 0
        # A DELETE's result is a CursorResult (it has a row count); Session.execute is typed
        # for every statement, so say which one this is.
        result = cast(CursorResult[Any], s.execute(delete(Change).where(Change.seq <= cutoff)))
        n = result.rowcount or 0
    if n:
        log.info("change feed pruned: %d changes up to seq %d", n, cutoff)
    return n


class Notifier:
    """Wakes long-polling requests when a commit appended changes.

    ``publish`` may be called from any thread (write endpoints run in a thread pool);
    waiters live on the server's event loop. ``last_seq`` is the newest commit known,
    ``published`` the newest one followers were woken for: a follower already at
    ``published`` waits for the next fan-out even if newer commits are in, so commits are
    delivered in fan-outs (see ``COALESCE_S``) rather than one answer per commit each.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self.last_seq = 0
        self.published = 0
        #: Long polls asleep in ``wait_beyond`` now (the route caps them).
        self.waiting = 0
        self._wake_scheduled = False
        self._woke_at = 0.0  # loop time of the last fan-out, and how many it woke
        self._woken = 0

    def bind(self, loop: asyncio.AbstractEventLoop, last_seq: int) -> None:
        self._loop = loop
        self._event = asyncio.Event()
        self.last_seq = self.published = last_seq

    def publish(self, seq: int) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # loop closed between the check and the call
            loop.call_soon_threadsafe(self._set, seq)

    #: Commits this close together wake the followers once: a report, its alert and the
    #: next telemetry batch are one fan-out, not three. 50 ms is below what a person at a
    #: console notices.
    COALESCE_S = 0.05
    #: ...and fan-outs at least 1 ms per follower woken apart: one answer costs the event
    #: loop ~0.6 ms (measured with bench hostile's backend CPU: /changes 0.62 ms a request,
    #: /healthz 0.43), so a fan-out to N takes ~0.6 N ms anyway; spaced so, they take at
    #: most ~60 % of the loop whatever the write rate (500 followers: a page every 0.5 s),
    #: and the rest is left to writes and probes.
    COALESCE_PER_WAITER_S = 0.001
    COALESCE_MAX_S = 1.0

    def _set(self, seq: int) -> None:
        if seq > self.last_seq:
            self.last_seq = seq
        loop = self._loop
        if not self._wake_scheduled and loop is not None:
            self._wake_scheduled = True
            spacing = min(self.COALESCE_MAX_S, self._woken * self.COALESCE_PER_WAITER_S)
            at = max(loop.time() + self.COALESCE_S, self._woke_at + spacing)
            loop.call_at(at, self._wake)

    def _wake(self) -> None:
        self._wake_scheduled = False
        if self._loop is not None:
            self._woke_at, self._woken = self._loop.time(), self.waiting
        self.published = self.last_seq
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    async def wait_beyond(self, since: int, timeout: float) -> bool:
        """Wait until a change newer than ``since`` was published (a fan-out), or
        ``timeout`` passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.waiting += 1
        try:
            while self.published <= since:
                remaining = deadline - loop.time()
                if remaining <= 0 or self._event is None:
                    return False
                try:
                    await asyncio.wait_for(self._event.wait(), remaining)
                except TimeoutError:
                    return self.published > since
            return True
        finally:
            self.waiting -= 1


class Pacer:
    """Lets at most ``per_turn`` callers on per event-loop turn, the rest on the next turns.

    A commit wakes every parked follower at once, and each answer costs the loop about half
    a millisecond (routing, headers, h11): 500 in one turn would hold ``/healthz`` and every
    other request for a quarter of a second. Between turns the loop polls its sockets, so a
    probe waits for one batch at most (8 answers, about 5 ms), and the fan-out to 500 still
    ends within about 63 turns.
    """

    def __init__(self, per_turn: int = 8):
        self.per_turn = per_turn
        self._queue: deque[asyncio.Future[None]] = deque()
        self._used = 0
        self._turn_scheduled = False

    async def turn(self) -> None:
        loop = asyncio.get_running_loop()
        if not self._turn_scheduled:
            self._turn_scheduled = True
            loop.call_soon(self._next_turn, loop)
        if self._used < self.per_turn and not self._queue:
            self._used += 1
            return
        fut = loop.create_future()
        self._queue.append(fut)
        await fut

    def _next_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        self._used = 0
        while self._queue and self._used < self.per_turn:
            fut = self._queue.popleft()
            if not fut.done():  # a cancelled waiter (its client went) takes no place
                fut.set_result(None)
                self._used += 1
        self._turn_scheduled = bool(self._queue)
        if self._turn_scheduled:
            loop.call_soon(self._next_turn, loop)


@dataclass(frozen=True)
class Page:
    """One encoded answer of ``/changes``: its JSON, and its gzip when that is worth sending."""

    body: bytes
    gzip: bytes | None
    count: int
    reset: bool
    full: bool  # ``limit`` changes: this page will never change
    head: int  # the notifier's last seq when it was read
    made: float  # time.monotonic() when it was read


class PageCache:
    """Change pages read once and encoded once, the same bytes for every follower there.

    A page is keyed by (``since``, ``limit``). A full page never changes; a shorter one is the
    feed's tail and holds until a newer change is published. Either is read again after
    ``max_age_s``, so that its ``server_time`` (the consoles' lag gauge) stays fresh and a
    pruned feed says ``reset`` soon. Followers asking for a page that is being read wait for
    that read: after a commit the parked followers cost one database read, not one each.
    The cache is bounded in bytes (least recently used pages go first): a catch-up page of
    2,000 telemetry changes is a few MB.
    """

    #: gzip below this would cost more than it saves (about one TCP packet's worth).
    GZIP_MIN = 1400
    #: Level 6 (zlib's default) gets within a few % of 9 at about a third of the CPU.
    GZIP_LEVEL = 6

    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        now: Callable[[], datetime],
        max_bytes: int = 64 << 20,
        max_age_s: float = 2.0,
    ):
        self.db = db
        self.notifier = notifier
        self.now = now
        self.max_bytes = max_bytes
        self.max_age_s = max_age_s
        self.feed_id = ""
        self._pages: OrderedDict[tuple[int, int], Page] = OrderedDict()
        self._bytes = 0
        self._reading: dict[tuple[int, int, int], asyncio.Future[Page]] = {}
        #: Database reads made (a benchmark and the tests compare it with the polls served).
        self.reads = 0

    async def get(self, since: int, limit: int) -> Page:
        head = self.notifier.last_seq
        page = self._pages.get((since, limit))
        if (
            page is not None
            and (page.full or page.head == head)
            and time.monotonic() - page.made < self.max_age_s
        ):
            self._pages.move_to_end((since, limit))
            return page
        key = (since, limit, head)
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(self._read(since, limit, head))
            self._reading[key] = reading
            reading.add_done_callback(lambda _f: self._reading.pop(key, None))
        # A follower that leaves must not cancel the read the others wait for.
        return await asyncio.shield(reading)

    async def _read(self, since: int, limit: int, head: int) -> Page:
        page = await run_in_threadpool(self._encode, since, limit, head)
        self.reads += 1
        old = self._pages.pop((since, limit), None)
        if old is not None:
            self._bytes -= len(old.body) + len(old.gzip or b"")
        self._pages[(since, limit)] = page
        self._bytes += len(page.body) + len(page.gzip or b"")
        while self._bytes > self.max_bytes and len(self._pages) > 1:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body) + len(dropped.gzip or b"")
        return page

    def _encode(self, since: int, limit: int, head: int) -> Page:
        """Read and encode in one thread-pool job (the event loop only hands bytes out)."""
        with self.db.read() as s:
            rows, last, reset = read(s, since, limit)
        # Change by change: one json.dumps of a 2,000-change page holds the GIL for tens of
        # ms (the C encoder never lets go), which the event loop would wait out.
        head_doc = {"feed_id": self.feed_id, "last_seq": last, "reset": reset}
        body = b"".join(
            (
                dumps({**head_doc, "server_time": iso(self.now())})[:-1],
                b',"changes":[',
                b",".join(dumps(r) for r in rows),
                b"]}",
            )
        )
        packed = (
            gzip.compress(body, self.GZIP_LEVEL, mtime=0) if len(body) >= self.GZIP_MIN else None
        )
        return Page(body, packed, len(rows), reset, len(rows) >= limit, head, time.monotonic())


def dumps(doc: Any) -> bytes:
    """JSON as Starlette's JSONResponse writes it (UTF-8, no spaces)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


class PgListener(threading.Thread):
    """LISTEN on PostgreSQL so that changes committed by other API processes wake our
    followers too (commits made by this process also NOTIFY: ``Database.write``), and hear
    the sign-in notices of the others (``auth_notices``: a logout, a user disabled, a lock
    lifted) on the same connection."""

    def __init__(self, db: Database, notifier: Notifier, on_auth: Callable[[str], object]):
        super().__init__(name="pg-listen", daemon=True)
        self.db = db
        self.notifier = notifier
        self.on_auth = on_auth
        self._stop = threading.Event()

    def run(self) -> None:
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {PG_CHANNEL}")
                    conn.execute(f"LISTEN {PG_AUTH_CHANNEL}")
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            self._heard(n.channel, n.payload)
            except Exception:
                log.warning("LISTEN connection lost; retrying in 1 s", exc_info=True)
                self._stop.wait(1.0)

    def _heard(self, channel: str, payload: str) -> None:
        if channel == PG_AUTH_CHANNEL:
            self.on_auth(payload)
            return
        try:
            self.notifier.publish(int(payload))
        except ValueError:
            log.warning("bad NOTIFY payload %r", payload)

    def stop(self) -> None:
        self._stop.set()
