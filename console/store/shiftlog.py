"""The shift log: one portable SQLite file per shift, the faithful record of what was received.

Schema (version 1; other tools read these files, so changes bump ``schema_version``):

- ``meta(key, value)``: ``schema_version``, ``backend_url``, ``user``, ``feed_id``,
  ``shift_start``, ``shift_end`` (ISO 8601 UTC).
- ``changes(seq INTEGER PRIMARY KEY, ts, kind, payload, arrived_at)``: every change exactly as
  received (``payload`` is its JSON text), ``arrived_at`` in epoch seconds (wall clock).
  ``seq`` is the backend's; a change is stored once however often it arrives.
- ``bootstraps(id, seq, after_seq, fresh, arrived_at, snapshot, reference)``: each snapshot the
  console bootstrapped from, at start and after every feed ``reset``. ``seq`` is the snapshot's,
  ``after_seq`` the log's last seq when it came (it applies after the changes up to there),
  ``fresh`` 1 when the console started from empty (a new run). ``reference`` is NULL when it is
  the same as the previous bootstrap's. ``console.replay`` folds in exactly this order.
- ``quarantine(id, seq, arrived_at, reason, raw)``: malformed changes, with why (raw cut to 64 KiB).
- ``outbox(key PRIMARY KEY, created_at, user, case_id, action, body, state, attempts,
  last_error, status, response, done_at)``: operator actions, written before they are sent;
  ``state`` pending → done | failed. The Idempotency-Key is ``key``.
- ``bookmarks(id, seq, at, label, created_at)``; ``checkpoints(seq PRIMARY KEY, created_at,
  digest, state)``: the console's state after the changes up to ``seq`` (``state``:
  ``CityState.checkpoint()`` in one of the two forms of ``console.store.checkpoint_form``,
  zlib-compressed JSON in logs written before issue 14, the compact form since; ``digest``:
  its state digest).

WAL journal; batched writes (one transaction per received page). Opening an existing file
resumes it: ``last_seq()`` says where the stream continues.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from console.domain.documents import Change, Snapshot
from console.store import checkpoint_form

SCHEMA_VERSION = "1"


class ShiftLogClosed(RuntimeError):
    """A write reached a closed log: its owner is shutting down (the writer should stop)."""


MAX_RAW = 64 * 1024
REFERENCES_KEPT = 4  # decoded references a log keeps (a few MB each on a real district)

metadata = MetaData()
meta_t = Table("meta", metadata, Column("key", String, primary_key=True), Column("value", Text))
changes_t = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("ts", String),
    Column("kind", String),
    Column("payload", Text),
    Column("arrived_at", Float),
)
bootstraps_t = Table(
    "bootstraps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, index=True),
    Column("after_seq", Integer),
    Column("fresh", Integer),
    Column("arrived_at", Float),
    Column("snapshot", Text),
    Column("reference", Text),
)
quarantine_t = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=True),
    Column("arrived_at", Float),
    Column("reason", Text),
    Column("raw", Text),
)
outbox_t = Table(
    "outbox",
    metadata,
    Column("key", String, primary_key=True),
    Column("created_at", Float),
    Column("user", String),
    Column("case_id", String),
    Column("action", String),
    Column("body", Text),
    Column("state", String, index=True),
    Column("attempts", Integer),
    Column("last_error", Text),
    Column("status", Integer, nullable=True),
    Column("response", Text, nullable=True),
    Column("done_at", Float, nullable=True),
)
bookmarks_t = Table(
    "bookmarks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer),
    Column("at", String),
    Column("label", Text),
    Column("created_at", Float),
)
checkpoints_t = Table(
    "checkpoints",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("created_at", Float),
    Column("digest", String),
    Column("state", LargeBinary),
)


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash loses no committed page
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class ShiftLog:
    """One shift-log file. Thread-safe: each call takes its own connection from the pool."""

    def __init__(
        self, path: str | Path, *, backend_url: str = "", user: str = "", readonly: bool = False
    ):
        self.path = Path(path)
        if readonly and not self.path.exists():
            raise FileNotFoundError(self.path)
        self.engine = create_engine(
            f"sqlite:///{self.path}", connect_args={"check_same_thread": False, "timeout": 10}
        )
        event.listen(self.engine, "connect", _pragmas)
        self._lock = threading.Lock()
        self._closed = False
        self._references: dict[int, dict[str, Any] | None] = {}  # by bootstrap id, oldest first
        self._references_lock = threading.Lock()  # not the writes' lock: a page may hold that
        if not readonly:
            metadata.create_all(self.engine)
            with self.engine.begin() as c:
                existing = dict(c.execute(select(meta_t.c.key, meta_t.c.value)).all())
                if existing.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
                    raise ValueError(
                        f"{self.path}: shift-log schema {existing['schema_version']}, this console writes {SCHEMA_VERSION}"
                    )
                defaults = {
                    "schema_version": SCHEMA_VERSION,
                    "shift_start": datetime.now(UTC).isoformat(),
                }
                if backend_url:
                    defaults["backend_url"] = backend_url
                if user:
                    defaults["user"] = user
                for k, v in defaults.items():
                    if k not in existing or k in ("backend_url", "user"):
                        c.execute(
                            sqlite_insert(meta_t)
                            .values(key=k, value=v)
                            .on_conflict_do_update(index_elements=["key"], set_={"value": v})
                        )

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One serialized write transaction; refused once the log is closed."""
        with self._lock:
            if self._closed:
                raise ShiftLogClosed(str(self.path))
            with self.engine.begin() as c:
                yield c

    # ---- meta ------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        with self.engine.connect() as c:
            return dict(c.execute(select(meta_t.c.key, meta_t.c.value)).all())

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as c:
            c.execute(
                sqlite_insert(meta_t)
                .values(key=key, value=value)
                .on_conflict_do_update(index_elements=["key"], set_={"value": value})
            )

    # ---- changes ---------------------------------------------------------------------------
    def append(
        self,
        changes: Iterable[Change],
        quarantined: Iterable[tuple[int | None, str, str]] = (),
        arrived_at: float | None = None,
    ) -> int:
        """Store a received page in one transaction; duplicates (same seq) are ignored."""
        now = arrived_at if arrived_at is not None else time.time()
        rows = [
            {
                "seq": ch["seq"],
                "ts": ch.get("ts"),
                "kind": ch.get("kind"),
                "payload": json.dumps(ch, ensure_ascii=False, separators=(",", ":")),
                "arrived_at": now,
            }
            for ch in changes
        ]
        q = [
            {"seq": _int64_or_none(s), "arrived_at": now, "reason": r[:1000], "raw": raw[:MAX_RAW]}
            for s, r, raw in quarantined
        ]
        with self._write() as c:
            if rows:
                c.execute(
                    sqlite_insert(changes_t).on_conflict_do_nothing(index_elements=["seq"]), rows
                )
            if q:
                c.execute(insert(quarantine_t), q)
        return len(rows)

    def last_seq(self) -> int:
        """The highest seq recorded (stored or quarantined): where the stream resumes."""
        with self.engine.connect() as c:
            a = c.scalar(select(func.max(changes_t.c.seq))) or 0
            b = c.scalar(select(func.max(quarantine_t.c.seq))) or 0
        return max(a, b)

    def changes(
        self,
        after: int = 0,
        upto: int | None = None,
        limit: int | None = None,
        kind: str | None = None,
    ) -> list[Change]:
        q = select(changes_t.c.payload).where(changes_t.c.seq > after).order_by(changes_t.c.seq)
        if upto is not None:
            q = q.where(changes_t.c.seq <= upto)
        if kind is not None:
            q = q.where(changes_t.c.kind == kind)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as c:
            return [json.loads(p) for (p,) in c.execute(q)]

    def index_rows(self, after: int = 0) -> list[tuple[int, str, str, float]]:
        """(seq, ts, kind, arrived_at) of every change after ``after``: a replay's index,
        without reading a single payload."""
        q = (
            select(changes_t.c.seq, changes_t.c.ts, changes_t.c.kind, changes_t.c.arrived_at)
            .where(changes_t.c.seq > after)
            .order_by(changes_t.c.seq)
        )
        with self.engine.connect() as c:
            return [tuple(r) for r in c.execute(q)]

    def arrival_window(self, first: int, last: int) -> tuple[float, float]:
        """The wall-clock window in which changes ``first``..``last`` arrived: after the last
        change before them (open at the log's start) up to the last of them (open at the log's
        end). Operator actions carry the wall clock; this joins them to a range of changes."""
        seq, arrived = changes_t.c.seq, changes_t.c.arrived_at
        with self.engine.connect() as c:
            lo = c.scalar(select(func.max(arrived)).where(seq < first))
            hi = c.scalar(select(func.max(arrived)).where(seq <= last))
            later = c.scalar(select(func.count()).where(seq > last))
        return (-math.inf if lo is None else lo), (math.inf if not later else hi)

    def seqs(self) -> list[int]:
        with self.engine.connect() as c:
            return [s for (s,) in c.execute(select(changes_t.c.seq).order_by(changes_t.c.seq))]

    def quarantine(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [
                dict(r._mapping)
                for r in c.execute(select(quarantine_t).order_by(quarantine_t.c.id))
            ]

    # ---- bootstraps ------------------------------------------------------------------------
    def add_bootstrap(
        self,
        snapshot: Snapshot,
        reference: dict[str, Any] | None,
        *,
        after_seq: int,
        fresh: bool,
    ) -> int:
        """Record a bootstrap; returns its id. ``after_seq``: the log's last seq when it came
        (it applies after the changes up to there); ``fresh``: the console started from empty.
        The reference is stored only when it differs from the last one stored."""
        ref_text = json.dumps(reference, ensure_ascii=False) if reference is not None else None
        with self._write() as c:
            if ref_text is not None:
                last = c.scalar(
                    select(bootstraps_t.c.reference)
                    .where(bootstraps_t.c.reference.is_not(None))
                    .order_by(bootstraps_t.c.id.desc())
                    .limit(1)
                )
                if last == ref_text:
                    ref_text = None
            # The MBs go as parameters, not ``.values()``: a compiled statement is cached
            # per engine with the statement it came from, which would keep the first
            # snapshot's text alive for as long as the file is open.
            key = c.execute(
                insert(bootstraps_t),
                {
                    "seq": int(snapshot["seq"]),
                    "after_seq": after_seq,
                    "fresh": int(fresh),
                    "arrived_at": time.time(),
                    "snapshot": json.dumps(snapshot, ensure_ascii=False),
                    "reference": ref_text,
                },
            ).inserted_primary_key
        assert key is not None  # an INSERT into a table with a primary key always has one
        return int(key[0])

    def bootstraps(self) -> list[dict[str, Any]]:
        """Every bootstrap's id, seq, after_seq and fresh flag, in the order they came."""
        q = select(
            bootstraps_t.c.id, bootstraps_t.c.seq, bootstraps_t.c.after_seq, bootstraps_t.c.fresh
        ).order_by(bootstraps_t.c.id)
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(q)]

    def bootstrap(self, bootstrap_id: int) -> tuple[Snapshot, dict[str, Any] | None]:
        """(snapshot, reference in force then) of one bootstrap."""
        with self.engine.connect() as c:
            snap = c.scalar(
                select(bootstraps_t.c.snapshot).where(bootstraps_t.c.id == bootstrap_id)
            )
        if snap is None:
            raise KeyError(bootstrap_id)
        return json.loads(snap), self.reference(bootstrap_id)

    def reference(self, bootstrap_id: int) -> dict[str, Any] | None:
        """The reference in force at a bootstrap. Decoded once per file and shared (~20 ms of
        JSON each time otherwise, in every seek from a checkpoint; readers never edit it):
        the last ``REFERENCES_KEPT`` are kept."""
        with self.engine.connect() as c:
            found = c.execute(
                select(bootstraps_t.c.id)
                .where(bootstraps_t.c.id <= bootstrap_id, bootstraps_t.c.reference.is_not(None))
                .order_by(bootstraps_t.c.id.desc())
                .limit(1)
            ).first()
            if found is None:
                return None
            key = int(found[0])
            with self._references_lock:
                if key in self._references:
                    return self._references[key]
            text = c.scalar(select(bootstraps_t.c.reference).where(bootstraps_t.c.id == key))
        ref = json.loads(text) if text else None
        with self._references_lock:
            self._references[key] = ref
            while len(self._references) > REFERENCES_KEPT:
                del self._references[next(iter(self._references))]
        return ref

    # ---- outbox ----------------------------------------------------------------------------
    def outbox_add(
        self, key: str, user: str, case_id: str, action: str, body: dict[str, Any]
    ) -> None:
        with self._write() as c:
            c.execute(
                insert(outbox_t).values(
                    key=key,
                    created_at=time.time(),
                    user=user,
                    case_id=case_id,
                    action=action,
                    body=json.dumps(body, ensure_ascii=False),
                    state="pending",
                    attempts=0,
                    last_error="",
                )
            )

    def outbox_carry(self, rows: Iterable[dict[str, Any]]) -> None:
        """Take over pending outbox rows from another log (the day before's), as they were."""
        rows = list(rows)
        if rows:
            with self._write() as c:
                c.execute(
                    sqlite_insert(outbox_t).on_conflict_do_nothing(index_elements=["key"]), rows
                )

    def outbox_pending(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            rows = c.execute(
                select(outbox_t)
                .where(outbox_t.c.state == "pending")
                .order_by(outbox_t.c.created_at, outbox_t.c.key)
            )
            return [dict(r._mapping) for r in rows]

    def outbox_attempt(self, key: str, error: str) -> None:
        with self._write() as c:
            c.execute(
                update(outbox_t)
                .where(outbox_t.c.key == key)
                .values(attempts=outbox_t.c.attempts + 1, last_error=error[:1000])
            )

    def outbox_finish(self, key: str, status: int, response: dict[str, Any]) -> None:
        state = "done" if status < 400 else "failed"
        with self._write() as c:
            c.execute(
                update(outbox_t)
                .where(outbox_t.c.key == key)
                .values(
                    state=state,
                    status=status,
                    response=json.dumps(response, ensure_ascii=False),
                    done_at=time.time(),
                    attempts=outbox_t.c.attempts + 1,
                )
            )

    def outbox(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [
                dict(r._mapping)
                for r in c.execute(select(outbox_t).order_by(outbox_t.c.created_at))
            ]

    # ---- bookmarks and checkpoints ---------------------------------------------------------
    def add_bookmark(self, seq: int, at: str, label: str) -> None:
        with self._write() as c:
            c.execute(
                insert(bookmarks_t).values(
                    seq=seq, at=at, label=label[:500], created_at=time.time()
                )
            )

    def bookmarks(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [
                dict(r._mapping) for r in c.execute(select(bookmarks_t).order_by(bookmarks_t.c.seq))
            ]

    def add_checkpoint(self, seq: int, digest: str, state: dict[str, Any]) -> None:
        blob = encode_checkpoint(state)
        with self._write() as c:
            c.execute(  # parameters apart, as in ``add_bootstrap``
                sqlite_insert(checkpoints_t).on_conflict_do_nothing(index_elements=["seq"]),
                {"seq": seq, "created_at": time.time(), "digest": digest, "state": blob},
            )

    def checkpoint_at(self, seq: int | None = None) -> tuple[int, str, dict[str, Any]] | None:
        """The latest (seq, digest, state) checkpoint at or before ``seq`` (any, if None)."""
        q = select(checkpoints_t.c.seq, checkpoints_t.c.digest, checkpoints_t.c.state)
        if seq is not None:
            q = q.where(checkpoints_t.c.seq <= seq)
        with self.engine.connect() as c:
            row = c.execute(q.order_by(checkpoints_t.c.seq.desc()).limit(1)).first()
        if row is None:
            return None
        return row[0], row[1], checkpoint_form.decode(row[2])

    def close(self) -> None:
        """Stamp ``shift_end`` and refuse further pages, so a writer still inside a long poll
        when its owner shuts down cannot write after the end."""
        self.set_meta("shift_end", datetime.now(UTC).isoformat())
        with self._lock:
            self._closed = True
        self.engine.dispose()


def encode_checkpoint(state: dict[str, Any]) -> bytes:
    """A ``CityState.checkpoint()`` as the ``checkpoints.state`` column holds it."""
    return checkpoint_form.encode_compact(state)


def _int64_or_none(v: object) -> int | None:
    """A quarantined change's seq as SQLite can store it: its raw text keeps the rest (a seq
    beyond 64 bits made the whole page's write fail — found by the fuzz test)."""
    return v if isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63 else None
