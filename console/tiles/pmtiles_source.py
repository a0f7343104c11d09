"""PMTiles v3 archives (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): one
file of tiles behind a directory, the offline package form of Protomaps, read with its
maintainers' ``pmtiles`` reader. Raster archives only (PNG/JPEG/WebP): a vector archive (MVT)
would need a renderer the console does not have, and is refused when opened.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

from .sources import DATUMS

_RASTER = (TileType.PNG, TileType.JPEG, TileType.WEBP, TileType.AVIF)


class PMTilesError(Exception):
    """The file is no PMTiles v3 archive of raster tiles."""


class PMTilesSource:
    """A PMTiles archive, memory-mapped and shared by the fetching threads."""

    def __init__(
        self, path: str | Path, *, name: str = "", datum: str = "wgs84", attribution: str = ""
    ):
        if datum not in DATUMS:
            raise ValueError(f"datum must be one of {', '.join(DATUMS)}, not {datum!r}")
        path = Path(path)
        self._file = path.open("rb")
        try:
            self._reader = Reader(MmapSource(self._file))
            if self._reader.get_bytes(0, 8) != b"PMTiles\x03":
                raise ValueError("no PMTiles v3 magic")
            header = self._reader.header()
            meta = self._reader.metadata()
        except Exception as e:  # the reader parses any bytes it is given: each way it fails
            self._file.close()
            raise PMTilesError(f"{path}: not a PMTiles v3 archive ({e})") from e
        if header["tile_type"] not in _RASTER:
            self._file.close()
            raise PMTilesError(f"{path}: holds {header['tile_type'].name} tiles, not raster tiles")
        if header["tile_compression"] not in (
            Compression.NONE,
            Compression.GZIP,
            Compression.UNKNOWN,
        ):
            self._file.close()
            raise PMTilesError(f"{path}: {header['tile_compression'].name} tiles are not read")
        self.name = name or meta.get("name") or path.stem
        self.datum = datum
        self.attribution = attribution or str(meta.get("attribution", ""))
        self.min_zoom, self.max_zoom = int(header["min_zoom"]), int(header["max_zoom"])
        self.errors = 0
        self._gzip = header["tile_compression"] == Compression.GZIP
        self._bounds = tuple(
            header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")
        )

    def bounds(self) -> tuple[float, float, float, float] | None:
        w, s, e, n = self._bounds
        return (w, s, e, n) if w < e and s < n else None

    def get(self, z: int, x: int, y: int) -> bytes | None:
        data = self._reader.get(z, x, y)  # (slices of the map: safe from several threads)
        if data is None:
            return None
        return gzip.decompress(data) if self._gzip else bytes(data)

    def close(self) -> None:
        """The file closes; the map goes with the reader (a read in flight still ends)."""
        self._file.close()
