"""The backend under hostile load, the parts a test can pin down without timing: the feed's
fan-out (one read for many followers), the long-poll cap (503 + Retry-After, honoured by the
console), followers that leave, the token cache's revocation and slow sockets
(``serve --workers 2`` is test_serve_workers.py's). How fast it all stays is
``main.py bench hostile``'s."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests
from conftest import Api, start_backend, wait_until

from console.server import run
from console.server.db import User
from console.store.shiftlog import ShiftLog
from console.sync.client import ApiError, RestClient
from console.sync.live import LiveSource


def head(api: Api) -> int:
    return api.get("/api/v1/snapshot").json()["seq"]


def park(api: Api, since: int, out: list, wait: float = 20.0) -> threading.Thread:
    """A follower's long poll in a thread; its answer (status, JSON) lands in ``out``."""

    def go() -> None:
        r = api.get("/api/v1/changes", params={"since": since, "wait": wait}, timeout=wait + 10)
        out.append((r.status_code, r.json() if r.content else None))

    th = threading.Thread(target=go, daemon=True)
    th.start()
    return th


def test_one_read_serves_every_parked_follower(backend, login):
    wall, sup = login("demo-wall"), login("demo-supervisor")
    since = head(wall)
    notifier, pages = backend.ctx.notifier, backend.ctx.pages
    before = notifier.waiting
    followers = [Api(backend.url, "demo-wall") for _ in range(3)]
    out: list = []
    threads = [park(followers[i % 3], since, out) for i in range(24)]
    wait_until(lambda: notifier.waiting >= before + 24)
    reads = pages.reads
    c = sup.report()
    for th in threads:
        th.join(20)
    assert len(out) == 24 and all(status == 200 for status, _ in out)
    assert all(any(ch.get("case", {}).get("id") == c["id"] for ch in b["changes"]) for _, b in out)
    # 24 followers woken by one commit: a few reads at most (a ticker commit may land between),
    # never one each.
    assert pages.reads - reads <= 4, pages.reads - reads


def test_big_pages_go_gzipped_and_decode_to_the_same_changes(login):
    wall = login("demo-wall")
    login("demo-supervisor").report()
    r = wall.get("/api/v1/changes", params={"since": 0, "limit": 50})
    assert r.status_code == 200 and r.headers.get("content-encoding") == "gzip"
    plain = wall.get(
        "/api/v1/changes", params={"since": 0, "limit": 50}, headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    assert r.json()["changes"] == plain.json()["changes"] and r.json()["changes"]


def test_long_polls_beyond_the_cap_get_503_with_retry_after(backend, login):
    wall, sup = login("demo-wall"), login("demo-supervisor")
    settings, notifier = backend.ctx.settings, backend.ctx.notifier
    cap = settings.max_long_polls
    settings.max_long_polls = notifier.waiting + 1
    try:
        since = head(wall)
        out: list = []
        th = park(Api(backend.url, "demo-wall"), since, out)
        wait_until(lambda: notifier.waiting >= settings.max_long_polls)
        refused = wall.get("/api/v1/changes", params={"since": since, "wait": 5})
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "unavailable"
        assert 1 <= int(refused.headers["Retry-After"]) <= 3
        # Not a long poll (no wait): answered as ever.
        assert wall.get("/api/v1/changes", params={"since": since}).status_code == 200
        c = sup.report()
        th.join(20)
        assert out and out[0][0] == 200
        assert any(ch.get("case", {}).get("id") == c["id"] for ch in out[0][1]["changes"])
    finally:
        settings.max_long_polls = cap


def test_the_console_waits_the_retry_after_it_is_told(tmp_path):
    """A 503 with Retry-After: the live source waits that long (not its short backoff) and
    resumes from the same seq, so nothing is lost or doubled."""
    snapshot = {"feed_id": "f", "seq": 0, "cases": [], "vehicles": [], "alerts": []}
    change = {
        "seq": 1,
        "ts": "2026-11-23T01:00:00+00:00",
        "kind": "vehicle",
        "vehicle": {"id": "v1"},
    }

    class BusyFeed:
        username = "x"

        def __init__(self):
            self.polls: list[tuple[float, int]] = []

        def get(self, path, **kw):
            if path == "/api/v1/reference":
                return {}
            if path == "/api/v1/snapshot":
                return snapshot
            self.polls.append((time.monotonic(), kw["params"]["since"]))
            if len(self.polls) == 1:
                raise ApiError(503, {"error": {"code": "unavailable"}}, retry_after=0.6)
            if len(self.polls) == 2:
                return {"feed_id": "f", "changes": [change], "last_seq": 1, "reset": False}
            time.sleep(0.05)
            return {"feed_id": "f", "changes": [], "last_seq": 1, "reset": False}

    feed = BusyFeed()
    log = ShiftLog(tmp_path / "s.db")
    live = LiveSource(feed, log, wait_s=0.1, backoff_max_s=0.05)  # type: ignore[arg-type]
    live.start()
    try:
        wait_until(lambda: live.health.last_seq >= 1)
    finally:
        live.stop()
        live.join(5)
        log.close()
    (t_refused, since_refused), (t_next, since_next) = feed.polls[0], feed.polls[1]
    assert t_next - t_refused >= 0.6  # the backoff alone would have retried within 0.075 s
    assert since_refused == since_next == 0
    assert ShiftLog(tmp_path / "s.db").seqs() == [1]


def test_the_rest_client_reads_retry_after(backend, login):
    settings = backend.ctx.settings
    cap = settings.max_long_polls
    settings.max_long_polls = 0
    try:
        client = RestClient(backend.url, "demo-wall", "demo")
        since = client.get("/api/v1/snapshot")["seq"]
        with pytest.raises(ApiError) as e:
            client.get("/api/v1/changes", params={"since": since, "wait": 5})
        assert e.value.status == 503 and e.value.retry_after in (1.0, 2.0, 3.0)
    finally:
        settings.max_long_polls = cap


def test_a_long_poll_whose_client_left_stops_waiting(backend, login):
    wall = login("demo-wall")
    since = head(wall)
    notifier = backend.ctx.notifier
    before = notifier.waiting
    s = socket.create_connection(("127.0.0.1", backend.port))
    token = wall.http.headers["Authorization"]
    s.sendall(
        f"GET /api/v1/changes?since={since}&wait=30 HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {token}\r\n\r\n".encode()
    )
    wait_until(lambda: notifier.waiting == before + 1)
    s.close()
    wait_until(lambda: notifier.waiting == before, timeout=5)  # not after the 30 s


def test_tokens_are_forgotten_on_logout_and_when_revoked(backend):
    dept = Api(backend.url, "demo-dept")
    assert dept.get("/api/v1/changes").status_code == 200  # the token is now cached
    with backend.ctx.db.write() as s:
        s.get(User, "demo-dept").active = False
    try:
        # Within the cache's 30 s the token still follows the feed (that is what revoke_user
        # is for), but nothing else: every other request looks the session up.
        assert dept.get("/api/v1/changes").status_code == 200
        assert dept.get("/api/v1/snapshot").status_code == 401
        backend.ctx.tokens.revoke_user("demo-dept")
        assert dept.get("/api/v1/changes").status_code == 401
    finally:
        with backend.ctx.db.write() as s:
            s.get(User, "demo-dept").active = True

    wall = Api(backend.url, "demo-wall")
    assert wall.get("/api/v1/changes").status_code == 200
    assert wall.http.delete(backend.url + "/api/v1/session", timeout=10).status_code == 200
    assert wall.get("/api/v1/changes").status_code == 401


#: Both parsers the backend can run on: httptools when installed (the default), h11 otherwise.
PARSERS = [
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(run.HttpToolsProtocol is None, reason="httptools not installed"),
    ),
    "h11",
]


@pytest.fixture(scope="module", params=PARSERS)
def guarded(request, tmp_path_factory):
    """A backend on each HTTP parser, for the connection deadlines (SQLite: they are the
    protocol's, not the database's)."""
    b = start_backend(f"sqlite:///{tmp_path_factory.mktemp('db') / 'b.db'}", http=request.param)
    assert b.server.config.http_protocol_class is run.http_protocol(request.param)
    yield b
    b.stop()


def test_slow_sockets_are_closed_and_healthz_still_answers(guarded, monkeypatch):
    monkeypatch.setattr(run, "HEADER_TIMEOUT_S", 1.0)
    slow = []
    try:
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", guarded.port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        assert requests.get(guarded.url + "/healthz", timeout=2).json() == {"status": "ok"}
        # A slow but complete head inside the deadline is answered.
        ok = socket.create_connection(("127.0.0.1", guarded.port))
        ok.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)
        ok.sendall(b"Connection: close\r\n\r\n")
        ok.settimeout(5)
        assert ok.recv(100).startswith(b"HTTP/1.1 200")
        ok.close()
        t0 = time.monotonic()
        for s in slow:
            s.settimeout(5)
            assert s.recv(100) == b""  # closed by the server, without an answer
        assert time.monotonic() - t0 < 5
    finally:
        for s in slow:
            s.close()


def test_a_stalled_body_is_closed_and_a_slow_answer_is_not(guarded, monkeypatch):
    # The head's deadline far off: the body's must be the one that closes.
    monkeypatch.setattr(run, "HEADER_TIMEOUT_S", 30.0)
    monkeypatch.setattr(run, "BODY_TIMEOUT_S", 1.0)
    stalled = socket.create_connection(("127.0.0.1", guarded.port))
    stalled.sendall(
        b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"username": '
    )
    # A long poll the app holds past the body's deadline, its body sent apart from its head
    # (so that deadline is armed): the client is waiting for the server, not the other way.
    wall = Api(guarded.url, "demo-wall")
    since = head(wall)
    poll = socket.create_connection(("127.0.0.1", guarded.port))
    poll.sendall(
        f"GET /api/v1/changes?since={since}&wait=2.5 HTTP/1.1\r\nHost: x\r\nContent-Length: 1"
        f"\r\nAuthorization: {wall.http.headers['Authorization']}\r\n\r\n".encode()
    )
    t0 = time.monotonic()
    time.sleep(0.2)
    poll.sendall(b"x")
    poll.settimeout(10)
    assert poll.recv(100).startswith(b"HTTP/1.1 200") and time.monotonic() - t0 >= 2
    poll.close()
    stalled.settimeout(5)
    assert stalled.recv(100) == b""  # closed without an answer
    stalled.close()


def test_a_head_over_16_kb_is_refused(guarded):
    s = socket.create_connection(("127.0.0.1", guarded.port))
    s.settimeout(5)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        for _ in range(run.MAX_HEAD_BYTES // 1024 + 8):
            s.sendall(b"a" * 1024)
        s.sendall(b"\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused while still sending
    try:
        answer = s.recv(100)
    except ConnectionResetError:
        answer = b""
    finally:
        s.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer  # never a 200
    assert requests.get(guarded.url + "/healthz", timeout=5).status_code == 200


def test_a_request_the_parser_refuses_is_answered_in_the_error_shape(guarded):
    """A head neither parser can read gets 400 in the API's shape, not uvicorn's plain text
    (the fuzz test's clients could not read that)."""
    for raw in (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad\x01Name: 1\r\n\r\n",
    ):
        s = socket.create_connection(("127.0.0.1", guarded.port))
        s.settimeout(5)
        try:
            s.sendall(raw)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        finally:
            s.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), answer[:200]
        assert b"content-type: application/json" in head.lower()
        assert b"x-content-type-options: nosniff" in head.lower()
        error = json.loads(body)["error"]
        assert error["code"] == "bad_request" and error["message"]


def test_the_c_parser_is_used_when_installed_else_h11(monkeypatch, caplog):
    with caplog.at_level("INFO", logger="console.server.run"):
        chosen = run.uvicorn_options()["http"]
    if run.HttpToolsProtocol is not None:
        assert chosen is run.GuardedHttpTools and "httptools" in caplog.text
    monkeypatch.setattr(run, "HttpToolsProtocol", None)
    caplog.clear()
    with caplog.at_level("INFO", logger="console.server.run"):
        assert run.uvicorn_options()["http"] is run.GuardedH11
    assert "HTTP parser: h11" in caplog.text
    with pytest.raises(RuntimeError, match="httptools is not installed"):
        run.uvicorn_options("httptools")


def test_answered_long_polls_and_probes_leave_no_access_line(backend):
    import logging

    from console.server.middleware import QuietPolls

    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, QuietPolls) for f in access.filters)

    def written(path: str, status: int) -> bool:
        args = ("127.0.0.1:5", "GET", path, "1.1", status)
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", args, None)
        return all(f.filter(record) for f in access.filters)

    assert not written("/api/v1/changes?since=3&wait=20", 200)
    assert not written("/healthz", 200) and not written("/readyz", 200)
    assert written("/api/v1/changes?since=3&wait=20", 503)  # refused: an operator wants to see
    assert written("/readyz", 503) and written("/api/v1/changes", 401)
    assert written("/api/v1/cases", 200) and written("/api/v1/changes/x", 200)


def test_readyz_says_so_when_the_store_takes_no_writes(backend, monkeypatch):
    import contextlib as cl

    import sqlalchemy.exc

    @cl.contextmanager
    def full_disk():
        raise sqlalchemy.exc.OperationalError("UPDATE meta", {}, Exception("disk is full"))
        yield  # pragma: no cover - a generator, as Database.write is

    monkeypatch.delattr(backend.app.state, "ready_probe", raising=False)
    monkeypatch.setattr(backend.ctx.db, "write", full_disk)
    r = requests.get(backend.url + "/readyz", timeout=10)
    assert r.status_code == 503 and "does not take writes" in r.json()["error"]["message"]
    assert requests.get(backend.url + "/healthz", timeout=5).status_code == 200  # alive still
    monkeypatch.undo()
    del backend.app.state.ready_probe  # the verdict is shared 3 s; start afresh
    assert requests.get(backend.url + "/readyz", timeout=10).status_code == 200


def test_start_up_fits_the_long_polls_to_the_file_descriptors(monkeypatch, caplog):
    from console.server.context import Settings

    monkeypatch.setattr(run, "LIMITS", run.Limits())
    monkeypatch.setattr(run.resource, "getrlimit", lambda _which: (1024, 1024))
    settings = Settings(db_url="sqlite://")
    with caplog.at_level("WARNING", logger="console.server.run"):
        limits = run.fd_headroom(settings)
    # One descriptor per connection, the reserve kept back for the database and the logs.
    assert limits.max_connections == 1024 - run.FD_RESERVE
    assert settings.max_long_polls == limits.max_connections - 16 < 2000
    assert "each follower needs one descriptor" in caplog.text
