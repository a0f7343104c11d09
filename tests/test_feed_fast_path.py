"""The change feed's short way (``routes.feed.FastPolls``): it takes only the polls the route
would accept with the same arguments, hands everything else to the route, and answers what
the route answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from console.server.auth import Principal, token_hash
from console.server.feed import Pacer
from console.server.routes import feed as feed_routes
from console.server.routes.feed import MAX_LIMIT, MAX_SINCE, MAX_WAIT, FastPolls, plain_query
from console.server.tokens import TokenCache

WALL = Principal("w", "wall", frozenset({"wall"}), None)
GATEWAY = Principal("g", "gateway", frozenset({"gateway"}), None)


def run_fast_polls(monkeypatch, query: bytes, token: str, method: str = "GET"):
    """One request through ``FastPolls`` over a stub app; (what ``poll`` was called with or
    None, whether the stub app below was called)."""
    tokens = TokenCache()
    now = datetime.now(UTC)
    tokens.put(token_hash("wall-token"), WALL, now + timedelta(hours=1), now)
    tokens.put(token_hash("gateway-token"), GATEWAY, now + timedelta(hours=1), now)
    polled: list[tuple] = []
    below: list[str] = []

    class Answer:
        async def __call__(self, scope, receive, send):
            pass

    async def fake_poll(ctx, receive, since, limit, wait, accept_encoding):
        polled.append((since, limit, wait, accept_encoding))
        return Answer()

    async def app(scope, receive, send):
        below.append(scope["path"])

    monkeypatch.setattr(feed_routes, "poll", fake_poll)
    ctx = SimpleNamespace(pacer=Pacer(), tokens=tokens)
    fast = FastPolls(app, ctx)  # type: ignore[arg-type]
    headers = [(b"accept-encoding", b"gzip, deflate")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "method": method,
        "path": "/api/v1/changes",
        "query_string": query,
        "headers": headers,
    }
    asyncio.run(fast(scope, None, None))
    return (polled[0] if polled else None), bool(below)


def test_a_plain_poll_with_a_cached_reader_token_takes_the_short_way(monkeypatch):
    polled, below = run_fast_polls(monkeypatch, b"since=42&wait=20&x=1", "wall-token")
    assert polled == (42, 1000, 20.0, "gzip, deflate") and not below
    polled, below = run_fast_polls(monkeypatch, b"", "wall-token")
    assert polled == (0, 1000, 0.0, "gzip, deflate") and not below


@pytest.mark.parametrize(
    ("query", "token", "method"),
    [
        (b"since=1", "unknown-token", "GET"),  # not in the cache: the route looks it up
        (b"since=1", "", "GET"),  # no token: the route answers 401
        (b"since=1", "gateway-token", "GET"),  # may not read: the route answers 403
        (b"since=1", "wall-token", "POST"),  # the route answers 405
        (b"since=-1", "wall-token", "GET"),
        (b"since=1e3", "wall-token", "GET"),
        (b"since=%31", "wall-token", "GET"),
        (b"since=1&since=2", "wall-token", "GET"),
        (b"since=", "wall-token", "GET"),
        (b"limit=0", "wall-token", "GET"),
        (b"limit=10001", "wall-token", "GET"),
        (b"wait=300.5", "wall-token", "GET"),
        (b"wait=nan", "wall-token", "GET"),
    ],
)
def test_everything_else_goes_to_the_route(monkeypatch, query, token, method):
    polled, below = run_fast_polls(monkeypatch, query, token, method)
    assert polled is None and below


#: The route's own parameter rules, as FastAPI validates a query string's value with them.
ROUTE_RULES = {
    b"since": TypeAdapter(Annotated[int, Field(ge=0, le=MAX_SINCE)]),
    b"limit": TypeAdapter(Annotated[int, Field(ge=1, le=MAX_LIMIT)]),
    b"wait": TypeAdapter(Annotated[float, Field(ge=0, le=MAX_WAIT)]),
}
DEFAULTS = {b"since": 0, b"limit": 1000, b"wait": 0.0}


@given(
    st.sampled_from(list(ROUTE_RULES)),
    st.text(alphabet="0123456789.-+e %_xn", max_size=22),
)
def test_the_short_way_reads_a_parameter_as_the_route_does(name, value):
    raw = value.encode()
    args = plain_query(name + b"=" + raw)
    if args is None:
        return  # the route judges it
    got = dict(zip(DEFAULTS, args, strict=True))
    try:
        want = ROUTE_RULES[name].validate_python(raw.decode())
    except ValidationError:
        pytest.fail(f"{name!r}={value!r}: the short way took what the route refuses")
    assert got == {**DEFAULTS, name: want}


def test_the_short_way_answers_what_the_route_answers(backend, login):
    wall = login("demo-wall")
    login("demo-supervisor").report()
    wall.get("/api/v1/changes")  # through the route: the token is cached from now on
    short = wall.get("/api/v1/changes", params={"since": 0, "limit": 50})
    # The same poll, its digits percent-escaped: the short way leaves it to the route.
    routed = wall.get("/api/v1/changes?since=%30&limit=%35%30")
    assert short.status_code == routed.status_code == 200
    assert short.json() == routed.json() and short.json()["changes"]
    for h in (
        "content-type",
        "content-encoding",
        "vary",
        "cache-control",
        "x-content-type-options",
        "x-frame-options",
    ):
        assert short.headers.get(h) == routed.headers.get(h), h
    assert short.headers["content-encoding"] == "gzip" and short.headers["x-request-id"]
