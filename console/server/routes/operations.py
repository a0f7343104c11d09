"""Liveness, readiness and the district clock: what operators and load balancers probe.

Both probes are async: they answer on the event loop even when every thread-pool worker is
busy, so a load balancer does not take a loaded but healthy instance out of rotation.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ..context import Context
from ..db import Meta
from ..errors import error_response
from .deps import Ctx

router = APIRouter(tags=["operations"])

#: How long a readiness verdict is reused. Load balancers probe every few seconds (nginx
#: Plus and Kubernetes default to 5-10 s); one write a few seconds is nothing, one per probe
#: from many balancers would queue behind the real writers.
READY_TTL_S = 3.0


@router.get("/healthz")
async def healthz():
    # Liveness only: whether the database answers is readyz's question.
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, ctx: Ctx):
    # Ready means the database answers and takes a write (a full disk or a read-only file
    # answers reads but refuses every report); 503 takes the instance out of rotation.
    problem = await _ready_probe(request, ctx)
    if problem:
        return error_response(503, problem, code="unavailable")
    return {
        "status": "ready",
        "database": ctx.db.engine.dialect.name,
        # Outside systems (serve --traccar, --open311-pull): how each is doing, for operators;
        # a failing one does not make the backend unready.
        "sources": [x.status() for x in getattr(request.app.state, "sources", ())],
    }


async def _ready_probe(request: Request, ctx: Context) -> str:
    """ "" if the store reads and writes, else what is wrong: one probe at a time per app
    (kept on ``app.state``), its verdict shared for ``READY_TTL_S``."""
    now = time.monotonic()
    cached: tuple[float, asyncio.Future[str]] | None = getattr(
        request.app.state, "ready_probe", None
    )
    if cached is None or now - cached[0] > READY_TTL_S:
        cached = (now, asyncio.ensure_future(run_in_threadpool(_probe, ctx)))
        request.app.state.ready_probe = cached
    return await asyncio.shield(cached[1])


def _probe(ctx: Context) -> str:
    if not ctx.db.ping():
        return "database not reachable"
    stamp = str(time.time())
    try:
        with ctx.db.write() as s:
            row = s.get(Meta, "ready_probe")
            if row is None:
                s.add(Meta(key="ready_probe", value=stamp))
            else:
                row.value = stamp
    except Exception as e:  # any refusal means the same to a balancer: not ready
        return f"database does not take writes: {type(e).__name__}: {str(e)[:200]}"
    return ""


@router.get("/api/v1/clock")
def clock(ctx: Ctx):
    # The (possibly compressed) district clock, so clients show the same time as the SLAs, and
    # the years ahead that the work calendar has no holiday notice for (a visible warning).
    return {**ctx.clock.to_dict(), "uncovered_years": ctx.uncovered_years()}
