"""Where basemap tiles come from: a URL template (XYZ/TMS), an OGC WMTS service, an MBTiles file.

Every source answers ``get(z, x, y)`` with the tile's encoded bytes (PNG/JPEG/WebP), None where
it has no tile, or raises ``TileError`` when it could not tell (network down, HTTP 5xx, bytes
that are no image). It blocks: callers run it off the GUI thread (``widgets.map.basemap``).

Each source declares its datum: the tiles of Tianditu and of an offline package are drawn on
WGS-84/CGCS2000 (the same at map scale: they differ by centimetres), AMap's and most commercial
Chinese tiles on GCJ-02; the map wall places GCJ-02 tiles by converting their corners
(``console.tiles.placement``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import requests

from .cache import TileCache
from .mbtiles import MBTiles
from .tilegrid import tms_row

log = logging.getLogger(__name__)

#: CGCS2000 (China's geodetic datum since 2008) and WGS-84 agree within a few centimetres
#: (both ITRF-based; CH/T 2004-2010's transformation notes), so they share one placement.
DATUMS = ("wgs84", "cgcs2000", "gcj02")
TIMEOUT_S = 10.0
#: A 404 is remembered this long: a tile server without tiles outside its area is asked again
#: after a while (the area may have grown), not on every repaint.
MISS_TTL_S = 300.0
MAX_MISSES = 10_000
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


class TileError(Exception):
    """The source could not say whether the tile exists (network, server error, bad bytes)."""


class TileSource(Protocol):
    name: str
    datum: str
    attribution: str
    min_zoom: int
    max_zoom: int
    errors: int  # failed fetches since the source was opened

    def get(self, z: int, x: int, y: int) -> bytes | None: ...

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in degrees of the source's datum where it has tiles, or
        None: anywhere. The map asks for no tile outside."""
        ...

    def close(self) -> None: ...


def is_image(data: bytes) -> bool:
    """PNG, JPEG, GIF or WebP by their magic bytes: what a tile server may answer with."""
    return data.startswith(_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


class XyzSource:
    """Tiles from a URL template: ``{z}/{x}/{y}``, ``{-y}`` for a TMS row, ``{s}`` for one of
    ``subdomains`` (spread by tile), ``{key}`` or ``key_param=key`` appended for a key such as
    Tianditu's ``tk``; ``zoom_ids`` maps z to another matrix name (WMTS). With a ``cache``,
    tiles are kept on disk, and an expired tile is still served when its refetch fails.
    ``area`` (west, south, east, north degrees): where the server has tiles, if it says."""

    def __init__(
        self,
        name: str,
        template: str,
        *,
        datum: str = "wgs84",
        attribution: str = "",
        subdomains: Sequence[str] = ("a", "b", "c"),
        headers: Mapping[str, str] | None = None,
        key: str | None = None,
        key_param: str | None = None,
        min_zoom: int = 0,
        max_zoom: int = 18,
        zoom_ids: Mapping[int, str] | None = None,
        cache: TileCache | None = None,
        timeout: float = TIMEOUT_S,
        area: tuple[float, float, float, float] | None = None,
    ):
        if datum not in DATUMS:
            raise ValueError(f"datum must be one of {', '.join(DATUMS)}, not {datum!r}")
        self.name, self.template, self.datum = name, template, datum
        self.attribution = attribution
        self.subdomains = tuple(subdomains) or ("",)
        self.headers = dict(headers or {})
        self.key, self.key_param = key, key_param
        self.min_zoom, self.max_zoom = min_zoom, max_zoom
        self.zoom_ids = dict(zoom_ids or {})
        self.cache, self.timeout = cache, timeout
        self.errors = 0
        self.area = area
        self._misses: dict[tuple[int, int, int], float] = {}
        self._local = threading.local()  # a requests.Session per fetching thread
        self._lock = threading.Lock()

    def url(self, z: int, x: int, y: int) -> str:
        url = (
            self.template.replace("{z}", self.zoom_ids.get(z, str(z)))
            .replace("{x}", str(x))
            .replace("{-y}", str(tms_row(z, y)))
            .replace("{y}", str(y))
            .replace("{s}", self.subdomains[(x + y) % len(self.subdomains)])
        )
        if self.key is not None:
            if "{key}" in url:
                url = url.replace("{key}", self.key)
            elif self.key_param:
                url += ("&" if "?" in url else "?") + urlencode({self.key_param: self.key})
        return url

    def bounds(self) -> tuple[float, float, float, float] | None:
        return self.area

    def get(self, z: int, x: int, y: int) -> bytes | None:
        key = (z, x, y)
        with self._lock:
            until = self._misses.get(key)
            if until is not None and until > time.monotonic():
                return None
        cached = self.cache.get(z, x, y) if self.cache is not None else None
        if cached is not None and cached[1]:
            return cached[0]
        try:
            data = self._fetch(z, x, y)
        except TileError:
            with self._lock:
                self.errors += 1
            if cached is not None:  # stale beats nothing when the server is away
                return cached[0]
            raise
        if data is None:
            now = time.monotonic()
            with self._lock:
                if len(self._misses) > MAX_MISSES:  # a wall's months of panning: the stale go
                    self._misses = {k: t for k, t in self._misses.items() if t > now}
                self._misses[key] = now + MISS_TTL_S
            return None
        if self.cache is not None:
            self.cache.put(z, x, y, data)
        return data

    def _fetch(self, z: int, x: int, y: int) -> bytes | None:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        url = self.url(z, x, y)
        try:
            r = session.get(url, headers=self.headers, timeout=self.timeout)
        except requests.RequestException as e:
            raise TileError(f"{self.name}: {type(e).__name__}: {e}") from e
        if r.status_code in (404, 204):
            return None
        if r.status_code != 200:
            raise TileError(f"{self.name}: HTTP {r.status_code} for z{z}/{x}/{y}")
        if not is_image(r.content):
            raise TileError(f"{self.name}: z{z}/{x}/{y} is not an image ({len(r.content)} bytes)")
        return r.content

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


class MBTilesSource:
    """An offline tile package: its metadata names it and gives zooms and attribution."""

    def __init__(
        self, path: str | Path, *, name: str = "", datum: str = "wgs84", attribution: str = ""
    ):
        if datum not in DATUMS:
            raise ValueError(f"datum must be one of {', '.join(DATUMS)}, not {datum!r}")
        self.file = MBTiles(path)
        meta = self.file.metadata
        self.name = name or meta.get("name") or Path(path).stem
        self.datum = datum
        self.attribution = attribution or meta.get("attribution", "")
        self.min_zoom, self.max_zoom = self.file.zoom_range()
        self.errors = 0

    def bounds(self) -> tuple[float, float, float, float] | None:
        """The metadata's (west, south, east, north) in degrees, when it has a readable one."""
        try:
            w, s, e, n = (float(v) for v in self.file.metadata["bounds"].split(","))
        except (KeyError, ValueError):
            return None
        return (w, s, e, n) if w < e and s < n else None

    def get(self, z: int, x: int, y: int) -> bytes | None:
        return self.file.get(z, x, y)

    def close(self) -> None:
        self.file.close()
