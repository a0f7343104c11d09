"""The disk cache of a network tile source: one SQLite file per source, MBTiles-shaped.

The ``tiles`` table is MBTiles 1.3's (TMS rows) with two more columns, ``fetched`` and
``used`` (epoch seconds), so a cache file still opens in QGIS as an MBTiles layer, and a wall
PC that lost its network keeps showing what it saw last (an expired tile is served when a
refetch fails: see ``XyzSource.get``).

Bounded two ways: a tile older than ``max_age`` is refetched; past ``max_bytes`` the least
recently used tiles go until the file's tiles are under 90 % of the limit (so an eviction is
not paid on every put).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .tilegrid import tms_row

_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB,
    fetched REAL, used REAL);
CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
CREATE INDEX IF NOT EXISTS tile_used ON tiles (used);
"""
#: Defaults: 500 MB holds the district (~30 km²) at zooms 11-18 many times over (~6,000
#: 20 KB tiles); a week keeps a street map current enough (Tianditu refreshes quarterly).
MAX_BYTES = 500 * 1024 * 1024
MAX_AGE_S = 7 * 86400.0
EVICT_TO = 0.9
_WHERE = "WHERE zoom_level=? AND tile_column=? AND tile_row=?"


class TileCache:
    """Tiles of one source on disk, shared by the fetching threads (one connection, a lock)."""

    def __init__(
        self,
        path: str | Path,
        max_bytes: int = MAX_BYTES,
        max_age: float = MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes, self.max_age, self.clock = max_bytes, max_age, clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        (total,) = self._db.execute(
            "SELECT COALESCE(SUM(LENGTH(tile_data)), 0) FROM tiles"
        ).fetchone()
        self._bytes = int(total)

    def get(self, z: int, x: int, y: int) -> tuple[bytes, bool] | None:
        """(data, fresh) of a cached tile — ``fresh`` False once older than ``max_age`` —
        or None. A hit marks the tile used (the LRU order)."""
        now = self.clock()
        key = (z, x, tms_row(z, y))
        with self._lock:
            row = self._row("tile_data, fetched", key)
            if row is None:
                return None
            self._db.execute(f"UPDATE tiles SET used=? {_WHERE}", (now, *key))
        return bytes(row[0]), now - float(row[1]) < self.max_age

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        now = self.clock()
        key = (z, x, tms_row(z, y))
        with self._lock:
            old = self._row("LENGTH(tile_data)", key)
            self._db.execute(
                "INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?, ?, ?)",
                (*key, sqlite3.Binary(data), now, now),
            )
            self._bytes += len(data) - (int(old[0]) if old else 0)
            if self._bytes > self.max_bytes:
                self._evict()

    def _row(self, columns: str, key: tuple[int, int, int]) -> tuple | None:
        """``columns`` of the tile at ``key`` (z, column, TMS row), lock held."""
        row: tuple | None = self._db.execute(
            f"SELECT {columns} FROM tiles {_WHERE}", key
        ).fetchone()
        return row

    def _evict(self) -> None:
        """Least recently used first, until under EVICT_TO of the limit (lock held)."""
        target = self.max_bytes * EVICT_TO
        rows = self._db.execute(
            "SELECT rowid, LENGTH(tile_data) FROM tiles ORDER BY used"
        ).fetchall()
        gone = []
        for rowid, size in rows:
            if self._bytes <= target:
                break
            gone.append((rowid,))
            self._bytes -= int(size)
        self._db.executemany("DELETE FROM tiles WHERE rowid=?", gone)

    def size_bytes(self) -> int:
        """The bytes of tile data held (what the limit bounds)."""
        return self._bytes

    def __len__(self) -> int:
        with self._lock:
            (n,) = self._db.execute("SELECT COUNT(*) FROM tiles").fetchone()
        return int(n)

    def close(self) -> None:
        with self._lock:
            self._db.close()
