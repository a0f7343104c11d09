"""Traccar as a telemetry source (``console.server.traccar``), against a stub Traccar server.

The stub is a real HTTP and WebSocket server (Starlette on uvicorn, loopback) that speaks
Traccar's API with the shapes of the fixtures (``tests/fixtures/traccar/``: pytraccar's and
Home Assistant's recorded responses): session login with a cookie, ``/api/devices``,
``/api/positions`` (latest, or a device's between ``from`` and ``to``), ``/api/geofences``, and
``/api/socket`` pushing ``{"positions": [...]}`` / ``{"events": [...]}`` / ``{}``. The backend
is real too (``BackendThread`` on a SQLite file), started with the Traccar source configured
as ``serve --traccar`` would, and everything is checked where a console sees it: the feed and
the alerts over HTTP.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from console.clock import VirtualClock
from console.domain.field_units import FIELD_UNIT_TYPES
from console.server.context import Settings
from console.server.db import Fix, Vehicle
from console.server.run import BackendThread
from console.server.seed import DEMO_OPEN311_KEY
from console.server.traccar import KMH_PER_KNOT, TraccarConfig, TraccarSource, backoff_s
from tests.conftest import TEST_START, logins, wait_until
from tests.loopback_server import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures" / "traccar"
USER, PASSWORD, TOKEN = "fleet@example.org", "s3cret", "T0KEN-abc"


def fixture(name: str) -> list | dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def iso(t: datetime) -> str:
    """A time as Traccar writes it (``2019-08-24T14:15:22.000+00:00``)."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds")


class StubTraccar:
    """A Traccar server on loopback with the fixtures' document shapes."""

    def __init__(self) -> None:
        self.devices: list[dict] = []
        self.positions: list[dict] = []  # every position the "server" holds, in time order
        self.geofences = [{**fixture("home-assistant/geofences.json")[0], "id": 3}]
        self.refuse_logins = 0  # the next n logins are refused (401)
        self.expire_sessions = 0  # the next n REST calls answer 401 (the session expired)
        self.close_sockets = 0  # the next n sockets are closed as soon as they open
        self.logins = 0
        self.sessions: set[str] = set()
        self.sockets: list[WebSocket] = []
        self.position_queries: list[dict] = []
        self.events: list[dict] = []  # what the event report (/api/reports/events) holds
        self.loop: asyncio.AbstractEventLoop | None = None
        app = Starlette(
            routes=[
                Route("/api/session", self.session, methods=["GET", "POST"]),
                Route("/api/devices", self.rest(lambda q: self.devices)),
                Route("/api/geofences", self.rest(lambda q: self.geofences)),
                Route("/api/positions", self.rest(self.query_positions)),
                Route("/api/reports/events", self.events_report),
                WebSocketRoute("/api/socket", self.socket),
            ]
        )
        self.http = LoopbackServer(app, "stub-traccar")
        self.url = self.http.base

    def start(self) -> StubTraccar:
        self.http.start()
        return self

    def stop(self) -> None:
        self.http.stop()

    # ---- REST ----
    async def session(self, request: Request) -> Response:
        self.loop = asyncio.get_running_loop()
        self.logins += 1
        if request.method == "POST":
            form = parse_qs((await request.body()).decode())  # x-www-form-urlencoded
            ok = (form.get("email"), form.get("password")) == ([USER], [PASSWORD])
        else:
            ok = request.query_params.get("token") == TOKEN
        if self.refuse_logins > 0 or not ok:
            self.refuse_logins = max(0, self.refuse_logins - 1)
            return Response("HTTP 401 Unauthorized", status_code=401)
        sid = secrets.token_hex(8)
        self.sessions.add(sid)
        r = JSONResponse(fixture("pytraccar/session.json"))
        r.set_cookie("JSESSIONID", sid)
        return r

    def authorised(self, conn: Request | WebSocket) -> bool:
        return (
            conn.cookies.get("JSESSIONID") in self.sessions
            or conn.headers.get("authorization") == f"Bearer {TOKEN}"
        )

    def rest(self, answer):
        async def handler(request: Request) -> Response:
            if not self.authorised(request) or self.expire_sessions > 0:
                self.expire_sessions = max(0, self.expire_sessions - 1)
                return Response("", status_code=401)
            return JSONResponse(answer(dict(request.query_params)))

        return handler

    def query_positions(self, q: dict) -> list[dict]:
        """Traccar's rule: no parameters, the latest position of each device; ``deviceId``
        with ``from`` and ``to``, that device's positions in the period."""
        self.position_queries.append(q)
        if "deviceId" not in q:
            latest: dict[int, dict] = {}
            for p in self.positions:
                latest[p["deviceId"]] = p
            return list(latest.values())
        t0 = datetime.fromisoformat(q["from"])
        t1 = datetime.fromisoformat(q["to"])
        return [
            p
            for p in self.positions
            if p["deviceId"] == int(q["deviceId"])
            and t0 <= datetime.fromisoformat(p["fixTime"]) <= t1
        ]

    async def events_report(self, request: Request) -> Response:
        """Traccar's event report: ``deviceId`` repeated, ``type`` comma-separated."""
        if not self.authorised(request):
            return Response("", status_code=401)
        q = request.query_params
        devices = {int(d) for d in q.getlist("deviceId")}
        types = set(q["type"].split(","))
        t0, t1 = datetime.fromisoformat(q["from"]), datetime.fromisoformat(q["to"])
        return JSONResponse(
            [
                e
                for e in self.events
                if e["deviceId"] in devices
                and e["type"] in types
                and t0 <= datetime.fromisoformat(e["eventTime"]) <= t1
            ]
        )

    # ---- WebSocket ----
    async def socket(self, ws: WebSocket) -> None:
        if ws.cookies.get("JSESSIONID") not in self.sessions:
            await ws.close(code=1008)  # Traccar's socket needs a session
            return
        self.loop = asyncio.get_running_loop()
        await ws.accept()
        if self.close_sockets > 0:
            self.close_sockets -= 1
            await ws.close(code=1001)
            return
        self.sockets.append(ws)
        try:
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)

    def _on_loop(self, coro) -> None:
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def push(self, msg: dict) -> None:
        """Send one message to every open socket (as Traccar's server does)."""

        async def send():
            for ws in list(self.sockets):
                await ws.send_text(json.dumps(msg))

        self._on_loop(send())

    def drop_sockets(self) -> None:
        """Close every socket from the server's side (a restart, a proxy timing out)."""

        async def close():
            for ws in list(self.sockets):
                self.sockets.remove(ws)
                await ws.close(code=1012)

        self._on_loop(close())

    # ---- documents in the fixtures' shapes ----
    def add_device(self, device_id: int, unique_id: str, name: str) -> dict:
        d = copy.deepcopy(fixture("home-assistant/devices.json")[0])
        d.update(id=device_id, uniqueId=unique_id, name=name, status="online")
        self.devices.append(d)
        return d

    def position(self, device_id: int, at: datetime, knots: float, **kw) -> dict:
        p = copy.deepcopy(fixture("pytraccar/positions.json")[0])
        p.update(
            id=len(self.positions) + 1,
            deviceId=device_id,
            fixTime=iso(at),
            deviceTime=iso(at),
            serverTime=iso(at),
            latitude=30.25,
            longitude=120.17,
            speed=knots,
            course=90,
            valid=True,
            outdated=False,
            **kw,
        )
        return p


@pytest.fixture
def stub():
    s = StubTraccar().start()
    yield s
    s.stop()


def backend_following(stub: StubTraccar, tmp_path, prepare, **cfg) -> BackendThread:
    """A backend configured as ``serve --traccar`` (user and password unless ``cfg`` says
    otherwise); ``prepare(vehicles)`` runs after the fleet is seeded and before the backend
    (and so its Traccar source) starts."""
    config = TraccarConfig(
        stub.url,
        **{"user": USER, "password": PASSWORD, "backoff_base_s": 0.05, "backoff_max_s": 0.5, **cfg},
    )
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'backend.db'}",
        demo=True,
        clock=VirtualClock(start=TEST_START),
        open311_keys=frozenset({DEMO_OPEN311_KEY}),
        tick_seconds=0.2,
        traccar=config,
    )
    b = BackendThread(settings)  # the schema and the fleet are made here, before start()
    with b.ctx.db.read() as s:
        fleet = select(Vehicle).where(Vehicle.vtype.not_in(FIELD_UNIT_TYPES))  # with terminals
        vehicles = [(v.id, v.terminal_id) for v in s.scalars(fleet.order_by(Vehicle.id))]
    prepare(vehicles)
    return b.start()


def source_of(b: BackendThread) -> TraccarSource:
    (src,) = [x for x in b.app.state.sources if isinstance(x, TraccarSource)]
    return src


def fixes_in_feed(api, vehicle_id: str) -> list[tuple[float, float]]:
    """(t, speed_kmh) of every fix of ``vehicle_id`` the change feed carried."""
    out = []
    for ch in api.get("/api/v1/changes", params={"since": 0}).json()["changes"]:
        if ch["kind"] == "fixes":
            out += [
                (t, v)
                for vid, t, v in zip(ch["vehicle_id"], ch["t"], ch["speed_kmh"], strict=True)
                if vid == vehicle_id
            ]
    return out


def test_positions_arrive_as_fixes_and_events_as_alerts(stub, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="console.server.traccar")
    now = TEST_START
    seen: dict = {}

    def prepare(vehicles):
        (a, a_sim), (b_, b_sim) = vehicles[0], vehicles[1]
        seen.update(a=a, b=b_)
        stub.add_device(1, "0" + a_sim, "Sweeper A")  # padded: leading zeros are ignored
        stub.add_device(2, b_sim, "Truck B")
        stub.devices.append(fixture("home-assistant/devices.json")[0])  # uniqueId abc123
        stub.positions.append(stub.position(1, now - timedelta(seconds=30), knots=10.0))

    b = backend_following(stub, tmp_path, prepare)
    try:
        wall = logins(b.url)("demo-wall")
        # The latest position at start-up, speed from knots.
        first = wait_until(lambda: fixes_in_feed(wall, seen["a"]))
        assert first[0][1] == pytest.approx(10.0 * KMH_PER_KNOT)
        wait_until(lambda: stub.sockets)

        # Live positions over the socket. Home Assistant's fake one (at 52°N 25°E, 4,568,795 kn,
        # 1970) as recorded, then moved into the district (only its speed is wrong), then with
        # a sane speed too (only its 1970 time is wrong): each dropped with its reason.
        fake = fixture("home-assistant/positions.json")[0]
        here = {"deviceId": 2, "latitude": 30.25, "longitude": 120.17}
        fake_now = {**fake, **here, "fixTime": iso(now)}
        fake_1970 = {**fake, **here, "speed": 5}
        good = stub.position(2, now - timedelta(seconds=5), knots=5.4)
        stub.push(
            {
                "positions": [
                    {**fake, "deviceId": 2},
                    fake_now,
                    fake_1970,
                    good,
                    {"deviceId": 0, "speed": 1},
                ]
            }
        )
        stub.push({})  # a keep-alive
        got = wait_until(lambda: fixes_in_feed(wall, seen["b"]))
        assert [round(v, 3) for _, v in got] == [round(5.4 * KMH_PER_KNOT, 3)]

        # Events: overspeed, geofence exit, alarm raise alerts; offline, then online again.
        events = fixture("home-assistant/reports_events.json")[0]
        stub.push(
            {
                "events": [
                    {
                        **events,
                        "type": "deviceOverspeed",
                        "deviceId": 1,
                        "eventTime": iso(now),
                        "attributes": {"speed": 40.0, "speedLimit": 27.0},
                    },
                    {
                        **events,
                        "type": "geofenceExit",
                        "deviceId": 2,
                        "eventTime": iso(now),
                        "geofenceId": 3,
                    },
                    {
                        **events,
                        "type": "alarm",
                        "deviceId": 2,
                        "eventTime": iso(now),
                        "attributes": {"alarm": "sos"},
                    },
                    {**events, "type": "deviceOffline", "deviceId": 1, "eventTime": iso(now)},
                    {**events, "type": "deviceMoving", "deviceId": 1},  # not an alert
                    {**events, "type": "alarm", "deviceId": 0},  # an unknown device
                ]
            }
        )

        def open_alerts():
            got = wall.get("/api/v1/alerts").json()["alerts"]
            return {(a["kind"], a["subject_id"]): a for a in got if a["subject_type"] == "vehicle"}

        alerts = wait_until(lambda: (x := open_alerts()) and len(x) >= 4 and x)
        assert set(alerts) == {
            ("vehicle_speeding", seen["a"]),
            ("vehicle_offline", seen["a"]),
            ("vehicle_geofence_exit", seen["b"]),
            ("vehicle_alarm", seen["b"]),
        }
        speeding = alerts[("vehicle_speeding", seen["a"])]
        assert speeding["severity"] == "warning"
        assert speeding["detail"]["speed_kmh"] == pytest.approx(40 * KMH_PER_KNOT, abs=0.1)
        assert alerts[("vehicle_alarm", seen["b"])]["severity"] == "critical"
        assert alerts[("vehicle_alarm", seen["b"])]["detail"]["alarm"] == "sos"
        assert alerts[("vehicle_geofence_exit", seen["b"])]["detail"]["geofence"] == "Tatooine"
        stub.push({"events": [{**events, "type": "deviceOnline", "deviceId": 1}]})
        wait_until(lambda: ("vehicle_offline", seen["a"]) not in open_alerts())
    finally:
        b.stop()
    text = caplog.text
    assert "position of Truck B dropped: position far outside the district" in text
    assert "position of Truck B dropped: speed_kmh out of range" in text
    assert "position of Truck B dropped: fix time more than a day old" in text
    assert text.count("uniqueId 'abc123'") == 1  # the unknown device, logged once


def test_a_dropped_socket_reconnects_and_the_gap_is_filled(stub, tmp_path):
    seen: dict = {}
    t0 = TEST_START - timedelta(minutes=2)

    def prepare(vehicles):
        (seen["v"], sim), (seen["w"], sim_w) = vehicles[:2]
        stub.add_device(7, sim, "Sprinkler")
        stub.add_device(8, sim_w, "Washer")  # no position before the drop
        stub.positions.append(stub.position(7, t0, knots=3))

    b = backend_following(stub, tmp_path, prepare)
    try:
        wall = logins(b.url)("demo-wall")
        src = source_of(b)
        wait_until(lambda: src.connects == 1 and stub.sockets)
        assert len(fixes_in_feed(wall, seen["v"])) == 1
        stub.refuse_logins = 1000  # held down until the gap's positions are there
        stub.drop_sockets()
        down = wait_until(lambda: src.down_since)
        # While the socket is down both devices report positions the socket never sends.
        gap = [stub.position(7, t0 + timedelta(seconds=10 * i), knots=3 + i) for i in (1, 2, 3)]
        after_drop = datetime.fromtimestamp(down, UTC) + timedelta(seconds=0.2)
        gap_w = stub.position(8, after_drop, knots=2)
        stub.positions += [*gap, gap_w]
        event = fixture("home-assistant/reports_events.json")[0]
        alarm = {**event, "id": 41, "type": "alarm", "deviceId": 8, "eventTime": iso(after_drop),
                 "attributes": {"alarm": "sos"}}  # fmt: skip
        stub.events += [alarm, {**alarm, "id": 42, "type": "deviceMoving"}]
        wait_until(lambda: b.ctx.now() > after_drop + timedelta(seconds=0.5))
        stub.refuse_logins = 0
        wait_until(lambda: src.connects >= 2)
        got = wait_until(lambda: (f := fixes_in_feed(wall, seen["v"])) and len(f) >= 4 and f)
        assert sorted(round(v / KMH_PER_KNOT, 6) for _, v in got) == [3, 4, 5, 6]
        assert len(wait_until(lambda: fixes_in_feed(wall, seen["w"]))) == 1
        filled = {q["deviceId"]: q for q in stub.position_queries if "deviceId" in q}
        # The fill starts at the last fix the source had, or at the drop for a device that
        # had none; not at the start of time.
        assert datetime.fromisoformat(filled["7"]["from"]) == t0.astimezone(UTC)
        assert datetime.fromisoformat(filled["8"]["from"]).timestamp() == pytest.approx(down)
        assert len(fixes_in_feed(wall, seen["v"])) == 4  # each fix once
        # The gap's alarm, from the event report; sent live as well, it stays one alert.
        alarms = lambda: [  # noqa: E731
            a for a in wall.get("/api/v1/alerts").json()["alerts"] if a["kind"] == "vehicle_alarm"
        ]
        (raised,) = wait_until(alarms)
        assert raised["subject_id"] == seen["w"] and raised["detail"]["alarm"] == "sos"
        wall_ = logins(b.url)("demo-lead")
        assert wall_.post(f"/api/v1/alerts/{raised['id']}/resolve", json={}).status_code == 200
        stub.push({"events": [alarm]})
        stub.push({"positions": [stub.position(8, after_drop + timedelta(seconds=1), knots=1)]})
        wait_until(lambda: len(fixes_in_feed(wall, seen["w"])) == 2)  # the push was handled
        assert alarms() == []
    finally:
        b.stop()


def readyz_source(b: BackendThread) -> dict:
    (src,) = requests.get(b.url + "/readyz", timeout=10).json()["sources"]
    return src


def test_bad_auth_is_logged_shown_and_retried_with_backoff_never_a_crash(stub, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="console.server.traccar")
    stub.refuse_logins = 1000
    b = backend_following(stub, tmp_path, lambda vehicles: None)
    try:
        src = source_of(b)
        wait_until(lambda: src.failures >= 3)
        assert src.is_alive() and src.connects == 0
        assert "login refused: HTTP 401" in caplog.text
        assert "check --traccar-user/--traccar-password" in caplog.text
        assert "reconnecting in" in caplog.text
        shown = readyz_source(b)
        assert (shown["source"], shown["ok"]) == ("traccar", False)
        assert shown["problem"].startswith("login refused: HTTP 401")
        # The backend serves on meanwhile.
        assert logins(b.url)("demo-wall").get("/api/v1/alerts").status_code == 200
        stub.refuse_logins = 0
        wait_until(lambda: src.connects == 1)
        assert readyz_source(b)["ok"] is True and readyz_source(b)["problem"] is None
    finally:
        b.stop()
    assert not src.is_alive()


def test_an_expired_session_logs_in_again_and_closing_sockets_back_off(stub, tmp_path, caplog):
    """A 401 after the login: logged, and the next attempt logs in anew. A server that closes
    every socket at once: each is a failed attempt (the waits grow), not a success."""
    caplog.set_level(logging.INFO, logger="console.server.traccar")
    stub.expire_sessions, stub.close_sockets = 1, 3
    b = backend_following(stub, tmp_path, lambda vehicles: None)
    try:
        src = source_of(b)
        wait_until(lambda: src.connects == 4 and stub.sockets)
        assert "SessionExpired: HTTP 401 on /api/devices" in caplog.text
        assert stub.logins == 5  # the expired session's, then one per socket
        waits = [r.getMessage() for r in caplog.records if "reconnecting in" in r.getMessage()]
        assert [w.rsplit("attempt ", 1)[1] for w in waits] == ["1)", "2)", "3)", "4)"]
    finally:
        b.stop()


def test_a_token_logs_in_for_a_session(stub, tmp_path):
    b = backend_following(stub, tmp_path, lambda v: None, user=None, password=None, token=TOKEN)
    try:
        wait_until(lambda: source_of(b).connects == 1)
    finally:
        b.stop()


def test_secrets_stay_out_of_the_log_and_readyz(tmp_path, caplog):
    """requests quotes the URL in its errors, and a token login puts the token in the query."""
    caplog.set_level(logging.INFO, logger="console.server.traccar")
    dead = StubTraccar()  # never started: its port refuses connections
    b = backend_following(dead, tmp_path, lambda v: None, user=None, password=None, token=TOKEN)
    try:
        src = source_of(b)
        wait_until(lambda: src.failures >= 2)
        shown = readyz_source(b)
        assert "ConnectionError" in shown["problem"] and "token=***" in shown["problem"]
    finally:
        b.stop()
    assert "token=***" in caplog.text and TOKEN not in caplog.text


def test_backoff_grows_to_its_cap_with_jitter():
    import random

    rng = random.Random(1)
    waits = [backoff_s(n, 1.0, 60.0, rng) for n in range(10)]
    for n, w in enumerate(waits):
        full = min(60.0, 2.0**n)
        assert full / 2 <= w <= full
    assert len({round(w, 6) for w in waits[6:]}) == 4  # capped, but not in step


def test_config_refuses_what_cannot_work():
    with pytest.raises(ValueError, match="user and password, or a token"):
        TraccarConfig("http://h:8082")
    with pytest.raises(ValueError, match="http"):
        TraccarConfig("ftp://h", token="t")


def test_a_socket_message_over_a_mebibyte_is_taken(stub, tmp_path):
    """Traccar's first message holds every device's latest position: a city's fleet makes it
    larger than websockets' default 1 MiB limit, which would close the socket each time."""
    seen: dict = {}

    def prepare(vehicles):
        seen["v"], sim = vehicles[0]
        stub.add_device(7, sim, "Sprinkler")

    b = backend_following(stub, tmp_path, prepare)
    try:
        src = source_of(b)
        wait_until(lambda: src.connects == 1 and stub.sockets)
        start = TEST_START - timedelta(hours=1)
        big = [stub.position(7, start + timedelta(seconds=i), knots=2) for i in range(3000)]
        msg = {"positions": big}
        assert len(json.dumps(msg)) > 1 << 20
        stub.push(msg)
        with b.ctx.db.read() as s:
            count = lambda: s.query(Fix).filter(Fix.vehicle_id == seen["v"]).count()  # noqa: E731
            wait_until(lambda: count() == 3000)
        assert src.connects == 1
    finally:
        b.stop()


def test_a_broken_terminal_does_not_bury_the_log(stub, tmp_path, caplog):
    """The first dropped position of a device and reason is logged, then every 100th."""
    caplog.set_level(logging.INFO, logger="console.server.traccar")

    def prepare(vehicles):
        stub.add_device(7, vehicles[0][1], "Sprinkler")

    b = backend_following(stub, tmp_path, prepare)
    try:
        src = source_of(b)
        wait_until(lambda: src.connects == 1)
        now = TEST_START
        bad = [stub.position(7, now - timedelta(seconds=i), knots=9999) for i in range(250)]
        for i in range(0, 250, 50):  # Traccar's messages: a position per device, or a few
            src.handle_positions(bad[i : i + 50])
        src.handle_positions(
            [stub.position(7, now + timedelta(seconds=i), knots=9999) for i in range(1, 151)]
        )
    finally:
        b.stop()
    lines = [r.getMessage() for r in caplog.records if "dropped: speed_kmh" in r.getMessage()]
    # 250 + the 100 of the big batch the backend names: the 1st, 100th, 200th and 300th.
    assert len(lines) == 4
    assert lines[0].endswith("[0, 250]") and lines[3].endswith("(300 so far)")
    # A batch of more bad positions than the backend gives reasons for: the rest counted too.
    assert "position of ? dropped: rejected (the backend names the first 100" in caplog.text
