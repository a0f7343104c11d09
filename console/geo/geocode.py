"""Geocoding (地理编码) both ways over the named district: a point to an address, a text to places.

An address names its 街道 and 社区 (from the unit grid) and then locates the point the way a
centre's operators and the public say it (GB/T 30428.3 locates a case by street, community
and road/门牌 or landmark):

1. within ``CROSSING_M`` of a crossing of two differently named roads: ``A路与B路交叉口``;
2. else within ``LANDMARK_M`` of a landmark that is nearer than the road:
   ``<landmark><direction>约<n>米`` (``旁`` when within ``BESIDE_M``);
3. else by the nearest road and the house number of that spot: ``<road><n>号附近``
   (``roads.house_number``: odd north/west, even south/east) — unless the road is farther
   than ``FAR_ROAD_M`` and a landmark is within ``LANDMARK_FAR_M``, which then says it better.

The thresholds are what a person standing there would still call "at" the place: a crossing
is about the width of the junction and its corners (40 m); a landmark that is nearer than
the road and within a minute's walk (80 m, 300 m when the road itself is far).

Reverse geocoding is vectorised (``reverse_many``): spatial indexes (shapely STRtree) over
road edges, crossings and landmarks, and the grid's lattice arithmetic for the cell; a
batch of points costs a few microseconds per point (tests/benchmarks/bench_geo.py).

Forward geocoding (``search``) reads a free text (an address as a caller says it or an
operator types it) and ranks candidates: crossings ``A与B``, road + number, landmarks, roads,
communities, streets. It tolerates the usual variations: full-width digits, spaces and
punctuation, missing or extra 路/号, a road's direction word (``中河路`` for ``中河中路``), the
city and district prefix, and a prefix of a landmark's name being typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from .gazetteer import Gazetteer, Landmark
from .grid import UnitGrid
from .roadnames import NamedRoads, edge_lines_xy

CROSSING_M = 40.0
LANDMARK_M = 80.0
BESIDE_M = 15.0
FAR_ROAD_M = 150.0
LANDMARK_FAR_M = 300.0
#: A candidate for a house number stands this far off the road's centre line, on its side.
KERB_M = 12.0
_DIRECTIONS = ("东", "东北", "北", "西北", "西", "西南", "南", "东南")
_PREFIXES = ("浙江省", "浙江", "杭州市", "杭州", "上城区", "江干区")
_ROAD_SUFFIXES = ("大道", "路", "街", "巷")
_DIRECTION_WORDS = "东西南北中"
_CROSSING_WORDS = re.compile(r"与|和|及|跟|交叉口?|路口|口|/|&|、|\+")
_NUMBER_AFTER = re.compile(r"^(?:路|街|大道)?(\d{1,5})(?:号|號)?")

#: A text that is exactly a place's name (``九堡``) means that place, whatever its kind.
EXACT_BONUS = 30.0
#: Candidates inside a street or community the text also names.
AREA_BONUS = 5.0
#: A house number past the end of the road (the road exists, the number does not).
BEYOND_END_PENALTY = 5.0
#: Rank of each kind of candidate (higher first), before the text-match bonus.
KIND_RANK = {
    "crossing": 100,
    "address": 90,
    "landmark": 80,
    "road": 70,
    "community": 60,
    "street": 50,
}
#: Candidates whose own name is the locator of their address (a house number, a crossing, a
#: landmark): the reverse geocode of their point could name a nearer crossing or road instead.
NAMED_BY_ITSELF = frozenset({"address", "crossing", "landmark"})


@dataclass
class ReverseBatch:
    """Reverse geocoding of many points: per point, the cell (-1 outside), the nearest road
    (name index, distance, house number), crossing and landmark (index, distance)."""

    cell: np.ndarray
    road: np.ndarray
    road_m: np.ndarray
    number: np.ndarray
    crossing: np.ndarray
    crossing_m: np.ndarray
    landmark: np.ndarray
    landmark_m: np.ndarray
    landmark_bearing: np.ndarray


def normalise(text: str) -> str:
    """Full-width to ASCII, no spaces or punctuation, no city/district prefix."""
    t = unicodedata.normalize("NFKC", text or "")
    t = re.sub(r"[\s,，。.;；:：()（）\[\]【】\"'“”‘’·\-—_]+", "", t)
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if t.startswith(p):
                t, changed = t[len(p) :], True
    return t


def _road_variants(name: str) -> list[str]:
    """How people write a road: full name, without 路, without the direction word
    (``中河中路`` → ``中河中``, ``中河路``, ``中河``). Longest first; at least 2 characters."""
    out = [name]
    for suf in _ROAD_SUFFIXES:
        if name.endswith(suf):
            stem = name[: -len(suf)]
            out.append(stem)
            if len(stem) > 2 and stem[-1] in _DIRECTION_WORDS:
                out += [stem[:-1] + suf, stem[:-1]]
            break
    return [v for v in dict.fromkeys(out) if len(v) >= 2]


def _landmark_variants(m: Landmark) -> list[str]:
    out = [m.name, *m.aliases]
    if m.name.endswith("地铁站"):
        out.append(m.name[: -len("地铁站")] + "站")
    return [v for v in dict.fromkeys(out) if len(v) >= 2]


def _direction(bearing_deg: float) -> str:
    """Eight-point compass word for a bearing (degrees counter-clockwise from east)."""
    return _DIRECTIONS[int(((bearing_deg % 360) + 22.5) // 45) % 8]


def standard_address(street: str, community: str, locator: str) -> str:
    """The one form of an address (GB/T 30428.3's 街道 + 社区 + 门牌/路口/地标):
    ``湖滨街道东坡路社区 解放路128号附近``."""
    return f"{street}街道{community} {locator}"


class Geocoder:
    """Reverse and forward geocoding over the grid, the named roads and the landmarks."""

    def __init__(self, grid: UnitGrid, roads: NamedRoads, gazetteer: Gazetteer):
        self.grid, self.roads, self.gazetteer = grid, roads, gazetteer
        self.frame = grid.frame
        net = roads.network
        self._nx, self._ny = self.frame.to_xy(net.lon, net.lat)
        self._edges = net.edges
        self._edge_tree = shapely.STRtree(edge_lines_xy(net, self.frame))
        # Crossings: nodes where two differently named roads meet (one per name pair and node).
        names_at: dict[int, set[int]] = {}
        for e, (p, q) in enumerate(net.edges.tolist()):
            for node in (p, q):
                names_at.setdefault(node, set()).add(int(roads.edge_name[e]))
        cross_node, cross_pair = [], []
        for node, ns in sorted(names_at.items()):
            if len(ns) >= 2:
                ew = sorted(n for n in ns if roads.axis[n] == 0)
                ns_ = sorted(n for n in ns if roads.axis[n] == 1)
                if ew and ns_:
                    cross_node.append(node)
                    cross_pair.append((ew[0], ns_[0]))
        self._cross_node = np.array(cross_node, dtype=np.int64)
        self._cross_pair = np.array(cross_pair, dtype=np.int64).reshape(-1, 2)
        self._cross_tree = shapely.STRtree(
            shapely.points(self._nx[self._cross_node], self._ny[self._cross_node])
        )
        lm = gazetteer.landmarks
        self._lx, self._ly = self.frame.to_xy([m.lon for m in lm], [m.lat for m in lm])
        self._lm_tree = shapely.STRtree(shapely.points(self._lx, self._ly))
        self._road_variants = [_road_variants(n) for n in roads.names]
        self._lm_variants = [_landmark_variants(m) for m in lm]

    @classmethod
    @functools.cache
    def load(cls) -> Geocoder:
        """The shipped district's geocoder, built once per process."""
        return cls(UnitGrid.load(), NamedRoads.load(), Gazetteer.load())

    # ---- reverse ---------------------------------------------------------------------------
    def reverse_many(self, lon, lat) -> ReverseBatch:
        """Vectorised reverse geocoding of points (WGS-84 arrays)."""
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        x, y = self.frame.to_xy(lon, lat)
        pts = shapely.points(x, y)
        cell = self.grid.lookup(lon, lat)

        (_, edge), road_m = self._edge_tree.query_nearest(
            pts, return_distance=True, all_matches=False
        )
        a, b = self._edges[edge, 0], self._edges[edge, 1]
        ax, ay, bx, by = self._nx[a], self._ny[a], self._nx[b], self._ny[b]
        dx, dy = bx - ax, by - ay
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0, 1)
        px, py = ax + t * dx, ay + t * dy
        cross = dx * (y - ay) - dy * (x - ax)  # > 0: left of a→b, i.e. north of an east-going
        road = self.roads.edge_name[edge]  # edge (a is west/south), west of a north-going one
        number = self.roads.house_number(road, px, py, np.where(cross >= 0, 1, -1))

        (_, ci), cross_m = self._cross_tree.query_nearest(
            pts, return_distance=True, all_matches=False
        )
        (_, li), lm_m = self._lm_tree.query_nearest(pts, return_distance=True, all_matches=False)
        bearing = np.degrees(np.arctan2(y - self._ly[li], x - self._lx[li]))
        return ReverseBatch(cell, road, road_m, number, ci, cross_m, li, lm_m, bearing)

    def _locator(self, r: ReverseBatch, i: int) -> tuple[str, str]:
        """(kind, words) locating point ``i`` of a batch, by the rules of the module doc."""
        names, lms = self.roads.names, self.gazetteer.landmarks
        if r.crossing_m[i] <= CROSSING_M:
            ew, ns = self._cross_pair[r.crossing[i]]
            return "crossing", f"{names[ew]}与{names[ns]}交叉口"
        lm_m, road_m = float(r.landmark_m[i]), float(r.road_m[i])
        if (lm_m <= LANDMARK_M and lm_m < road_m) or (
            road_m > FAR_ROAD_M and lm_m <= LANDMARK_FAR_M
        ):
            m = lms[int(r.landmark[i])]
            if lm_m <= BESIDE_M:
                return "landmark", f"{m.name}旁"
            metres = max(10, int(round(lm_m / 10.0)) * 10)
            return "landmark", f"{m.name}{_direction(float(r.landmark_bearing[i]))}约{metres}米"
        return "road", f"{names[int(r.road[i])]}{int(r.number[i])}号附近"

    def addresses(self, lon, lat) -> list[str | None]:
        """The address of each point (None outside the district): vectorised lookups, then
        one string per point."""
        r = self.reverse_many(lon, lat)
        comm = self.grid.communities
        streets = self.grid.streets
        out: list[str | None] = []
        for i in range(len(r.cell)):
            c = int(r.cell[i])
            if c < 0:
                out.append(None)
                continue
            st = streets[int(self.grid.street_idx[c])].name
            cm = comm[int(self.grid.community_idx[c])].name
            out.append(standard_address(st, cm, self._locator(r, i)[1]))
        return out

    def reverse(self, lon: float, lat: float) -> dict | None:
        """Everything known about one point, or None outside the district."""
        r = self.reverse_many(lon, lat)
        c = int(r.cell[0])
        if c < 0:
            return None
        info = self.grid.cell(str(self.grid.codes[c]))
        kind, locator = self._locator(r, 0)
        lm = self.gazetteer.landmarks[int(r.landmark[0])]
        ew, ns = self._cross_pair[r.crossing[0]]
        return {
            "lon": float(lon),
            "lat": float(lat),
            "address": standard_address(info["street_name"], info["community_name"], locator),
            "locator": locator,
            "located_by": kind,
            "district": self.grid.district.name,
            "street": {"code": info["street_code"], "name": info["street_name"]},
            "community": {"code": info["community_code"], "name": info["community_name"]},
            "grid_code": info["code"],
            "road": {
                "name": self.roads.names[int(r.road[0])],
                "distance_m": round(float(r.road_m[0]), 1),
                "number": int(r.number[0]),
            },
            "crossing": {
                "name": f"{self.roads.names[ew]}与{self.roads.names[ns]}",
                "distance_m": round(float(r.crossing_m[0]), 1),
            },
            "landmark": {
                "name": lm.name,
                "kind": lm.kind,
                "distance_m": round(float(r.landmark_m[0]), 1),
                "direction": _direction(float(r.landmark_bearing[0])),
            },
        }

    # ---- forward ---------------------------------------------------------------------------
    def search(self, text: str, limit: int = 10) -> list[dict]:
        """Ranked candidates for a free-text address (best first), each with a location
        inside the district and its reverse-geocoded address."""
        q = normalise(text)
        if len(q) < 2:
            return []
        found: list[tuple[float, str, str, float, float]] = []  # score, kind, name, x, y
        # Streets and communities first: their names are also taken out of the text before
        # roads are looked for (``望江街道`` is not ``望江路``).
        area_codes, rest = [], q
        for kind, items in (("community", self.grid.communities), ("street", self.grid.streets)):
            for it in items:
                full = it.name if kind == "community" else it.name + "街道"
                stem = full.removesuffix("社区") if kind == "community" else it.name
                bonus = _match_bonus(q, [full, stem], exact_any=kind == "street")
                if bonus is None:
                    continue
                x, y = self._area_point(it.code)
                found.append((KIND_RANK[kind] + bonus, kind, full, x, y))
                if full in q or (kind == "street" and stem in q):
                    area_codes.append(it.code)
                rest = rest.replace(full, "|")
        roads_hit = self._roads_in(rest)
        # Crossings of two roads named in the text.
        ids = {r for r, _, _ in roads_hit}
        if len(ids) >= 2 and _CROSSING_WORDS.search(rest):
            for k, (ew, ns) in enumerate(self._cross_pair.tolist()):
                if ew in ids and ns in ids:
                    node = self._cross_node[k]
                    name = f"{self.roads.names[ew]}与{self.roads.names[ns]}交叉口"
                    bonus = sum(b for r, b, _ in roads_hit if r in (ew, ns)) / 2
                    found.append(
                        (KIND_RANK["crossing"] + bonus, "crossing", name, *self._node_xy(node))
                    )
        for road, bonus, end in roads_hit:
            num = _NUMBER_AFTER.match(rest[end:])
            if num:
                number = int(num.group(1))
                x, y, ok = self._house_point(road, number)
                score = KIND_RANK["address"] + bonus - (0 if ok else BEYOND_END_PENALTY)
                found.append((score, "address", f"{self.roads.names[road]}{number}号", x, y))
            x, y = self._road_middle(road, area_codes)
            found.append((KIND_RANK["road"] + bonus, "road", self.roads.names[road], x, y))
        for k, variants in enumerate(self._lm_variants):
            bonus = _match_bonus(rest, variants)
            if bonus is not None:
                name = self.gazetteer.landmarks[k].name
                found.append(
                    (KIND_RANK["landmark"] + bonus, "landmark", name, self._lx[k], self._ly[k])
                )
        if not found:
            return []
        found.sort(key=lambda f: -f[0])
        unique = list({(f[1], f[2]): f for f in reversed(found)}.values())[::-1]
        lon, lat = self.frame.to_lonlat(
            np.array([f[3] for f in unique]), np.array([f[4] for f in unique])
        )
        addrs = self.addresses(lon, lat)
        cells = self.grid.lookup(lon, lat)
        out: list[dict[str, Any]] = []
        for f, lo, la, addr, cell in zip(unique, lon, lat, addrs, cells, strict=True):
            if cell < 0:
                continue
            code = str(self.grid.codes[cell])
            # A street or community named beside a road or number picks the one inside it.
            inside = any(code.startswith(a) for a in area_codes)
            located = f[1] in ("crossing", "address", "road", "landmark")
            if f[1] in NAMED_BY_ITSELF:  # 清泰街100号 is its own address, not a neighbour's
                street, community = self.grid.street_of(code), self.grid.community_of(code)
                addr = standard_address(street.name, community.name, f[2])
            out.append(
                {
                    "kind": f[1],
                    "name": f[2],
                    "address": addr,
                    "lon": round(float(lo), 6),
                    "lat": round(float(la), 6),
                    "grid_code": code,
                    "street": self.grid.street_of(code).name,
                    "community": self.grid.community_of(code).name,
                    "score": round(f[0] + (AREA_BONUS if inside and located else 0.0), 1),
                }
            )
        out.sort(key=lambda c: -c["score"])
        return out[:limit]

    def _node_xy(self, node: int) -> tuple[float, float]:
        return float(self._nx[node]), float(self._ny[node])

    def _roads_in(self, q: str) -> list[tuple[int, float, int]]:
        """Roads named in ``q``: (name index, bonus, end of the match in ``q``), one per
        road, the best variant kept; a variant inside a longer road's match is skipped
        (``庆春`` in ``庆春东路``)."""
        hits: list[tuple[int, float, int, int]] = []
        for k, variants in enumerate(self._road_variants):
            for rank, v in enumerate(variants):
                at = q.find(v)
                if at >= 0 and not v.endswith(_ROAD_SUFFIXES):
                    # a bare stem (``延安``) names the road only before a number, a crossing
                    # word or the end: ``西湖边`` is not ``西湖大道``
                    after = q[at + len(v) :]
                    if after and not (after[0].isdigit() or _CROSSING_WORDS.match(after)):
                        continue
                if at >= 0:
                    exact = EXACT_BONUS if v == q and rank == 0 else 0.0
                    hits.append((k, exact + 10.0 - 4 * rank + len(v) / 10, at, at + len(v)))
                    break
        hits.sort(key=lambda h: -(h[3] - h[2]))
        kept: list[tuple[int, float, int, int]] = []
        for h in hits:
            if not any(
                h[2] >= o[2] and h[3] <= o[3] and (h[3] - h[2]) < (o[3] - o[2]) for o in kept
            ):
                kept.append(h)
        if not kept and len(q) >= 2:  # typing the beginning of a road's name
            for k, variants in enumerate(self._road_variants):
                if variants[0].startswith(q):
                    kept.append((k, 0.0, 0, len(q)))
        return [(k, b, end) for k, b, _, end in kept]

    def _road_edges(self, road: int) -> np.ndarray:
        return np.flatnonzero(self.roads.edge_name == road)

    def _road_middle(self, road: int, area_codes: list[str]) -> tuple[float, float]:
        """A point on the road halfway along it, or along its part inside the streets or
        communities named (when it has one)."""
        edges = self._road_edges(road)
        a, b = self._edges[edges, 0], self._edges[edges, 1]
        mx, my = (self._nx[a] + self._nx[b]) / 2, (self._ny[a] + self._ny[b]) / 2
        if area_codes:
            cells = self.grid.lookup(*self.frame.to_lonlat(mx, my))
            codes = self.grid.codes[np.maximum(cells, 0)]
            inside = (cells >= 0) & np.any(
                [np.char.startswith(codes, c) for c in area_codes], axis=0
            )
            if inside.any():
                mx, my = mx[inside], my[inside]
        along = mx if self.roads.axis[road] == 0 else my
        k = int(np.argsort(along)[len(along) // 2])
        return float(mx[k]), float(my[k])

    def _house_point(self, road: int, number: int) -> tuple[float, float, bool]:
        """Where house ``number`` stands on ``road`` (on its side of the road), and whether
        the road is that long (else the nearest end)."""
        edges = self._road_edges(road)
        a, b = self._edges[edges, 0], self._edges[edges, 1]
        ew = self.roads.axis[road] == 0
        pa = self._nx[a] if ew else self._ny[a]
        pb = self._nx[b] if ew else self._ny[b]
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        target = self.roads.along_for_number(road, number)
        inside = (lo <= target) & (target <= hi)
        ok = bool(inside.any())
        k = (
            int(np.flatnonzero(inside)[0])
            if ok
            else int(np.argmin(np.minimum(abs(lo - target), abs(hi - target))))
        )
        target = float(np.clip(target, lo[k], hi[k]))
        t = (target - pa[k]) / (pb[k] - pa[k]) if pb[k] != pa[k] else 0.0
        x = self._nx[a[k]] + t * (self._nx[b[k]] - self._nx[a[k]])
        y = self._ny[a[k]] + t * (self._ny[b[k]] - self._ny[a[k]])
        side = (
            1.0 if number % 2 == 1 else -1.0
        )  # odd: north of an east-west road, west of a north-south one
        if ew:
            y += side * KERB_M
        else:
            x -= side * KERB_M
        return float(x), float(y), ok

    def _area_point(self, code: str) -> tuple[float, float]:
        """A point standing for a street or community: its cell nearest to its centre."""
        if len(code) == 9:
            cells = self.grid.street_cells(code)
        else:
            cells = self.grid.community_cells(code)
        x, y = self.frame.to_xy(self.grid.lon[cells], self.grid.lat[cells])
        k = int(np.argmin((x - x.mean()) ** 2 + (y - y.mean()) ** 2))
        return float(x[k]), float(y[k])


def _match_bonus(q: str, variants: list[str], exact_any: bool = True) -> float | None:
    """How well ``q`` names a place with these spellings: a spelling inside the text (the
    longer and the earlier in the list, the better; the text being exactly a spelling best
    of all, or only exactly the first one unless ``exact_any``: ``九堡`` is the street more
    than the community ``九堡社区``), or the text being the start of a spelling (typing
    ahead) or inside one; None when it does not."""
    for rank, v in enumerate(variants):
        if len(v) >= 2 and v in q:
            exact = v == q and (exact_any or rank == 0)
            return (EXACT_BONUS if exact else 0.0) + 10.0 - 2 * rank + len(v) / 10
    for v in variants:
        if v.startswith(q):
            return 2.0
        if q in v:
            return 0.0
    return None
