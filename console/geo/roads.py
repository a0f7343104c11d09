"""A synthetic street network inside the real boundary, for the sanitation-vehicle simulator.

Real road geometry does not ship (no OSM extract here), so the network is a jittered lattice
of arterials every ~500 m, kept where both ends and the midpoint lie in the district. It is
seeded and reproducible; a vehicle's route is a non-backtracking walk over it, driven out
and back so that it ends where it started.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from console.domain.geometry import EARTH_R, haversine_m

from .district import District

SPACING_M = 500.0
JITTER_M = 80.0
SEED = 808


@dataclass
class Route:
    lon: np.ndarray
    lat: np.ndarray
    s: np.ndarray  # cumulative distance along the route, metres
    segments: list[int]  # edge ids covered, for coverage

    @property
    def length(self) -> float:
        return float(self.s[-1])

    def position_at(self, distance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Position and heading (degrees clockwise from north) at ``distance`` along the
        route, wrapping around (the route is closed). Vectorised over ``distance``."""
        d = np.mod(np.asarray(distance, dtype=float), self.length)
        lon = np.interp(d, self.s, self.lon)
        lat = np.interp(d, self.s, self.lat)
        i = np.clip(np.searchsorted(self.s, d, side="right") - 1, 0, len(self.s) - 2)
        dx = (self.lon[i + 1] - self.lon[i]) * np.cos(np.radians(self.lat[i]))
        dy = self.lat[i + 1] - self.lat[i]
        heading = np.mod(np.degrees(np.arctan2(dx, dy)), 360.0)
        return lon, lat, heading


class RoadNetwork:
    def __init__(self, district: District, spacing_m: float = SPACING_M, seed: int = SEED):
        rng = np.random.default_rng(seed)
        minx, miny, maxx, maxy = district.bounds
        lat0 = (miny + maxy) / 2
        k = np.pi / 180 * EARTH_R
        dlon, dlat = spacing_m / (k * np.cos(np.radians(lat0))), spacing_m / k
        nc, nr = int((maxx - minx) / dlon) + 1, int((maxy - miny) / dlat) + 1
        cols, rows = np.meshgrid(np.arange(nc), np.arange(nr))
        jl = rng.uniform(-1, 1, cols.shape) * JITTER_M / spacing_m * dlon
        jt = rng.uniform(-1, 1, cols.shape) * JITTER_M / spacing_m * dlat
        lon = minx + cols * dlon + jl
        lat = miny + rows * dlat + jt
        inside = district.contains(lon, lat)
        node_id = np.full(lon.shape, -1)
        node_id[inside] = np.arange(inside.sum())
        self.lon, self.lat = lon[inside], lat[inside]
        edges = []
        for r in range(nr):
            for c in range(nc):
                a = node_id[r, c]
                if a < 0:
                    continue
                for r2, c2 in ((r, c + 1), (r + 1, c)):
                    if r2 < nr and c2 < nc and node_id[r2, c2] >= 0:
                        b = node_id[r2, c2]
                        mid_ok = district.contains(
                            (self.lon[a] + self.lon[b]) / 2, (self.lat[a] + self.lat[b]) / 2
                        )
                        if mid_ok:
                            edges.append((a, b))
        self.edges = np.array(edges, dtype=int)
        self.edge_len = haversine_m(
            self.lon[self.edges[:, 0]],
            self.lat[self.edges[:, 0]],
            self.lon[self.edges[:, 1]],
            self.lat[self.edges[:, 1]],
        )
        self.adj: dict[int, list[tuple[int, int]]] = {}
        for e, (a, b) in enumerate(self.edges):
            self.adj.setdefault(int(a), []).append((int(b), e))
            self.adj.setdefault(int(b), []).append((int(a), e))

    @classmethod
    @functools.cache
    def load(cls) -> RoadNetwork:
        return cls(District.load())

    def random_route(self, rng: np.random.Generator, length_m: float) -> Route:
        """A walk of about ``length_m / 2`` preferring unused edges, then back: a closed route
        of about ``length_m`` that stays on the network (and so in the district)."""
        nodes = [n for n, nb in self.adj.items() if len(nb) >= 2]
        cur = int(rng.choice(nodes))
        path, segs, used, dist, prev = [cur], [], set(), 0.0, -1
        while dist < length_m / 2:
            options = [(n, e) for n, e in self.adj[cur] if n != prev] or self.adj[cur]
            fresh = [o for o in options if o[1] not in used]
            n, e = (fresh or options)[int(rng.integers(len(fresh or options)))]
            used.add(e)
            segs.append(e)
            dist += float(self.edge_len[e])
            prev, cur = cur, n
            path.append(cur)
        full = path + path[-2::-1]
        lon, lat = self.lon[full], self.lat[full]
        s = np.concatenate([[0.0], np.cumsum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))])
        return Route(lon, lat, s, segs)
