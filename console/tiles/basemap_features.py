"""What the demo's offline basemap shows, in Web Mercator metres (the map's scene coordinates),
gathered from the project's own geodata so that tiles, cases and vehicles agree:

* the district and its neighbours (``resources/*.geojson``, GCJ-02, converted like
  ``console.geo.district``);
* the 街道 areas of the unit grid (``console.geo.grid``: approximate Voronoi areas, see
  docs/rules/geography.md) with a label point each;
* the named road network (``console.geo.roadnames``): the synthetic lattice the simulator
  drives and the geocoder names, merged into one polyline per named stretch;
* landmarks of the gazetteer;
* water from ``resources/basemap_water.geojson`` (APPROXIMATE, written for this project:
  resources/PROVENANCE.md). Its river and lake polygons reach over the district's edge on
  purpose: here the district is cut out of them, so where the boundary is the bank the water
  ends exactly on it and never under a road of the lattice (every road lies inside the
  district, ``console.geo.roads``).

No Qt here: the renderer (``widgets.map.tile_render``) draws these.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, shape

from console.geo.crs import gcj02_to_wgs84, lonlat_to_mercator
from console.geo.district import District
from console.geo.gazetteer import Gazetteer
from console.geo.grid import UnitGrid
from console.geo.roadnames import NamedRoads
from resources import resource_path

WATER_FILE = resource_path("basemap_water.geojson")
NEIGHBOURS_FILE = resource_path("hangzhou_districts.geojson")
#: Around the district the tiles show this much of its neighbours (Mercator metres, ~1.7 km
#: on the ground at Hangzhou's 30.3° N: Mercator stretches lengths by 1/cos φ ≈ 1.16).
MARGIN_M = 2000.0
#: A real road at least this long (metres) is drawn and labelled as an arterial. The
#: gazetteer names no road class; its long roads are the arterials (解放路, 秋涛路, …).
MAJOR_ROAD_M = 3000.0
#: Road ranks: arterial, other real road, synthetic planning road (``<街道>规划<n>路``).
MAJOR, MINOR, PLANNED = 0, 1, 2


@dataclass(frozen=True)
class Area:
    name: str
    kind: str  # district | neighbour | street | river | lake
    geom: Polygon | MultiPolygon  # Mercator metres
    label_at: tuple[float, float]  # a point inside, for the name


@dataclass(frozen=True)
class Line:
    name: str
    kind: str  # road | canal | causeway
    rank: int  # roads: MAJOR, MINOR or PLANNED; water lines: 0
    width_m: float  # ground width to draw at high zoom (0: by rank)
    xy: np.ndarray  # (n, 2) Mercator metres


@dataclass(frozen=True)
class Point:
    name: str
    kind: str  # the gazetteer's landmark kinds: metro, transport, hospital, …
    x: float
    y: float


@dataclass(frozen=True)
class BasemapFeatures:
    district: Area
    neighbours: tuple[Area, ...]
    streets: tuple[Area, ...]
    water: tuple[Area, ...]
    water_lines: tuple[Line, ...]
    roads: tuple[Line, ...]
    landmarks: tuple[Point, ...]

    @classmethod
    @functools.cache
    def load(cls) -> BasemapFeatures:
        """The shipped data's features, gathered once per process (~1.5 s, most of it the
        街道 unions)."""
        return gather(District.load(), UnitGrid.load(), NamedRoads.load(), Gazetteer.load())

    @property
    def extent(self) -> Polygon:
        """What a build covers: the district and ``MARGIN_M`` around it (Mercator metres)."""
        return self.district.geom.buffer(MARGIN_M, quad_segs=4)


def _mercator(geom):
    """A shapely geometry from WGS-84 lon/lat to Mercator metres."""
    return shapely.transform(geom, lambda c: np.column_stack(lonlat_to_mercator(*c.T)))


def _from_gcj(geom):
    """A shapely geometry from GCJ-02 lon/lat to Mercator metres (vertex by vertex)."""
    return shapely.transform(
        geom, lambda c: np.column_stack(lonlat_to_mercator(*gcj02_to_wgs84(*c.T)))
    )


def _area(name: str, kind: str, geom) -> Area:
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    label = geom.geoms[int(np.argmax([g.area for g in geom.geoms]))].point_on_surface()
    return Area(name, kind, geom, (float(label.x), float(label.y)))


def _water(district_m) -> tuple[tuple[Area, ...], tuple[Line, ...]]:
    raw = json.loads(WATER_FILE.read_text(encoding="utf-8"))
    if raw.get("crs") != "GCJ-02":
        raise ValueError(f"{WATER_FILE.name}: expected GCJ-02 positions")
    areas, lines = [], []
    for f in raw["features"]:
        p = f["properties"]
        geom = _from_gcj(shape(f["geometry"]))
        if p["kind"] in ("river", "lake"):
            areas.append(_area(p["name_zh"], p["kind"], geom.difference(district_m)))
        else:
            xy = np.asarray(geom.coords, dtype=float)
            lines.append(Line(p["name_zh"], p["kind"], 0, float(p["width_m"]), xy))
    return tuple(areas), tuple(lines)


def _streets(grid: UnitGrid) -> tuple[Area, ...]:
    cells = np.array([grid.cell_polygon(i) for i in range(len(grid))], dtype=object)
    out = []
    for k, street in enumerate(grid.streets):
        # grid_size snaps the cells' shared edges together (their corners differ in the last
        # bits), so the union is one outline instead of thousands of slivers
        union = shapely.union_all(cells[grid.street_idx == k], grid_size=1e-7)
        out.append(_area(street.name, "street", _mercator(union)))
    return tuple(out)


def _roads(named: NamedRoads) -> tuple[Line, ...]:
    net = named.network
    x, y = lonlat_to_mercator(net.lon, net.lat)
    out: list[Line] = []
    for k, name in enumerate(named.names):
        edges = net.edges[named.edge_name == k]
        segs = [LineString([(x[a], y[a]), (x[b], y[b])]) for a, b in edges]
        merged = shapely.line_merge(shapely.union_all(segs))
        parts = merged.geoms if hasattr(merged, "geoms") else [merged]
        ground_m = float(net.edge_len[named.edge_name == k].sum())
        if not named.real[k]:
            rank = PLANNED
        else:
            rank = MAJOR if ground_m >= MAJOR_ROAD_M else MINOR
        out.extend(Line(name, "road", rank, 0.0, np.asarray(p.coords)) for p in parts)
    # arterials last, so they are drawn over the roads that meet them
    return tuple(sorted(out, key=lambda r: -r.rank))


def gather(
    district: District, grid: UnitGrid, named: NamedRoads, gazetteer: Gazetteer
) -> BasemapFeatures:
    """The features of ``district`` (see the module doc)."""
    district_m = _mercator(district.polygon)
    neighbours = []
    for f in json.loads(NEIGHBOURS_FILE.read_text(encoding="utf-8"))["features"]:
        if str(f["properties"].get("adcode")) != district.adcode:
            neighbours.append(
                _area(f["properties"]["name_zh"], "neighbour", _from_gcj(shape(f["geometry"])))
            )
    water, water_lines = _water(district_m)
    lx, ly = lonlat_to_mercator(
        np.array([m.lon for m in gazetteer.landmarks]),
        np.array([m.lat for m in gazetteer.landmarks]),
    )
    landmarks = tuple(
        Point(m.name, m.kind, float(px), float(py))
        for m, px, py in zip(gazetteer.landmarks, lx, ly, strict=True)
    )
    return BasemapFeatures(
        district=_area(district.name, "district", district_m),
        neighbours=tuple(neighbours),
        streets=_streets(grid),
        water=water,
        water_lines=water_lines,
        roads=_roads(named),
        landmarks=landmarks,
    )
