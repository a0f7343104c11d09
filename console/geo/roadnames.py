"""Names for the synthetic road lattice: real road names placed approximately, else synthetic.

The network (``roads.RoadNetwork``) is a jittered lattice, so its rows run east–west and its
columns north–south, like the arterials of the real district. Each real road of the gazetteer
(a rough polyline) is laid on the one lattice line of its direction that follows it best:

* an edge *fits* a real road when its midpoint lies within ``FIT_M`` of the road's polyline
  and within the road's extent along its direction (plus ``EXTENT_MARGIN_M``);
* roads are placed in the gazetteer's order (arterials first): a road takes the lattice line
  with the most fitting edges not yet taken (ties: the nearer on average), and those edges
  carry its name;
* along a line, unnamed edges within ``FILL_M`` of a named edge take the name of the nearest
  one, so a real name carries on a couple of blocks past the rough extent given (a lattice
  line is one straight road, gaps where blocks merge included) or until the next real name
  on the line takes over;
* each stretch of a line still unnamed, within one street, gets a synthetic planning name,
  ``<street>规划<n>路`` (the form Chinese cities use for roads not yet named: it reads as real
  and says it is not), numbered per street from north-west to south-east.

``FIT_M`` is half the lattice spacing (400–600 m, ``roads.SPACING_M``) less the jitter: a
road is never given a line farther than the next one would be. A real road that no line
follows (e.g. one between two lines that other roads already took) is simply not on the map;
docs/rules/geography.md lists the outcome.

House numbers: along a named road, numbers grow from its west (east–west roads) or south
(north–south) end, one odd/even pair every ``HOUSE_M`` metres, odd on the north or west side,
even on the south or east side (the usual Chinese convention of odd and even sides).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely

from console.domain.geometry import distance_to_polyline_m

from .gazetteer import Gazetteer
from .grid import UnitGrid
from .roads import RoadNetwork

FIT_M = 220.0
EXTENT_MARGIN_M = 150.0
FILL_M = 1200.0
HOUSE_M = 20.0
_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (up to 99, enough for per-street counts)."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class NamedRoads:
    """The network with names. Per edge: ``edge_name`` (index into ``names``); per name:
    ``real`` (a gazetteer road), ``axis`` (0 east–west, 1 north–south) and ``start`` (frame
    coordinate, x or y by axis, of its west/south end: house numbers count from there)."""

    network: RoadNetwork
    names: tuple[str, ...]
    real: np.ndarray
    axis: np.ndarray
    start: np.ndarray
    edge_name: np.ndarray

    @classmethod
    @functools.cache
    def load(cls) -> NamedRoads:
        return name_roads(RoadNetwork.load(), UnitGrid.load(), Gazetteer.load())

    def house_number(self, name_idx: np.ndarray, x: np.ndarray, y: np.ndarray, side: np.ndarray):
        """House numbers at frame points ``x, y`` along roads ``name_idx``; ``side`` is +1 on
        the north/west side, -1 on the south/east side."""
        along = np.where(self.axis[name_idx] == 0, x, y) - self.start[name_idx]
        pair = np.floor(np.maximum(along, 0.0) / HOUSE_M).astype(np.int64)
        return 2 * pair + np.where(side > 0, 1, 2)

    def along_for_number(self, name_idx: int, number: int) -> float:
        """Frame coordinate (x or y by axis) of a house number on road ``name_idx``."""
        pair = (max(number, 1) - 1) // 2
        return float(self.start[name_idx] + (pair + 0.5) * HOUSE_M)


def name_roads(net: RoadNetwork, grid: UnitGrid, gaz: Gazetteer) -> NamedRoads:
    """Name every edge of ``net`` (see the module doc for the rules)."""
    frame = grid.frame
    x, y = frame.to_xy(net.lon, net.lat)
    a, b = net.edges[:, 0], net.edges[:, 1]
    mx, my = (x[a] + x[b]) / 2, (y[a] + y[b]) / 2
    mlon, mlat = frame.to_lonlat(mx, my)
    m = len(net.edges)
    line_key = net.edge_axis.astype(np.int64) * 100_000 + net.edge_line

    # 1. Real roads onto lattice lines.
    real_of_edge = np.full(m, -1)
    for k, road in enumerate(gaz.roads):
        rx, ry = frame.to_xy(np.array(road.lon), np.array(road.lat))
        axis = 0 if np.ptp(rx) >= np.ptp(ry) else 1
        along, lo, hi = (mx, rx.min(), rx.max()) if axis == 0 else (my, ry.min(), ry.max())
        d = distance_to_polyline_m(mlon, mlat, np.array(road.lon), np.array(road.lat))
        fit = (
            (real_of_edge < 0)
            & (net.edge_axis == axis)
            & (d <= FIT_M)
            & (along >= lo - EXTENT_MARGIN_M)
            & (along <= hi + EXTENT_MARGIN_M)
        )
        if not fit.any():
            continue
        keys, count = np.unique(line_key[fit], return_counts=True)
        mean_d = np.array([d[fit & (line_key == key)].mean() for key in keys])
        chosen = keys[np.lexsort((mean_d, -count))[0]]
        real_of_edge[fit & (line_key == chosen)] = k

    # 2. Fill each lattice line from its named edges, in order along the line, up to FILL_M
    #    past the last named edge; the stretches left unnamed are synthetic roads.
    names: list[str] = [r.name for r in gaz.roads]
    real = [True] * len(names)
    edge_name = real_of_edge.copy()
    edge_street = grid.street_idx[np.maximum(grid.lookup(mlon, mlat), 0)]
    stretches = []
    for key in np.unique(line_key):
        line = np.flatnonzero(line_key == key)
        along = mx[line] if key < 100_000 else my[line]
        line, along = line[np.argsort(along)], np.sort(along)
        named = np.flatnonzero(real_of_edge[line] >= 0)
        if len(named):
            gap = np.abs(along[:, None] - along[named][None, :])
            nearest = named[gap.argmin(axis=1)]
            near = gap.min(axis=1) <= FILL_M
            edge_name[line[near]] = real_of_edge[line][nearest[near]]
        free = edge_name[line] < 0
        # consecutive unnamed edges in one street form one stretch
        st = edge_street[line]
        joined = np.r_[False, free[1:] & free[:-1] & (st[1:] == st[:-1])]  # i goes on from i-1
        starts = np.flatnonzero(free & ~joined)
        ends = np.flatnonzero(free & ~np.r_[joined[1:], False])
        stretches += [line[s0 : e0 + 1] for s0, e0 in zip(starts, ends, strict=True)]

    # 3. Synthetic names for the stretches left, north-west first so numbering reads like a map.
    synthetic_count: dict[str, int] = {}
    mid = [(-float(my[r].mean()), float(mx[r].mean()), i) for i, r in enumerate(stretches)]
    for _, _, i in sorted(mid):
        run = stretches[i]
        street = grid.streets[int(edge_street[run[0]])].name
        synthetic_count[street] = synthetic_count.get(street, 0) + 1
        names.append(f"{street}规划{chinese_number(synthetic_count[street])}路")
        real.append(False)
        edge_name[run] = len(names) - 1

    # Drop real names no edge carries; renumber.
    kept = np.unique(edge_name)
    remap = np.full(len(names), -1)
    remap[kept] = np.arange(len(kept))
    edge_name = remap[edge_name]
    name_axis = np.array([int(net.edge_axis[edge_name == i][0]) for i in range(len(kept))])
    along_a = np.where(net.edge_axis == 0, x[a], y[a])
    along_b = np.where(net.edge_axis == 0, x[b], y[b])
    start = np.array(
        [
            min(along_a[edge_name == i].min(), along_b[edge_name == i].min())
            for i in range(len(kept))
        ]
    )
    return NamedRoads(
        network=net,
        names=tuple(names[i] for i in kept),
        real=np.array([real[i] for i in kept]),
        axis=name_axis,
        start=start,
        edge_name=edge_name,
    )


def edge_lines_xy(net: RoadNetwork, frame) -> np.ndarray:
    """The network's edges as shapely line strings in frame metres (for spatial indexes)."""
    x, y = frame.to_xy(net.lon, net.lat)
    a, b = net.edges[:, 0], net.edges[:, 1]
    return shapely.linestrings(
        np.stack([np.column_stack([x[a], y[a]]), np.column_stack([x[b], y[b]])], axis=1)
    )
