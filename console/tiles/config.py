"""The basemap configuration: which tile sources a console offers, from a JSON file or a flag.

A file (``basemap.json`` in the console's data folder, or ``--basemap-config FILE``)::

    {"sources": [
      {"name": "天地图矢量", "kind": "wmts",
       "url": "https://t0.tianditu.gov.cn/vec_w/wmts?request=GetCapabilities&service=wmts",
       "key": "YOUR_TK", "key_param": "tk", "layer": "vec", "datum": "cgcs2000",
       "attribution": "© 天地图"},
      {"name": "高德", "kind": "xyz", "datum": "gcj02",
       "url": "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
       "subdomains": ["1", "2", "3", "4"], "attribution": "© 高德地图"},
      {"name": "离线底图", "kind": "mbtiles", "path": "/srv/tiles/district.mbtiles", "opacity": 0.8},
      {"name": "Protomaps", "kind": "pmtiles", "path": "district.pmtiles"}
    ]}

``--tiles URL|FILE.mbtiles|FILE.pmtiles`` stands for a one-source file. Reading a config only checks it;
``open_source`` (disk and, for WMTS, network) runs in a worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from .cache import MAX_AGE_S, MAX_BYTES, TileCache
from .pmtiles_source import PMTilesSource
from .sources import DATUMS, TIMEOUT_S, MBTilesSource, TileSource, XyzSource
from .wmts import parse_capabilities

KINDS = ("xyz", "wmts", "mbtiles", "pmtiles")
FILE_KINDS = ("mbtiles", "pmtiles")


class BasemapConfigError(ValueError):
    """A basemap configuration that cannot be used as written (says which entry and why)."""


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str  # one of KINDS
    url: str = ""  # xyz: the template; wmts: the GetCapabilities URL
    path: str = ""  # mbtiles: the file
    datum: str = "wgs84"
    attribution: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    opacity: float = 1.0
    key: str | None = None
    key_param: str | None = None
    subdomains: tuple[str, ...] = ("a", "b", "c")
    min_zoom: int = 0
    max_zoom: int = 18
    layer: str | None = None  # wmts
    matrix_set: str | None = None  # wmts
    style: str | None = None  # wmts
    cache_mb: float = MAX_BYTES / 2**20
    cache_days: float = MAX_AGE_S / 86400
    #: Drawn over this source, in order, chosen with it (Tianditu's labels ``cva_w`` over its
    #: streets ``vec_w``): transparent PNG tiles of their own source.
    overlays: tuple[SourceConfig, ...] = ()
    #: xyz/wmts: where the server has tiles (west, south, east, north degrees); none is asked
    #: for outside. An MBTiles file says so in its metadata.
    bounds: tuple[float, float, float, float] | None = None


def _entry(i: int, raw: Any, base: Path | None, within: str = "") -> SourceConfig:
    where = f"{within}basemap source #{i + 1}"
    if not isinstance(raw, dict):
        raise BasemapConfigError(f"{where}: an object is needed, not {type(raw).__name__}")
    known = set(SourceConfig.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise BasemapConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise BasemapConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if raw.get("datum", "wgs84") not in DATUMS:
        raise BasemapConfigError(f"{where}: datum must be one of {', '.join(DATUMS)}")
    if kind in FILE_KINDS and not raw.get("path"):
        raise BasemapConfigError(f"{where}: an {kind} source needs a path")
    if kind not in FILE_KINDS and not str(raw.get("url", "")).startswith(("http://", "https://")):
        raise BasemapConfigError(f"{where}: a {kind} source needs an http(s) url")
    try:
        values = dict(raw)
        if "subdomains" in values:
            values["subdomains"] = tuple(str(s) for s in values["subdomains"])
        if "headers" in values:
            values["headers"] = {str(k): str(v) for k, v in dict(values["headers"]).items()}
        if values.get("bounds") is not None:
            w, s, e, n = (float(v) for v in values["bounds"])
            if not (w < e and s < n):
                raise BasemapConfigError(f"{where}: bounds are [west, south, east, north]")
            values["bounds"] = (w, s, e, n)
        for name in ("opacity", "cache_mb", "cache_days"):
            if name in values:
                values[name] = float(values[name])
        for name in ("min_zoom", "max_zoom"):
            if name in values:
                values[name] = int(values[name])
        if "overlays" in values:
            if within or not isinstance(values["overlays"], list):
                raise BasemapConfigError(f"{where}: overlays are a list, of plain sources")
            values["overlays"] = tuple(
                _entry(j, o, base, f"{where}, overlay: ") for j, o in enumerate(values["overlays"])
            )
        if kind in FILE_KINDS and base is not None and not Path(values["path"]).is_absolute():
            values["path"] = str(base / values["path"])
        values.setdefault("name", Path(values.get("path", "")).stem or values.get("url", ""))
        cfg = SourceConfig(**values)
    except BasemapConfigError:
        raise
    except (TypeError, ValueError) as e:
        raise BasemapConfigError(f"{where}: {e}") from e
    if not 0.0 <= cfg.opacity <= 1.0:
        raise BasemapConfigError(f"{where}: opacity must be between 0 and 1")
    return cfg


def parse_config(doc: Any, base: Path | None = None) -> list[SourceConfig]:
    """The sources of a parsed JSON document; relative paths are taken from ``base``."""
    sources = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(sources, list):
        raise BasemapConfigError('a basemap configuration is {"sources": [...]}')
    out = [_entry(i, raw, base) for i, raw in enumerate(sources)]
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise BasemapConfigError("basemap source names must differ (the menu lists them)")
    return out


def load_config(path: str | Path) -> list[SourceConfig]:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BasemapConfigError(f"{path}: {e.strerror or e}") from e
    except ValueError as e:
        raise BasemapConfigError(f"{path}: not JSON ({e})") from e
    try:
        return parse_config(doc, path.parent)
    except BasemapConfigError as e:
        raise BasemapConfigError(f"{path}: {e}") from e


def from_flag(tiles: str, datum: str = "wgs84") -> SourceConfig:
    """``--tiles``: an .mbtiles or .pmtiles file, a URL template with {z}/{x}/{y}, or a WMTS
    service."""
    if datum not in DATUMS:
        raise BasemapConfigError(f"datum must be one of {', '.join(DATUMS)}")
    if not tiles.startswith(("http://", "https://")):
        kind = "pmtiles" if tiles.lower().endswith(".pmtiles") else "mbtiles"
        if not Path(tiles).is_file():
            raise BasemapConfigError(
                f"{tiles}: no such {'PMTiles' if kind == 'pmtiles' else 'MBTiles'} file"
            )
        return SourceConfig(name=Path(tiles).stem, kind=kind, path=tiles, datum=datum)
    kind = "xyz" if "{z}" in tiles or "{TileMatrix}" in tiles else "wmts"
    host = re.sub(r"^https?://", "", tiles).split("/")[0]
    return SourceConfig(name=host, kind=kind, url=tiles, datum=datum)


def cache_file(cfg: SourceConfig, folder: Path) -> Path:
    """One cache file per source address (a renamed source keeps its tiles)."""
    digest = hashlib.sha1(f"{cfg.kind} {cfg.url} {cfg.layer}".encode()).hexdigest()[:12]
    safe = re.sub(r"[^\w.-]+", "_", cfg.name)[:40]
    return folder / f"{safe}-{digest}.mbtiles"


def open_source(cfg: SourceConfig, cache_dir: Path | None) -> TileSource:
    """The source a config describes. Blocks on disk (and for WMTS on the network: its
    GetCapabilities), so a console calls it in a worker. Raises OSError, MBTilesError,
    requests' errors, WmtsError or PMTilesError when the source is not usable."""
    if cfg.kind == "mbtiles":
        return MBTilesSource(cfg.path, name=cfg.name, datum=cfg.datum, attribution=cfg.attribution)
    if cfg.kind == "pmtiles":
        return PMTilesSource(cfg.path, name=cfg.name, datum=cfg.datum, attribution=cfg.attribution)
    cache = (
        TileCache(cache_file(cfg, cache_dir), int(cfg.cache_mb * 2**20), cfg.cache_days * 86400)
        if cache_dir is not None
        else None
    )
    template, zoom_ids, lo, hi = cfg.url, None, cfg.min_zoom, cfg.max_zoom
    if cfg.kind == "wmts":
        params = {cfg.key_param: cfg.key} if cfg.key and cfg.key_param else None
        r = requests.get(cfg.url, params=params, headers=cfg.headers, timeout=TIMEOUT_S)
        r.raise_for_status()
        layer = parse_capabilities(r.content, cfg.url, cfg.layer, cfg.style, cfg.matrix_set)
        template, zoom_ids = layer.template, layer.zoom_ids
        lo, hi = max(lo, layer.zoom_range[0]), min(hi, layer.zoom_range[1])
    return XyzSource(
        cfg.name,
        template,
        datum=cfg.datum,
        attribution=cfg.attribution,
        subdomains=cfg.subdomains,
        headers=cfg.headers,
        key=cfg.key,
        key_param=cfg.key_param,
        min_zoom=lo,
        max_zoom=hi,
        zoom_ids=zoom_ids,
        cache=cache,
        area=cfg.bounds,
    )
