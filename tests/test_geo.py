"""Space: coordinate systems, the district, the unit grid and the road network."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.geometry import haversine_m
from console.geo.crs import (
    MERCATOR_R,
    gcj02_to_wgs84,
    lonlat_to_mercator,
    mercator_to_lonlat,
    wgs84_to_gcj02,
)
from console.geo.district import BOUNDARY_FILE, District
from console.geo.gazetteer import Gazetteer
from console.geo.graph import components
from console.geo.grid import COMMUNITY_KM2, STREET_SEEDS_GCJ, UnitGrid
from console.geo.roads import RoadNetwork, Route, distance_to_polyline_m

#: coordtransform's README pair: wgs84togcj02(116.404, 39.915).
WGS_REF = (116.404, 39.915)
GCJ_REF = (116.41024449916938, 39.91640428150164)
#: Metres per degree of latitude on the mean-radius sphere used for distances.
M_PER_DEG = np.pi / 180 * 6371008.8

china_lon = st.floats(74.0, 134.0)
china_lat = st.floats(18.0, 53.0)


# -- CRS ---------------------------------------------------------------------------------------


def test_wgs84_to_gcj02_matches_the_reference_pair():
    lon, lat = wgs84_to_gcj02(*WGS_REF)
    assert isinstance(lon, float) and isinstance(lat, float)
    assert lon == pytest.approx(GCJ_REF[0], abs=1e-12) and lat == pytest.approx(
        GCJ_REF[1], abs=1e-12
    )
    # Arrays of any shape give the same numbers, elementwise.
    alon, alat = wgs84_to_gcj02(np.full((2, 3), WGS_REF[0]), np.full((2, 3), WGS_REF[1]))
    assert alon.shape == (2, 3) and np.all(alon == lon) and np.all(alat == lat)


def test_gcj02_to_wgs84_is_the_exact_inverse_not_the_one_step_approximation():
    lon, lat = gcj02_to_wgs84(*GCJ_REF)
    assert lon == pytest.approx(WGS_REF[0], abs=1e-10) and lat == pytest.approx(
        WGS_REF[1], abs=1e-10
    )
    # coordtransform's one-step gcj02towgs84(116.404, 39.915) is (116.39775550083061,
    # 39.91359571849836); re-encoding it misses the input by ~6e-7° (~6 cm), ours does not.
    one_step = (116.39775550083061, 39.91359571849836)
    back = np.array(wgs84_to_gcj02(*one_step))
    assert np.abs(back - WGS_REF).max() > 3e-7
    ours = gcj02_to_wgs84(*WGS_REF)
    assert np.abs(np.array(wgs84_to_gcj02(*ours)) - WGS_REF).max() < 1e-10


def test_points_outside_china_pass_through_unchanged():
    lon, lat = np.array([2.3522, 120.17, -74.006]), np.array([48.8566, 30.25, 40.7128])
    for f in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = f(lon, lat)
        assert out_lon[[0, 2]].tolist() == lon[[0, 2]].tolist()
        assert out_lat[[0, 2]].tolist() == lat[[0, 2]].tolist()
        assert abs(out_lon[1] - lon[1]) > 1e-3  # Hangzhou is shifted (~500 m)
    assert wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_gcj02_round_trips_to_well_under_a_millionth_of_a_degree(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert abs(wlon - lon) < 1e-8 and abs(wlat - lat) < 1e-8
    # And the other way: any GCJ-02 point is reproduced by encoding its decoding.
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert abs(back[0] - lon) < 1e-8 and abs(back[1] - lat) < 1e-8


def test_gcj02_inverse_is_vectorised():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(74, 134, 10_000), rng.uniform(18, 53, 10_000)
    wlon, wlat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert np.abs(wlon - lon).max() < 1e-8 and np.abs(wlat - lat).max() < 1e-8
    nan_lon, _ = gcj02_to_wgs84([np.nan, 120.0], [30.0, 30.0])
    assert np.isnan(nan_lon[0]) and np.isfinite(nan_lon[1])


def test_mercator_known_values():
    assert lonlat_to_mercator(0.0, 0.0) == (0.0, 0.0)
    x, y = lonlat_to_mercator(180.0, 85.0511287798066)
    assert x == pytest.approx(np.pi * MERCATOR_R) and y == pytest.approx(np.pi * MERCATOR_R)
    # Hangzhou: x is linear in longitude, y follows the secant: 1° of latitude at 30.25° N is
    # R·(π/180)/cos(30.25°) metres to first order.
    x, y = lonlat_to_mercator(np.array([120.0, 121.0]), np.array([30.25, 30.25]))
    assert x[1] - x[0] == pytest.approx(MERCATOR_R * np.pi / 180)
    dy = lonlat_to_mercator(120.0, 30.2505)[1] - lonlat_to_mercator(120.0, 30.2495)[1]
    assert dy / 0.001 == pytest.approx(MERCATOR_R * np.pi / 180 / np.cos(np.radians(30.25)))


@settings(max_examples=200, deadline=None)
@given(st.floats(-180, 180), st.floats(-85, 85))
def test_mercator_round_trip(lon, lat):
    back = mercator_to_lonlat(*lonlat_to_mercator(lon, lat))
    assert back[0] == pytest.approx(lon, abs=1e-9) and back[1] == pytest.approx(lat, abs=1e-9)


# -- district ----------------------------------------------------------------------------------


def test_district_is_todays_shangcheng_in_wgs84():
    d = District.load()
    assert d is District.load()  # cached
    assert d.adcode == "330102" and d.name == "上城区"
    assert d.polygon.is_valid and 115 < d.area_km2 < 125  # ~122 km² after the 2021 merger
    # AMap (GCJ-02) positions of places, converted: the citizen centre in Qianjiang New Town
    # and Hubin are in; West Lake (Xihu) and Wulin Square (Gongshu) are out.
    lon, lat = gcj02_to_wgs84(
        [120.2105, 120.1655, 120.145, 120.165], [30.2455, 30.2555, 30.25, 30.272]
    )
    assert d.contains(lon, lat).tolist() == [True, True, False, False]


def test_boundary_was_converted_from_gcj02():
    """Re-encoding the WGS-84 polygon gives back the shipped GCJ-02 vertices (so the shift
    went in the right direction, ~500 m south-west)."""
    raw = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))["features"][0]["geometry"]
    gcj = np.array(raw["coordinates"][0][0])
    wgs = np.asarray(District.load().polygon.geoms[0].exterior.coords)
    assert np.abs(np.column_stack(wgs84_to_gcj02(*wgs.T)) - gcj).max() < 1e-9
    assert 400 < haversine_m(*wgs[0], *gcj[0]) < 700


def test_local_frame_is_metric_across_the_district():
    d = District.load()
    f = d.frame
    minx, miny, maxx, maxy = d.bounds
    for lat in (miny, maxy):
        lon2, lat2 = f.to_lonlat(*(np.add(f.to_xy(minx, lat), (1000.0, 0.0))))
        assert haversine_m(minx, lat, lon2, lat2) == pytest.approx(1000, rel=2e-3)
    lon, lat = f.to_lonlat(*f.to_xy([minx, maxx], [miny, maxy]))
    assert np.allclose(lon, [minx, maxx], atol=1e-12) and np.allclose(lat, [miny, maxy], atol=1e-12)
    assert d.area_km2 == pytest.approx(f.project(d.polygon).area / 1e6)


# -- unit grid ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid() -> UnitGrid:
    return UnitGrid.load()


def test_codes_are_15_digit_unique_and_hierarchical(grid):
    codes = grid.codes.tolist()
    assert 11_000 < len(codes) < 14_000
    assert all(len(c) == 15 and c.isdigit() and c.startswith("330102") for c in codes)
    assert len(set(codes)) == len(codes) and codes == sorted(codes)
    for c, k, s in zip(codes, grid.community_idx.tolist(), grid.street_idx.tolist(), strict=True):
        comm = grid.communities[k]
        assert c[:12] == comm.code and comm.street_code == grid.streets[s].code == c[:9]
    # Serials run 001, 002, ... within each community, never past 999.
    serial = np.array([int(c[12:]) for c in codes])
    for k in range(len(grid.communities)):
        s = serial[grid.community_idx == k]
        assert s.tolist() == list(range(1, len(s) + 1)) and s.max() <= 999


def test_cells_tile_the_district(grid):
    d = District.load()
    assert grid.area_m2.sum() / 1e6 == pytest.approx(d.area_km2, rel=1e-6)
    # Independently: the union of the cell outlines is the district, without overlaps.
    polys = d.frame.project(np.array([grid.cell_polygon(i) for i in range(len(grid))]))
    in_district = shapely.area(shapely.intersection(polys, d.polygon_xy))
    assert in_district.sum() / 1e6 == pytest.approx(d.area_km2, rel=0.005)
    assert shapely.area(polys).sum() / 1e6 == pytest.approx(d.area_km2, rel=0.005)
    full = ~grid.border
    assert np.allclose(grid.area_m2[full], grid.cell_m**2)
    assert grid.area_m2.min() >= 0.1 * grid.cell_m**2 and grid.area_m2.max() < 2 * grid.cell_m**2


def test_each_cell_point_is_inside_and_looks_up_to_its_cell(grid):
    assert District.load().contains(grid.lon, grid.lat).all()
    assert (grid.lookup(grid.lon, grid.lat) == np.arange(len(grid))).all()
    i = len(grid) // 2
    assert grid.cell_code(float(grid.lon[i]), float(grid.lat[i])) == grid.codes[i]


def test_every_point_of_the_district_has_a_cell_and_no_other_point_does(grid):
    d = District.load()
    minx, miny, maxx, maxy = d.bounds
    rng = np.random.default_rng(7)
    lon, lat = (
        rng.uniform(minx - 0.01, maxx + 0.01, 50_000),
        rng.uniform(miny - 0.01, maxy + 0.01, 50_000),
    )
    idx = grid.lookup(lon, lat)
    assert ((idx >= 0) == d.contains(lon, lat)).all()
    # The cell found is the one whose outline holds the point.
    sample = np.flatnonzero(idx >= 0)[:3000]
    polys = [grid.cell_polygon(int(i)) for i in idx[sample]]
    assert shapely.covers(polys, shapely.points(lon[sample], lat[sample])).all()


def test_lookup_outside_and_bad_points(grid):
    lon = [120.145, 2.35, np.nan, 200.0, 120.17, np.inf]
    lat = [30.25, 48.85, 30.2, 95.0, np.nan, 30.25]
    assert grid.lookup(lon, lat).tolist() == [-1] * 6
    assert grid.lookup(120.145, 30.25).tolist() == [-1]
    assert grid.cell_code(120.145, 30.25) is None
    assert grid.lookup(np.empty(0), np.empty(0)).shape == (0,)


def test_cell_and_code_helpers(grid):
    code = str(grid.codes[123])
    info = grid.cell(code)
    assert info["index"] == 123 and info["code"] == code
    assert info["street_code"] == code[:9] and info["community_code"] == code[:12]
    assert grid.street_of(code).name == info["street_name"]
    assert grid.community_of(code).name == info["community_name"]
    assert 123 in grid.community_cells(code[:12]) and 123 in grid.street_cells(code[:9])
    with pytest.raises(KeyError):
        grid.cell("330102999999999")


def test_fourteen_real_streets_each_one_connected_piece(grid):
    assert [s.name for s in grid.streets] == [s[0] for s in STREET_SEEDS_GCJ]
    names = "湖滨 清波 小营 望江 紫阳 南星 四季青 凯旋 采荷 闸弄口 彭埠 笕桥 丁兰 九堡"
    assert {s.name for s in grid.streets} == set(names.split(" "))
    assert [s.code for s in grid.streets] == [f"330102{i:03d}" for i in range(1, 15)]
    assert set(np.unique(grid.street_idx).tolist()) == set(range(14))
    # Each street office lies in the district, in a cell of its own street.
    lon, lat = gcj02_to_wgs84([s[1] for s in STREET_SEEDS_GCJ], [s[2] for s in STREET_SEEDS_GCJ])
    office_cells = grid.lookup(lon, lat)
    assert (office_cells >= 0).all() and grid.street_idx[office_cells].tolist() == list(range(14))
    a, b = grid.neighbours()
    same = grid.street_idx[a] == grid.street_idx[b]
    comp = components(len(grid), a[same], b[same])
    assert len(np.unique(comp)) == 14


def test_communities_are_compact_connected_and_about_a_square_km(grid):
    area_km2 = np.bincount(grid.community_idx, weights=grid.area_m2) / 1e6
    assert len(area_km2) == len(grid.communities)
    assert area_km2.min() >= 0.5 and area_km2.max() <= 1.5
    assert np.mean(area_km2) == pytest.approx(COMMUNITY_KM2, rel=0.1)
    a, b = grid.neighbours()
    same = grid.community_idx[a] == grid.community_idx[b]
    comp = components(len(grid), a[same], b[same])
    assert len(np.unique(comp)) == len(grid.communities)
    for c in grid.communities:
        assert c.code.startswith(c.street_code) and len(c.code) == 12
        assert c.name.endswith("社区") and "第" not in c.name
    names = [c.name for c in grid.communities]
    assert len(set(names)) == len(names), "a community name is unique in the district"


def test_real_community_names_land_in_their_own_street_near_where_they_are(grid):
    """Each real name of the gazetteer is used once, on a community of the street it belongs
    to, within a few km of its approximate position (the synthetic partition is not the real
    one, so no closer promise is made)."""
    gaz = Gazetteer.load()
    by_name = {c.name: c for c in grid.communities}
    synthetic = Counter(grid.street_of(c.code).name for c in grid.communities)
    real = Counter(rc.street for rc in gaz.communities)
    for rc in gaz.communities:
        c = by_name.get(rc.name)
        if c is None:  # only where the street has fewer communities than real names known
            assert real[rc.street] > synthetic[rc.street], rc.name
            continue
        assert grid.street_of(c.code).name == rc.street
        cells = grid.community_cells(c.code)
        d = haversine_m(rc.lon, rc.lat, grid.lon[cells], grid.lat[cells]).min()
        assert d < 3000, (rc.name, d)


def test_grid_is_deterministic_and_pinned(grid):
    again = UnitGrid(District.load())
    assert again.codes.tolist() == grid.codes.tolist()
    assert np.array_equal(again.lon, grid.lon) and np.array_equal(again.lat, grid.lat)
    assert np.array_equal(again.community_idx, grid.community_idx)
    # Grid codes are stored in cases: any change to the boundary, constants, seed or
    # algorithm renumbers the district. If that is intended, migrate stored codes and update.
    h = hashlib.sha256()
    for arr in (grid.codes.astype("U15"), grid.col.astype("<i4"), grid.row.astype("<i4")):
        h.update(np.ascontiguousarray(arr).tobytes())
    assert h.hexdigest()[:16] == "c339ece11161e764"


def test_compact_form_lets_a_client_locate_points(grid):
    doc = json.loads(json.dumps(grid.to_compact()))
    assert doc["codes"] == grid.codes.tolist()
    nrows, ncols = doc["shape"]
    lattice = np.full((nrows, ncols), -1)
    lattice[doc["row"], doc["col"]] = np.arange(len(doc["codes"]))
    for c, r, i in doc["extra_slots"]:
        lattice[r, c] = i
    border = {
        i: shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in polys])
        for i, polys in zip(doc["border"]["cells"], doc["border"]["polygons"], strict=True)
    }
    d = District.load()
    minx, miny, maxx, maxy = d.bounds
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(minx, maxx, 5000), rng.uniform(miny, maxy, 5000)
    # Skip points within ~1 m of the boundary, where 6-decimal rounding may disagree.
    pts = shapely.points(lon, lat)
    far = shapely.distance(d.polygon.boundary, pts) > 1e-5
    c = np.floor((lon - doc["origin"][0]) / doc["step"][0]).astype(int)
    r = np.floor((lat - doc["origin"][1]) / doc["step"][1]).astype(int)
    client = lattice[r, c]
    for k in np.flatnonzero(client >= 0):
        if client[k] in border and not border[client[k]].contains(pts[k]):
            client[k] = -1
    assert (client[far] == grid.lookup(lon, lat)[far]).all()


def test_geojson_for_debugging(grid):
    gj = grid.to_geojson()
    assert len(gj["features"]) == len(grid)
    f = gj["features"][0]
    assert f["properties"]["code"] == grid.codes[0] and f["geometry"]["type"] == "Polygon"
    json.dumps(gj)


def test_random_points_are_uniform_over_the_district(grid):
    d = District.load()
    lon, lat = grid.random_points(20_000, np.random.default_rng(5))
    assert lon.shape == lat.shape == (20_000,) and d.contains(lon, lat).all()
    again = grid.random_points(20_000, np.random.default_rng(5))
    assert np.array_equal(again[0], lon)
    # Each street gets its share of points by area (3 standard errors).
    share = np.bincount(grid.street_idx[grid.lookup(lon, lat)], minlength=14) / len(lon)
    expect = np.bincount(grid.street_idx, weights=grid.area_m2, minlength=14) / grid.area_m2.sum()
    assert (np.abs(share - expect) < 3 * np.sqrt(expect * (1 - expect) / len(lon)) + 1e-3).all()
    # Restricted to some cells: only those.
    cells = grid.street_cells(grid.streets[0].code)
    lon, lat = grid.random_points(500, np.random.default_rng(6), cells)
    assert np.isin(grid.lookup(lon, lat), cells).all()


# -- roads -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def roads() -> RoadNetwork:
    return RoadNetwork.load()


def test_road_network_is_inside_connected_and_arterial(roads):
    d = District.load()
    a, b = roads.edges[:, 0], roads.edges[:, 1]
    lines = shapely.linestrings(
        np.stack(
            [
                np.column_stack([roads.lon[a], roads.lat[a]]),
                np.column_stack([roads.lon[b], roads.lat[b]]),
            ],
            axis=1,
        )
    )
    assert shapely.contains(d.polygon, lines).all()
    assert len(np.unique(components(len(roads.lon), a, b))) == 1
    assert roads.edge_len.min() > 300 and roads.edge_len.max() < 750
    assert 300 < len(roads.lon) < 700  # ~120 km² at one intersection per ~0.25 km²
    assert RoadNetwork.load(seed=1).lon.tolist() != roads.lon.tolist()
    assert RoadNetwork(d).lon.tolist() == roads.lon.tolist()


@pytest.mark.parametrize("length", [3000, 5000, 9000])
def test_routes_are_closed_on_the_network_inside_and_of_the_length_asked(roads, length):
    d = District.load()
    rng = np.random.default_rng(length)
    edge_set = {frozenset(e) for e in roads.edges.tolist()}
    node_at = {
        (x, y): i
        for i, (x, y) in enumerate(zip(roads.lon.tolist(), roads.lat.tolist(), strict=True))
    }
    for _ in range(20):
        r = roads.random_route(rng, length)
        assert 0.8 * length <= r.length <= 1.2 * length
        assert r.closed and r.s[0] == 0 and np.all(np.diff(r.s) > 0)
        nodes = [node_at[p] for p in zip(r.lon.tolist(), r.lat.tolist(), strict=True)]
        assert all(frozenset(p) in edge_set for p in zip(nodes[:-1], nodes[1:], strict=True))
        assert {frozenset(roads.edges[e].tolist()) for e in r.segments} == {
            frozenset(p) for p in zip(nodes[:-1], nodes[1:], strict=True)
        }
        lon, lat, _ = r.position_at(np.arange(0, r.length, 10.0))
        assert d.contains(lon, lat).all()
        assert distance_to_polyline_m(lon, lat, r.lon, r.lat).max() < 0.5


def test_position_at_interpolates_wraps_and_heads():
    # A 1 km square driven east, north, west, south from (120, 30).
    dlon, dlat = 1000 / (M_PER_DEG * np.cos(np.radians(30))), 1000 / M_PER_DEG
    lon = 120 + np.array([0, 1, 1, 0, 0]) * dlon
    lat = 30 + np.array([0, 0, 1, 1, 0]) * dlat
    s = np.concatenate([[0.0], np.cumsum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))])
    r = Route(lon, lat, s, [])
    assert r.length == pytest.approx(4000, rel=1e-3) and r.closed
    plon, plat, heading = r.position_at([500, 1500, 2500, 3500, r.length + 500])
    assert np.round(heading).tolist() == [90, 0, 270, 180, 90]
    assert plon[0] == pytest.approx(120 + dlon / 2) and plat[1] == pytest.approx(
        30 + dlat / 2, rel=1e-6
    )
    assert plon[4] == pytest.approx(plon[0]) and plat[4] == pytest.approx(plat[0])


def test_distance_to_polyline_against_hand_computed_values():
    # A 1 km east-west line at 30° N, then 1 km north from its east end (an L).
    k = M_PER_DEG * np.cos(np.radians(30))
    line_lon = 120 + np.array([0, 1000, 1000]) / k
    line_lat = 30 + np.array([0, 0, 1000]) / M_PER_DEG
    pts = [
        (500, 100),  # 100 m north of the middle of the first leg
        (-30, -40),  # before the start: 50 m to the end point (3-4-5)
        (1300, 500),  # 300 m east of the middle of the second leg
        (1030, -40),  # past the corner: 50 m to it
        (250, 0),  # on the line
        (900, 200),  # inside the L: 100 m to the second leg, 200 m to the first
    ]
    x, y = np.array(pts, dtype=float).T
    d = distance_to_polyline_m(120 + x / k, 30 + y / M_PER_DEG, line_lon, line_lat)
    assert d == pytest.approx([100, 50, 300, 50, 0, 100], abs=0.5)
