"""The district's place names: real roads, landmarks and communities at approximate positions.

``resources/gazetteer.json`` holds names that are real and positions that are not surveyed
(GCJ-02, written from general knowledge of the map; see its ``about`` and
docs/rules/geography.md). Everything here is converted once to WGS-84, like the boundary.

This module also names the synthetic communities of the unit grid: a real community name goes
to the nearest community of its street; the rest get synthetic names from ``community_stems``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np

from resources import resource_path

from .crs import gcj02_to_wgs84

GAZETTEER_FILE = resource_path("gazetteer.json")


@dataclass(frozen=True)
class RealRoad:
    """A real road's name and a rough polyline of where it runs (WGS-84)."""

    name: str
    lon: tuple[float, ...]
    lat: tuple[float, ...]


@dataclass(frozen=True)
class Landmark:
    name: str
    kind: str  # metro, transport, hospital, market, school, park, public
    lon: float  # WGS-84
    lat: float
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class RealCommunity:
    name: str
    street: str  # the street's name, e.g. "湖滨"
    lon: float  # WGS-84, a rough centre
    lat: float


@dataclass(frozen=True)
class Gazetteer:
    roads: tuple[RealRoad, ...]
    landmarks: tuple[Landmark, ...]
    communities: tuple[RealCommunity, ...]
    community_stems: tuple[str, ...]

    @classmethod
    @functools.cache
    def load(cls) -> Gazetteer:
        """The shipped gazetteer, read and converted to WGS-84 once per process."""
        raw = json.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))
        if raw.get("crs") != "GCJ-02":
            raise ValueError(f"{GAZETTEER_FILE.name}: expected GCJ-02 positions")

        def wgs(lon, lat):
            return gcj02_to_wgs84(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))

        roads = []
        for r in raw["roads"]:
            lon, lat = wgs(*np.asarray(r["line"], dtype=float).T)
            roads.append(RealRoad(r["name"], tuple(lon.tolist()), tuple(lat.tolist())))
        landmarks = []
        for m in raw["landmarks"]:
            lon, lat = wgs(m["lon"], m["lat"])
            landmarks.append(
                Landmark(m["name"], m["kind"], float(lon), float(lat), tuple(m.get("aliases", ())))
            )
        communities = []
        for c in raw["communities"]:
            lon, lat = wgs(c["lon"], c["lat"])
            communities.append(RealCommunity(c["name"], c["street"], float(lon), float(lat)))
        return cls(
            tuple(roads), tuple(landmarks), tuple(communities), tuple(raw["community_stems"])
        )


def community_names(
    gazetteer: Gazetteer, street_of: list[str], lon: np.ndarray, lat: np.ndarray
) -> list[str]:
    """Names for communities given each one's street name and centre (WGS-84).

    Real names first: every (real community, synthetic community of the same street) pair is
    taken in order of distance, each side used once, so a real name lands on the nearest
    community its street has left. Communities still unnamed get ``<stem>社区`` from the
    stems in order (a street with more communities than real names known gets synthetic
    ones). Deterministic: the same inputs give the same names.
    """
    n = len(street_of)
    names: list[str | None] = [None] * n
    coslat = np.cos(np.radians(np.mean(lat))) if n else 1.0
    pairs = []
    for k, rc in enumerate(gazetteer.communities):
        for j in range(n):
            if street_of[j] == rc.street:
                d2 = ((lon[j] - rc.lon) * coslat) ** 2 + (lat[j] - rc.lat) ** 2
                pairs.append((float(d2), k, j))
    used_real: set[int] = set()
    for _, k, j in sorted(pairs):
        if names[j] is None and k not in used_real:
            names[j] = gazetteer.communities[k].name
            used_real.add(k)
    taken = {x for x in names if x is not None}
    stems = (s + "社区" for s in gazetteer.community_stems if s + "社区" not in taken)
    out = []
    for j in range(n):
        name = names[j]
        if name is None:
            name = next(stems, None)
            if name is None:
                raise ValueError("gazetteer: more communities than names; add community_stems")
        out.append(name)
    return out
