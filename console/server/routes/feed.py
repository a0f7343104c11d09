"""How a console follows the backend: bootstrap (``/reference``, ``/snapshot``), then the
change feed's long poll (``/changes``), served by ``console.server.feed``.

The long poll is async and sleeps on the notifier, so hundreds of followers cost no threads
and no database polling; only its reads go to the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from console.domain.case import iso

from .. import alerts, cases, feed, reference, telemetry
from ..db import Vehicle
from .deps import Ctx, Reader, Who

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
    p: Reader,
    ctx: Ctx,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    wait: Annotated[float, Query(ge=0, le=300)] = 0.0,
):
    limit = min(limit, ctx.settings.max_changes_per_poll)
    wait = min(wait, ctx.settings.max_wait_s)

    def fetch() -> tuple[list[dict], int, bool]:
        with ctx.db.read() as s:
            return feed.read(s, since, limit)

    rows, last, reset = await run_in_threadpool(fetch)
    if not rows and not reset and wait > 0 and await ctx.notifier.wait_beyond(since, wait):
        rows, last, reset = await run_in_threadpool(fetch)
    return {
        "feed_id": ctx.feed_id,
        "changes": rows,
        "last_seq": last,
        "reset": reset,
        "server_time": iso(ctx.now()),
    }
