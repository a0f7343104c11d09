"""The unit grid (单元网格): ~100 m cells over the district, with streets and communities.

Cells are the squares of a regular lattice in the district's local metric frame (see
``LocalFrame``; the lattice is regular in lon/lat too), clipped to the real boundary. A border
square whose clipped part is smaller than ``MIN_CELL_FRACTION`` of a cell is not a cell of its
own: it joins the neighbouring cell it shares the longest edge with, so that no patch of the
district is without a cell (a case reported there must still get a grid code) and no cell is
a sliver of a few square metres. Lattice slots therefore map to cells many-to-one.

Codes follow DOMAIN.md: 6-digit adcode + 3-digit street + 3-digit community + 3-digit serial.
Cells are stored in code order, so the arrays are sorted by code.

**The street and community partition is synthetic** (no official boundaries ship), but
documented and reproducible:

* streets: the 14 streets (街道) of today's Shangcheng, real names, in a fixed order (the six
  of old Shangcheng, then the eight from Jianggan) and numbered 001–014 in that order
  (synthetic codes, not the statistical division codes). Each cell belongs to the street
  whose office (``STREET_SEEDS_GCJ``, approximate real locations) is nearest to its
  centroid, a Voronoi partition;
* communities (社区): each street is split into groups of about ``COMMUNITY_KM2`` by a seeded,
  size-balanced k-means over its cells. Their codes are synthetic, numbered from north to
  south within the street; their names are real names of the street's communities placed on
  the nearest group (approximate), else synthetic (``gazetteer.community_names``). Names
  never enter the codes;
* a piece of a street or community that the boundary cuts off from the rest joins the
  neighbour it borders most, so every street and community is one connected piece;
* serials: within a community, cells are numbered in reading order (north to south, west to
  east), from 001.

Everything is derived from the boundary file, the constants below and ``SEED``: the codes are
persistent identifiers stored in cases, so changing any of them renumbers the grid (a test pins
a fingerprint of the codes to catch that).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from console.derived_cache import cached

from .crs import gcj02_to_wgs84
from .district import District
from .gazetteer import Gazetteer, community_names
from .graph import components

CELL_M = 100.0
#: Clipped border squares below this share of a cell's area join a neighbouring cell.
MIN_CELL_FRACTION = 0.1
#: Target community area; the balanced k-means keeps every community within 0.5–1.5 km².
COMMUNITY_KM2 = 1.0
SEED = 20261128
_MAX_SERIAL = 999

#: The 14 streets (街道) of Shangcheng since the 2021 merger with Jianggan, with the
#: approximate location of each street office (GCJ-02, from general knowledge of the map, not
#: surveyed: expect errors of a few hundred metres). They seed the synthetic street partition.
#: 小营's office as first placed (120.178, 30.262) fell just north of 庆春路, the district's
#: old northern edge, i.e. in Gongshu; it is nudged south into the district.
STREET_SEEDS_GCJ: tuple[tuple[str, float, float], ...] = (
    ("湖滨", 120.166, 30.254),
    ("清波", 120.163, 30.240),
    ("小营", 120.180, 30.256),
    ("望江", 120.186, 30.240),
    ("紫阳", 120.175, 30.235),
    ("南星", 120.168, 30.220),
    ("四季青", 120.205, 30.251),
    ("凯旋", 120.193, 30.277),
    ("采荷", 120.197, 30.263),
    ("闸弄口", 120.190, 30.292),
    ("彭埠", 120.225, 30.286),
    ("笕桥", 120.214, 30.312),
    ("丁兰", 120.226, 30.338),
    ("九堡", 120.283, 30.302),
)


@dataclass(frozen=True)
class Street:
    code: str  # 9 digits: adcode + street
    name: str  # real name, e.g. "湖滨"


@dataclass(frozen=True)
class Community:
    code: str  # 12 digits: street code + community
    name: str  # a real name placed approximately, or synthetic (see gazetteer.community_names)
    street_code: str


def _balanced_kmeans(
    xy: np.ndarray, weight: np.ndarray, k: int, rng: np.random.Generator, iters: int = 60
) -> np.ndarray:
    """Labels splitting the points into ``k`` compact groups of about equal total weight.

    Plain k-means balances nothing: a street's corner cluster can end up twice the size of its
    neighbour. Here each group carries an additive bias (a power diagram): a group that is too
    large has its bias lowered, which pulls its border in, until the sizes even out. Seeding
    is k-means++ from ``rng``, so the result is reproducible.
    """
    n = len(xy)
    centres = np.empty((k, 2))
    centres[0] = xy[rng.integers(n)]
    d2 = ((xy - centres[0]) ** 2).sum(axis=1)
    for j in range(1, k):
        centres[j] = xy[rng.choice(n, p=d2 / d2.sum())]
        d2 = np.minimum(d2, ((xy - centres[j]) ** 2).sum(axis=1))
    target = weight.sum() / k
    step = 0.5 * target / np.pi  # m²: about the squared radius of a round group of that area
    bias = np.zeros(k)

    def assign() -> np.ndarray:
        # |c|² − 2·x·c (+ |x|², the same for all groups); elementwise, not BLAS, so the
        # result is bit-for-bit the same on every machine.
        d2 = (centres**2).sum(axis=1) - 2.0 * (
            xy[:, :1] * centres[:, 0] + xy[:, 1:] * centres[:, 1]
        )
        return (d2 - bias).argmin(axis=1)

    for _ in range(iters):
        labels = assign()
        size = np.bincount(labels, weights=weight, minlength=k)
        live = size > 0
        for d in (0, 1):
            sums = np.bincount(labels, weights=weight * xy[:, d], minlength=k)
            centres[live, d] = sums[live] / size[live]
        bias += step * (target - size) / target
    return assign()


def _make_contiguous(
    label: np.ndarray, a: np.ndarray, b: np.ndarray, within: np.ndarray | None = None
) -> np.ndarray:
    """``label`` with every detached fragment of a group given to the neighbouring group it
    shares most cell edges with (among cells of the same ``within`` group, if given).

    Voronoi and k-means regions are convex, but cut by a concave boundary (or represented by
    the point of an odd border cell) they can leave a piece stranded; a community in two
    pieces would make no sense to the supervisor walking it.
    """
    label = label.copy()
    n = len(label)
    within = np.zeros(n, dtype=np.int64) if within is None else within
    stuck: set[int] = set()
    while True:
        same = label[a] == label[b]
        comp = components(n, a[same], b[same])
        roots = np.unique(comp)
        size = np.bincount(comp, minlength=n)[roots]
        order = np.lexsort((roots, -size, label[roots]))
        first = np.r_[True, label[roots][order][1:] != label[roots][order][:-1]]
        fragments = sorted(set(roots[order][~first].tolist()) - stuck)
        if not fragments:
            return label
        for f in fragments:
            cells = comp == f
            border = (cells[a] != cells[b]) & (within[a] == within[b])
            other = np.where(cells[a], b, a)[border]
            if len(other) == 0:
                stuck.add(f)  # touches its own group only diagonally: nothing to join
                continue
            votes = np.bincount(label[other])
            label[cells] = int(votes.argmax())


def _communities(
    street: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    area: np.ndarray,
    ea: np.ndarray,
    eb: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[int]]:
    """Community number of each cell within its street (0-based, numbered north to south)
    and the number of communities per street: balanced k-means per street, then fragments
    joined to a neighbour."""
    local = np.zeros(len(street), dtype=np.int64)
    per_street = []
    for si in range(len(STREET_SEEDS_GCJ)):
        members = np.flatnonzero(street == si)
        k = max(1, int(round(area[members].sum() / 1e6 / COMMUNITY_KM2)))
        xy = np.column_stack([cx[members], cy[members]])
        labels = (
            _balanced_kmeans(xy, area[members], k, rng)
            if k > 1
            else np.zeros(len(members), dtype=np.int64)
        )
        used, labels = np.unique(labels, return_inverse=True)
        centre = np.array([xy[labels == j].mean(axis=0) for j in range(len(used))])
        rank = np.empty(len(used), dtype=np.int64)
        rank[np.lexsort((centre[:, 0], -centre[:, 1]))] = np.arange(len(used))
        local[members] = rank[labels]
        per_street.append(len(used))
    joined = _make_contiguous(street * 1000 + local, ea, eb, within=street)
    return joined % 1000, per_street


def _adjacent_pairs(at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of distinct cells whose slots share a lattice edge, from a slot → cell array."""
    pairs = np.concatenate(
        [
            np.column_stack([at[:, :-1].ravel(), at[:, 1:].ravel()]),
            np.column_stack([at[:-1, :].ravel(), at[1:, :].ravel()]),
        ]
    )
    pairs = np.sort(pairs[(pairs >= 0).all(axis=1) & (pairs[:, 0] != pairs[:, 1])], axis=1)
    pairs = np.unique(pairs, axis=0)
    return pairs[:, 0], pairs[:, 1]


def _polygonal(geom) -> MultiPolygon:
    """The area part of a clip result (a clip can also yield the touching lines and points)."""
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    return MultiPolygon(parts)


class UnitGrid:
    """Cells of the district with their codes, streets and communities (see module doc).

    Per-cell arrays, all in code order: ``codes`` (15-digit str), ``lon``/``lat`` (a point
    inside the cell: the centroid, or for an odd-shaped border cell a point on its surface),
    ``col``/``row`` (its home lattice slot), ``street_idx``/``community_idx`` (into
    ``streets``/``communities``), ``area_m2``, ``border`` (clipped or merged).
    """

    def __init__(self, district: District, cell_m: float = CELL_M, seed: int = SEED):
        self.district = district
        self.frame = district.frame
        self.cell_m = cm = float(cell_m)
        minx, miny, maxx, maxy = district.polygon_xy.bounds
        self.x0, self.y0 = float(np.floor(minx / cm) * cm), float(np.floor(miny / cm) * cm)
        self.ncols = int(np.ceil((maxx - self.x0) / cm))
        self.nrows = int(np.ceil((maxy - self.y0) / cm))

        # Slots (lattice squares with district area) → cells (a home slot plus its slivers).
        srow, scol, inner, geoms, frac = self._clip_slots()
        owner = self._sliver_owners(srow, scol, geoms, frac)
        homes = np.flatnonzero(owner == np.arange(len(owner)))
        n = len(homes)
        cell_of_home = np.full(len(owner), -1, dtype=np.int64)
        cell_of_home[homes] = np.arange(n)
        slot_cell = cell_of_home[owner]  # provisional cell numbers, replaced by code order below
        area = np.bincount(slot_cell, weights=frac, minlength=n) * cm**2
        border = np.bincount(slot_cell, weights=~inner, minlength=n) > 0
        hrow, hcol = srow[homes], scol[homes]
        cx, cy = self.x0 + (hcol + 0.5) * cm, self.y0 + (hrow + 0.5) * cm
        shapes_xy = {
            int(i): shapely.union_all(geoms[slot_cell == i]) for i in np.flatnonzero(border)
        }
        for i, g in shapes_xy.items():
            p = g.centroid
            if not g.contains(p):  # a concave or split clip: its centroid can lie outside it
                p = g.point_on_surface()
            cx[i], cy[i] = p.x, p.y

        at = np.full((self.nrows, self.ncols), -1, dtype=np.int64)
        at[srow, scol] = slot_cell
        ea, eb = _adjacent_pairs(at)

        street = _make_contiguous(self._nearest_office(cx, cy), ea, eb)
        community, per_street = _communities(
            street, cx, cy, area, ea, eb, np.random.default_rng(seed)
        )

        # Code order: street, community, then reading order (north to south, west to east).
        order = np.lexsort((hcol, -hrow, community, street))
        street, community = street[order], community[order]
        key = street * 1000 + community
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        serial = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
        if serial.max() > _MAX_SERIAL:
            raise ValueError(f"a community has {serial.max()} cells; lower COMMUNITY_KM2")

        adcode = district.adcode
        self.streets = [
            Street(f"{adcode}{i + 1:03d}", name) for i, (name, _, _) in enumerate(STREET_SEEDS_GCJ)
        ]
        first_community = np.cumsum([0, *per_street])[:-1]
        self.street_idx = street.astype(np.int16)
        self.community_idx = (first_community[street] + community).astype(np.int32)
        community_codes = np.array(
            [
                f"{st.code}{j + 1:03d}"
                for st, k in zip(self.streets, per_street, strict=True)
                for j in range(k)
            ]
        )
        community_street = [
            st for st, k in zip(self.streets, per_street, strict=True) for _ in range(k)
        ]
        # Names do not enter the codes: they come afterwards, from the community centres.
        weight = area[order]
        total = np.bincount(self.community_idx, weights=weight)
        mx = np.bincount(self.community_idx, weights=weight * cx[order]) / total
        my = np.bincount(self.community_idx, weights=weight * cy[order]) / total
        names = community_names(
            Gazetteer.load(), [st.name for st in community_street], *self.frame.to_lonlat(mx, my)
        )
        self.communities = [
            Community(str(code), name, st.code)
            for code, name, st in zip(community_codes, names, community_street, strict=True)
        ]
        self.codes = np.char.add(
            community_codes[self.community_idx], np.char.zfill(serial.astype(str), 3)
        )
        final = np.empty(n, dtype=np.int64)
        final[order] = np.arange(n)
        self.col, self.row = hcol[order].astype(np.int32), hrow[order].astype(np.int32)
        self.lon, self.lat = self.frame.to_lonlat(cx[order], cy[order])
        self.area_m2 = area[order]
        self.border = border[order]
        self._shapes = {int(final[i]): self.frame.unproject(g) for i, g in shapes_xy.items()}

        # The lookup tables: slot → cell, and whether the boundary crosses the slot.
        self._slot_row, self._slot_col = srow, scol
        self._lattice = np.full((self.nrows, self.ncols), -1, dtype=np.int32)
        self._lattice[srow, scol] = final[slot_cell]
        self._edge = np.zeros((self.nrows, self.ncols), dtype=bool)
        self._edge[srow, scol] = ~inner
        extra = owner != np.arange(len(owner))
        self._extra_slots = np.column_stack([scol[extra], srow[extra], final[slot_cell[extra]]])
        self._street_by_code = {s.code: s for s in self.streets}
        self._community_by_code = {c.code: c for c in self.communities}
        self._street_pos = {s.code: i for i, s in enumerate(self.streets)}
        self._community_pos = {c.code: i for i, c in enumerate(self.communities)}

    @classmethod
    @functools.cache
    def load(cls) -> UnitGrid:
        """The district's grid: once per process, and from the disk cache after the first
        start (``console.derived_cache``: building it takes ~0.4 s)."""
        return cached("unit-grid", lambda: cls(District.load()))

    # -- construction -------------------------------------------------------------------------

    def _clip_slots(self):
        """Row, column, inside-flag, clipped geometry (metres) and area fraction of every
        lattice square that has some district area."""
        cm, poly = self.cell_m, self.district.polygon_xy
        rows, cols = np.divmod(np.arange(self.nrows * self.ncols), self.ncols)
        bx, by = self.x0 + cols * cm, self.y0 + rows * cm
        boxes = shapely.box(bx, by, bx + cm, by + cm)
        hit = np.flatnonzero(shapely.intersects(poly, boxes))
        inner = shapely.contains(poly, boxes[hit])
        geoms = boxes[hit]
        geoms[~inner] = [_polygonal(g) for g in shapely.intersection(geoms[~inner], poly)]
        frac = shapely.area(geoms) / cm**2
        keep = frac > 0  # a square that only touches the boundary has no area in the district
        return rows[hit][keep], cols[hit][keep], inner[keep], geoms[keep], frac[keep]

    def _sliver_owners(self, srow, scol, geoms, frac) -> np.ndarray:
        """For each slot, the slot whose cell it belongs to: itself, or for a sliver the
        full-enough 4-neighbour it shares the longest edge with. A sliver touching none (a
        lone tip of the boundary) stays a cell of its own."""
        at = np.full((self.nrows, self.ncols), -1, dtype=np.int64)
        at[srow, scol] = np.arange(len(srow))
        owner = np.arange(len(srow))
        small = frac < MIN_CELL_FRACTION
        for s in np.flatnonzero(small):
            best, best_len = -1, 0.0
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                r, c = srow[s] + dr, scol[s] + dc
                nb = at[r, c] if 0 <= r < self.nrows and 0 <= c < self.ncols else -1
                if nb >= 0 and not small[nb]:
                    shared = shapely.length(shapely.intersection(geoms[s], geoms[nb]))
                    if shared > best_len:
                        best, best_len = nb, shared
            if best >= 0:
                owner[s] = best
        return owner

    def _nearest_office(self, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
        """Street of each cell: the nearest street office (a Voronoi partition), in metres."""
        lon, lat = gcj02_to_wgs84(
            np.array([s[1] for s in STREET_SEEDS_GCJ]), np.array([s[2] for s in STREET_SEEDS_GCJ])
        )
        sx, sy = self.frame.to_xy(lon, lat)
        return ((cx[:, None] - sx) ** 2 + (cy[:, None] - sy) ** 2).argmin(axis=1)

    # -- lattice ------------------------------------------------------------------------------

    @property
    def origin(self) -> tuple[float, float]:
        """Lon/lat of the lattice's south-west corner."""
        lon, lat = self.frame.to_lonlat(self.x0, self.y0)
        return float(lon), float(lat)

    @property
    def step(self) -> tuple[float, float]:
        """Cell size in degrees ``(dlon, dlat)``: the lattice is regular in lon/lat."""
        return self.cell_m / self.frame.m_per_deg_lon, self.cell_m / self.frame.m_per_deg_lat

    def __len__(self) -> int:
        return len(self.codes)

    def lookup(self, lon, lat) -> np.ndarray:
        """Cell index of each point (int64 array, at least 1-d), -1 outside the district.

        The slot is index arithmetic on the lattice; only points in slots the boundary crosses
        pay for a point-in-polygon test.
        """
        lon, lat = np.broadcast_arrays(
            np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
        )
        x, y = self.frame.to_xy(lon, lat)
        c = np.floor((x - self.x0) / self.cell_m)
        r = np.floor((y - self.y0) / self.cell_m)
        ok = (c >= 0) & (c < self.ncols) & (r >= 0) & (r < self.nrows)  # NaN → False
        out = np.full(lon.shape, -1, dtype=np.int64)
        ri, ci = r[ok].astype(np.intp), c[ok].astype(np.intp)
        cell = self._lattice[ri, ci].astype(np.int64)
        edge = self._edge[ri, ci]
        if edge.any():
            cell[edge] = np.where(
                self.district.contains(lon[ok][edge], lat[ok][edge]), cell[edge], -1
            )
        out[ok] = cell
        return out

    def cell_code(self, lon: float, lat: float) -> str | None:
        """The code of the cell containing one point, ``None`` outside the district."""
        i = int(self.lookup(lon, lat)[0])
        return None if i < 0 else str(self.codes[i])

    # -- codes --------------------------------------------------------------------------------

    def index_of(self, code: str) -> int:
        """Index of the cell with this 15-digit code (``KeyError`` if there is none)."""
        i = int(np.searchsorted(self.codes, code))
        if i == len(self.codes) or self.codes[i] != code:
            raise KeyError(code)
        return i

    def street_of(self, code: str) -> Street:
        """The street of a street, community or cell code."""
        return self._street_by_code[code[:9]]

    def community_of(self, code: str) -> Community:
        """The community of a community or cell code."""
        return self._community_by_code[code[:12]]

    def cell(self, code: str) -> dict:
        """Facts about one cell, for case location and detail views."""
        i = self.index_of(code)
        comm = self.communities[int(self.community_idx[i])]
        return {
            "code": code,
            "index": i,
            "lon": float(self.lon[i]),
            "lat": float(self.lat[i]),
            "area_m2": float(self.area_m2[i]),
            "street_code": comm.street_code,
            "street_name": self._street_by_code[comm.street_code].name,
            "community_code": comm.code,
            "community_name": comm.name,
        }

    def street_cells(self, street_code: str) -> np.ndarray:
        return np.flatnonzero(self.street_idx == self._street_pos[street_code])

    def community_cells(self, community_code: str) -> np.ndarray:
        return np.flatnonzero(self.community_idx == self._community_pos[community_code])

    def neighbours(self) -> tuple[np.ndarray, np.ndarray]:
        """Index pairs ``(a, b)``, ``a < b``, of cells whose lattice slots share an edge: for
        contiguity, and for drawing street/community borders between differently labelled cells."""
        return _adjacent_pairs(self._lattice.astype(np.int64))

    def cell_polygon(self, i: int):
        """The cell's outline in lon/lat (its square, or its clipped/merged shape)."""
        if i in self._shapes:
            return self._shapes[i]
        (lon0, lat0), (dlon, dlat) = self.origin, self.step
        c, r = int(self.col[i]), int(self.row[i])
        return shapely.box(
            lon0 + c * dlon, lat0 + r * dlat, lon0 + (c + 1) * dlon, lat0 + (r + 1) * dlat
        )

    # -- sampling and export ------------------------------------------------------------------

    def random_points(
        self, n: int, rng: np.random.Generator, cells: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points uniformly distributed over the district (or over the given cells).

        Rejection sampling: a uniform slot among those owned by the wanted cells (all slots
        have equal area), a uniform point in it, kept if it falls in a wanted cell.
        """
        slot_cells = self._lattice[self._slot_row, self._slot_col]
        wanted = np.ones(len(self), dtype=bool)
        if cells is not None:
            wanted = np.zeros(len(self), dtype=bool)
            wanted[np.asarray(cells, dtype=np.int64)] = True
        pool = np.flatnonzero(wanted[slot_cells])
        if n > 0 and len(pool) == 0:
            raise ValueError("no cells to sample from")
        (lon0, lat0), (dlon, dlat) = self.origin, self.step
        lon_out, lat_out = [], []
        got = 0
        while got < n:
            pick = rng.choice(pool, size=int(1.2 * (n - got)) + 16)
            lon = lon0 + (self._slot_col[pick] + rng.random(len(pick))) * dlon
            lat = lat0 + (self._slot_row[pick] + rng.random(len(pick))) * dlat
            idx = self.lookup(lon, lat)
            ok = idx >= 0
            ok[ok] = wanted[idx[ok]]
            lon_out.append(lon[ok])
            lat_out.append(lat[ok])
            got += int(ok.sum())
        lon, lat = np.concatenate([np.empty(0), *lon_out]), np.concatenate([np.empty(0), *lat_out])
        return lon[:n], lat[:n]

    def to_compact(self) -> dict:
        """The grid as compact JSON for ``/reference``: enough for a client to draw it and to
        locate points itself with the same lattice arithmetic.

        ``origin``/``step``/``shape`` define the lattice (slot ``(col, row)`` spans
        ``origin + (col, row)·step`` to the next corner); each cell has its home slot
        ``col``/``row``; ``extra_slots`` lists ``[col, row, cell]`` for the border slivers that
        belong to a neighbouring cell; ``border`` gives the exact outline (GeoJSON MultiPolygon
        coordinates, 6 decimals ≈ 0.1 m) of every cell that is not a full square. A point in a
        border cell's slot is in that cell only if it lies inside the outline.
        """
        border = sorted(self._shapes)
        return {
            "crs": "WGS-84",
            "cell_m": self.cell_m,
            "origin": list(self.origin),
            "step": list(self.step),
            "shape": [self.nrows, self.ncols],
            "codes": self.codes.tolist(),
            "col": self.col.tolist(),
            "row": self.row.tolist(),
            "street_idx": self.street_idx.tolist(),
            "community_idx": self.community_idx.tolist(),
            "extra_slots": self._extra_slots.tolist(),
            "border": {
                "cells": border,
                "polygons": [_rounded_coords(self._shapes[i]) for i in border],
            },
        }

    def to_geojson(self) -> dict:
        """Every cell as a GeoJSON feature with its codes and names (for debugging in QGIS)."""
        feats = []
        for i, code in enumerate(self.codes.tolist()):
            comm = self.communities[int(self.community_idx[i])]
            feats.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": code,
                        "street": self._street_by_code[comm.street_code].name,
                        "community": comm.name,
                        "area_m2": round(float(self.area_m2[i]), 1),
                    },
                    "geometry": mapping(self.cell_polygon(i)),
                }
            )
        return {"type": "FeatureCollection", "features": feats}


def _rounded_coords(geom) -> list:
    """GeoJSON MultiPolygon coordinates of ``geom``, rounded to 6 decimals."""
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    return [
        [
            [[round(x, 6), round(y, 6)] for x, y in ring.coords]
            for ring in (p.exterior, *p.interiors)
        ]
        for p in polys
    ]
