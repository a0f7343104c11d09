"""GeoJSON (RFC 7946) writers: a track as lines with per-point times, cases as points.

RFC 7946 is followed where readers rely on it: positions are ``[longitude, latitude]`` in
WGS-84 (the only CRS; §4 removed the ``crs`` member, so there is none), rounded to 6 decimals
(~0.1 m; §11.2 recommends limiting precision), a FeatureCollection at the top. Per-point times
go in the feature's ``coordTimes`` property, shaped like its coordinates (the convention of
Mapbox's togeojson and of GPX→GeoJSON converters: RFC 7946 has no time member). Features are
written one by one (``FeatureWriter``), so 100,000 cases never sit in memory as one document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .track import Track, utc_text

DECIMALS = 6


def position(lon: float, lat: float) -> list[float]:
    return [round(float(lon), DECIMALS), round(float(lat), DECIMALS)]


class FeatureWriter:
    """A FeatureCollection written feature by feature: ``with FeatureWriter(path) as w:
    w.add(feature)``. Closed without an error it is a complete file (no features: an empty
    collection, still valid)."""

    def __init__(self, out: str | Path, members: dict[str, Any] | None = None):
        self.out = Path(out)
        self.members = members or {}
        self.count = 0
        self._f: IO[str] | None = None

    def __enter__(self) -> FeatureWriter:
        self._f = open(self.out, "w", encoding="utf-8", newline="\n")
        head = {"type": "FeatureCollection", **self.members}
        self._f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n')
        return self

    def add(self, feature: dict[str, Any]) -> None:
        assert self._f is not None, "FeatureWriter.add outside its with block"
        if self.count:
            self._f.write(",\n")
        self._f.write(json.dumps(feature, ensure_ascii=False, allow_nan=False))
        self.count += 1

    def add_all(self, features: Iterable[dict[str, Any]]) -> int:
        for feature in features:
            self.add(feature)
        return self.count

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._f is not None
        self._f.write("\n]}\n")
        self._f.close()


def track_features(track: Track) -> list[dict[str, Any]]:
    """The track as features: its lines (one per segment of two fixes or more) as one
    LineString or MultiLineString, and the lone fixes between long silences (a line needs two
    positions, RFC 7946 §3.1.4) as one MultiPoint. Each with ``coordTimes`` (UTC ISO 8601),
    ``speed_kmh`` and ``heading`` shaped like its coordinates. No fixes: no features."""
    base = {
        "vehicle_id": track.vehicle_id,
        "plate": track.plate,
        "from": utc_text(track.start.timestamp()),
        "to": utc_text(track.end.timestamp()),
    }
    lines = [s for s in track.segments() if len(s) > 1]
    lone = [s[0] for s in track.segments() if len(s) == 1]
    out = []

    def part(indexes: Iterable[int]) -> dict[str, list[Any]]:
        idx = list(indexes)
        return {
            "coordinates": [position(track.lon[i], track.lat[i]) for i in idx],
            "coordTimes": [utc_text(track.t[i]) for i in idx],
            "speed_kmh": [track.speed_kmh[i] for i in idx],
            "heading": [track.heading[i] for i in idx],
        }

    if lines:
        parts = [part(s) for s in lines]
        one = len(parts) == 1
        geometry = {
            "type": "LineString" if one else "MultiLineString",
            "coordinates": parts[0]["coordinates"] if one else [p["coordinates"] for p in parts],
        }
        props = {
            k: parts[0][k] if one else [p[k] for p in parts]
            for k in ("coordTimes", "speed_kmh", "heading")
        }
        out.append({"type": "Feature", "geometry": geometry, "properties": {**base, **props}})
    if lone:
        p = part(lone)
        geometry = {"type": "MultiPoint", "coordinates": p.pop("coordinates")}
        out.append({"type": "Feature", "geometry": geometry, "properties": {**base, **p}})
    return out


def write_track_geojson(track: Track, out: str | Path) -> int:
    """Write ``track`` as a FeatureCollection; the number of fixes written."""
    with FeatureWriter(out) as w:
        w.add_all(track_features(track))
    return len(track)
