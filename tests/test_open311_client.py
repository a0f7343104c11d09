"""The Open311 client (``console.server.open311_client``) against a stub GeoReport v2 server.

The stub is a real HTTP server on loopback (Starlette on uvicorn) that answers ``requests.json``
/ ``requests.xml`` with the spec's own examples and SF311's XML (``tests/fixtures/open311/``,
byte for byte; the error files carry their HTTP status line, which the stub answers with). The
spec's examples are in San Francisco; where a test needs a request the district can take, the
stub serves the same text with the example's coordinates replaced by a point in the district
(``in_district``), so the parser still meets the spec's invalid ``"service_code":006``.
The backend is real (``BackendThread`` on a SQLite file, restarted on the same file).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.clock import VirtualClock
from console.server import cases
from console.server.context import Settings
from console.server.db import CaseRow, Meta
from console.server.open311_client import (
    DEFAULT_CATEGORY,
    Open311Import,
    Open311Pull,
    Open311PullConfig,
    lenient_json,
    parse_requests,
)
from console.server.run import BackendThread
from console.server.seed import DEMO_OPEN311_KEY
from tests.conftest import TEST_START, wait_until
from tests.loopback_server import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures" / "open311"
SPEC_JSON = FIXTURES / "open311-spec" / "spec_example_json-service-requests.json"
SPEC_XML = FIXTURES / "open311-spec" / "spec_example_xml-service-requests.xml"
SF311_XML = FIXTURES / "codeforamerica-open311-ruby" / "service_requests.xml"
#: The spec examples' point (8th Ave and Judah St, San Francisco) and one in the district.
SF_LAT, SF_LON = "37.762221815", "-122.4651145"
LAT, LON = "30.2500", "120.1700"
CODES = {"006": "06012"}  # Sidewalk and Curb Issues -> 道路不洁, the test's mapping table


def in_district(text: str) -> str:
    return text.replace(SF_LAT, LAT).replace(SF_LON, LON)


def with_status_line(path: Path) -> tuple[int, str, bytes]:
    """An ``*-errors`` / ``403.xml`` fixture: an HTTP status line, a blank line, the body."""
    head, _, body = path.read_bytes().partition(b"\n\n")
    status = int(head.split()[1])
    ctype = "text/xml" if body.lstrip().startswith(b"<") else "application/json"
    return status, ctype, body


class StubGeoReport:
    """A GeoReport v2 server whose answer a test sets (``answer(query) -> (status, type,
    body)``); every query is recorded."""

    def __init__(self) -> None:
        self.answer = lambda q: (200, "application/json", b"[]")
        self.queries: list[dict] = []

        async def requests_(request: Request) -> Response:
            q = dict(request.query_params)
            q["_path"] = request.url.path
            self.queries.append(q)
            status, ctype, body = self.answer(q)
            return Response(body, status_code=status, media_type=ctype)

        app = Starlette(routes=[Route("/open311/v2/requests.{fmt}", requests_)])
        self.http = LoopbackServer(app, "stub-open311")
        self.url = f"{self.http.base}/open311/v2/"

    def serve(self, body: str | bytes, ctype: str = "application/json", status: int = 200):
        data = body.encode() if isinstance(body, str) else body
        self.answer = lambda q: (status, ctype, data)

    def start(self) -> StubGeoReport:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()


@pytest.fixture
def stub():
    s = StubGeoReport().start()
    yield s
    s.stop()


def settings(db_url: str, pull: Open311PullConfig | None = None) -> Settings:
    return Settings(
        db_url=db_url,
        demo=True,
        clock=VirtualClock(start=TEST_START),
        open311_keys=frozenset({DEMO_OPEN311_KEY}),
        tick_seconds=0.2,
        open311_pull=pull,
    )


@pytest.fixture
def backend(tmp_path):
    b = BackendThread(settings(f"sqlite:///{tmp_path / 'backend.db'}")).start()
    yield b
    b.stop()


def imports(b: BackendThread) -> dict[str, Open311Import]:
    with b.ctx.db.read() as s:
        return {r.external_id: r for r in s.scalars(select(Open311Import))}


def public_cases(b: BackendThread) -> list[CaseRow]:
    with b.ctx.db.read() as s:
        return list(s.scalars(select(CaseRow).where(CaseRow.source == "public")))


def test_lenient_json_reads_the_spec_examples_leading_zeros_as_strings():
    rows = lenient_json(SPEC_JSON.read_text())
    assert [r["service_code"] for r in rows] == ["006", "006"]
    assert [r["service_request_id"] for r in rows] == [638344, 638349]
    # The same documents in the spec's XML and in SF311's read alike (text values).
    for path in (SPEC_XML, SF311_XML):
        xml = parse_requests(path.read_bytes())
        assert [r["service_code"] for r in xml] == ["006", "006"]
        assert [r["service_request_id"] for r in xml] == ["638344", "638349"]


def test_a_pull_creates_each_request_once_and_a_restart_creates_none(stub, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="console.server.open311_client")
    url = f"sqlite:///{tmp_path / 'backend.db'}"
    cfg = Open311PullConfig(stub.url, key="k-123", every_s=3600, jurisdiction="sf", codes=CODES)
    stub.serve(in_district(SPEC_JSON.read_text()))
    b = BackendThread(settings(url, cfg)).start()  # as serve --open311-pull: polls at start
    try:
        (src,) = b.app.state.sources
        wait_until(lambda: src.polls)
        first = src.polls[0]
        assert (first.created, first.rejected, first.error) == (1, 1, None)
        got = imports(b)
        assert got["638349"].outcome == "case" and got["638349"].external_status == "open"
        assert got["638344"].outcome == "rejected"
        assert got["638344"].reason == "already closed at the source"
        (case,) = public_cases(b)
        assert case.id == got["638349"].case_id and case.state == "reported"
        assert case.category_code == "06012"  # mapped by the table
        assert "外部编号 638349" in case.doc["events"][0]["note"]
        q = stub.queries[0]
        assert q["_path"].endswith("/requests.json")
        assert (q["api_key"], q["jurisdiction_id"], q["page"]) == ("k-123", "sf", "1")
        window = datetime.fromisoformat(q["end_date"]) - datetime.fromisoformat(q["start_date"])
        assert timedelta(0) < window <= timedelta(days=90)
        again = src.poll()
        assert (again.created, again.unchanged, again.updated) == (0, 2, 0)
    finally:
        b.stop()
    b = BackendThread(settings(url, cfg)).start()  # a restart on the same database
    try:
        (src,) = b.app.state.sources
        wait_until(lambda: src.polls)
        assert (src.polls[0].created, src.polls[0].unchanged) == (0, 2)
        # The other system closes the request: recorded once on its row, no second case.
        stub.serve(
            in_district(SPEC_JSON.read_text()).replace('"status":"open"', '"status":"closed"')
        )
        assert src.poll().updated == 1
        assert src.poll().updated == 0
        assert imports(b)["638349"].external_status == "closed"
        assert len(public_cases(b)) == 1
    finally:
        b.stop()


def test_sf311_xml_outside_the_district_is_recorded_and_logged_not_a_case(stub, backend, caplog):
    caplog.set_level(logging.INFO, logger="console.server.open311_client")
    stub.serve(SF311_XML.read_bytes(), "text/xml")
    res = Open311Pull(backend.ctx, Open311PullConfig(stub.url, fmt="xml")).poll()
    assert (res.created, res.rejected, res.error) == (0, 2, None)
    assert imports(backend)["638349"].reason == "outside the district (37.76222, -122.46511)"
    assert "request 638349 not taken in: outside the district" in caplog.text
    assert stub.queries[0]["_path"].endswith("/requests.xml")
    assert public_cases(backend) == []


def test_xml_in_the_district_with_an_unmapped_code_goes_to_the_default_category(stub, backend):
    stub.serve(in_district(SPEC_XML.read_text()), "text/xml")
    res = Open311Pull(backend.ctx, Open311PullConfig(stub.url, fmt="xml")).poll()
    assert res.created == 1
    (case,) = public_cases(backend)
    assert case.category_code == DEFAULT_CATEGORY
    assert "外部服务代码 006 未映射，请受理时更正类别" in case.doc["events"][0]["note"]
    assert "所述地址：8TH AVE and JUDAH ST" in case.doc["events"][0]["note"]


@pytest.mark.parametrize(
    "answer",
    [
        with_status_line(FIXTURES / "open311-spec" / "spec_example_json-errors.json"),
        with_status_line(FIXTURES / "open311-spec" / "spec_example_xml-errors.xml"),
        with_status_line(FIXTURES / "codeforamerica-open311-ruby" / "403.xml"),
        (404, "application/json", b'[{"code":404,"description":"not found"}]'),
        (500, "text/plain", b"Internal Server Error"),
        (200, "text/html", b"<!DOCTYPE html><html><body>Maintenance</body></html>"),
        (200, "application/json", b'[{"service_request_id": 1, "status": "op'),
        (200, "application/json", b'{"error": "quota"}'),
        (200, "application/json", b'[{"code": 403, "description": "Invalid api_key received"}]'),
        (200, "text/xml", b"<?xml version='1.0'?><service_requests><request>"),
        (200, "text/xml", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><service_requests/>'),
    ],
    ids=[
        "spec-json-403",
        "spec-xml-403",
        "sf311-403",
        "404",
        "500",
        "html",
        "cut-json",
        "not-a-list",
        "errors-with-200",
        "cut-xml",
        "entities",
    ],
)
def test_bad_answers_are_logged_and_nothing_is_lost(stub, backend, caplog, answer):
    caplog.set_level(logging.INFO, logger="console.server.open311_client")
    pull = Open311Pull(backend.ctx, Open311PullConfig(stub.url, codes=CODES))
    stub.answer = lambda q: answer
    res = pull.poll()
    assert res.error and res.created == 0
    assert "not read, retried at the next poll" in caplog.text
    with backend.ctx.db.read() as s:  # the watermark did not move: the window is asked again
        assert s.get(Meta, pull.watermark_key) is None
    stub.serve(in_district(SPEC_JSON.read_text()))
    assert pull.poll().created == 1
    # What the server said is what the log says: the spec's error description when there is
    # one (JSON, <errors>, SF311's <error>), else what was wrong with the answer.
    said = [x for x in ("Invalid api_key received", "not found") if x.encode() in answer[2]]
    if said:
        assert said[0] in res.error
    else:
        assert res.error.startswith(("HTTP 500", "an HTML page", "malformed", "the body", "XML"))


def test_requests_without_an_id_are_skipped_until_they_have_one(stub, backend):
    doc = {"status": "open", "service_code": "06010", "lat": LAT, "long": LON}
    stub.serve(json.dumps([doc, {**doc, "service_request_id": ""}]))
    pull = Open311Pull(backend.ctx, Open311PullConfig(stub.url))
    res = pull.poll()
    assert (res.skipped, res.created) == (2, 0) and imports(backend) == {}
    stub.serve(json.dumps([{**doc, "service_request_id": "CHI-1"}]))
    assert pull.poll().created == 1
    (case,) = public_cases(backend)
    assert case.category_code == "06010"  # one of our own public services: taken as it is


def test_pages_are_read_until_a_short_one_and_a_server_ignoring_page_is_caught(stub, backend):
    docs = [
        {
            "service_request_id": f"R{i}",
            "status": "open",
            "service_code": "06010",
            "lat": LAT,
            "long": LON,
        }
        for i in range(5)
    ]

    def paged(q):
        page, size = int(q["page"]), int(q["page_size"])
        return 200, "application/json", json.dumps(docs[(page - 1) * size : page * size]).encode()

    stub.answer = paged
    res = Open311Pull(backend.ctx, Open311PullConfig(stub.url, page_size=2)).poll()
    assert res.created == 5
    assert [q["page"] for q in stub.queries] == ["1", "2", "3"]

    stub.queries.clear()
    stub.serve(json.dumps([{**d, "service_request_id": f"S{i}"} for i, d in enumerate(docs[:2])]))
    other = Open311PullConfig(stub.url.replace("127.0.0.1", "localhost"), page_size=2)
    res = Open311Pull(backend.ctx, other).poll()
    assert res.created == 2 and [q["page"] for q in stub.queries] == ["1", "2"]


def test_windows_of_at_most_90_days_walk_forward_from_the_watermark(stub, backend):
    pull = Open311Pull(backend.ctx, Open311PullConfig(stub.url))
    start = backend.ctx.now() - timedelta(days=200)
    with backend.ctx.db.write() as s:
        s.add(Meta(key=pull.watermark_key, value=start.isoformat()))
    pull.poll()
    spans = [
        (datetime.fromisoformat(q["start_date"]), datetime.fromisoformat(q["end_date"]))
        for q in stub.queries
    ]
    assert len(spans) == 3 and spans[0][0] == start
    assert all(timedelta(0) < b - a <= timedelta(days=90) for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(2))  # no gap, no overlap
    assert spans[-1][1] >= backend.ctx.now() - timedelta(minutes=1)
    with backend.ctx.db.read() as s:
        stored = datetime.fromisoformat(s.get(Meta, pull.watermark_key).value)
    assert stored == spans[-1][1] - timedelta(hours=1)  # the last window's end less the overlap
    with backend.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Open311Import)) == 0


def test_pulling_from_this_projects_own_facade_takes_each_report_once(tmp_path):
    """A real GeoReport v2 server, not a stub: another backend's Open311 facade. Its service
    codes are this project's categories, so they are taken as they are."""
    # The pulling backend's clock starts a minute later: the reports filed on the other one
    # lie inside its first window.
    peer = BackendThread(settings(f"sqlite:///{tmp_path / 'peer.db'}")).start()
    b = None
    try:
        points = [("06010", 120.17, 30.25), ("07001", 120.18, 30.26), ("01037", 120.165, 30.26)]
        for code, lon, lat in points:
            r = requests.post(
                f"{peer.url}/open311/v2/requests.json",
                data={"service_code": code, "lat": lat, "long": lon, "description": f"问题 {code}"},
                headers={"X-Api-Key": DEMO_OPEN311_KEY},
                timeout=30,
            )
            assert r.status_code == 200, r.text
        cfg = Open311PullConfig(f"{peer.url}/open311/v2/", every_s=3600, page_size=2)
        s = settings(f"sqlite:///{tmp_path / 'backend.db'}", cfg)
        s.clock = VirtualClock(start=TEST_START + timedelta(minutes=1))
        b = BackendThread(s).start()
        (src,) = b.app.state.sources
        wait_until(lambda: src.polls)
        assert (src.polls[0].created, src.polls[0].error) == (3, None)
        got = sorted((c.category_code, c.doc["location"]["lon"]) for c in public_cases(b))
        assert got == sorted((code, lon) for code, lon, _ in points)
        assert {c.doc["description"] for c in public_cases(b)} == {f"问题 {c}" for c, *_ in points}
        assert src.poll().created == 0
    finally:
        if b is not None:
            b.stop()
        peer.stop()


def test_a_dead_endpoint_is_shown_in_readyz_without_its_key(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="console.server.open311_client")
    dead = StubGeoReport()  # never started: its port refuses connections
    cfg = Open311PullConfig(dead.url, key="sekr/t+key", every_s=3600)
    b = BackendThread(settings(f"sqlite:///{tmp_path / 'backend.db'}", cfg)).start()
    try:
        (src,) = b.app.state.sources
        wait_until(lambda: src.polls)
        (shown,) = requests.get(b.url + "/readyz", timeout=10).json()["sources"]
        assert (shown["source"], shown["ok"]) == ("open311-pull", False)
        assert "ConnectionError" in shown["problem"] or "Max retries" in shown["problem"]
        assert "api_key=***" in shown["problem"]
    finally:
        b.stop()
    assert "sekr" not in caplog.text and "api_key=***" in caplog.text


def test_a_request_intake_fails_on_is_recorded_and_the_others_go_in(stub, backend, monkeypatch):
    """One request that breaks intake (here a stand-in bug) must not stop every later poll
    at the same place: it is recorded with the error, the rest of the page goes in."""
    real = cases.create

    def create(ctx, s, actor, role, body):
        if "R1" in body["note"]:
            raise RuntimeError("a bug odd data shows")
        return real(ctx, s, actor, role, body)

    monkeypatch.setattr(cases, "create", create)
    docs = [
        {"service_request_id": f"R{i}", "status": "open", "service_code": "06010",
         "lat": LAT, "long": LON}
        for i in range(3)
    ]  # fmt: skip
    stub.serve(json.dumps(docs))
    pull = Open311Pull(backend.ctx, Open311PullConfig(stub.url))
    res = pull.poll()
    assert (res.created, res.rejected, res.error) == (2, 1, None)
    assert imports(backend)["R1"].reason == "intake failed: RuntimeError: a bug odd data shows"
    with backend.ctx.db.read() as s:
        assert s.get(Meta, pull.watermark_key) is not None  # the window is done


def test_a_request_without_a_point_is_placed_by_its_address_when_the_district_has_it(stub, backend):
    doc = {"status": "open", "service_code": "06010", "description": "路边垃圾"}
    stub.serve(
        json.dumps(
            [
                {**doc, "service_request_id": "A1", "address": "解放路"},
                {**doc, "service_request_id": "A2", "address": "8TH AVE and JUDAH ST"},
                {**doc, "service_request_id": "A3", "lat": "", "long": "NaN"},
            ]
        )
    )
    res = Open311Pull(backend.ctx, Open311PullConfig(stub.url)).poll()
    assert (res.created, res.rejected) == (1, 2)
    (case,) = public_cases(backend)
    assert backend.ctx.grid.cell_code(case.doc["location"]["lon"], case.doc["location"]["lat"])
    assert "解放路" in case.doc["address"]
    got = imports(backend)
    assert (
        got["A2"].reason == got["A3"].reason == "no lat/long and no address found in the district"
    )
