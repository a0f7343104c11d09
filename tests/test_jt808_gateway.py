"""The JT/T 808 gateway over real TCP against the real backend (``serve --jt808``): terminals
register, authenticate and report, and their fixes reach the change feed the console follows;
unknown or unauthenticated terminals are refused with the standard's results; garbage,
slow drips, a connection flood and fuzzed streams do not block other terminals."""

from __future__ import annotations

import random
import socket
import threading
import time
from datetime import datetime

import pytest
from conftest import TEST_START, Api, fleet_of, fresh_db_url, start_backend, wait_until
from sqlalchemy import select

import main
from console.domain.field_units import FIELD_UNIT_TYPES
from console.jt808 import messages as m
from console.jt808.frame import MAX_BODY, Frame, FrameError, Header, encode_frame, encode_packets
from console.jt808.stream import FrameSplitter
from console.server.db import Database, Fix, Vehicle
from console.server.jt808_gateway import Jt808Gateway
from console.sim.jt808_terminals import TerminalFleet, run_terminals


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    b = start_backend(fresh_db_url("sqlite", tmp_path_factory.mktemp("db")), jt808_port=0)
    yield b
    b.stop()


@pytest.fixture
def gateway(backend) -> Jt808Gateway:
    gw: Jt808Gateway = backend.app.state.jt808
    idle, cap = gw.idle_s, gw.max_connections
    yield gw
    gw.idle_s, gw.max_connections = idle, cap


@pytest.fixture(scope="module")
def fleet(backend):

    wall = Api(backend.url, "demo-wall")
    return wall, fleet_of(wall.get("/api/v1/reference").json())


class Raw:
    """A terminal as bare socket calls and the codec: nothing of the simulator's client."""

    def __init__(self, port: int, phone: str = "14400000001", v2019: bool = False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.phone = phone.rjust(20 if v2019 else 12, "0")
        self.version = 1 if v2019 else None
        self.splitter = FrameSplitter()
        self.serial = 0
        self.got: list[Frame] = []

    def send(self, msg_id: int, body: bytes = b"") -> int:
        self.serial += 1
        self.sock.sendall(encode_frame(Header(msg_id, self.phone, self.serial, self.version), body))
        return self.serial

    def answer(self, serial: int, msg_id: int) -> Frame:
        """The frame answering message ``msg_id`` sent as ``serial`` (a 0x8100 for a 0x0100;
        else a 0x8001, whose body names the serial and the message id)."""
        while True:
            for f in self.got:
                answered = (
                    m.REGISTER
                    if f.header.msg_id == m.REGISTER_ANSWER
                    else int.from_bytes(f.body[2:4], "big")
                )
                if int.from_bytes(f.body[:2], "big") == serial and answered == msg_id:
                    self.got.remove(f)
                    return f
            data = self.sock.recv(4096)
            assert data, "the gateway closed the connection"
            for item in self.splitter.feed(data):
                assert not isinstance(item, FrameError), item
                self.got.append(item)

    def ask(self, msg_id: int, body: bytes = b"") -> Frame:
        return self.answer(self.send(msg_id, body), msg_id)

    def result(self, msg_id: int, body: bytes = b"") -> int:
        f = self.ask(msg_id, body)
        assert f.header.msg_id == m.PLATFORM_ANSWER and f.header.phone == self.phone
        answer = m.GeneralAnswer.decode(f.body)
        assert answer.msg_id == msg_id
        return answer.result

    def login(self) -> None:
        reg = m.RegisterAnswer.decode(self.ask(m.REGISTER, m.Register().encode(self.v2019)).body)
        assert reg.result == m.REGISTERED and reg.auth_code
        assert self.result(m.AUTH, m.Auth(reg.auth_code).encode(self.v2019)) == m.OK

    @property
    def v2019(self) -> bool:
        return self.version is not None

    def closed_by_peer(self, within: float = 10.0) -> bool:
        """Whether the gateway closes the socket within ``within`` s (reads until EOF)."""
        self.sock.settimeout(within)
        try:
            while self.sock.recv(4096):
                pass
            return True
        except (TimeoutError, ConnectionResetError):
            return False

    def close(self) -> None:
        self.sock.close()


def now(wall) -> int:
    """The backend's district clock, to the second (what a terminal's BCD time carries)."""
    return int(datetime.fromisoformat(wall.get("/api/v1/clock").json()["server_time"]).timestamp())


def fixes_since(wall, since: int, vehicle_id: str) -> list[dict]:
    """The fixes of ``vehicle_id`` in the feed after ``since``, one dict per fix."""
    changes = wall.get("/api/v1/changes", params={"since": since}).json()["changes"]
    out = []
    for ch in changes:
        if ch["kind"] == "fixes":
            for i, vid in enumerate(ch["vehicle_id"]):
                if vid == vehicle_id:
                    keys = ("t", "lon", "lat", "speed_kmh", "heading", "flags")
                    out.append({k: ch[k][i] for k in keys})
    return out


@pytest.mark.parametrize("v2019", [False, True], ids=["2013", "2019"])
def test_a_terminal_registers_authenticates_and_its_fixes_reach_the_feed(gateway, fleet, v2019):
    wall, vehicles = fleet
    v = vehicles[3 if v2019 else 2]
    since = wall.get("/api/v1/snapshot").json()["seq"]
    t = Raw(gateway.port, v["terminal_id"], v2019)  # the header's phone has leading zeros
    t.login()
    lon, lat, t0 = v["route"]["lon"][0], v["route"]["lat"][0], now(wall) - 30
    report = m.Location(
        lat=round(lat, 6), lon=round(lon, 6), t=t0, speed_kmh=36.5, heading=123,
        extras={m.ITEM_WORK: b"\x01", 0x01: b"\x00\x00\x00\x64"},
    )  # fmt: skip
    assert t.result(m.LOCATION, report.encode()) == m.OK
    blind = [
        m.Location(lat=round(lat + k * 1e-4, 6), lon=round(lon, 6), t=t0 + k, speed_kmh=12.0)
        for k in (1, 2)
    ]
    assert t.result(m.BATCH, m.Batch(m.BATCH_BLIND, blind).encode()) == m.OK
    assert t.result(m.HEARTBEAT) == m.OK
    got = wait_until(lambda: (f := fixes_since(wall, since, v["id"])) and len(f) == 3 and f)
    assert got[0] == {
        "t": t0,
        "lon": round(lon, 6),
        "lat": round(lat, 6),
        "speed_kmh": 36.5,
        "heading": 123.0,
        "flags": 1,  # the work item: brushes on
    }
    assert [(f["t"], f["lat"], f["speed_kmh"], f["flags"]) for f in got[1:]] == [
        (t0 + k, round(lat + k * 1e-4, 6), 12.0, 0) for k in (1, 2)
    ]
    assert t.result(m.LOGOUT) == m.OK
    assert t.closed_by_peer()


def test_an_unknown_terminal_gets_no_such_terminal_and_may_not_report(gateway, fleet):
    wall, vehicles = fleet
    stranger = Raw(gateway.port, "13900000000")
    reg = m.RegisterAnswer.decode(stranger.ask(m.REGISTER, m.Register().encode(False)).body)
    assert (reg.result, reg.auth_code) == (m.NO_TERMINAL, "")
    assert stranger.result(m.AUTH, m.Auth("guess").encode(False)) == m.FAIL

    # A known terminal that has not authenticated (or with a wrong code) reports nothing.
    v = vehicles[4]
    since = wall.get("/api/v1/snapshot").json()["seq"]
    t = Raw(gateway.port, v["terminal_id"], v2019=True)
    loc = m.Location(lat=v["route"]["lat"][0], lon=v["route"]["lon"][0], t=now(wall) - 5)
    assert t.result(m.LOCATION, loc.encode()) == m.FAIL
    assert t.result(m.AUTH, m.Auth("0123456789abcdef").encode(True)) == m.FAIL
    assert t.result(m.LOCATION, loc.encode()) == m.FAIL
    assert t.result(m.HEARTBEAT) == m.FAIL
    t.login()
    # Authenticated as one terminal, a message naming another is refused too.
    other = Raw.__new__(Raw)
    other.__dict__.update(t.__dict__, phone=vehicles[5]["terminal_id"].rjust(20, "0"))
    assert other.result(m.LOCATION, loc.encode()) == m.FAIL
    assert t.result(m.LOCATION, loc.encode()) == m.OK
    got = wait_until(lambda: fixes_since(wall, since, v["id"]))
    assert [f["t"] for f in got] == [loc.t]
    assert fixes_since(wall, since, vehicles[5]["id"]) == []


def test_a_bad_body_is_answered_and_the_connection_goes_on(gateway, fleet):
    _, vehicles = fleet
    t = Raw(gateway.port, vehicles[6]["terminal_id"])
    t.login()
    assert t.result(m.LOCATION, b"\x00" * 10) == m.BAD_MESSAGE  # 28 bytes at least
    assert t.result(m.BATCH, b"\x00\x05\x00\x00\x01") == m.BAD_MESSAGE  # says 5, holds none
    assert t.result(0x0900) == m.UNSUPPORTED  # 数据上行透传: not served
    assert t.result(m.HEARTBEAT) == m.OK


def test_garbage_slow_drips_and_a_flood_do_not_block_a_terminal(gateway, fleet):
    _, vehicles = fleet
    gateway.idle_s = 1.0
    drip = Raw(gateway.port)
    frame = encode_frame(Header(m.HEARTBEAT, "014400000001", 1))
    drip.sock.sendall(frame[:3])  # and never the rest
    garbage = Raw(gateway.port)
    stop = threading.Event()

    def spew() -> None:
        rng = random.Random(808)
        while not stop.is_set():
            try:
                garbage.sock.sendall(bytes(rng.getrandbits(8) for _ in range(4096)))
            except OSError:
                return

    threading.Thread(target=spew, daemon=True).start()
    try:
        t = Raw(gateway.port, vehicles[7]["terminal_id"])
        t.login()
        for _ in range(5):
            assert t.result(m.HEARTBEAT) == m.OK
            time.sleep(0.3)  # past the idle timeout in all: a whole frame keeps it open
        assert t.result(m.HEARTBEAT) == m.OK
        assert drip.closed_by_peer(), "a slow drip is closed after the idle timeout"
    finally:
        stop.set()
    assert gateway.drops.dropped > 0  # the garbage was seen, logged and dropped

    gateway.idle_s = 60.0
    assert t.result(m.HEARTBEAT) == m.OK  # (re-armed at 60 s)
    gateway.max_connections = len(gateway.connections) + 1
    extra = [Raw(gateway.port) for _ in range(3)]
    assert sum(x.closed_by_peer(within=3.0) for x in extra) >= 2, "over the cap: closed"
    assert t.result(m.HEARTBEAT) == m.OK  # and the open ones go on


@pytest.mark.parametrize("seed", range(4))
def test_a_fuzzed_stream_leaves_the_gateway_serving(gateway, fleet, seed):
    _, vehicles = fleet
    rng = random.Random(seed)
    good = Raw(gateway.port, vehicles[8]["terminal_id"], v2019=bool(seed % 2))
    good.login()
    fuzz = Raw(gateway.port, vehicles[9]["terminal_id"])
    valid = encode_frame(Header(m.LOCATION, fuzz.phone, 1), b"\x00" * 28)
    for _ in range(50):
        kind = rng.randrange(4)
        if kind == 0:  # random bytes
            chunk = rng.randbytes(rng.randrange(1, 3000))
        elif kind == 1:  # a truncated frame
            chunk = valid[: rng.randrange(1, len(valid))]
        elif kind == 2:  # a bad checksum
            chunk = valid[:-2] + bytes((valid[-2] ^ 0x55,)) + b"\x7e"
        else:  # a huge length in the header, and a body far over the cap
            chunk = b"\x7e\x02\x00\xff\xff" + rng.randbytes(5000)
        try:
            fuzz.sock.sendall(chunk)
        except OSError:
            break  # closed by the gateway: a clean end is allowed
    assert good.result(m.HEARTBEAT) == m.OK
    assert good.result(m.LOCATION, b"\x00") == m.BAD_MESSAGE
    # The fuzzed connection is either still served after a flag, or was closed cleanly.
    try:
        fuzz.sock.sendall(b"\x7e" * 2)
        assert fuzz.result(m.HEARTBEAT) == m.FAIL  # never authenticated
    except (OSError, AssertionError):
        assert fuzz.closed_by_peer(within=1.0)


def test_the_terminal_simulator_drives_the_gateway_in_both_header_versions(gateway, fleet):

    wall, vehicles = fleet
    since = wall.get("/api/v1/snapshot").json()["seq"]
    ids = [v["id"] for v in vehicles[10:16]]
    sims = TerminalFleet(
        wall.base, "127.0.0.1", gateway.port, len(ids), vehicle_ids=ids, interval_s=0.5
    )
    sims.blind_chance = 0.3  # blind spots within seconds, so 0x0704 re-sends happen
    stats = run_terminals(sims, seconds=6.0)
    assert stats["authenticated"] == len(ids) and stats["register result 0"] == len(ids)
    assert stats["blind batches"] > 0 and stats["fixes acknowledged"] > len(ids)
    assert not {k for k in stats if "refused" in k or "unanswered" in k or "failed" in k}
    seen = {vid for vid in ids if fixes_since(wall, since, vid)}
    assert seen == set(ids)  # 2013 and 2019 terminals alike (alternating)


def test_the_demo_runs_a_share_of_its_fleet_through_the_gateway(tmp_path):
    """``serve --demo --simulate --jt808-share 0.25``: a quarter of the vehicles (spread over
    the id order) report as JT/T 808 terminals, the rest as the simulator's HTTP posts, and
    every vehicle reports. A terminal's fix carries whole seconds (the BCD time); the HTTP
    simulator's carry the clock's fraction, which tells the two apart in the database."""
    db = tmp_path / "demo.db"
    argv = ["serve", "--demo", "--simulate", "--db", f"sqlite:///{db}", "--port", "0"]
    argv += ["--speed", "60", "--hours", "0.05", "--start", TEST_START.isoformat()]
    assert main.main([*argv, "--jt808-share", "0.25"]) == 0
    with Database(f"sqlite:///{db}").read() as s:
        # The sanitation fleet: people and river patrols are no JT/T 808 terminals.
        fleet = select(Vehicle.id).where(Vehicle.vtype.not_in(FIELD_UNIT_TYPES))
        ids = list(s.scalars(fleet.order_by(Vehicle.id)))
        times: dict[str, list[float]] = {}
        for vid, t in s.execute(select(Fix.vehicle_id, Fix.t).where(Fix.vehicle_id.in_(ids))):
            times.setdefault(vid, []).append(t)
    assert set(times) == set(ids)  # every vehicle reported, one way or the other
    over_jt808 = {v for v, ts in times.items() if all(t == int(t) for t in ts)}
    assert over_jt808 == set(ids[3::4]) and len(over_jt808) == len(ids) // 4


def test_a_terminal_that_does_not_wait_for_answers_loses_nothing(gateway, fleet):
    """300 reports sent back to back without reading an answer: the gateway holds back
    reading past ``MAX_IN_FLIGHT`` (TCP flow control) and answers every one once stored."""
    wall, vehicles = fleet
    v = vehicles[16]
    since = wall.get("/api/v1/snapshot").json()["seq"]
    t = Raw(gateway.port, v["terminal_id"])
    t.login()
    t0 = now(wall) - 200
    lon, lat = round(v["route"]["lon"][0], 6), round(v["route"]["lat"][0], 6)
    serials = [
        t.send(m.LOCATION, m.Location(lat=lat, lon=lon, t=t0 + k, speed_kmh=5.0).encode())
        for k in range(300)
    ]
    results = [m.GeneralAnswer.decode(t.answer(s, m.LOCATION).body).result for s in serials]
    assert results == [m.OK] * 300
    got = wait_until(lambda: (f := fixes_since(wall, since, v["id"])) and len(f) == 300 and f)
    assert sorted(f["t"] for f in got) == [t0 + k for k in range(300)]


def test_sim_jt808_on_the_command_line(gateway, backend):
    gw = f"127.0.0.1:{gateway.port}"
    argv = ["sim", "jt808", "--backend", backend.url, "--gateway", gw]
    assert main.main([*argv, "--terminals", "2", "--interval", "1", "--seconds", "2"]) == 0
    assert main.main(["sim", "jt808", "--backend", backend.url, "--gateway", "nowhere"]) == 2
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    nobody = ["--gateway", f"127.0.0.1:{port}", "--terminals", "2", "--seconds", "1"]
    assert main.main(["sim", "jt808", "--backend", backend.url, *nobody]) == 2


def test_a_batch_too_long_for_one_frame_arrives_in_packets_and_is_stored_whole(gateway, fleet):
    wall, vehicles = fleet
    v = vehicles[17]
    since = wall.get("/api/v1/snapshot").json()["seq"]
    t = Raw(gateway.port, v["terminal_id"], v2019=True)
    t.login()
    t0 = now(wall) - 100
    lon, lat = round(v["route"]["lon"][0], 6), round(v["route"]["lat"][0], 6)
    items = [m.Location(lat=lat, lon=lon, t=t0 + k, speed_kmh=4.0) for k in range(60)]
    body = m.Batch(m.BATCH_BLIND, items).encode()
    assert len(body) > MAX_BODY
    frames = encode_packets(Header(m.BATCH, t.phone, t.serial + 1, t.version), body)
    t.sock.sendall(b"".join(frames))
    serials = range(t.serial + 1, t.serial + 1 + len(frames))
    t.serial += len(frames)
    results = [m.GeneralAnswer.decode(t.answer(s, m.BATCH).body).result for s in serials]
    assert results == [m.OK] * len(frames)  # each packet taken; the last once all are stored
    got = wait_until(lambda: (f := fixes_since(wall, since, v["id"])) and len(f) == 60 and f)
    assert sorted(f["t"] for f in got) == [t0 + k for k in range(60)]


def test_serve_refuses_a_jt808_port_it_cannot_listen_on(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--jt808", str(port)]
        assert main.main(argv) == 2
    assert f"main.py serve: --jt808 {port}: cannot listen on it" in capsys.readouterr().err
    assert main.main(["serve", "--jt808", "70000"]) == 2
