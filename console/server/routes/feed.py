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
from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from sqlalchemy import select
from starlette.types import Receive

from console.domain.case import iso

from .. import alerts, cases, feed, reference, telemetry
from ..db import Vehicle
from ..errors import error_response
from .deps import Ctx, FeedReader, Reader, Who

router = APIRouter(prefix="/api/v1", tags=["feed"])


@router.get("/reference")
def get_reference(p: Who, ctx: Ctx, if_none_match: Annotated[str | None, Header()] = None):
    # Any signed-in caller may read it (no reader role needed); 304 when the ETag matches.
    body, etag = reference.build(ctx)
    if if_none_match and if_none_match.strip('"') == etag:
        return Response(status_code=304, headers={"ETag": f'"{etag}"'})
    return Response(body, media_type="application/json", headers={"ETag": f'"{etag}"'})


@router.get("/snapshot")
def snapshot(p: Reader, ctx: Ctx):
    # The live picture (the cases console.domain.retention keeps, fleet, open alerts) and the feed
    # position ``seq`` to follow ``/changes`` from.
    now = ctx.now()
    with ctx.db.read() as s:
        seq = feed.last_seq(s)
        return {
            "feed_id": ctx.feed_id,
            "seq": seq,
            "server_time": iso(now),
            "speed": ctx.clock.speed,
            "cases": cases.snapshot_cases(ctx, s, now),
            "vehicles": [
                telemetry.vehicle_wire(v)
                for v in s.scalars(select(Vehicle).order_by(Vehicle.id)).all()
            ],
            "alerts": alerts.open_alerts(s),
        }


@router.get("/changes")
async def changes(
    request: Request,
    p: FeedReader,
    ctx: Ctx,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    wait: Annotated[float, Query(ge=0, le=300)] = 0.0,
    accept_encoding: Annotated[str, Header()] = "",
):
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
        if await _gone_while_waiting(request.receive, notifier.wait_beyond(since, wait)):
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
