"""The backend's SQLAlchemy schema and how a write transaction is taken.

One schema for SQLite (default, WAL) and PostgreSQL (by URL). Every write goes through
``Database.write()``: it serialises writers (a process lock, plus a PostgreSQL advisory lock
across processes) so that change-feed sequence numbers commit in the order they are assigned.
A follower that has seen ``seq = n`` can then never miss a change ``< n`` committed later.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

# BigInteger autoincrement is INTEGER on SQLite so that it aliases the rowid.
BigId = BigInteger().with_variant(Integer, "sqlite")

#: The unique (vehicle, t) index of ``fixes``; it replaced the plain ``ix_fixes_vehicle_t``.
FIXES_UNIQUE_INDEX = "ux_fixes_vehicle_t"

#: The unique index of ``cases.open_sensor_id``: one open case per sensor (a named ``Index``,
#: not a column constraint, so that ``add_missing_columns`` creates it on an older database).
OPEN_SENSOR_INDEX = "ux_cases_open_sensor"

#: PostgreSQL NOTIFY channel carrying the last committed change seq to other API processes.
PG_CHANNEL = "zhcg_changes"


def as_utc(t: datetime) -> datetime:
    """A stored time as an aware UTC datetime: SQLite hands back the naive UTC it was given,
    PostgreSQL an aware one."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict: JSON, list: JSON}


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64), default="")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list] = mapped_column(JSON)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuthSession(Base):
    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class CaseRow(Base):
    """A case: indexed columns for filtering plus the full document (with its events)."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(String(8), index=True)
    street_code: Mapped[str | None] = mapped_column(String(16), index=True, nullable=True)
    community_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    grid_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    department_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    light: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # When the SLA light next changes (green→yellow, yellow→red); the ticker re-stores the
    # case then, so lights advance without scanning every open case.
    light_due_at: Mapped[datetime | None] = mapped_column(index=True, nullable=True)
    search: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    doc: Mapped[dict] = mapped_column(JSON)
    # ``doc`` as the feed and the snapshot send it (without the reporter's contact), as JSON
    # text: a city's snapshot sends 50,000 of them as they are (console.server.snapshot).
    # NULL in rows stored before it existed (those go through the domain).
    wire: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The sensor whose breach filed the case, while the case is open; NULL otherwise (and for
    # every case not filed by a sensor). Unique: one open case per sensor is held by the
    # database, across API processes (console.server.sensor_cases).
    open_sensor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index(OPEN_SENSOR_INDEX, "open_sensor_id", unique=True),)


class Change(Base):
    """The change feed. ``seq`` is assigned and committed in order (see ``Database.write``)."""

    __tablename__ = "changes"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ts: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict] = mapped_column(JSON)


class IdempotencyRecord(Base):
    """The first response to a request carrying an Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotency"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)


class AlertRow(Base):
    __tablename__ = "alerts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    # "type:id:kind" while the alert is open, NULL once resolved: one open alert per subject
    # and kind is enforced by the database (NULLs are distinct in a unique index).
    open_key: Mapped[str | None] = mapped_column(String(160), unique=True, nullable=True)
    raised_at: Mapped[datetime]
    acked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ack_comment: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # Levelled alerts (a late case: yellow → red → 督办) change level on the same row; level_at
    # is when the current level began (escalation to the shift lead counts from it).
    level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    level_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The group alert this one was folded into by the flood rule (FloodRule), if any.
    group_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    # Every step of the alert (raised, level, acknowledged, escalated, grouped, resolved).
    history: Mapped[list] = mapped_column(JSON, default=list)
    # When the ticker next looks at a red case alert for 督办 (alert_rules.supervise_recheck).
    next_level_at: Mapped[datetime | None] = mapped_column(index=True, nullable=True)

    __table_args__ = (
        Index("ix_alerts_subject", "subject_type", "subject_id"),
        Index("ix_alerts_kind_raised", "kind", "raised_at"),
    )


class Vehicle(Base):
    __tablename__ = "vehicles"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    plate: Mapped[str] = mapped_column(String(32))
    #: The vehicle terminal's SIM number: JT/T 808's header phone number and Traccar's device
    #: ``uniqueId`` both name the vehicle by it (matched ignoring leading zeros).
    terminal_id: Mapped[str | None] = mapped_column(
        String(20), nullable=True, unique=True, index=True
    )
    vtype: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    route: Mapped[dict] = mapped_column(JSON, default=dict)
    last_t: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_speed: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_heading: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_flags: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="unknown")


class Fix(Base):
    __tablename__ = "fixes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vehicle_id: Mapped[str] = mapped_column(String(32))
    t: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    speed_kmh: Mapped[float] = mapped_column(Float)
    heading: Mapped[float] = mapped_column(Float)
    # A terminal's 64-bit status word (a 32-bit column refused flags >= 2**31 on PostgreSQL).
    flags: Mapped[int] = mapped_column(BigInteger)

    # One fix per vehicle and instant: a retried batch is stored once (telemetry.py inserts
    # ignoring conflicts on this index).
    __table_args__ = (Index(FIXES_UNIQUE_INDEX, "vehicle_id", "t", unique=True),)


class Sensor(Base):
    __tablename__ = "sensors"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_t: Mapped[float | None] = mapped_column(Float, nullable=True)


class Media(Base):
    __tablename__ = "media"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(64))


class Counter(Base):
    """Named counters (per-day case serials, alert ids), incremented inside write transactions."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Meta(Base):
    """Key/value facts about this database, e.g. its feed id."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SupervisorArea(Base):
    """A field supervisor's 责任区: a community (12-digit code, all its cells) or a single cell
    (15 digits, overriding its community's supervisor). ``console.server.supervisors``."""

    __tablename__ = "supervisor_areas"
    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)


class EnforcementRow(Base):
    """An enforcement case (执法案件, ``console.server.enforcement``): the full doc with the
    parties, and the columns its queries need (the public feed, a case-loop case's link)."""

    __tablename__ = "enforcement_cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    source_case_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(index=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    #: When a closed or rejected case leaves the consoles (None while open or once retired).
    retire_at: Mapped[datetime | None] = mapped_column(index=True, nullable=True)
    doc: Mapped[dict] = mapped_column(JSON)


class RecordRow(Base):
    """The current document of each record (``console.server.records``): what a snapshot sends
    of the centre's other systems. ``live`` false: gone from consoles, kept for the API."""

    __tablename__ = "records"
    type: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    live: Mapped[bool] = mapped_column(Boolean, index=True)
    updated_at: Mapped[datetime] = mapped_column()
    doc: Mapped[dict] = mapped_column(JSON)


class DutyDay(Base):
    """A person's duty totals per CST day (``console.server.duty``): the 在岗率 and 巡查覆盖率
    KPIs over any period read these, the records holding only today."""

    __tablename__ = "duty_days"
    person_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    person_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    street: Mapped[str | None] = mapped_column(String(16), nullable=True)
    on_duty_s: Mapped[float] = mapped_column(Float)
    scheduled_s: Mapped[float] = mapped_column(Float)
    visited: Mapped[int] = mapped_column(Integer)
    cells: Mapped[int] = mapped_column(Integer)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; ``sqlite:///path`` gets WAL, ``postgresql://`` uses psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        kw: dict = {"connect_args": {"check_same_thread": False, "timeout": 10}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kw["poolclass"] = StaticPool
        engine = create_engine(url, **kw)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Database:
    """Engine, sessions and the serialised write transaction."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        #: Called with the highest seq after a commit that appended changes (wakes followers).
        self.on_commit: Callable[[int], None] | None = None

    def create_all(self) -> None:
        """Create missing tables, then add the columns and indexes a newer release declares
        to tables an older one created (``add_missing_columns``)."""
        Base.metadata.create_all(self.engine)
        added = add_missing_columns(self.engine)
        if added:
            log.info("database upgraded: added columns %s", ", ".join(added))
        changed = upgrade_fixes(self.engine)
        if changed:
            log.info("database upgraded: %s", "; ".join(changed))

    def drop_all(self) -> None:
        Base.metadata.drop_all(self.engine)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as s:
            yield s

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One serialised write transaction; commits on success, rolls back on error."""
        with self._write_lock, self._sessions() as s:
            if self.is_postgres:
                # Across API processes; on SQLite the database lock already orders writers.
                s.execute(text("SELECT pg_advisory_xact_lock(731102)"))
            try:
                yield s
                seqs = s.info.get("changes")
                if seqs and self.is_postgres:
                    s.execute(
                        text("SELECT pg_notify(:c, :p)"), {"c": PG_CHANNEL, "p": str(max(seqs))}
                    )
                s.commit()
            except BaseException:
                s.rollback()
                raise
            if seqs and self.on_commit is not None:
                self.on_commit(max(seqs))

    def ping(self) -> bool:
        try:
            with self.engine.connect() as c:
                c.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database not reachable", exc_info=True)
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def add_missing_columns(engine: Engine) -> list[str]:
    """Bring tables an older release created up to the declared schema, additively.

    Releases only ever add nullable columns (and indexes on them), so an ALTER TABLE ADD COLUMN
    per missing column is the whole migration, on SQLite and PostgreSQL alike; rows written
    before have NULL there, which the code reads as "none" (e.g. an alert's history). Anything
    else (a type change, a dropped column) would need a real migration and is not attempted.
    """
    inspector = inspect(engine)
    added: list[str] = []
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            missing = [c for c in table.columns if c.name not in have]
            for col in missing:
                ddl = col.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {ddl}'))
                added.append(f"{table.name}.{col.name}")
            if missing:
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
    return added


def upgrade_fixes(engine: Engine) -> list[str]:
    """The telemetry tables' one non-additive upgrade (issue 13), done once and idempotent:
    ``flags``/``last_flags`` widened to BIGINT on PostgreSQL (SQLite integers are 64-bit
    already), and the plain (vehicle, t) index of ``fixes`` replaced by a unique one, after
    dropping the duplicate fixes older releases stored for retried batches (the first of each
    is kept)."""
    done: list[str] = []
    inspector = inspect(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table, col in (("fixes", "flags"), ("vehicles", "last_flags")):
                kind = next(c["type"] for c in inspector.get_columns(table) if c["name"] == col)
                if not isinstance(kind, BigInteger):
                    conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {col} TYPE BIGINT"))
                    done.append(f"{table}.{col} is BIGINT")
        if FIXES_UNIQUE_INDEX not in {i["name"] for i in inspector.get_indexes("fixes")}:
            gone = conn.execute(
                text(
                    "DELETE FROM fixes WHERE id NOT IN"
                    " (SELECT MIN(id) FROM fixes GROUP BY vehicle_id, t)"
                )
            ).rowcount
            conn.execute(text("DROP INDEX IF EXISTS ix_fixes_vehicle_t"))
            conn.execute(text(f"CREATE UNIQUE INDEX {FIXES_UNIQUE_INDEX} ON fixes (vehicle_id, t)"))
            done.append(f"fixes unique on (vehicle_id, t), {gone} duplicate fixes dropped")
    return done
