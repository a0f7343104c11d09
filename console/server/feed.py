"""The change feed: append inside write transactions, read by ``since``, wake long polls.

Waiting requests sleep on an asyncio event that is set when a transaction that appended
changes commits; nothing polls the database while a follower waits. Several API processes on
one PostgreSQL database wake each other through LISTEN/NOTIFY (see ``PgListener``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

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
    waiters live on the server's event loop.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self.last_seq = 0

    def bind(self, loop: asyncio.AbstractEventLoop, last_seq: int) -> None:
        self._loop = loop
        self._event = asyncio.Event()
        self.last_seq = last_seq

    def publish(self, seq: int) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # loop closed between the check and the call
            loop.call_soon_threadsafe(self._set, seq)

    def _set(self, seq: int) -> None:
        if seq > self.last_seq:
            self.last_seq = seq
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    async def wait_beyond(self, since: int, timeout: float) -> bool:
        """Wait until a change newer than ``since`` was published, or ``timeout`` passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.last_seq <= since:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._event is None:
                return False
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                return self.last_seq > since
        return True


class PgListener(threading.Thread):
    """LISTEN on PostgreSQL so that changes committed by other API processes wake our
    followers too. Commits made by this process also NOTIFY (see ``notify_pg``)."""

    def __init__(self, db: Database, notifier: Notifier):
        super().__init__(name="pg-listen", daemon=True)
        self.db = db
        self.notifier = notifier
        self._stop = threading.Event()

    def run(self) -> None:
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {PG_CHANNEL}")
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            try:
                                self.notifier.publish(int(n.payload))
                            except ValueError:
                                log.warning("bad NOTIFY payload %r", n.payload)
            except Exception:
                log.warning("LISTEN connection lost; retrying in 1 s", exc_info=True)
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
