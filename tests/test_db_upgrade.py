"""A database an older release created keeps working after an upgrade that adds columns.

The alerts table gained its level, group and history columns in one release; a centre's
database from before must gain them at the next start (``add_missing_columns``), keep its rows,
and serve them, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from conftest import Api, _db_params, fleet_of, fresh_db_url, start_backend
from sqlalchemy import BigInteger, inspect, text
from sqlalchemy.exc import IntegrityError

from console.server.db import (
    FIXES_UNIQUE_INDEX,
    OPEN_SENSOR_INDEX,
    Database,
    add_missing_columns,
    upgrade_fixes,
)

#: The columns (and the indexes on them) the levelled-alert release added.
NEW_COLUMNS = ("level", "level_at", "group_id", "history", "next_level_at")
NEW_INDEXES = ("ix_alerts_group_id", "ix_alerts_next_level_at")


def _as_an_older_release_left_it(url: str) -> None:
    db = Database(url)
    db.create_all()
    with db.engine.begin() as conn:
        for name in NEW_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        for col in NEW_COLUMNS:
            conn.execute(text(f'ALTER TABLE alerts DROP COLUMN "{col}"'))
        conn.execute(
            text(
                "INSERT INTO alerts (id, kind, severity, subject_type, subject_id, state,"
                " open_key, raised_at, ack_comment, escalated, detail) VALUES ('A00000001',"
                " 'case_red', 'critical', 'case', '2026112000001', 'raised',"
                " 'case:2026112000001:case_red', '2026-11-20 02:00:00', '', false, '{}')"
            )
        )
    assert not set(NEW_COLUMNS) & {c["name"] for c in inspect(db.engine).get_columns("alerts")}
    db.dispose()


@pytest.mark.parametrize("kind", _db_params())
def test_an_older_database_gains_the_new_columns_and_keeps_its_alerts(kind, tmp_path):
    url = fresh_db_url(kind, tmp_path)
    _as_an_older_release_left_it(url)
    backend = start_backend(url)
    try:
        cols = {c["name"] for c in inspect(backend.ctx.db.engine).get_columns("alerts")}
        assert set(NEW_COLUMNS) <= cols
        indexes = {i["name"] for i in inspect(backend.ctx.db.engine).get_indexes("alerts")}
        assert set(NEW_INDEXES) <= indexes
        alerts = Api(backend.url, "demo-lead").get("/api/v1/alerts").json()["alerts"]
        old = next(a for a in alerts if a["id"] == "A00000001")
        assert old["kind"] == "case_red" and old["history"] == [] and old["level"] is None
    finally:
        backend.stop()
    db = Database(url)
    try:
        assert add_missing_columns(db.engine) == []  # a second start adds nothing
    finally:
        db.dispose()


def _fixes_as_an_older_release_left_them(url: str) -> None:
    """32-bit flags (PostgreSQL), a plain (vehicle, t) index, and a retried batch stored twice."""
    db = Database(url)
    db.create_all()
    pg = db.is_postgres
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP INDEX IF EXISTS {FIXES_UNIQUE_INDEX}"))
        conn.execute(text("CREATE INDEX ix_fixes_vehicle_t ON fixes (vehicle_id, t)"))
        if pg:
            conn.execute(text("ALTER TABLE fixes ALTER COLUMN flags TYPE INTEGER"))
            conn.execute(text("ALTER TABLE vehicles ALTER COLUMN last_flags TYPE INTEGER"))
        for _ in range(2):
            conn.execute(
                text(
                    "INSERT INTO fixes (vehicle_id, t, lon, lat, speed_kmh, heading, flags)"
                    " VALUES ('V-OLD', 1000.0, 120.17, 30.25, 5, 90, 1),"
                    " ('V-OLD', 1001.0, 120.17, 30.25, 5, 90, 1)"
                )
            )
    db.dispose()


@pytest.mark.parametrize("kind", _db_params())
def test_an_older_fixes_table_becomes_unique_and_64_bit(kind, tmp_path):
    url = fresh_db_url(kind, tmp_path)
    _fixes_as_an_older_release_left_them(url)
    db = Database(url)
    try:
        db.create_all()
        indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("fixes")}
        assert indexes[FIXES_UNIQUE_INDEX]["unique"] and "ix_fixes_vehicle_t" not in indexes
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM fixes")).scalar() == 2
        if db.is_postgres:
            for table, col in (("fixes", "flags"), ("vehicles", "last_flags")):
                kind_ = next(
                    c["type"] for c in inspect(db.engine).get_columns(table) if c["name"] == col
                )
                assert isinstance(kind_, BigInteger), (table, kind_)
        with db.engine.begin() as conn:  # 2**40 fits now
            conn.execute(
                text(
                    "INSERT INTO fixes (vehicle_id, t, lon, lat, speed_kmh, heading, flags)"
                    " VALUES ('V-OLD', 1002.0, 120.17, 30.25, 5, 90, :f)"
                ),
                {"f": 2**40},
            )
        assert upgrade_fixes(db.engine) == []  # a second start changes nothing
    finally:
        db.dispose()


@pytest.mark.parametrize("kind", _db_params())
def test_an_older_fleet_gains_unique_terminal_ids(kind, tmp_path):
    """Vehicles from before ``terminal_id`` get one at the next start, numbered like a new
    fleet's, and the reference (which JT/T 808 and Traccar match terminals by) carries them."""
    url = fresh_db_url(kind, tmp_path)
    backend = start_backend(url)
    fresh = {  # the fleet's: people report positions from phones, with no terminal
        v["id"]: v["terminal_id"]
        for v in fleet_of(Api(backend.url, "demo-lead").get("/api/v1/reference").json())
    }
    backend.stop()
    assert len(set(fresh.values())) == len(fresh) and all(t.isdigit() for t in fresh.values())
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP INDEX IF EXISTS ix_vehicles_terminal_id"))
        conn.execute(text('ALTER TABLE vehicles DROP COLUMN "terminal_id"'))
    db.dispose()
    backend = start_backend(url)
    try:
        vehicles = fleet_of(Api(backend.url, "demo-lead").get("/api/v1/reference").json())
        assert {v["id"]: v["terminal_id"] for v in vehicles} == fresh
        indexes = inspect(backend.ctx.db.engine).get_indexes("vehicles")
        assert any(i["name"] == "ix_vehicles_terminal_id" and i["unique"] for i in indexes)
    finally:
        backend.stop()


@pytest.mark.parametrize("kind", _db_params())
def test_an_older_cases_table_gains_one_open_case_per_sensor(kind, tmp_path):
    """The release that files cases from sensors added ``cases.open_sensor_id`` under a unique
    index: an older database gains both at the next start, and the index then refuses a
    second open case for one sensor from any writer."""
    url = fresh_db_url(kind, tmp_path)
    db = Database(url)
    db.create_all()
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP INDEX IF EXISTS {OPEN_SENSOR_INDEX}"))
        conn.execute(text('ALTER TABLE cases DROP COLUMN "open_sensor_id"'))
    db.dispose()
    backend = start_backend(url)
    try:
        indexes = {i["name"]: i for i in inspect(backend.ctx.db.engine).get_indexes("cases")}
        assert indexes[OPEN_SENSOR_INDEX]["unique"]
        insert = text(
            "INSERT INTO cases (id, state, version, source, category_code, search, created_at,"
            " updated_at, doc, open_sensor_id) VALUES (:id, 'reported', 1, 'iot', '01023', '',"
            " '2026-11-20 02:00:00', '2026-11-20 02:00:00', '{}', :sensor)"
        )
        with backend.ctx.db.engine.begin() as conn:
            conn.execute(insert, {"id": "X1", "sensor": "S001"})
            conn.execute(insert, {"id": "X2", "sensor": None})  # NULLs are distinct
            conn.execute(insert, {"id": "X3", "sensor": None})
        with pytest.raises(IntegrityError), backend.ctx.db.engine.begin() as conn:
            conn.execute(insert, {"id": "X4", "sensor": "S001"})
    finally:
        backend.stop()
