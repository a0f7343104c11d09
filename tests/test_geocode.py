"""The named geography and the geocoder: road names on the lattice, reverse and forward
geocoding, their agreement with each other and with the gazetteer's positions."""

from __future__ import annotations

import re

import numpy as np
import pytest

from console.domain.geometry import distance_to_polyline_m, haversine_m
from console.geo.gazetteer import Gazetteer
from console.geo.geocode import CROSSING_M, Geocoder, normalise
from console.geo.roadnames import FIT_M, chinese_number


@pytest.fixture(scope="module")
def geo() -> Geocoder:
    return Geocoder.load()


def _road_lonlat(geo: Geocoder, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Midpoints of the edges carrying ``name``."""
    k = geo.roads.names.index(name)
    net = geo.roads.network
    e = np.flatnonzero(geo.roads.edge_name == k)
    a, b = net.edges[e, 0], net.edges[e, 1]
    return (net.lon[a] + net.lon[b]) / 2, (net.lat[a] + net.lat[b]) / 2


def test_every_edge_is_named_and_real_names_run_near_the_real_road(geo):
    roads = geo.roads
    assert (roads.edge_name >= 0).all()
    real = {r.name: r for r in Gazetteer.load().roads}
    placed = [n for n, is_real in zip(roads.names, roads.real, strict=True) if is_real]
    assert len(placed) >= 40, "most of the gazetteer's roads find a lattice line"
    for name in placed:
        lon, lat = _road_lonlat(geo, name)
        d = distance_to_polyline_m(lon, lat, real[name].lon, real[name].lat)
        # fitted edges are within FIT_M; the filled ones carry on along the same line
        assert d.min() <= FIT_M, name
    for name, is_real in zip(roads.names, roads.real, strict=True):
        if not is_real:
            assert re.fullmatch(r"(.+)规划([一二三四五六七八九十]+)路", name), name
    assert len(set(roads.names)) == len(roads.names)


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十三",
        "九十九",
    ]


def test_reverse_names_street_community_and_a_locator(geo):
    rng = np.random.default_rng(11)
    lon, lat = geo.grid.random_points(300, rng)
    batch = geo.addresses(lon, lat)
    for i in range(0, 300, 30):
        r = geo.reverse(float(lon[i]), float(lat[i]))
        assert r is not None and r["address"] == batch[i]
        code = geo.grid.cell_code(float(lon[i]), float(lat[i]))
        assert r["grid_code"] == code
        assert r["street"]["name"] == geo.grid.street_of(code).name
        assert r["address"].startswith(f"{r['street']['name']}街道{r['community']['name']} ")
        assert r["address"].endswith(r["locator"])
        assert re.search(r"号附近$|交叉口$|约\d+米$|旁$", r["locator"]), r["locator"]
    assert all(a is not None and "街道" in a for a in batch)
    assert geo.reverse(121.0, 31.0) is None
    assert geo.addresses([121.0], [31.0]) == [None]


def test_reverse_at_a_crossing_says_the_crossing(geo):
    node = int(geo._cross_node[len(geo._cross_node) // 2])
    net = geo.roads.network
    r = geo.reverse(float(net.lon[node]), float(net.lat[node]))
    assert r["located_by"] == "crossing" and r["locator"].endswith("交叉口")
    assert r["crossing"]["distance_m"] <= CROSSING_M


def test_reverse_beside_a_landmark_names_it(geo):
    for m in Gazetteer.load().landmarks:
        r = geo.reverse(m.lon, m.lat)
        if r is None:
            continue  # a landmark the approximate position puts just outside the boundary
        assert r["landmark"]["name"] == m.name or r["landmark"]["distance_m"] < 1.0
        if r["located_by"] == "landmark":
            assert r["landmark"]["name"] in r["locator"]


def test_landmarks_are_inside_the_district(geo):
    lms = Gazetteer.load().landmarks
    inside = geo.grid.district.contains([m.lon for m in lms], [m.lat for m in lms])
    assert inside.all(), [m.name for m, ok in zip(lms, inside, strict=True) if not ok]


@pytest.mark.parametrize("name", ["延安路", "秋涛路", "德胜东路", "机场路", "钱江路"])
def test_a_road_name_finds_the_road(geo, name):
    best = geo.search(name)[0]
    assert best["kind"] == "road" and best["name"] == name
    lon, lat = _road_lonlat(geo, name)
    assert haversine_m(best["lon"], best["lat"], lon, lat).min() < 400  # on one of its edges
    real = next(r for r in Gazetteer.load().roads if r.name == name)
    assert distance_to_polyline_m(best["lon"], best["lat"], real.lon, real.lat)[0] < 1500


@pytest.mark.parametrize("text", ["城站地铁站", "邵逸夫医院", "杭州东站", "河坊街", "皋亭山"])
def test_a_landmark_name_finds_the_landmark(geo, text):
    best = geo.search(text)[0]
    assert best["kind"] == "landmark"
    m = next(x for x in Gazetteer.load().landmarks if x.name == best["name"])
    assert text in (m.name, *m.aliases)
    assert haversine_m(best["lon"], best["lat"], m.lon, m.lat) < 1.0
    assert best["street"] in best["address"]


def test_a_crossing_is_found_from_either_order_and_spelling(geo):
    for text in ("平海路与延安路", "延安路和平海路交叉口", "杭州市上城区 延安路/平海路"):
        best = geo.search(text)[0]
        assert best["kind"] == "crossing" and best["name"] == "平海路与延安路交叉口", text
        assert best["address"].endswith("平海路与延安路交叉口")
    assert geo.search("平海路与清泰街")[0]["kind"] != "crossing"  # parallel: they never meet


def test_house_numbers_round_trip(geo):
    for name in ("秋涛路", "德胜东路", "中河中路"):
        for number in (11, 40, 95):
            best = geo.search(f"{name}{number}号")[0]
            assert best["kind"] == "address" and best["name"] == f"{name}{number}号"
            r = geo.reverse(best["lon"], best["lat"])
            assert r["road"]["name"] == name and r["road"]["number"] == number, r
            # The picked address is the one asked for, even where the point's reverse
            # geocode would name a nearby crossing instead.
            assert (
                best["address"]
                == f"{r['street']['name']}街道{r['community']['name']} {name}{number}号"
            )


def test_search_tolerates_the_usual_variations(geo):
    want = geo.search("中河中路100号")[0]
    for text in ("中河路100号", "中河中路 100 号", "中河中路１００号", "杭州市中河中路100"):
        got = geo.search(text)[0]
        assert (got["kind"], got["lon"], got["lat"]) == ("address", want["lon"], want["lat"]), text
    assert normalise("浙江省杭州市上城区 解放路（近城站）") == "解放路近城站"
    assert geo.search("邵逸")[0]["name"] == "邵逸夫医院"  # typing ahead
    assert geo.search("九堡")[0]["kind"] == "street"
    assert geo.search("") == [] and geo.search("x") == [] and geo.search("ABCDEF") == []


def test_a_street_named_beside_a_road_picks_the_part_inside_it(geo):
    best = geo.search("湖滨街道延安路")[0]
    assert best["kind"] == "road" and best["street"] == "湖滨"


def test_every_candidate_is_inside_and_limit_is_kept(geo):
    got = geo.search("社区", limit=7)
    assert len(got) == 7
    for c in got:
        assert geo.grid.cell_code(c["lon"], c["lat"]) == c["grid_code"]
