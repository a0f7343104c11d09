"""What the v1 routers share: the context, who is calling, and the input rules they repeat."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from .. import auth
from ..context import Context
from ..db import AuthSession, as_utc
from ..errors import ApiError
from ..inputs import parse_instant

#: The roles that work in the command centre: they may acknowledge and resolve alerts.
CENTRE_ROLES = frozenset({"operator", "shift_lead", "dispatcher"})
#: Everyone who may read cases, the feed and KPIs (a telemetry gateway may not).
READ_ROLES = frozenset(
    {"supervisor", "operator", "shift_lead", "dispatcher", "department", "wall", "officer", "legal"}
)


async def get_ctx(request: Request) -> Context:
    """The backend's context, set on the app by ``create_app`` (async: no thread-pool hop)."""
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(get_ctx)]


def _token_key(authorization: str | None) -> str:
    bearer = authorization is not None and authorization.lower().startswith("bearer ")
    return auth.token_hash(authorization[7:].strip()) if authorization and bearer else ""


async def principal(
    ctx: Ctx, authorization: Annotated[str | None, Header()] = None
) -> auth.Principal:
    """The caller behind the bearer token, or 401, looked up in the database: a session ended
    anywhere (a logout, a user disabled or re-passworded by ``main.py users`` in another
    process) is refused at once. Only the change feed's polls trust the cache (``follower``)."""
    return await run_in_threadpool(_look_up, ctx, authorization, _token_key(authorization))


async def follower(
    ctx: Ctx, authorization: Annotated[str | None, Header()] = None
) -> auth.Principal:
    """The caller of a change-feed poll: a token checked in the last half minute is taken from
    ``ctx.tokens`` on the event loop (no thread-pool job, no database round trip: hundreds of
    followers poll). An ended session may follow the feed up to the cache's TTL (see
    ``console.server.tokens``), reading what it could read a moment before, nothing more."""
    hit = cached(ctx, authorization)
    if hit is not None:
        return hit
    return await run_in_threadpool(_look_up, ctx, authorization, _token_key(authorization))


def cached(ctx: Context, authorization: str | None) -> auth.Principal | None:
    """The caller behind a bearer token checked in the last half minute (``ctx.tokens``),
    or None: unknown, expired from the cache, or no bearer token at all."""
    key = _token_key(authorization)
    return ctx.tokens.get(key) if key else None


def _look_up(ctx: Context, authorization: str | None, key: str) -> auth.Principal:
    now = ctx.wall_now()
    with ctx.db.read() as s:
        p = auth.authenticate(s, authorization, now)
        sess = s.get(AuthSession, key)
        if sess is not None:
            ctx.tokens.put(key, p, as_utc(sess.expires_at), now)
    return p


Who = Annotated[auth.Principal, Depends(principal)]


async def reader(p: Who) -> auth.Principal:
    """A caller who may read (403 for the others)."""
    auth.require_roles(p, READ_ROLES, "reading")
    return p


async def feed_reader(p: Annotated[auth.Principal, Depends(follower)]) -> auth.Principal:
    """``reader`` for the change feed's polls (``follower``: the token cache)."""
    auth.require_roles(p, READ_ROLES, "reading")
    return p


Reader = Annotated[auth.Principal, Depends(reader)]
FeedReader = Annotated[auth.Principal, Depends(feed_reader)]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
#: The ``from``/``to`` query parameters of the ranged reads (parse them with ``parse_time``).
From = Annotated[str | None, Query(alias="from", max_length=40)]
To = Annotated[str | None, Query(max_length=40)]


def parse_time(v: str | None, name: str) -> datetime | None:
    """An ISO 8601 query parameter (naive means UTC; ``inputs.parse_instant`` bounds it); 400
    naming the parameter if malformed or out of range."""
    if v is None or v == "":
        return None
    try:
        return parse_instant(v, name)
    except ValueError as e:
        raise ApiError(400, str(e), {name: v[:100]}) from None
