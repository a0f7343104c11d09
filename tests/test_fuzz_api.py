"""Property-based fuzz of the whole HTTP API from its own OpenAPI: no input gives a 5xx.

Schemathesis generates valid and invalid requests for every operation; they are sent with a
centre user's token (operator + shift lead + dispatcher), so most reach the handlers rather
than stopping at 401. Then hostile values (issue 13's probe) go into every parameter and
every body field, one at a time and together, and each refusal must be a 4xx in the error
shape.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def api_schema(backend):
    return schemathesis.openapi.from_url(f"{backend.url}/openapi.json")


@pytest.fixture(scope="module")
def centre_token(backend):
    r = requests.post(
        f"{backend.url}/api/v1/session",
        json={"username": "sim-centre", "password": "demo"},
        timeout=10,
    )
    return r.json()["token"]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case, centre_token, backend):
    token = centre_token
    if case.path == "/api/v1/session" and case.method.upper() == "DELETE":
        # Logging out revokes the token it is sent with: a session of its own, not the fuzz's
        # (the guard forgets the fuzz's own failed logins first: they lock out the address).
        backend.ctx.login_guard.addresses.reset("127.0.0.1")
        r = requests.post(
            f"{backend.url}/api/v1/session",
            json={"username": "sim-centre", "password": "demo"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        token = r.json()["token"]
    if case.path == "/api/v1/changes" and case.query and "wait" in case.query:
        case.query["wait"] = 0.5  # a long poll on a quiet feed correctly waits its full time
    response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code < 500, (
        case.method,
        case.path,
        response.status_code,
        response.text[:500],
    )
    ctype = response.headers.get("content-type") or [""]
    if response.status_code >= 400 and ctype[0].startswith("application/json"):
        body = response.json()
        assert "error" in body or isinstance(body, list), body  # v1 shape, or Open311's list shape


# ---- hostile values: every parameter of every operation, one value at a time -------------------
#: Values a hostile client sends (issue 13's probe found 500s for each kind): huge integers, a
#: float beyond double, NaN and infinities, a lone surrogate (as its UTF-8-style bytes in a URL),
#: nesting, control characters, long strings, wrong types, and dates at the ends of datetime's
#: range with the widest offsets. URLs carry 8 KB strings, not 1 MB: uvicorn's HTTP parser caps
#: a request head at 16 KiB before the app sees it; bodies carry the megabyte.
HOSTILE_TEXT = [
    str(10**20),
    "-" + str(10**20),
    "1" + "0" * 400,
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "\ud800",
    "[" * 10_000,
    "\x07\x1b\x7f",
    "x" * 8000,
    "true",
    "[]",
    "",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01",
    "9999-12-31",
]
#: The same kinds as raw JSON tokens, for request bodies (written into a template's ``@``).
HOSTILE_JSON = [
    str(10**20),
    "1" + "0" * 400,
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    '"\\ud800"',
    "[" * 10_000 + "]" * 10_000,
    '"\\u0007\\u001b"',
    '"' + "x" * 1_000_000 + '"',
    "true",
    "null",
    "[]",
    "{}",
    '"0001-01-01T00:00:00+14:00"',
    '"9999-12-31T23:59:59-14:00"',
]
#: Query parameters the Open311 facade parses by hand (not in the OpenAPI).
OPEN311_QUERY = {
    "GET /open311/v2/requests.{fmt}": [
        "start_date",
        "end_date",
        "page",
        "page_size",
        "status",
        "service_code",
        "service_request_id",
        "jurisdiction_id",
    ],
    "GET /open311/v2/services.{fmt}": ["jurisdiction_id"],
}
#: Path parameters a sweep leaves at a working value while it varies the others.
PATH_DEFAULTS = {"fmt": "json"}
#: One body template per field of each JSON write; ``@`` is where the hostile token goes.
BODY_TEMPLATES = {
    "/api/v1/session": ['{"username": @, "password": "demo"}', '{"username": "x", "password": @}'],
    "/api/v1/cases": [
        '{"source": @, "category_code": "06010", "location": {"lon": 120.17, "lat": 30.25}}',
        '{"category_code": @, "location": {"lon": 120.17, "lat": 30.25}}',
        '{"category_code": "06010", "location": {"lon": 120.17, "lat": @}}',
        '{"category_code": "06010", "location": @}',
        '{"category_code": "06010", "location": {"lon": 120.17, "lat": 30.25}, "description": @}',
        '{"category_code": "06010", "location": {"lon": 120.17, "lat": 30.25}, "photos": [@]}',
        '{"category_code": "06010", "location": {"lon": 120.17, "lat": 30.25},'
        ' "reporter_contact": {"phone": @}}',
        "@",
    ],
    "/api/v1/cases/{case_id}/actions": [
        '{"action": @}',
        '{"action": "accept", "expected_version": @}',
        '{"action": "request_extension", "hours": @}',
        '{"action": "park", "due_date": @}',
        "@",
    ],
    "/api/v1/telemetry": [
        '{"fixes": [{"vehicle_id": "V001", "t": @, "lon": 120.17, "lat": 30.25,'
        ' "speed_kmh": 1, "heading": 0}]}',
        '{"fixes": [{"vehicle_id": "V001", "t": 1, "lon": @, "lat": 30.25,'
        ' "speed_kmh": 1, "heading": 0}]}',
        '{"fixes": [{"vehicle_id": @, "t": 1, "lon": 120.17, "lat": 30.25,'
        ' "speed_kmh": 1, "heading": 0, "flags": @}]}',
        '{"readings": [{"sensor_id": @, "t": @, "value": @}]}',
        "@",
    ],
    "/api/v1/alerts/{alert_id}/ack": ['{"comment": @}', "@"],
    "/api/v1/wall/focus": ["@", '{"case_id": @}'],
    "/open311/v2/requests.{fmt}": [
        '{"api_key": "demo-open311-key", "service_code": @, "lat": 30.25, "long": 120.17}',
        '{"api_key": "demo-open311-key", "service_code": "06010", "lat": @, "long": 120.17}',
        '{"api_key": "demo-open311-key", "service_code": "06010", "lat": 30.25, "long": 120.17,'
        ' "description": @, "phone": @, "jurisdiction_id": @}',
        '{"api_key": @}',
        "@",
    ],
}


def _url(base: str, path: str, values: dict[str, str], query: dict[str, str]) -> str:
    """``path`` with its parameters filled, percent-encoded as raw UTF-8 (``surrogatepass``, so a
    lone surrogate arrives as the bytes a broken client would send)."""
    for name, v in values.items():
        path = path.replace("{" + name + "}", quote(v, safe="", errors="surrogatepass"))
    qs = "&".join(f"{k}={quote(v, safe='', errors='surrogatepass')}" for k, v in query.items())
    return base + path + ("?" + qs if qs else "")


def assert_refused_in_shape(r: requests.Response, what: str) -> None:
    """< 500, and a refusal in one of the two error shapes: the v1 API's
    ``{"error": {"code", "message", "details"}}`` or Open311's ``[{"code", "description"}]`` /
    ``<errors>`` (GeoReport v2 defines its own)."""
    assert r.status_code < 500, (what, r.status_code, r.text[:300])
    if r.status_code < 400:
        return
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("text/xml"):
        root = ET.fromstring(r.content)
        assert root.tag == "errors" and root.find("error/description") is not None, what
        return
    assert ctype.startswith("application/json"), (what, ctype)
    body = r.json()
    if isinstance(body, list):
        assert body and all(
            isinstance(e.get("code"), int) and isinstance(e.get("description"), str) for e in body
        ), (what, body)
    else:
        err = body["error"]
        assert isinstance(err["code"], str) and isinstance(err["message"], str), (what, body)
        assert isinstance(err["details"], dict), (what, body)


def _operations(spec: dict) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(method, path, [(param, in)]) of every operation but logging out (it would revoke the
    token the sweep uses)."""
    ops = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if (method, path) == ("delete", "/api/v1/session"):
                continue
            params = [(p["name"], p["in"]) for p in op.get("parameters", []) if p["in"] != "header"]
            params += [(q, "query") for q in OPEN311_QUERY.get(f"{method.upper()} {path}", [])]
            ops.append((method.upper(), path, params))
    return ops


@pytest.fixture(scope="module")
def hostile_client(backend, centre_token):
    """Requests as the centre (the gateway for telemetry) against the module's backend."""
    gateway = requests.post(
        f"{backend.url}/api/v1/session",
        json={"username": "demo-gateway", "password": "demo"},
        timeout=10,
    ).json()["token"]
    spec = requests.get(f"{backend.url}/openapi.json", timeout=10).json()
    http = requests.Session()

    def send(method: str, path: str, url: str, body: str | None = None) -> requests.Response:
        token = gateway if path == "/api/v1/telemetry" else centre_token
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return http.request(
            method,
            url,
            data=None if body is None else body.encode("utf-8", "surrogatepass"),
            headers=headers,
            timeout=30,
        )

    return spec, send


def _defaults(params: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    path = {n: PATH_DEFAULTS.get(n, "X1") for n, where in params if where == "path"}
    query = {"wait": "0"} if ("wait", "query") in params else {}
    return path, query


def test_every_parameter_refuses_hostile_values_in_the_error_shape(backend, hostile_client):
    spec, send = hostile_client
    for method, path, params in _operations(spec):
        for name, where in params:
            for v in HOSTILE_TEXT:
                pv, qv = _defaults(params)
                (pv if where == "path" else qv)[name] = v
                url = _url(backend.url, path, pv, qv)
                body = "{}" if method == "POST" else None
                assert_refused_in_shape(
                    send(method, path, url, body), f"{method} {path} {name}={v[:40]!r}"
                )


def test_every_body_field_refuses_hostile_values_in_the_error_shape(backend, hostile_client):
    spec, send = hostile_client
    ops = {(m, p): params for m, p, params in _operations(spec)}
    for path, templates in BODY_TEMPLATES.items():
        pv, _ = _defaults(ops[("POST", path)])
        url = _url(backend.url, path, pv, {})
        for template in templates:
            for token in HOSTILE_JSON:
                r = send("POST", path, url, template.replace("@", token))
                assert_refused_in_shape(r, f"POST {path} {template[:60]} @={token[:40]!r}")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hostile_values_together_are_refused_in_the_error_shape(backend, hostile_client, data):
    """Several hostile values in one request (the sweeps above vary one at a time)."""
    spec, send = hostile_client
    method, path, params = data.draw(st.sampled_from(_operations(spec)))
    pv, qv = _defaults(params)
    for name, where in params:
        if data.draw(st.booleans()):
            (pv if where == "path" else qv)[name] = data.draw(st.sampled_from(HOSTILE_TEXT))
    body = None
    if method == "POST":
        templates = BODY_TEMPLATES.get(path, ["@"])
        body = data.draw(st.sampled_from(templates))
        while "@" in body:
            body = body.replace("@", data.draw(st.sampled_from(HOSTILE_JSON)), 1)
    r = send(method, path, _url(backend.url, path, pv, qv), body)
    assert_refused_in_shape(r, f"{method} {path} {pv} {qv} {(body or '')[:80]}")
