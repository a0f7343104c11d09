"""Coordinate systems, the district, the unit grid and the road network."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.geometry import distance_to_polyline_m, haversine_m
from console.geo.crs import gcj02_to_wgs84, lonlat_to_mercator, mercator_to_lonlat, wgs84_to_gcj02
from console.geo.district import District
from console.geo.grid import UnitGrid
from console.geo.roads import RoadNetwork


def test_gcj02_known_pair():
    # coordtransform's README example: wgs84togcj02(116.404, 39.915).
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-9) and lat == pytest.approx(
        39.91640428150164, abs=1e-9
    )
    # The inverse is checked by the round-trip property below (it iterates to < 1 mm).
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # outside China: unchanged


@settings(max_examples=200, deadline=None)
@given(st.floats(118, 122), st.floats(29, 31.5))
def test_gcj_round_trip_to_a_millimetre(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert haversine_m(lon, lat, wlon, wlat) < 1e-3


def test_mercator_round_trip_vectorised():
    lon, lat = np.array([120.1, 120.3]), np.array([30.2, 30.4])
    x, y = lonlat_to_mercator(lon, lat)
    back = mercator_to_lonlat(x, y)
    assert np.allclose(back[0], lon) and np.allclose(back[1], lat)
    assert x[1] - x[0] == pytest.approx(0.2 * np.pi / 180 * 6378137)


def test_district_is_todays_shangcheng():
    d = District.load()
    assert d.adcode == "330102" and 110 < d.area_km2 < 130  # ~122 km² after the 2021 merge
    assert d.contains(120.17, 30.25) and not d.contains(120.10, 30.26)  # West Lake district


def test_grid_codes_cover_the_district():
    g = UnitGrid.load()
    assert 11_000 < len(g) < 14_000
    codes = g.codes.tolist()
    assert len(set(codes)) == len(codes) and all(
        len(c) == 15 and c.isdigit() and c.startswith("330102") for c in codes
    )
    assert int(max(c[-3:] for c in codes)) <= 999
    area = g.area_fraction.sum() * (g.cell_m / 1000) ** 2
    assert area == pytest.approx(District.load().area_km2, rel=0.02)
    assert (g.lookup(g.lon, g.lat) == np.arange(len(g))).all()
    assert len(g.streets) == 14 and set(np.unique(g.street_idx)) == set(range(14))
    assert all(c.code.startswith(c.street_code) and len(c.code) == 12 for c in g.communities)
    for i in np.random.default_rng(0).choice(len(g), 50):
        info = g.cell(codes[i])
        assert codes[i].startswith(info["community_code"]) and info["community_code"].startswith(
            info["street_code"]
        )


def test_lookup_outside_and_bad_points():
    g = UnitGrid.load()
    out = g.lookup([120.10, 0.0, np.nan, 200.0], [30.26, 0.0, 30.2, 95.0])
    assert out.tolist() == [-1, -1, -1, -1]
    assert g.cell_code(120.17, 30.25) is not None and g.cell_code(120.10, 30.26) is None
    rng = np.random.default_rng(5)
    lon, lat = g.random_points(2000, rng)
    assert (g.lookup(lon, lat) >= 0).all() and District.load().contains(lon, lat).all()


def test_grid_is_deterministic():
    a = UnitGrid(District.load())
    assert a.codes.tolist() == UnitGrid.load().codes.tolist()


def test_routes_stay_inside_and_have_the_length_asked():
    roads = RoadNetwork.load()
    rng = np.random.default_rng(11)
    for length in (3000, 6000, 10000):
        r = roads.random_route(rng, length)
        assert 0.8 * length <= r.length <= 1.4 * length
        assert District.load().contains(r.lon, r.lat).all()
        lon, lat, heading = r.position_at(np.linspace(0, r.length, 50))
        assert ((heading >= 0) & (heading < 360)).all()
        assert distance_to_polyline_m(lon, lat, r.lon, r.lat).max() < 1.0


def test_distance_to_polyline():
    # A 1 km east-west line at 30°N; points 100 m north of its middle and 50 m past its end.
    line_lon = np.array([120.0, 120.0 + 1000 / (111_195 * np.cos(np.radians(30)))])
    line_lat = np.array([30.0, 30.0])
    mid = line_lon.mean()
    d = distance_to_polyline_m(
        [mid, line_lon[1] + 50 / (111_195 * np.cos(np.radians(30)))],
        [30.0 + 100 / 111_195, 30.0],
        line_lon,
        line_lat,
    )
    assert d[0] == pytest.approx(100, abs=0.5) and d[1] == pytest.approx(50, abs=0.5)
