"""The Open311 GeoReport v2 facade against the spec's JSON Schemas and XML element names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import requests
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

INTEROP = (
    Path(__file__).resolve().parent / "fixtures" / "open311"
)  # provenance: fixtures/PROVENANCE.md
SCHEMAS = INTEROP / "open311-schema-validation"
KEY = "demo-open311-key"


def validator(name: str) -> jsonschema.Draft7Validator:
    """A validator for one of the spec's schemas, with its sibling files resolvable by name."""
    registry = Registry()
    for p in SCHEMAS.glob("*.json"):
        registry = registry.with_resource(
            p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7)
        )
    return jsonschema.Draft7Validator(json.loads((SCHEMAS / name).read_text()), registry=registry)


def post(backend, **form):
    return requests.post(f"{backend.url}/open311/v2/requests.json", data=form, timeout=10)


def sample_tags(name: str) -> set[str]:
    root = ET.parse(INTEROP / "codeforamerica-open311-ruby" / name).getroot()
    return {el.tag for el in root.iter()}


def test_services_validate_and_xml_matches_the_spec(backend):
    r = requests.get(f"{backend.url}/open311/v2/services.json", timeout=10)
    assert r.status_code == 200
    services = r.json()
    validator("services.json").validate(services)
    assert {"06010", "07001", "09006"} <= {s["service_code"] for s in services}
    x = requests.get(f"{backend.url}/open311/v2/services.xml", timeout=10)
    assert x.headers["content-type"].startswith("text/xml")
    ours = {el.tag for el in ET.fromstring(x.content).iter()}
    assert (
        ours <= sample_tags("services.xml")
        and {"services", "service", "service_code", "service_name"} <= ours
    )
    assert (
        requests.get(f"{backend.url}/open311/v2/services/06010.json", timeout=10).json()[
            "service_code"
        ]
        == "06010"
    )
    assert (
        requests.get(f"{backend.url}/open311/v2/services/99999.json", timeout=10).status_code == 404
    )


def test_citizen_request_becomes_a_public_case_and_closes(backend, login):
    r = post(
        backend,
        api_key=KEY,
        service_code="06010",
        lat="30.25",
        long="120.17",
        description="路边有垃圾",
        first_name="三",
        last_name="张",
        phone="13800000000",
    )
    assert r.status_code == 200, r.text
    created = r.json()[0]
    cid, token = created["service_request_id"], created["token"]
    assert (
        requests.get(f"{backend.url}/open311/v2/tokens/{token}.json", timeout=10).json()[0][
            "service_request_id"
        ]
        == cid
    )
    op = login("demo-operator")
    case = op.get(f"/api/v1/cases/{cid}").json()
    assert case["source"] == "public" and case["category_code"] == "06010"
    one = requests.get(f"{backend.url}/open311/v2/requests/{cid}.json", timeout=10).json()
    validator("requests.json").validate(one)
    validator("request.json").validate(one[0])
    assert one[0]["status"] == "open"
    for who, action, extra in [
        ("demo-operator", "accept", {}),
        ("demo-operator", "send_verify", {}),
        ("demo-supervisor", "verified", {}),
        ("demo-lead", "register", {}),
        ("demo-dispatcher", "dispatch", {"department_id": "sanitation"}),
        ("demo-dept", "complete", {}),
        ("demo-operator", "send_check", {}),
        ("demo-supervisor", "check_pass", {}),
        ("demo-lead", "close", {}),
    ]:
        api = login(who)
        case = api.act(case, action, **extra).json()
        assert "error" not in case, case
        if action == "dispatch":
            mid = requests.get(f"{backend.url}/open311/v2/requests/{cid}.json", timeout=10).json()[
                0
            ]
            assert (
                mid["status"] == "open"
                and "环境卫生" in mid["status_notes"]
                and mid["agency_responsible"]
            )
    done = requests.get(f"{backend.url}/open311/v2/requests/{cid}.json", timeout=10).json()[0]
    assert done["status"] == "closed" and done["status_notes"] == "已结案"
    closed = requests.get(
        f"{backend.url}/open311/v2/requests.json",
        params={"status": "closed", "service_code": "06010"},
        timeout=10,
    ).json()
    assert cid in {x["service_request_id"] for x in closed}
    validator("requests.json").validate(closed)
    x = requests.get(f"{backend.url}/open311/v2/requests/{cid}.xml", timeout=10)
    ours = {el.tag for el in ET.fromstring(x.content).iter()}
    assert ours <= sample_tags("service_requests.xml"), ours - sample_tags("service_requests.xml")


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"api_key": "wrong", "service_code": "06010", "lat": "30.25", "long": "120.17"}, 403),
        ({"service_code": "06010", "lat": "30.25", "long": "120.17"}, 403),
        ({"api_key": KEY, "service_code": "99999", "lat": "30.25", "long": "120.17"}, 400),
        ({"api_key": KEY, "service_code": "06010", "lat": "30.26", "long": "120.10"}, 400),
        ({"api_key": KEY, "service_code": "06010", "address_string": "西湖边"}, 400),
        ({"api_key": KEY, "service_code": "06010", "lat": "north", "long": "120.17"}, 400),
        ({"api_key": KEY, "service_code": "06010", "lat": "nan", "long": "120.17"}, 400),
        (
            {
                "api_key": KEY,
                "service_code": "06010",
                "lat": "30.25",
                "long": "120.17",
                "description": "x" * 5000,
            },
            400,
        ),
    ],
)
def test_bad_requests_get_the_spec_error_shape(backend, form, status):
    r = post(backend, **form)
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
    x = requests.post(f"{backend.url}/open311/v2/requests.xml", data=form, timeout=10)
    root = ET.fromstring(x.content)
    assert (
        x.status_code == status
        and root.tag == "errors"
        and root.find("error/code").text == str(status)
    )


def test_garbage_bodies_and_windows(backend):
    r = requests.post(
        f"{backend.url}/open311/v2/requests.json",
        data=b"\xff\xfe\x00garbage",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert r.status_code == 400 and r.json()[0]["code"] == 400
    r = requests.post(
        f"{backend.url}/open311/v2/requests.json",
        data=b"[1,2",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 400
    r = requests.get(
        f"{backend.url}/open311/v2/requests.json",
        params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        timeout=10,
    )
    assert r.status_code == 400 and "90" in r.json()[0]["description"]
    assert (
        requests.get(
            f"{backend.url}/open311/v2/requests.json", params={"start_date": "soon"}, timeout=10
        ).status_code
        == 400
    )
    assert (
        requests.get(f"{backend.url}/open311/v2/requests/nope.json", timeout=10).status_code == 404
    )
    assert requests.get(f"{backend.url}/open311/v2/tokens/nope.xml", timeout=10).status_code == 404
