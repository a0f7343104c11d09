"""MBTiles 1.3 files: one SQLite file of tiles (TMS rows) and a ``metadata`` name/value table.

The offline basemap a centre copies onto a wall PC, the demo's built basemap and the disk cache
of a network source all use it, so every tile store is a file one can open in QGIS. Spec:
https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md

Callers speak XYZ (``z, x, y`` with y from the north); the TMS flip stays in here.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from .tilegrid import tms_row

_SCHEMA = """
CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);
"""


class MBTilesError(Exception):
    """The file is not an MBTiles file (not SQLite, or without a ``tiles`` table)."""


class MBTiles:
    """A read-only MBTiles file, safe to share between threads (one connection, one lock:
    a tile read is ~20 µs, far below what a second connection's setup would save)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise MBTilesError(f"{self.path}: no such file")
        try:
            self._db = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
            rows = self._db.execute("SELECT name, value FROM metadata").fetchall()
            self._db.execute("SELECT 1 FROM tiles LIMIT 1").fetchall()
        except sqlite3.DatabaseError as e:
            raise MBTilesError(f"{self.path}: not an MBTiles file ({e})") from e
        self._lock = threading.Lock()
        #: The ``metadata`` table (name, format, bounds, minzoom, maxzoom, attribution, …).
        self.metadata: dict[str, str] = {str(k): str(v) for k, v in rows}

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes (PNG/JPEG/WebP as stored), or None where the file has none."""
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, tms_row(z, y)),
            ).fetchone()
        return bytes(row[0]) if row else None

    def zoom_range(self) -> tuple[int, int]:
        """(min, max) zoom: from the metadata when it says, else from the tiles."""
        try:
            return int(self.metadata["minzoom"]), int(self.metadata["maxzoom"])
        except (KeyError, ValueError):
            with self._lock:
                lo, hi = self._db.execute(
                    "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles"
                ).fetchone()
            return int(lo or 0), int(hi or 0)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class MBTilesWriter:
    """Writes (or adds to) an MBTiles file; tiles are committed in batches, so a build of tens
    of thousands of tiles is not one fsync each."""

    BATCH = 500

    def __init__(self, path: str | Path, metadata: Mapping[str, object] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)
        self._pending = 0
        if metadata:
            self.set_metadata(metadata)

    def set_metadata(self, metadata: Mapping[str, object]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)",
            [(k, str(v)) for k, v in metadata.items()],
        )
        self._db.commit()

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        """Store one tile (XYZ address), replacing any tile already there."""
        self._db.execute(
            "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data)"
            " VALUES (?, ?, ?, ?)",
            (z, x, tms_row(z, y), sqlite3.Binary(data)),
        )
        self._pending += 1
        if self._pending >= self.BATCH:
            self._db.commit()
            self._pending = 0

    def put_many(self, tiles: Iterable[tuple[int, int, int, bytes]]) -> None:
        for z, x, y, data in tiles:
            self.put(z, x, y, data)

    def close(self) -> None:
        self._db.commit()
        self._db.close()

    def __enter__(self) -> MBTilesWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
