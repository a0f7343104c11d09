"""Geocoding over HTTP: ``GET /api/v1/geocode`` both ways, its refusals, and the address
every new case is given (ordinary reports and Open311 requests, with or without a point)."""

from __future__ import annotations

import pytest
import requests

from console.domain.geometry import haversine_m
from console.geo.gazetteer import Gazetteer
from console.geo.grid import UnitGrid

KEY = "demo-open311-key"


def _street_of(lon: float, lat: float) -> str:
    grid = UnitGrid.load()
    return grid.street_of(grid.cell_code(lon, lat)).name


def test_reverse_names_the_street_and_the_address_contains_it(backend, login):
    api = login("demo-operator")
    r = api.get("/api/v1/geocode", params={"lon": 120.17, "lat": 30.25})
    assert r.status_code == 200, r.text
    body = r.json()
    street = _street_of(120.17, 30.25)
    assert body["street"]["name"] == street
    assert body["address"].startswith(f"{street}街道{body['community']['name']}")
    assert body["grid_code"] == UnitGrid.load().cell_code(120.17, 30.25)
    assert body["road"]["name"] and body["road"]["distance_m"] >= 0


@pytest.mark.parametrize(
    ("text", "kind", "near"),
    [
        ("城站地铁站", "landmark", "城站地铁站"),
        ("邵逸夫医院", "landmark", "邵逸夫医院"),
        ("延安路", "road", None),
        ("平海路与延安路交叉口", "crossing", None),
    ],
)
def test_forward_finds_a_known_place_near_where_it_is(backend, login, text, kind, near):
    api = login("demo-operator")
    r = api.get("/api/v1/geocode", params={"q": text, "limit": 3})
    assert r.status_code == 200, r.text
    got = r.json()["candidates"]
    assert 1 <= len(got) <= 3
    best = got[0]
    assert best["kind"] == kind
    assert best["street"] in best["address"]
    if near is not None:
        m = next(x for x in Gazetteer.load().landmarks if x.name == near)
        assert haversine_m(best["lon"], best["lat"], m.lon, m.lat) < 50
    # The candidate's point reverse-geocodes to the same street.
    back = api.get("/api/v1/geocode", params={"lon": best["lon"], "lat": best["lat"]}).json()
    assert back["street"]["name"] == best["street"]


def test_forward_with_nothing_found_is_an_empty_list(backend, login):
    r = login("demo-operator").get("/api/v1/geocode", params={"q": "火星基地"})
    assert r.status_code == 200 and r.json()["candidates"] == []


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({}, "give q"),
        ({"lon": "120.17"}, "go together"),
        ({"lat": "30.25"}, "go together"),
        ({"lon": "east", "lat": "30.25"}, "lon must be a number"),
        ({"lon": "120.17", "lat": "nan"}, "finite"),
        ({"lon": "121.5", "lat": "31.2"}, "outside the district"),
        ({"q": "   "}, "q is empty"),
        ({"q": "延安路", "lon": "120.17", "lat": "30.25"}, "not both"),
        ({"q": "延安路", "limit": "many"}, "whole number"),
        ({"q": "延安路", "limit": "0"}, "between 1 and"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(backend, login, params, says):
    r = login("demo-operator").get("/api/v1/geocode", params=params)
    assert r.status_code == 400, r.text
    assert says in r.json()["error"]["message"]


def test_geocode_needs_a_reader(backend):
    assert requests.get(f"{backend.url}/api/v1/geocode?q=延安路", timeout=10).status_code == 401


def test_a_case_reported_without_an_address_gets_one_naming_its_street(backend, login):
    sup = login("demo-supervisor")
    case = sup.report(lon=120.205, lat=30.27)
    street = _street_of(120.205, 30.27)
    assert case["address"].startswith(f"{street}街道"), case["address"]
    given = sup.report(lon=120.205, lat=30.27, address="某小区3幢门口")
    assert given["address"] == "某小区3幢门口"  # an address given is kept as given


def _open311(backend, **form):
    return requests.post(
        f"{backend.url}/open311/v2/requests.json",
        data={"api_key": KEY, "service_code": "06010", **form},
        timeout=10,
    )


def test_an_open311_request_with_a_point_gets_the_standard_address(backend, login):
    r = _open311(backend, lat="30.25", long="120.17", address_string="我家楼下")
    assert r.status_code == 200, r.text
    case = login("demo-operator").get(f"/api/v1/cases/{r.json()[0]['service_request_id']}").json()
    assert case["address"].startswith(f"{_street_of(120.17, 30.25)}街道")
    assert "我家楼下" in case["events"][0]["note"]  # the citizen's words are kept


def test_an_open311_request_with_only_an_address_is_located_by_it(backend, login):
    r = _open311(backend, address_string="杭州市上城区城站地铁站附近", description="垃圾桶满了")
    assert r.status_code == 200, r.text
    case = login("demo-operator").get(f"/api/v1/cases/{r.json()[0]['service_request_id']}").json()
    m = next(x for x in Gazetteer.load().landmarks if x.name == "城站地铁站")
    loc = case["location"]
    assert haversine_m(loc["lon"], loc["lat"], m.lon, m.lat) < 50
    assert case["address"].startswith(f"{_street_of(loc['lon'], loc['lat'])}街道")


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"address_string": "火星基地"}, "not found in the district"),
        ({"lat": "30.25"}, "go together"),
        ({}, "a location is required"),
    ],
)
def test_open311_without_a_usable_location_is_refused(backend, form, says):
    r = _open311(backend, **form)
    assert r.status_code == 400 and says in r.json()[0]["description"], r.text
