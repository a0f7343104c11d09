"""How a console follows the backend: bootstrap (``/reference``, ``/snapshot``), then the
change feed's long poll (``/changes``), served by ``console.server.feed``.

The long poll is async and sleeps on the notifier, so hundreds of followers cost no threads
and no database polling; their pages come from ``feed.PageCache`` (one read and one encoding
per position, shared). Beyond ``Settings.max_long_polls`` sleepers a poll gets 503 with
``Retry-After``; a poll whose client has gone stops waiting and reads nothing more.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import reference, snapshot
from ..context import Context
from ..errors import error_response
from .deps import READ_ROLES, Ctx, FeedReader, Reader, Who, cached

router = APIRouter(prefix="/api/v1", tags=["feed"])


@router.get("/reference")
def get_reference(p: Who, ctx: Ctx, if_none_match: Annotated[str | None, Header()] = None):
    # Any signed-in caller may read it (no reader role needed); 304 when the ETag matches.
    body, etag = reference.build(ctx)
    if if_none_match and if_none_match.strip('"') == etag:
        return Response(status_code=304, headers={"ETag": f'"{etag}"'})
    return Response(body, media_type="application/json", headers={"ETag": f'"{etag}"'})


@router.get("/snapshot")
def get_snapshot(p: Reader, ctx: Ctx, accept_encoding: Annotated[str, Header()] = ""):
    # The live picture (the cases console.domain.retention keeps, fleet, open alerts) and the feed
    # position ``seq`` to follow ``/changes`` from; streamed, gzip'd here when asked (its
    # Content-Encoding tells the gzip middleware to leave it): console.server.snapshot.
    if "gzip" in accept_encoding:
        return StreamingResponse(
            snapshot.shared_gzipped(ctx),
            media_type="application/json",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return StreamingResponse(
        snapshot.body(ctx), media_type="application/json", headers={"Vary": "Accept-Encoding"}
    )


@router.get("/changes")
async def changes(
    request: Request,
    p: FeedReader,
    ctx: Ctx,
    since: Annotated[int, Query(ge=0, le=MAX_SINCE)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1000,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT)] = 0.0,
    accept_encoding: Annotated[str, Header()] = "",
):
    return await poll(ctx, request.receive, since, limit, wait, accept_encoding)


async def poll(
    ctx: Context, receive: Receive, since: int, limit: int, wait: float, accept_encoding: str
) -> Response:
    """One long poll of an authorized follower: the page after ``since``, at once if there is
    one, else when the next commit is published or ``wait`` runs out."""
    limit = min(limit, ctx.settings.max_changes_per_poll)
    wait = min(wait, ctx.settings.max_wait_s)
    notifier = ctx.notifier
    # Where the last fan-out left off: go straight to sleep until the next one (newer commits
    # wait for it; the read after the wake-up is the one every parked follower shares).
    page = None if since == notifier.published and wait > 0 else await ctx.pages.get(since, limit)
    if page is None or (not page.count and not page.reset and wait > 0):
        if notifier.waiting >= ctx.settings.max_long_polls:
            # Spread the retries over 1-3 s so the refused do not come back as one wave.
            return error_response(
                503,
                "too many followers waiting; retry after the Retry-After seconds",
                code="unavailable",
                headers={"Retry-After": str(random.randint(1, 3))},
            )
        if await _gone_while_waiting(receive, notifier.wait_beyond(since, wait)):
            return Response(status_code=204)  # nobody reads it; nothing more is done for it
        page = await ctx.pages.get(since, limit)
    await ctx.pacer.turn()
    if page.gzip is not None and "gzip" in accept_encoding:
        return Response(
            page.gzip,
            media_type="application/json",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return Response(page.body, media_type="application/json", headers={"Vary": "Accept-Encoding"})


async def _gone_while_waiting(receive: Receive, wait: Awaitable[bool]) -> bool:
    """Run the long poll's ``wait``; True if the client disconnected first (its socket
    closed: the server learns it as ``http.disconnect`` on ``receive``)."""
    waiting = asyncio.ensure_future(wait)
    gone = asyncio.ensure_future(_disconnect(receive))
    try:
        await asyncio.wait({waiting, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        gone.cancel()
    return gone.done() and not gone.cancelled()


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class FastPolls:
    """The change feed's polls that need no checking beyond a glance, answered without
    FastAPI's routing and dependency solving.

    A commit answers every parked follower, and each comes straight back with its next poll.
    Through the app's full stack a poll costs the event loop about half a millisecond before
    it parks (routing, the dependency tree, parameter validation, an exit stack, five
    middleware layers), and uvicorn runs the first steps of all the polls that arrived
    together in one loop iteration: with 500 followers that is a quarter of a second in
    which ``/healthz`` and a case action wait (measured with py-spy under ``bench hostile``:
    four fifths of the loop's time was this stack). Two things here:

    - every poll enters a few per loop turn (``ctx.pacer``), so the loop reads its sockets
      between batches;
    - a poll whose parameters are plain numbers in range and whose token is in the token
      cache with a reading role is answered by ``poll`` directly. Anything else (a bad or
      repeated parameter, an unknown token, a role that may not read) goes on to the route
      above, which validates, looks up and refuses in the API's error shape: this path only
      ever takes requests the route would accept with the same arguments.

    It sits inside the request log and the security headers (the answers carry both) and
    outside the compression (the pages come compressed).
    """

    def __init__(self, app: ASGIApp, ctx: Context, path: str = "/api/v1/changes"):
        self.app = app
        self.ctx = ctx
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        await self.ctx.pacer.turn()
        args = plain_query(scope.get("query_string", b""))
        headers = dict(scope.get("headers") or ())
        if args is None or not self._may_read(headers.get(b"authorization")):
            return await self.app(scope, receive, send)
        accept = headers.get(b"accept-encoding", b"").decode("latin-1")
        response = await poll(self.ctx, receive, *args, accept_encoding=accept)
        await response(scope, receive, send)

    def _may_read(self, authorization: bytes | None) -> bool:
        if authorization is None:
            return False
        p = cached(self.ctx, authorization.decode("latin-1"))
        return p is not None and bool(p.roles & READ_ROLES)


MAX_SINCE, MAX_LIMIT, MAX_WAIT = 2**62, 10_000, 300
_INT = re.compile(rb"[0-9]{1,19}")
_SECONDS = re.compile(rb"[0-9]{1,3}(\.[0-9]{1,3})?")


def plain_query(qs: bytes) -> tuple[int, int, float] | None:
    """``(since, limit, wait)`` from a query string of plain digits within the route's bounds
    (defaults as the route's), or None for anything the route must judge: another form of
    number, a percent escape, a repeated or empty parameter, a value out of range."""
    values: dict[bytes, bytes] = {}
    for part in qs.split(b"&") if qs else ():
        name, eq, value = part.partition(b"=")
        if name in (b"since", b"limit", b"wait"):
            if not eq or name in values:
                return None
            values[name] = value
    since, limit, wait = (
        values.get(b"since", b"0"),
        values.get(b"limit", b"1000"),
        values.get(b"wait", b"0"),
    )
    if not (_INT.fullmatch(since) and _INT.fullmatch(limit) and _SECONDS.fullmatch(wait)):
        return None
    s, n, w = int(since), int(limit), float(wait)
    if s > MAX_SINCE or not 1 <= n <= MAX_LIMIT or w > MAX_WAIT:
        return None
    return s, n, w
