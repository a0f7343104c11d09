"""A synthetic but realistic 部件 inventory along the road network (the 部件普查 a centre has).

No real inventory ships, so one is laid out the way utilities build: every kind of component
at its usual spacing along each road of ``RoadNetwork``, on its side of the road, each with the
department that owns and maintains it. Spacings and owners carry their source or reason in
``SPECS``. The layout is seeded and reproducible, so it is derived at start-up like the unit
grid and the road network (about 0.1 s for ~93,000 items) rather than stored: storing it cost
1.5 s and 18 MB for every fresh database (each demo start, each test backend) for data that
never changes while the backend runs. Its codes are persistent identifiers that cases keep
(``console.domain.components``), so a test pins a fingerprint of them, as for the grid.

``ComponentIndex`` answers the two questions the backend asks: the components in a box, and
the nearest component of a category within a few metres of a case (bucketed, see there).

Placement: along a road segment of length L, a kind with spacing s and a lateral offset o (m,
left of the drawing direction; negative: right) gets points at ``phase + k·s`` for the
``k`` that fall 5 m clear of both junctions, at distance o from the centreline, with up to
1.5 m of survey scatter. Each side draws its own phase, so two sides are staggered. A point
that an offset pushes outside the district is dropped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from console.derived_cache import cached
from console.domain.components import (
    MAX_SERIAL,
    component_code,
    degree_box,
    nearest_within,
    parse_component_code,
)

from .district import District
from .grid import UnitGrid
from .roads import RoadNetwork

SEED = 20261129
#: Distance kept clear of each junction (m): a manhole or pole is not set in the crossing.
CLEAR_M = 5.0
#: Survey scatter (m) added to every position so rows are not ruler-straight.
SCATTER_M = 1.5


@dataclass(frozen=True)
class Spec:
    """One kind of component: its category, spacing along the road (m), the lateral offsets
    of its rows (m from the centreline; one row per offset), who owns it (department id →
    share), and why."""

    category: str
    spacing_m: float
    offsets_m: tuple[float, ...]
    owners: tuple[tuple[str, float], ...]
    basis: str


SPECS: tuple[Spec, ...] = (
    Spec(
        "01037",
        35.0,
        (12.0, -12.0),
        (("streetlight", 1.0),),
        "路灯: both sides, 35 m (CJJ 45 城市道路照明设计标准: spacing about 3× a 10–12 m "
        "mounting height on arterials)",
    ),
    Spec(
        "01006",
        105.0,
        (12.5,),
        (("streetlight", 1.0),),
        "路灯井: a cable pull well every third pole on one side (stated reason)",
    ),
    Spec(
        "01060",
        900.0,
        (13.0,),
        (("streetlight", 1.0),),
        "路灯配电箱: one box feeds roughly 1 km of lighting (stated reason)",
    ),
    Spec(
        "01002",
        45.0,
        (0.0,),
        (("water", 1.0),),
        "污水检查井: 40–50 m on 300–600 mm sewers (GB 50014 室外排水设计标准, 检查井最大间距)",
    ),
    Spec(
        "01003",
        50.0,
        (3.5,),
        (("water", 1.0),),
        "雨水检查井: about 50 m on storm sewers (GB 50014)",
    ),
    Spec(
        "01004",
        40.0,
        (7.5, -7.5),
        (("water", 1.0),),
        "雨水箅子: 25–50 m along each kerb (GB 50014: 雨水口间距宜为25–50 m)",
    ),
    Spec(
        "01001",
        120.0,
        (-9.0,),
        (("water", 1.0),),
        "供水阀门井: every 100–150 m along the main (stated reason)",
    ),
    Spec(
        "01013",
        120.0,
        (-10.0,),
        (("water", 1.0),),
        "市政消火栓: at most 120 m apart (GB 50974 消防给水及消火栓系统技术规范); the water "
        "supplier maintains public hydrants (市政消火栓由城市供水单位维护管理, city rules)",
    ),
    Spec(
        "01005",
        80.0,
        (10.0,),
        (("power", 1.0),),
        "电力电缆井: 50–100 m on cable ducts (stated reason); owner 供电公司",
    ),
    Spec(
        "01007",
        120.0,
        (-11.0,),
        (("telecom", 0.45), ("mobile", 0.30), ("unicom", 0.25)),
        "通信人孔: about 120 m (通信管道 practice); each well belongs to one operator, "
        "shares roughly by duct ownership (stated reason)",
    ),
    Spec(
        "01008",
        240.0,
        (-11.5,),
        (("cable_tv", 1.0),),
        "广电（华数）人孔: every second telecom well position (stated reason)",
    ),
    Spec(
        "01011",
        300.0,
        (6.0,),
        (("gas", 1.0),),
        "燃气阀门井: valves every 300 m or so on distribution mains (stated reason)",
    ),
    Spec(
        "03005",
        70.0,
        (11.0, -11.0),
        (("sanitation", 1.0),),
        "垃圾箱（废物箱）: 50–80 m on trunk roads (CJJ 27 环境卫生设施设置标准)",
    ),
)


@dataclass
class Inventory:
    """Columns of the generated inventory, in code order."""

    code: np.ndarray  # str, 16 digits
    category: np.ndarray  # str, 5 digits
    lon: np.ndarray
    lat: np.ndarray
    owner: np.ndarray  # department id
    grid_code: np.ndarray
    street_code: np.ndarray

    def __len__(self) -> int:
        return len(self.code)


def _place(
    roads: RoadNetwork, x: np.ndarray, y: np.ndarray, spec: Spec, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    a, b = roads.edges[:, 0], roads.edges[:, 1]
    dx, dy = x[b] - x[a], y[b] - y[a]
    length = np.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    px, py = [], []
    for off in spec.offsets_m:
        phase = rng.uniform(0, spec.spacing_m, len(length))
        counts = np.maximum(
            np.floor((length - 2 * CLEAR_M - phase) / spec.spacing_m).astype(int) + 1, 0
        )
        edge = np.repeat(np.arange(len(length)), counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        s = CLEAR_M + phase[edge] + k * spec.spacing_m
        keep = s <= length[edge] - CLEAR_M
        edge, s = edge[keep], s[keep]
        px.append(x[a][edge] + ux[edge] * s - uy[edge] * off)
        py.append(y[a][edge] + uy[edge] * s + ux[edge] * off)
    qx, qy = np.concatenate(px), np.concatenate(py)
    return (
        qx + rng.uniform(-SCATTER_M, SCATTER_M, len(qx)),
        qy + rng.uniform(-SCATTER_M, SCATTER_M, len(qy)),
    )


def generate(district: District, grid: UnitGrid, roads: RoadNetwork, seed: int = SEED) -> Inventory:
    """The inventory for this district and network (same inputs, same inventory)."""
    rng = np.random.default_rng(seed)
    frame = district.frame
    x, y = frame.to_xy(roads.lon, roads.lat)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in Inventory.__dataclass_fields__}
    for spec in SPECS:
        qx, qy = _place(roads, np.asarray(x), np.asarray(y), spec, rng)
        lon, lat = frame.to_lonlat(qx, qy)
        cell = grid.lookup(lon, lat)
        inside = cell >= 0
        lon, lat, cell = lon[inside], lat[inside], cell[inside]
        # Serials run north to south, then west to east, like the grid's.
        order = np.lexsort((np.round(lon, 6), -np.round(lat, 6)))
        lon, lat, cell = lon[order], lat[order], cell[order]
        n = len(lon)
        if n > MAX_SERIAL:
            raise ValueError(f"{spec.category}: {n} components exceed the 5-digit serial")
        names = [o for o, _ in spec.owners]
        share = np.array([w for _, w in spec.owners])
        owner = np.asarray(names)[rng.choice(len(names), size=n, p=share / share.sum())]
        cols["code"].append(
            np.array([component_code(district.adcode, spec.category, i + 1) for i in range(n)])
        )
        cols["category"].append(np.full(n, spec.category))
        cols["lon"].append(np.round(lon, 7))
        cols["lat"].append(np.round(lat, 7))
        cols["owner"].append(owner)
        cols["grid_code"].append(grid.codes[cell])
        cols["street_code"].append(
            np.array([grid.streets[int(i)].code for i in grid.street_idx[cell]])
        )
    inv = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.argsort(inv["code"])
    return Inventory(**{k: v[order] for k, v in inv.items()})


#: Bucket size of the nearest-component index (m): at least the attach radius, so the 3×3
#: buckets around a point hold every component within it.
BUCKET_M = 60.0


class ComponentIndex:
    """The inventory with a bucket index: components sorted by (category, bucket), so the
    candidates near a point are nine ``searchsorted`` ranges instead of a scan of all ~93,000
    (tests/benchmarks/bench_components.py measures both)."""

    def __init__(self, inv: Inventory, district: District):
        self.inv = inv
        self.frame = district.frame
        self.categories = sorted(set(inv.category.tolist()))
        cat_idx = np.searchsorted(self.categories, inv.category)
        x, y = self.frame.to_xy(inv.lon, inv.lat)
        self._x0, self._y0 = float(np.min(x)) - BUCKET_M, float(np.min(y)) - BUCKET_M
        bx = ((np.asarray(x) - self._x0) // BUCKET_M).astype(np.int64)
        by = ((np.asarray(y) - self._y0) // BUCKET_M).astype(np.int64)
        self._nx = int(bx.max()) + 2
        self._ny = int(by.max()) + 2
        keys = (cat_idx * self._ny + by) * self._nx + bx
        self._order = np.argsort(keys, kind="stable")
        self._keys = keys[self._order]

    @classmethod
    def build(cls, district: District, grid: UnitGrid, roads: RoadNetwork) -> ComponentIndex:
        return cls(generate(district, grid, roads), district)

    @classmethod
    @functools.cache
    def load(cls) -> ComponentIndex:
        """The shipped district's inventory, once per process: what the backend derives, from
        the same disk cache (``console.derived_cache``, ~10 ms) or built (~0.3 s). The console's
        map and panels read components from it instead of downloading ~93,000 rows."""
        return cached(
            "components", lambda: cls.build(District.load(), UnitGrid.load(), RoadNetwork.load())
        )

    def __len__(self) -> int:
        return len(self.inv)

    def find(self, code: str) -> int | None:
        """Row of ``code``, or None (ValueError if ``code`` is not a component code)."""
        parse_component_code(code)
        i = int(np.searchsorted(self.inv.code, code))
        return i if i < len(self.inv) and self.inv.code[i] == code else None

    def doc(self, i: int) -> dict:
        """The wire form of row ``i``."""
        inv = self.inv
        return {
            "code": str(inv.code[i]),
            "category_code": str(inv.category[i]),
            "location": {"lon": float(inv.lon[i]), "lat": float(inv.lat[i])},
            "owner_department_id": str(inv.owner[i]),
            "grid_code": str(inv.grid_code[i]),
            "street_code": str(inv.street_code[i]),
        }

    def in_box(
        self, bbox: tuple[float, float, float, float] | None, category: str | None
    ) -> np.ndarray:
        """Rows inside ``bbox`` (min lon, min lat, max lon, max lat) of ``category`` (either
        may be None: no limit), in code order."""
        inv = self.inv
        mask = np.ones(len(inv), dtype=bool)
        if category is not None:
            mask &= inv.category == category
        if bbox is not None:
            minx, miny, maxx, maxy = bbox
            mask &= (inv.lon >= minx) & (inv.lon <= maxx) & (inv.lat >= miny) & (inv.lat <= maxy)
        return np.flatnonzero(mask)

    def nearest(
        self, category: str, lon: float, lat: float, radius_m: float
    ) -> tuple[int, float] | None:
        """Row and distance of the nearest ``category`` component within ``radius_m``."""
        if category not in self.categories or radius_m > BUCKET_M:
            return self.nearest_naive(category, lon, lat, radius_m)
        c = self.categories.index(category)
        x, y = self.frame.to_xy(lon, lat)
        bx = int((float(x) - self._x0) // BUCKET_M)
        by = int((float(y) - self._y0) // BUCKET_M)
        ranges = []
        for yy in (by - 1, by, by + 1):
            if not 0 <= yy < self._ny:
                continue
            lo = (c * self._ny + yy) * self._nx + max(bx - 1, 0)
            hi = (c * self._ny + yy) * self._nx + min(bx + 1, self._nx - 1)
            a, b = np.searchsorted(self._keys, [lo, hi + 1])
            ranges.append(self._order[a:b])
        rows = np.concatenate(ranges) if ranges else np.empty(0, dtype=np.int64)
        hit = nearest_within(lon, lat, self.inv.lon[rows], self.inv.lat[rows], radius_m)
        return None if hit is None else (int(rows[hit[0]]), hit[1])

    def nearest_naive(
        self, category: str, lon: float, lat: float, radius_m: float
    ) -> tuple[int, float] | None:
        """The same answer by scanning every component of the category in a degree box (the
        baseline of the benchmark, and the fallback for radii beyond a bucket)."""
        minx, miny, maxx, maxy = degree_box(lon, lat, radius_m)
        rows = self.in_box((minx, miny, maxx, maxy), category)
        hit = nearest_within(lon, lat, self.inv.lon[rows], self.inv.lat[rows], radius_m)
        return None if hit is None else (int(rows[hit[0]]), hit[1])
