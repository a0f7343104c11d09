"""Liveness, readiness and the district clock: what operators and load balancers probe."""

from __future__ import annotations

from fastapi import APIRouter

from ..errors import error_response
from .deps import Ctx

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz():
    # Liveness only: whether the database answers is readyz's question.
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: Ctx):
    # Ready means the database answers; 503 takes the instance out of rotation until it does.
    if not ctx.db.ping():
        return error_response(503, "database not reachable", code="unavailable")
    return {"status": "ready", "database": ctx.db.engine.dialect.name}


@router.get("/api/v1/clock")
def clock(ctx: Ctx):
    # The (possibly compressed) district clock, so clients show the same time as the SLAs, and
    # the years ahead that the work calendar has no holiday notice for (a visible warning).
    return {**ctx.clock.to_dict(), "uncovered_years": ctx.uncovered_years()}
