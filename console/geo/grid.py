"""The unit grid (单元网格): ~100 m cells over the district, with streets and communities.

Cells are squares of a regular lattice in a local metric frame, clipped to the real boundary
(every cell that intersects the district is kept, so every point inside has a cell). Codes
follow DOMAIN.md: 6-digit adcode + 3-digit street + 3-digit community + 3-digit serial.

No official street or community boundaries ship, so the partition is synthetic but
reproducible: each cell belongs to the nearest of 14 seed points placed at the approximate
locations of the real street offices (Voronoi), and each street is split into communities of
roughly 1 km² by a seeded k-means over its cells. Street names are real; community names
("湖滨第1社区") are synthetic. Point lookup is index arithmetic on the lattice, vectorised.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely

from console.domain.geometry import EARTH_R

from .crs import gcj02_to_wgs84
from .district import District

CELL_M = 100.0
COMMUNITY_KM2 = 1.0
SEED = 20261128

#: Approximate street-office locations (GCJ-02, as read off AMap) of the 14 streets of today's
#: Shangcheng District; they seed the synthetic street partition.
STREET_SEEDS_GCJ = [
    ("湖滨", 120.166, 30.257),
    ("清波", 120.163, 30.240),
    ("小营", 120.178, 30.262),
    ("望江", 120.186, 30.240),
    ("紫阳", 120.175, 30.235),
    ("南星", 120.168, 30.220),
    ("四季青", 120.203, 30.252),
    ("凯旋", 120.195, 30.277),
    ("采荷", 120.197, 30.263),
    ("闸弄口", 120.190, 30.292),
    ("彭埠", 120.222, 30.286),
    ("笕桥", 120.214, 30.312),
    ("丁兰", 120.226, 30.338),
    ("九堡", 120.283, 30.302),
]


@dataclass(frozen=True)
class Street:
    code: str  # 9 digits: adcode + street
    name: str


@dataclass(frozen=True)
class Community:
    code: str  # 12 digits: street code + community
    name: str
    street_code: str


def _kmeans(
    x: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator, iters: int = 25
) -> np.ndarray:
    pts = np.column_stack([x, y])
    centres = pts[rng.choice(len(pts), size=k, replace=False)]
    labels = np.zeros(len(pts), dtype=int)
    for _ in range(iters):
        d = ((pts[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = d.argmin(axis=1)
        for j in range(k):
            members = pts[labels == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    return labels


class UnitGrid:
    """Cells of the district with their codes, streets and communities."""

    def __init__(self, district: District, cell_m: float = CELL_M, seed: int = SEED):
        self.district = district
        self.cell_m = cell_m
        minx, miny, maxx, maxy = district.bounds
        self.lat0 = (miny + maxy) / 2
        self.lon_origin, self.lat_origin = minx, miny
        k = np.pi / 180 * EARTH_R
        self.dlon = cell_m / (k * np.cos(np.radians(self.lat0)))
        self.dlat = cell_m / k
        self.ncols = int(np.ceil((maxx - minx) / self.dlon))
        self.nrows = int(np.ceil((maxy - miny) / self.dlat))
        cols, rows = np.meshgrid(np.arange(self.ncols), np.arange(self.nrows))
        cols, rows = cols.ravel(), rows.ravel()
        x0 = minx + cols * self.dlon
        y0 = miny + rows * self.dlat
        boxes = shapely.box(x0, y0, x0 + self.dlon, y0 + self.dlat)
        poly = district.polygon
        hit = shapely.intersects(poly, boxes)
        inside = shapely.contains(poly, boxes)
        border = hit & ~inside
        clipped = shapely.intersection(boxes[border], poly)
        keep_border = shapely.area(clipped) > 0
        border_idx = np.flatnonzero(border)[keep_border]
        keep = np.sort(np.concatenate([np.flatnonzero(inside), border_idx]))
        self.col = cols[keep].astype(np.int32)
        self.row = rows[keep].astype(np.int32)
        self.border = np.isin(keep, border_idx)
        self._border_shapes = (
            dict(
                zip(
                    np.flatnonzero(self.border).tolist(), clipped[keep_border].tolist(), strict=True
                )
            )
            if border.any()
            else {}
        )
        self.area_fraction = np.ones(len(keep))
        for i, g in self._border_shapes.items():
            self.area_fraction[i] = g.area / (self.dlon * self.dlat)
        # Cell centroids (of the clipped cell for border cells, so they lie in the district).
        self.lon = minx + (self.col + 0.5) * self.dlon
        self.lat = miny + (self.row + 0.5) * self.dlat
        for i, g in self._border_shapes.items():
            c = g.representative_point()
            self.lon[i], self.lat[i] = c.x, c.y
        self._lattice = np.full((self.nrows, self.ncols), -1, dtype=np.int32)
        self._lattice[self.row, self.col] = np.arange(len(keep), dtype=np.int32)
        self._partition(seed)

    def _partition(self, seed: int) -> None:
        adcode = self.district.adcode
        slon, slat = gcj02_to_wgs84(
            np.array([s[1] for s in STREET_SEEDS_GCJ]), np.array([s[2] for s in STREET_SEEDS_GCJ])
        )
        k = np.cos(np.radians(self.lat0))
        d = ((self.lon[:, None] - slon[None, :]) * k) ** 2 + (
            self.lat[:, None] - slat[None, :]
        ) ** 2
        self.street_idx = d.argmin(axis=1).astype(np.int16)
        self.streets = [
            Street(f"{adcode}{i + 1:03d}", name) for i, (name, _, _) in enumerate(STREET_SEEDS_GCJ)
        ]
        rng = np.random.default_rng(seed)
        self.community_idx = np.zeros(len(self.lon), dtype=np.int32)
        self.communities: list[Community] = []
        serial = np.zeros(len(self.lon), dtype=np.int32)
        cell_km2 = self.cell_m**2 / 1e6
        for si, st in enumerate(self.streets):
            members = np.flatnonzero(self.street_idx == si)
            if len(members) == 0:
                continue
            area = self.area_fraction[members].sum() * cell_km2
            n = max(1, int(round(area / COMMUNITY_KM2)))
            labels = (
                _kmeans(self.lon[members] * k, self.lat[members], n, rng)
                if n > 1
                else np.zeros(len(members), dtype=int)
            )
            for j in range(n):
                cells = members[labels == j]
                if len(cells) == 0:
                    continue
                if len(cells) > 999:
                    raise ValueError("a community has more than 999 cells; lower COMMUNITY_KM2")
                ci = len(self.communities)
                local_no = sum(1 for c in self.communities if c.street_code == st.code) + 1
                self.communities.append(
                    Community(f"{st.code}{local_no:03d}", f"{st.name}第{local_no}社区", st.code)
                )
                self.community_idx[cells] = ci
                serial[cells] = np.arange(1, len(cells) + 1)
        comm_codes = np.array([c.code for c in self.communities])
        self.codes = np.char.add(
            comm_codes[self.community_idx], np.char.zfill(serial.astype(str), 3)
        )
        self._by_code = {c: i for i, c in enumerate(self.codes.tolist())}
        self._street_by_code = {s.code: s for s in self.streets}

    @classmethod
    @functools.cache
    def load(cls) -> UnitGrid:
        return cls(District.load())

    def __len__(self) -> int:
        return len(self.codes)

    def lookup(self, lon, lat) -> np.ndarray:
        """Cell index of each point, -1 outside the district."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        c = np.floor((lon - self.lon_origin) / self.dlon)
        r = np.floor((lat - self.lat_origin) / self.dlat)
        ok = (
            np.isfinite(c)
            & np.isfinite(r)
            & (c >= 0)
            & (c < self.ncols)
            & (r >= 0)
            & (r < self.nrows)
        )
        out = np.full(lon.shape, -1, dtype=np.int64)
        out[ok] = self._lattice[r[ok].astype(int), c[ok].astype(int)]
        # Border cells: the point must also lie inside the district itself.
        check = out >= 0
        check[check] = self.border[out[check]]
        if check.any():
            inside = self.district.contains(lon[check], lat[check])
            sub = out[check]
            sub[~inside] = -1
            out[check] = sub
        return out

    def cell_code(self, lon: float, lat: float) -> str | None:
        i = int(self.lookup(lon, lat)[0])
        return None if i < 0 else str(self.codes[i])

    def cell(self, code: str) -> dict:
        i = self._by_code[code]
        comm = self.communities[int(self.community_idx[i])]
        return {
            "code": code,
            "lon": float(self.lon[i]),
            "lat": float(self.lat[i]),
            "street_code": comm.street_code,
            "street_name": self._street_by_code[comm.street_code].name,
            "community_code": comm.code,
            "community_name": comm.name,
        }

    def street_cells(self, street_code: str) -> np.ndarray:
        si = next(i for i, s in enumerate(self.streets) if s.code == street_code)
        return np.flatnonzero(self.street_idx == si)

    def random_points(
        self, n: int, rng: np.random.Generator, cells: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Uniform random points inside the district (or inside the given cells)."""
        pool = np.arange(len(self.codes)) if cells is None else np.asarray(cells)
        lon_out, lat_out = np.empty(0), np.empty(0)
        while len(lon_out) < n:
            pick = rng.choice(pool, size=2 * (n - len(lon_out)) + 4)
            lon = self.lon_origin + (self.col[pick] + rng.random(len(pick))) * self.dlon
            lat = self.lat_origin + (self.row[pick] + rng.random(len(pick))) * self.dlat
            ok = self.lookup(lon, lat) >= 0
            lon_out, lat_out = (
                np.concatenate([lon_out, lon[ok]]),
                np.concatenate([lat_out, lat[ok]]),
            )
        return lon_out[:n], lat_out[:n]

    def to_compact(self) -> dict:
        """Compact JSON form for ``/reference``: lattice + per-cell indices + border shapes."""
        return {
            "cell_m": self.cell_m,
            "origin": [self.lon_origin, self.lat_origin],
            "step": [self.dlon, self.dlat],
            "ncols": self.ncols,
            "nrows": self.nrows,
            "col": self.col.tolist(),
            "row": self.row.tolist(),
            "codes": self.codes.tolist(),
            "street_idx": self.street_idx.tolist(),
            "community_idx": self.community_idx.tolist(),
            "border": {
                str(i): [[round(x, 6), round(y, 6)] for x, y in _exterior(g)]
                for i, g in self._border_shapes.items()
            },
        }

    def to_geojson(self) -> dict:
        feats = []
        for i, code in enumerate(self.codes.tolist()):
            g = self._border_shapes.get(i) or shapely.box(
                self.lon_origin + self.col[i] * self.dlon,
                self.lat_origin + self.row[i] * self.dlat,
                self.lon_origin + (self.col[i] + 1) * self.dlon,
                self.lat_origin + (self.row[i] + 1) * self.dlat,
            )
            feats.append(
                {
                    "type": "Feature",
                    "properties": {"code": code},
                    "geometry": shapely.geometry.mapping(g),
                }
            )
        return {"type": "FeatureCollection", "features": feats}


def _exterior(g) -> list[tuple[float, float]]:
    """The outline of a clipped border cell (largest part if the clip split it)."""
    if g.geom_type != "Polygon":
        g = max(getattr(g, "geoms", [g]), key=lambda p: p.area)
    return list(g.exterior.coords) if g.geom_type == "Polygon" else []
